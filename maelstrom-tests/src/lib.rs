//! `maelstrom-tests`: a Maelstrom-compatible harness, so every Gossip Glomers workload
//! runs and is checked offline (no JVM, no network).
//!
//! This crate is the part that does I/O: the command line ([`cli`]), node processes
//! ([`node`]), the simulated network ([`network`]), Maelstrom's clients ([`client`]),
//! the run's phases, scheduler and nemesis ([`run`]), the recorded history
//! ([`history`]), the store directory ([`store`]) and the routing benchmark
//! ([`bench`]). What Maelstrom's world *is* (latency, grudges, topologies, workloads,
//! services) lives in `maelstrom-model`; judging a history lives in `maelstrom-checker`.
//!
//! It runs on a two-worker tokio runtime: routing is I/O bound, and the machines it
//! runs on are small. `serve` shows a store over HTTP ([`serve`]). Left out: the journal
//! files, plots and `messages.svg`.

pub mod bench;
pub mod checking;
pub mod cli;
pub mod client;
pub mod history;
pub mod model;
pub mod network;
pub mod node;
pub mod run;
pub mod serve;
pub mod store;

use clap::Parser;

use cli::{Cli, Command, TestConfig, EXIT_BAD_ARGUMENTS, EXIT_CRASH};

/// Parses `args` (with the program name first), runs the command, returns the exit code.
pub fn main_with_args(args: Vec<String>) -> i32 {
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) => return report_parse_error(error),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("the tokio runtime must start");
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Test(test_args) => match TestConfig::from_args(test_args) {
                Ok(config) => run::run_test(config, args).await,
                Err(bad) => {
                    eprintln!("{bad}");
                    Ok(EXIT_BAD_ARGUMENTS)
                }
            },
            Command::Analyze(analyze_args) => bench::analyze(analyze_args),
            Command::Bench(bench_args) => bench::bench(bench_args).await,
            Command::Criteria(criteria_args) => bench::criteria(criteria_args),
            Command::Serve(args) => serve::serve(&args.store, &args.host, args.port)
                .await
                .map(|()| 0),
        }
    });
    // Node processes are killed on drop; do not wait for stray blocking tasks.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        EXIT_CRASH
    })
}

/// `--help`/`--version` print and exit 0; every other parse error is one line, exit 254.
fn report_parse_error(error: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        print!("{error}");
        return 0;
    }
    let rendered = error.to_string();
    let first_line = rendered.lines().next().unwrap_or("error: bad arguments");
    eprintln!("{first_line}");
    EXIT_BAD_ARGUMENTS
}
