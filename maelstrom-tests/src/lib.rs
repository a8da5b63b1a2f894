//! `maelstrom-tests`: a Maelstrom-compatible harness, so every Gossip Glomers workload
//! runs and is checked offline (no JVM, no network).
//!
//! A run is one pure state machine, [`run::World`]: the network, the services, the
//! clients and their schedule, the nemesis and the history, with no clock and no I/O.
//! Two drivers carry it out:
//! - [`process`] (`maelstrom-tests test`): nodes are child processes, time is real —
//!   the Maelstrom experience, with Maelstrom's command line;
//! - [`sim`] (`<challenge binary> sim`): nodes are the challenge's own engines, in this
//!   process, on a virtual clock — a 20 s test in well under a second, and the same
//!   seed replays the same run byte for byte.
//!
//! What Maelstrom's world *is* (latency, the network's queues, grudges, topologies,
//! workloads, services) lives in `maelstrom-model`; judging a history lives in
//! `maelstrom-checker`. This crate adds the run's phases ([`run`]), the store directory
//! ([`store`]), the command line ([`cli`]), `analyze`/`criteria` ([`analyze`]) and the
//! routing benchmark ([`mod@bench`]), and `serve`, which shows a store over HTTP ([`serve`]).
//!
//! Left out: the journal files (`net-journal/`), `test.jepsen`, and `--test-count`.

pub mod analyze;
pub mod bench;
pub mod cli;
mod console;
pub mod logs;
pub mod process;
pub mod run;
pub mod serve;
pub mod sim;
pub mod store;

use clap::Parser;

use cli::{Cli, Command, TestConfig, EXIT_BAD_ARGUMENTS, EXIT_CRASH};

use crate::console::out;

/// Parses `args` (with the program name first), runs the command, returns the exit code.
pub fn main_with_args(args: Vec<String>) -> i32 {
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) => return report_parse_error(error),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime must start");
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Test(test) => {
                let Some(bin) = test.bin.as_deref() else {
                    eprintln!("error: --bin: required: the node binary to test");
                    return Ok(EXIT_BAD_ARGUMENTS);
                };
                match TestConfig::from_args(&test.run, bin) {
                    Ok(config) => process::run(config, args).await,
                    Err(bad) => {
                        eprintln!("{bad}");
                        Ok(EXIT_BAD_ARGUMENTS)
                    }
                }
            }
            Command::Analyze(analyze_args) => analyze::analyze(analyze_args),
            Command::Criteria(criteria_args) => analyze::criteria(criteria_args),
            Command::Bench(bench_args) => bench::bench(bench_args).await,
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

/// `--help`/`--version` print and exit 0; a missing subcommand prints the help; every
/// other parse error is one line, exit 254.
pub fn report_parse_error(error: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            out!("{error}");
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            eprint!("{error}");
            EXIT_BAD_ARGUMENTS
        }
        _ => {
            let rendered = error.to_string();
            let first_line = rendered.lines().next().unwrap_or("error: bad arguments");
            eprintln!("{first_line}");
            EXIT_BAD_ARGUMENTS
        }
    }
}
