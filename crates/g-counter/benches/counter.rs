//! `make bench-counter`: challenge 4's command line (maelstrom.md §7) on
//! seeds 1–20 of g-counter and of pn-counter, each run twice: in process mode
//! through the bundled harness, and in the simulation (`g-counter sim`). One
//! line per seed shows both side by side: validity, servers msgs-per-op
//! (node↔seq-kv traffic counts as server traffic, maelstrom.md §5.4) and the
//! number of operations, which falls short of the ~2,000 the generator offers
//! when adds make their clients wait. A benchmark, not a test.
//!
//! Process-mode runs take their 30 s of wall time each and use about 1% of a
//! core, so up to [`PROCESS_RUNS_PARALLEL`] of them run at once. The
//! simulation's figures differ from process mode's only by processing time,
//! which the simulation leaves out.

use std::path::Path;
use std::sync::Mutex;

use maelstrom_driver::{run_sim, run_test, Run};

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

const WORKLOADS: [&str; 2] = ["g-counter", "pn-counter"];
const SEEDS: std::ops::RangeInclusive<u64> = 1..=20;
/// Process-mode runs at once: each mostly sleeps, so four share two cores
/// without slowing one another down.
const PROCESS_RUNS_PARALLEL: usize = 4;

/// The figures of one run.
#[derive(Clone, Debug, Default)]
struct Figures {
    valid: bool,
    msgs_per_op: Option<f64>,
    ops: Option<u64>,
    final_reads: String,
}

impl Figures {
    fn of(run: &Run) -> Figures {
        if run.results.is_none() {
            println!("{}", run.output);
        }
        Figures {
            valid: run.exit_code == 0,
            msgs_per_op: run
                .figure(&["net", "servers", "msgs-per-op"])
                .and_then(|value| value.as_f64()),
            ops: run
                .figure(&["stats", "count"])
                .and_then(|value| value.as_u64()),
            final_reads: run
                .figure(&["workload", "final-reads"])
                .map_or("-".to_string(), |value| value.to_string()),
        }
    }

    fn columns(&self) -> String {
        format!(
            "{:>6} {:>8} {:>5}",
            self.valid,
            self.msgs_per_op
                .map_or("-".to_string(), |value| format!("{value:.3}")),
            self.ops.map_or("-".to_string(), |value| value.to_string()),
        )
    }
}

fn args(workload: &str, seed: u64) -> Vec<String> {
    let mut args = vec!["-w".to_string(), workload.to_string()];
    args.extend(COMMAND_4.iter().map(|arg| arg.to_string()));
    args.extend(["--seed".to_string(), seed.to_string()]);
    args
}

fn measure(run: fn(&Path, &[&str]) -> Run, node: &Path, workload: &str, seed: u64) -> Figures {
    let args = args(workload, seed);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Figures::of(&run(node, &args))
}

/// Every (workload, seed) in process mode, [`PROCESS_RUNS_PARALLEL`] at a time,
/// in the order of `runs`.
fn process_mode(node: &Path, runs: &[(&'static str, u64)]) -> Vec<Figures> {
    let next = Mutex::new(0..runs.len());
    let results = Mutex::new(vec![Figures::default(); runs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..PROCESS_RUNS_PARALLEL {
            scope.spawn(|| loop {
                let Some(index) = next.lock().expect("no thread panics holding it").next() else {
                    return;
                };
                let (workload, seed) = runs[index];
                let figures = measure(run_test, node, workload, seed);
                results.lock().expect("no thread panics holding it")[index] = figures;
            });
        }
    });
    results.into_inner().expect("every thread has ended")
}

fn main() {
    let node = Path::new(env!("CARGO_BIN_EXE_g-counter"));
    let runs: Vec<(&str, u64)> = WORKLOADS
        .iter()
        .flat_map(|&workload| SEEDS.map(move |seed| (workload, seed)))
        .collect();
    println!(
        "process mode: {} runs of 30 s, {PROCESS_RUNS_PARALLEL} at a time...",
        runs.len()
    );
    let process = process_mode(node, &runs);
    let simulated: Vec<Figures> = runs
        .iter()
        .map(|&(workload, seed)| measure(run_sim, node, workload, seed))
        .collect();
    println!("{:<15} | {:<42} | simulation", "", "process mode");
    println!(
        "{:<10} {:>4} | {:>6} {:>8} {:>5} {:<20} | {:>6} {:>8} {:>5}",
        "workload", "seed", "valid?", "msgs/op", "ops", "final reads", "valid?", "msgs/op", "ops"
    );
    for (index, (workload, seed)) in runs.iter().enumerate() {
        println!(
            "{:<10} {:>4} | {} {:<20} | {}",
            workload,
            seed,
            process[index].columns(),
            process[index].final_reads,
            simulated[index].columns(),
        );
    }
    for workload in WORKLOADS {
        for (mode, figures) in [("process", &process), ("sim", &simulated)] {
            let of_workload: Vec<&Figures> = runs
                .iter()
                .zip(figures)
                .filter(|((name, _), _)| *name == workload)
                .map(|(_, figures)| figures)
                .collect();
            summarize(workload, mode, &of_workload);
        }
    }
}

fn summarize(workload: &str, mode: &str, runs: &[&Figures]) {
    let valid = runs.iter().filter(|figures| figures.valid).count();
    let mut per_op: Vec<f64> = runs
        .iter()
        .filter_map(|figures| figures.msgs_per_op)
        .collect();
    per_op.sort_by(f64::total_cmp);
    let ops: Vec<u64> = runs.iter().filter_map(|figures| figures.ops).collect();
    println!(
        "{workload} ({mode}): valid in {valid} of {}; servers msgs-per-op min {:.3}, max {:.3}; ops min {}, max {}",
        runs.len(),
        per_op.first().copied().unwrap_or(f64::NAN),
        per_op.last().copied().unwrap_or(f64::NAN),
        ops.iter().min().map_or("-".to_string(), u64::to_string),
        ops.iter().max().map_or("-".to_string(), u64::to_string),
    );
}
