//! `make bench-broadcast`: the 3d/3e command line (maelstrom.md §7), plain
//! and under the partition nemesis, through the bundled harness, printing the
//! figures the challenge judges: servers msgs-per-op and stable-latency
//! quantiles. A benchmark, not a test: it prints, and the harness's verdict
//! (with `--check 3d-strict`: ≤ 3 msgs/op, median ≤ 300 ms, max ≤ 500 ms) is
//! shown beside the figures. Pass `--seed N` after `--` to change the seed.

use std::path::Path;

use maelstrom_driver::run_test;
use serde_json::Value;

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

fn main() {
    let seed = std::env::args()
        .skip_while(|arg| arg != "--seed")
        .nth(1)
        .unwrap_or_else(|| "1".to_string());
    let node = Path::new(env!("CARGO_BIN_EXE_broadcast"));
    println!(
        "{:<28} {:>6} {:>8} {:>13} {:>8} {:>8} {:>8}",
        "run", "valid", "verdict", "msgs-per-op", "p50 ms", "p95 ms", "max ms"
    );
    for (name, extra) in [
        ("3d/3e", &[][..]),
        ("3d/3e --nemesis partition", &["--nemesis", "partition"][..]),
    ] {
        let mut args = COMMAND_3D.to_vec();
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--seed", &seed]);
        if extra.is_empty() {
            args.extend_from_slice(&["--check", "3d-strict"]);
        }
        let run = run_test(node, &args);
        let number = |path: &[&str]| run.figure(path).map_or("-".to_string(), show);
        println!(
            "{:<28} {:>6} {:>8} {:>13} {:>8} {:>8} {:>8}",
            name,
            number(&["valid?"]),
            match run.exit_code {
                0 => "pass",
                1 => "fail",
                2 => "unknown",
                _ => "error",
            },
            number(&["net", "servers", "msgs-per-op"]),
            number(&["workload", "stable-latencies", "0.5"]),
            number(&["workload", "stable-latencies", "0.95"]),
            number(&["workload", "stable-latencies", "1"]),
        );
        if run.results.is_none() {
            println!("{}", run.output);
        }
    }
    println!("replay one: cargo run --release -p maelstrom-tests -- test {} --bin target/release/broadcast --seed {seed}", COMMAND_3D.join(" "));
}

fn show(value: &Value) -> String {
    match value.as_f64() {
        Some(number) if value.is_f64() => format!("{number:.2}"),
        _ => value.to_string(),
    }
}
