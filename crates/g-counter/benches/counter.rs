//! `make bench-counter`: challenge 4's command line (maelstrom.md §7) with
//! 20 seeds through the bundled harness, printing validity and servers
//! msgs-per-op for each (node↔seq-kv traffic counts as server traffic), then
//! the pn-counter workload on the same command. A benchmark, not a test.

use std::path::Path;

use maelstrom_driver::run_test;

const COMMAND_4: &[&str] = &[
    "--node-count",
    "3",
    "--rate",
    "100",
    "--time-limit",
    "20",
    "--nemesis",
    "partition",
];

fn main() {
    let node = Path::new(env!("CARGO_BIN_EXE_g-counter"));
    println!(
        "{:<12} {:>5} {:>8} {:>12} {:>6} {:>12}",
        "workload", "seed", "valid?", "msgs-per-op", "ops", "final reads"
    );
    let mut valid_count = 0;
    let mut msgs_per_op = Vec::new();
    let runs: Vec<(&str, u64)> = (1..=20)
        .map(|seed| ("g-counter", seed))
        .chain([("pn-counter", 1)])
        .collect();
    for (workload, seed) in &runs {
        let seed_text = seed.to_string();
        let mut args = vec!["-w", workload];
        args.extend_from_slice(COMMAND_4);
        args.extend_from_slice(&["--seed", &seed_text]);
        let run = run_test(node, &args);
        let figure = |path: &[&str]| {
            run.figure(path)
                .map_or("-".to_string(), |value| value.to_string())
        };
        println!(
            "{:<12} {:>5} {:>8} {:>12} {:>6} {:>12}",
            workload,
            seed,
            figure(&["valid?"]),
            run.figure(&["net", "servers", "msgs-per-op"])
                .and_then(|value| value.as_f64())
                .map_or("-".to_string(), |value| format!("{value:.3}")),
            figure(&["stats", "count"]),
            figure(&["workload", "final-reads"]),
        );
        if *workload == "g-counter" {
            valid_count += usize::from(run.exit_code == 0);
            if let Some(value) = run
                .figure(&["net", "servers", "msgs-per-op"])
                .and_then(|value| value.as_f64())
            {
                msgs_per_op.push(value);
            }
        }
        if run.results.is_none() {
            println!("{}", run.output);
        }
    }
    msgs_per_op.sort_by(f64::total_cmp);
    println!(
        "g-counter: valid in {valid_count} of 20 runs; servers msgs-per-op min {:.3}, max {:.3}",
        msgs_per_op.first().copied().unwrap_or(f64::NAN),
        msgs_per_op.last().copied().unwrap_or(f64::NAN),
    );
}
