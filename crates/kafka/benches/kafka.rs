//! `make bench-kafka`: challenges 5a, 5b/5c and 5b under partitions
//! (maelstrom.md §7), in the simulation over seeds 1–20 and as processes under
//! the bundled harness over a few seeds, printing what 5c is judged on: validity,
//! servers msgs-per-op, and availability (ok-fraction; the crashes the
//! generator injects are the only operations that are not ok). A benchmark,
//! not a test: it prints, and ends with one summary line per run kind.
//!
//! Process runs take real time (20 s, 10 s of quiet, the final polls), so
//! there are fewer of them: [`PROCESS_SEEDS`].

use maelstrom_driver::{run_sim, run_test, Run};
use serde_json::Value;

#[path = "../tests/support/mod.rs"]
mod support;

use support::{COMMAND_5A, COMMAND_5B};

/// Seeds of the simulated runs.
const SIM_SEEDS: std::ops::RangeInclusive<u64> = 1..=20;

/// Seeds of the process runs, each about 35 s of wall time.
const PROCESS_SEEDS: std::ops::RangeInclusive<u64> = 1..=3;

/// One kind of run: a name, its command, and the extra flags.
struct Kind {
    name: &'static str,
    command: &'static [&'static str],
    extra: &'static [&'static str],
}

const KINDS: [Kind; 3] = [
    Kind {
        name: "5a",
        command: &COMMAND_5A,
        extra: &["--check", "5a"],
    },
    Kind {
        name: "5b/5c",
        command: &COMMAND_5B,
        extra: &["--check", "5c"],
    },
    Kind {
        name: "5b partition",
        command: &COMMAND_5B,
        extra: &["--nemesis", "partition", "--check", "5b"],
    },
];

/// What one run measured.
struct Figures {
    valid: bool,
    msgs_per_op: f64,
    ok_fraction: f64,
    ops: u64,
}

fn main() {
    let node = support::kafka();
    println!(
        "{:<8} {:<13} {:>5} {:>7} {:>12} {:>13} {:>7}",
        "mode", "run", "seed", "valid?", "msgs-per-op", "availability", "ops"
    );
    let mut summaries = Vec::new();
    for (mode, seeds) in [("sim", SIM_SEEDS), ("process", PROCESS_SEEDS)] {
        for kind in &KINDS {
            let mut all = Vec::new();
            for seed in seeds.clone() {
                let seed_text = seed.to_string();
                let args = [kind.command, kind.extra, &["--seed", &seed_text]].concat();
                let run = match mode {
                    "sim" => run_sim(node, &args),
                    _ => run_test(node, &args),
                };
                let figures = figures(&run);
                println!(
                    "{:<8} {:<13} {:>5} {:>7} {:>12.3} {:>13.5} {:>7}",
                    mode,
                    kind.name,
                    seed,
                    figures.valid,
                    figures.msgs_per_op,
                    figures.ok_fraction,
                    figures.ops
                );
                if run.results.is_none() {
                    println!("{}", run.output);
                }
                all.push(figures);
            }
            summaries.push(summary(mode, kind.name, &all));
        }
    }
    println!();
    for line in summaries {
        println!("{line}");
    }
}

fn figures(run: &Run) -> Figures {
    let number = |path: &[&str]| run.figure(path).and_then(Value::as_f64).unwrap_or(f64::NAN);
    Figures {
        valid: run.exit_code == 0,
        msgs_per_op: number(&["net", "servers", "msgs-per-op"]),
        ok_fraction: number(&["availability", "ok-fraction"]),
        ops: run
            .figure(&["stats", "count"])
            .and_then(Value::as_u64)
            .unwrap_or(0),
    }
}

/// `sim 5b/5c: valid in 20 of 20; msgs-per-op 0.039–0.041; availability 0.99950–0.99975`.
fn summary(mode: &str, name: &str, all: &[Figures]) -> String {
    let valid = all.iter().filter(|figures| figures.valid).count();
    let range = |values: Vec<f64>| {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (min, max)
    };
    let (msgs_min, msgs_max) = range(all.iter().map(|figures| figures.msgs_per_op).collect());
    let (ok_min, ok_max) = range(all.iter().map(|figures| figures.ok_fraction).collect());
    format!(
        "{mode} {name}: valid in {valid} of {}; msgs-per-op {msgs_min:.3}–{msgs_max:.3}; availability {ok_min:.5}–{ok_max:.5}",
        all.len()
    )
}
