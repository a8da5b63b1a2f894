//! `BIN sim ... --seeds A..B`: the same test over a range of seeds, one line per seed,
//! then the command that replays each seed that was not valid.
//!
//! Seeds run in parallel on every core (each seed is its own deterministic run, so the
//! order they finish in changes nothing), and the lines come out in seed order. Only
//! the seeds that are not valid get a store directory: those are the ones to look at,
//! and the replay line rebuilds any other. The exit code is 1 if any seed was not valid.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use maelstrom_checker::{Edn, Results};
use protocol::Node;

use crate::cli::{RunArgs, TestConfig, EXIT_BAD_ARGUMENTS, EXIT_CRASH, EXIT_INVALID, EXIT_VALID};
use crate::console::outln;
use crate::run::report::{self, replay_command, shown_path, RunContext, Verdict};
use crate::run::World;
use crate::store;

/// Threads a sweep uses at most, whatever the machine has.
const SWEEP_THREADS_MAX: usize = 16;

/// One seed's outcome, as the sweep prints it.
struct SeedLine {
    valid: bool,
    line: String,
    replay: Option<String>,
}

/// Runs `args` once per seed in `seeds`; returns the exit code.
pub fn sweep<N: Node>(
    args: &RunArgs,
    executable: &Path,
    seeds: RangeInclusive<u64>,
    command_line: &[String],
) -> i32 {
    // Check the flags once, up front, with the first seed.
    let mut first = args.clone();
    first.seed = Some(seeds.start().to_string());
    let config = match TestConfig::from_args(&first, executable) {
        Ok(config) => config,
        Err(bad) => {
            eprintln!("{bad}");
            return EXIT_BAD_ARGUMENTS;
        }
    };
    if let Err(line) = World::new(&config) {
        eprintln!("{line}");
        return EXIT_BAD_ARGUMENTS;
    }
    let total = seeds.end() - seeds.start() + 1;
    outln!(
        "Simulating {} over {total} seed(s), {}..={}...",
        config.workload,
        seeds.start(),
        seeds.end()
    );
    let started = Instant::now();
    let next_seed = AtomicU64::new(*seeds.start());
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(SWEEP_THREADS_MAX)
        .min(usize::try_from(total).unwrap_or(usize::MAX));
    let (lines_sender, lines) = mpsc::channel::<(u64, SeedLine)>();
    let mut outcomes = Vec::new();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (sender, config, next_seed) = (lines_sender.clone(), &config, &next_seed);
            let last = *seeds.end();
            scope.spawn(move || loop {
                let seed = next_seed.fetch_add(1, Ordering::Relaxed);
                if seed > last {
                    return;
                }
                let mut config = config.clone();
                config.seed = seed;
                let line = one_seed::<N>(&config, command_line).unwrap_or_else(|error| SeedLine {
                    valid: false,
                    line: format!("seed {seed}: error: {error:#}"),
                    replay: Some(replay_command(command_line, seed)),
                });
                if sender.send((seed, line)).is_err() {
                    return;
                }
            });
        }
        drop(lines_sender);
        // Print in seed order as the seeds finish.
        let mut waiting = BTreeMap::new();
        let mut next_to_print = *seeds.start();
        for (seed, line) in lines {
            waiting.insert(seed, line);
            while let Some(line) = waiting.remove(&next_to_print) {
                outln!("{}", line.line);
                outcomes.push(line);
                next_to_print += 1;
            }
        }
    });
    let valid_count = outcomes.iter().filter(|outcome| outcome.valid).count();
    outln!(
        "{valid_count} of {total} seed(s) valid, in {:.1} s.",
        started.elapsed().as_secs_f64()
    );
    let replays: Vec<&String> = outcomes
        .iter()
        .filter_map(|outcome| outcome.replay.as_ref())
        .collect();
    for replay in &replays {
        outln!("Replay: {replay}");
    }
    if replays.is_empty() {
        EXIT_VALID
    } else {
        EXIT_INVALID
    }
}

/// One seed: simulate, judge, store it if it is not valid, and describe it in a line.
fn one_seed<N: Node>(config: &TestConfig, command_line: &[String]) -> anyhow::Result<SeedLine> {
    let world = World::new(config).map_err(anyhow::Error::msg)?;
    let replay = replay_command(command_line, config.seed);
    let simulated = super::simulate::<N>(config, world, &replay, false);
    let node_report = |index: usize| simulated.reports.get(index).cloned().unwrap_or_default();
    let verdict = report::judge(config, &simulated.finished, &[], &node_report)?;
    let mut line = format!("seed {}: {}", config.seed, describe(config, &verdict));
    if verdict.is_valid() {
        return Ok(SeedLine {
            valid: true,
            line,
            replay: None,
        });
    }
    let run_dir = store::create_run_dir(&config.store, &config.workload)?;
    store::write_node_logs(&run_dir, &config.nodes, &simulated.logs)?;
    let context = RunContext {
        config,
        command_line,
        run_dir: &run_dir,
        mode: "sim",
        console: false,
    };
    report::store(&context, &simulated.finished, &verdict)?;
    line.push_str(&format!("; stored in {}", shown_path(&run_dir).display()));
    Ok(SeedLine {
        valid: false,
        line,
        replay: Some(replay),
    })
}

/// The verdict and the key figures of one run, in a line.
pub fn describe(config: &TestConfig, verdict: &Verdict) -> String {
    let Some(results) = &verdict.results else {
        let problem = verdict
            .problems
            .first()
            .map_or("no results", |problem| problem.lines().next().unwrap_or(""));
        let kind = if verdict.exit_code == EXIT_CRASH {
            "crashed"
        } else {
            "stopped"
        };
        return format!("{kind}: {}", problem.trim_start_matches("error: "));
    };
    let mut parts = vec![match verdict.exit_code {
        EXIT_VALID => "valid".to_string(),
        _ if results.valid == maelstrom_checker::Validity::True => {
            "valid, but misses its criteria".to_string()
        }
        _ => format!(":valid? {}", results.valid.to_edn()),
    }];
    if let Some(per_op) = number(results, &["net", "servers", "msgs-per-op"]) {
        parts.push(format!("{per_op:.2} msgs/op"));
    }
    if let Some(fraction) = number(results, &["availability", "ok-fraction"]) {
        if fraction < 1.0 {
            parts.push(format!("availability {fraction:.4}"));
        }
    }
    let workload = results.edn.get("workload");
    let field = |key: &str| {
        workload
            .and_then(|section| section.get(key))
            .map(Edn::to_string)
    };
    match config.workload.as_str() {
        "broadcast" | "g-set" => {
            let latency =
                |point: &str| maelstrom_checker::criteria::stable_latency(&results.edn, point);
            if let (Some(median), Some(max)) = (latency("0.5"), latency("1")) {
                parts.push(format!("stable latency {median} / {max} ms"));
            }
            if let Some(lost) = field("lost-count") {
                parts.push(format!("{lost} lost"));
            }
        }
        "g-counter" | "pn-counter" => {
            if let (Some(reads), Some(acceptable)) = (field("final-reads"), field("acceptable")) {
                parts.push(format!("final reads {reads}, acceptable {acceptable}"));
            }
        }
        "unique-ids" => {
            if let Some(duplicated) = field("duplicated-count") {
                parts.push(format!("{duplicated} duplicated"));
            }
        }
        "echo" => {
            if let Some(Edn::List(errors) | Edn::Vector(errors)) =
                workload.and_then(|section| section.get("errors"))
            {
                parts.push(format!("{} errors", errors.len()));
            }
        }
        _ => {
            for key in ["anomaly-types", "bad-error-types"] {
                if let Some(types) = field(key) {
                    parts.push(format!("{key} {types}"));
                }
            }
        }
    }
    if !verdict.unmet.is_empty() {
        parts.push(format!("criteria not met: {}", verdict.unmet.join("; ")));
    }
    parts.join("; ")
}

fn number(results: &Results, path: &[&str]) -> Option<f64> {
    maelstrom_checker::criteria::figure(&results.edn, path)
}
