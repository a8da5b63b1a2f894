//! `make bench-sim` (part): the simulation against process mode on challenge 3d's
//! command (maelstrom.md §7), seed by seed: servers msgs-per-op and the median and
//! maximum stable latency from each, with the simulation's difference from process mode,
//! and the wall time of each. Then the two speed targets: one 3d run, and a 100-seed
//! sweep of 3c under partitions. It runs the release `broadcast` binary beside this
//! benchmark (`make build` first). A benchmark: it prints, it does not judge.

use std::path::{Path, PathBuf};
use std::time::Instant;

use maelstrom_driver::{run_sim, run_test, Run};

const COMMAND_3D: [&str; 10] = [
    "-w",
    "broadcast",
    "--node-count",
    "25",
    "--time-limit",
    "20",
    "--rate",
    "100",
    "--latency",
    "100",
];
const COMMAND_3C_PARTITIONED: [&str; 10] = [
    "-w",
    "broadcast",
    "--node-count",
    "5",
    "--time-limit",
    "20",
    "--rate",
    "10",
    "--nemesis",
    "partition",
];

fn broadcast_binary() -> PathBuf {
    // target/release/deps/<bench> → target/release/broadcast
    let bench = std::env::current_exe().expect("the bench knows its path");
    let release = bench
        .parent()
        .and_then(Path::parent)
        .expect("benches run from target/<profile>/deps");
    let binary = release.join("broadcast");
    assert!(
        binary.exists(),
        "build the node first: cargo build --release -p broadcast"
    );
    binary
}

fn figures(run: &Run) -> (f64, f64, f64) {
    let number = |path: &[&str]| {
        run.figure(path)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(f64::NAN)
    };
    (
        number(&["net", "servers", "msgs-per-op"]),
        number(&["workload", "stable-latencies", "0.5"]),
        number(&["workload", "stable-latencies", "1"]),
    )
}

fn main() {
    let broadcast = broadcast_binary();
    println!("challenge 3d's command, seed by seed (process mode: real processes, real time)");
    println!(
        "{:>4}  {:>22}  {:>22}  {:>20}  {:>14}",
        "seed",
        "msgs/op sim / process",
        "median ms sim / proc",
        "max ms sim / proc",
        "wall sim / proc"
    );
    let mut ratios = Vec::new();
    for seed in ["1", "2", "3"] {
        let args = [&COMMAND_3D[..], &["--seed", seed]].concat();
        let started = Instant::now();
        let sim = run_sim(&broadcast, &args);
        let sim_wall = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let process = run_test(&broadcast, &args);
        let process_wall = started.elapsed().as_secs_f64();
        let (sim_msgs, sim_median, sim_max) = figures(&sim);
        let (msgs, median, max) = figures(&process);
        println!(
            "{seed:>4}  {sim_msgs:>10.3} / {msgs:<9.3}  {sim_median:>10} / {median:<9}  {sim_max:>9} / {max:<8}  {sim_wall:>5.2} s / {process_wall:>4.1} s"
        );
        ratios.push((sim_msgs / msgs - 1.0, sim_median / median - 1.0));
    }
    for (seed, (msgs, median)) in ["1", "2", "3"].iter().zip(&ratios) {
        println!(
            "seed {seed}: simulation vs process: msgs/op {:+.1} %, median stable latency {:+.1} %",
            msgs * 100.0,
            median * 100.0
        );
    }
    let started = Instant::now();
    let one = run_sim(&broadcast, &[&COMMAND_3D[..], &["--seed", "7"]].concat());
    println!(
        "one 3d run in the simulation: {:.2} s of wall time (exit {}), store and pictures included",
        started.elapsed().as_secs_f64(),
        one.exit_code
    );
    let started = Instant::now();
    let sweep = run_sim(
        &broadcast,
        &[&COMMAND_3C_PARTITIONED[..], &["--seeds", "0..100"]].concat(),
    );
    let summary = sweep
        .output
        .lines()
        .find(|line| line.contains("seed(s) valid"))
        .unwrap_or("?");
    println!(
        "100-seed sweep of 3c under partitions: {:.2} s of wall time ({summary})",
        started.elapsed().as_secs_f64()
    );
}
