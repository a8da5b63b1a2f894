//! `make bench-broadcast`: the 3d command (maelstrom.md §7), healthy and under
//! the partition nemesis (§5.2), seed by seed, with the figures the challenge
//! judges: servers msgs-per-op and the median and maximum stable latency
//! (§3.3, §5.4). A benchmark, not a test: it prints, and judges nothing.
//!
//! - Healthy network, seeds 11–13: the node alone, in the simulation and in
//!   process mode (the real Maelstrom experience, 30 s a run).
//! - `--nemesis partition`, seeds 1–10: the node beside the flood reference
//!   (`broadcast-flood`, every node sends everything to everyone every 200 ms),
//!   whose latency is the floor the partitions themselves impose, with the
//!   ratios of ours to it. In the simulation; in process mode too with
//!   `-- --process` (ten more minutes).
//!
//! The simulation has no processing time, so its latencies are slightly
//! optimistic against process mode; message counts agree within a few percent.
//! Every line can be replayed: `target/release/broadcast sim <the command> --seed N`.

use std::path::Path;

use maelstrom_driver::{run_sim, run_test, Run};
use serde_json::Value;

/// The 3d command, without its seed.
const COMMAND_3D: &[&str] = &[
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

const HEALTHY_SEEDS: std::ops::RangeInclusive<u64> = 11..=13;
const PARTITIONED_SEEDS: std::ops::RangeInclusive<u64> = 1..=10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Sim,
    Process,
}

impl Mode {
    fn run(self, node: &Path, args: &[&str]) -> Run {
        match self {
            Mode::Sim => run_sim(node, args),
            Mode::Process => run_test(node, args),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Sim => "sim",
            Mode::Process => "process",
        }
    }
}

/// The figures of one run.
struct Figures {
    valid: String,
    msgs_per_op: Option<f64>,
    median_ms: Option<f64>,
    max_ms: Option<f64>,
}

impl Figures {
    fn of(run: &Run) -> Figures {
        let number = |path: &[&str]| run.figure(path).and_then(Value::as_f64);
        if run.results.is_none() {
            eprintln!("{}", run.output);
        }
        Figures {
            valid: run
                .figure(&["valid?"])
                .map_or("-".to_string(), Value::to_string),
            msgs_per_op: number(&["net", "servers", "msgs-per-op"]),
            median_ms: number(&["workload", "stable-latencies", "0.5"]),
            max_ms: number(&["workload", "stable-latencies", "1"]),
        }
    }
}

fn show(number: Option<f64>, decimals: usize) -> String {
    number.map_or("-".to_string(), |number| format!("{number:.decimals$}"))
}

fn ratio(ours: Option<f64>, flood: Option<f64>) -> String {
    match (ours, flood) {
        (Some(ours), Some(flood)) if flood > 0.0 => format!("{:.2}", ours / flood),
        _ => "-".to_string(),
    }
}

fn with_seed(extra: &[&str], seed: &str) -> Vec<String> {
    COMMAND_3D
        .iter()
        .chain(extra)
        .copied()
        .chain(["--seed", seed])
        .map(str::to_string)
        .collect()
}

fn healthy(node: &Path, modes: &[Mode]) {
    println!("3d, healthy network: the node");
    println!(
        "{:<8} {:>4} {:>6} {:>8} {:>9} {:>7}",
        "mode", "seed", "valid", "msgs/op", "median ms", "max ms"
    );
    for &mode in modes {
        for seed in HEALTHY_SEEDS {
            let args = with_seed(&[], &seed.to_string());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let figures = Figures::of(&mode.run(node, &args));
            println!(
                "{:<8} {:>4} {:>6} {:>8} {:>9} {:>7}",
                mode.name(),
                seed,
                figures.valid,
                show(figures.msgs_per_op, 2),
                show(figures.median_ms, 0),
                show(figures.max_ms, 0),
            );
        }
    }
    println!();
}

fn partitioned(node: &Path, flood: &Path, modes: &[Mode]) {
    println!("3d --nemesis partition: the node and the flood reference, and the node's latency as a multiple of the flood's");
    println!(
        "{:<8} {:>4} | {:>6} {:>8} {:>9} {:>7} | {:>8} {:>9} {:>7} | {:>8} {:>7}",
        "mode",
        "seed",
        "valid",
        "msgs/op",
        "median ms",
        "max ms",
        "msgs/op",
        "median ms",
        "max ms",
        "median×",
        "max×"
    );
    for &mode in modes {
        for seed in PARTITIONED_SEEDS {
            let args = with_seed(&["--nemesis", "partition"], &seed.to_string());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let ours = Figures::of(&mode.run(node, &args));
            let reference = Figures::of(&mode.run(flood, &args));
            println!(
                "{:<8} {:>4} | {:>6} {:>8} {:>9} {:>7} | {:>8} {:>9} {:>7} | {:>8} {:>7}",
                mode.name(),
                seed,
                ours.valid,
                show(ours.msgs_per_op, 2),
                show(ours.median_ms, 0),
                show(ours.max_ms, 0),
                show(reference.msgs_per_op, 2),
                show(reference.median_ms, 0),
                show(reference.max_ms, 0),
                ratio(ours.median_ms, reference.median_ms),
                ratio(ours.max_ms, reference.max_ms),
            );
        }
    }
    println!();
}

fn main() {
    let process_everywhere = std::env::args().any(|arg| arg == "--process");
    let node = Path::new(env!("CARGO_BIN_EXE_broadcast"));
    let flood = Path::new(env!("CARGO_BIN_EXE_broadcast-flood"));
    healthy(node, &[Mode::Sim, Mode::Process]);
    let modes: &[Mode] = if process_everywhere {
        &[Mode::Sim, Mode::Process]
    } else {
        &[Mode::Sim]
    };
    partitioned(node, flood, modes);
    if !process_everywhere {
        println!("(process mode under partitions too: cargo bench -p broadcast --bench broadcast -- --process)");
    }
    println!(
        "replay one: target/release/broadcast sim {} --nemesis partition --seed 1",
        COMMAND_3D.join(" ")
    );
}
