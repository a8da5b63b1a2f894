//! The `main` of every challenge binary: `BIN sim ...` runs the simulation, anything
//! else runs the node on stdin/stdout as Maelstrom (or `maelstrom-tests test`) expects.
//!
//! A challenge's `main` is one line, `maelstrom_tests::sim::main::<TheNode>()`. The
//! layering stays one way: node code knows only `protocol`; only `main` knows that a
//! harness exists.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, FromArgMatches};
use protocol::Node;

use super::sweep;
use crate::cli::{parse_seed_range, SimArgs, TestConfig, EXIT_BAD_ARGUMENTS, EXIT_CRASH};
use crate::console::outln;
use crate::run::report::{self, replay_command, RunContext};
use crate::run::World;
use crate::store;

/// Runs node `N`: the simulation when the first argument is `sim`, else on stdio.
pub fn main<N: Node>() -> ExitCode {
    let command_line: Vec<String> = std::env::args().collect();
    if command_line.get(1).map(String::as_str) != Some("sim") {
        return match protocol::run_stdio::<N>() {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error:#}");
                ExitCode::FAILURE
            }
        };
    }
    let code = run::<N>(&command_line);
    ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX))
}

/// `BIN sim [flags]`: one seed, or a sweep with `--seeds`; returns the exit code.
fn run<N: Node>(command_line: &[String]) -> i32 {
    let program = Path::new(&command_line[0])
        .file_name()
        .map_or("node".into(), |name| name.to_string_lossy().into_owned());
    let command = SimArgs::command().bin_name(format!("{program} sim"));
    let parsed = command
        .try_get_matches_from(&command_line[1..])
        .and_then(|matches| SimArgs::from_arg_matches(&matches));
    let args = match parsed {
        Ok(args) => args,
        Err(error) => return crate::report_parse_error(error),
    };
    if args.bin.is_some() {
        eprintln!("error: --bin: not used by sim, which runs this binary's own node; drop it");
        return EXIT_BAD_ARGUMENTS;
    }
    let executable = match std::env::current_exe() {
        Ok(path) => path,
        Err(error) => {
            eprintln!("error: cannot find this binary's own path: {error}");
            return EXIT_CRASH;
        }
    };
    if let Some(range) = &args.seeds {
        return match parse_seed_range(range) {
            Ok(seeds) => sweep::sweep::<N>(&args.run, &executable, seeds, command_line),
            Err(problem) => {
                eprintln!("error: --seeds: {problem}");
                EXIT_BAD_ARGUMENTS
            }
        };
    }
    let config = match TestConfig::from_args(&args.run, &executable) {
        Ok(config) => config,
        Err(bad) => {
            eprintln!("{bad}");
            return EXIT_BAD_ARGUMENTS;
        }
    };
    single::<N>(&config, command_line).unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        EXIT_CRASH
    })
}

/// One seed, with the same console output and store as process mode.
fn single<N: Node>(config: &TestConfig, command_line: &[String]) -> anyhow::Result<i32> {
    outln!("seed: {}", config.seed);
    let world = match World::new(config) {
        Ok(world) => world,
        Err(line) => {
            eprintln!("{line}");
            return Ok(EXIT_BAD_ARGUMENTS);
        }
    };
    let replay = replay_command(command_line, config.seed);
    let started = Instant::now();
    let simulated = super::simulate::<N>(config, world, &replay, true);
    outln!(
        "Simulated {:.1} s in {:.2} s of wall time.",
        simulated.finished.end_ns as f64 / 1e9,
        started.elapsed().as_secs_f64()
    );
    let run_dir = store::create_run_dir(&config.store, &config.workload)?;
    store::write_node_logs(&run_dir, &config.nodes, &simulated.logs)?;
    let context = RunContext {
        config,
        command_line,
        run_dir: &run_dir,
        mode: "sim",
        console: true,
    };
    let node_report = |index: usize| simulated.reports.get(index).cloned().unwrap_or_default();
    let verdict = report::finish(&context, &simulated.finished, &[], &node_report)?;
    Ok(verdict.exit_code)
}
