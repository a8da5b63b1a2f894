//! What the kafka integration tests and `make bench-kafka` share: the challenge
//! commands, the 5c targets, the binary, and the stored runs of a sweep.

// Each test file, and the benchmark, compiles this module for itself and uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use maelstrom_driver::Run;

/// Challenge 5a's command (maelstrom.md §7).
pub const COMMAND_5A: [&str; 10] = [
    "-w",
    "kafka",
    "--node-count",
    "1",
    "--concurrency",
    "2n",
    "--time-limit",
    "20",
    "--rate",
    "1000",
];

/// Challenge 5b's command, which is also 5c's (maelstrom.md §7).
pub const COMMAND_5B: [&str; 10] = [
    "-w",
    "kafka",
    "--node-count",
    "2",
    "--concurrency",
    "2n",
    "--time-limit",
    "20",
    "--rate",
    "1000",
];

/// The 5c targets this node is held to (the challenge itself names no number).
pub const MSGS_PER_OP_MAX: f64 = 1.0;
pub const OK_FRACTION_MIN: f64 = 0.999;

pub fn kafka() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_kafka"))
}

/// `command` with its `--time-limit` set to `seconds`.
pub fn shortened<'a>(command: &[&'a str], seconds: &'a str) -> Vec<&'a str> {
    let mut words = command.to_vec();
    let flag = words.iter().position(|word| *word == "--time-limit");
    let value = flag
        .map(|flag| flag + 1)
        .filter(|value| *value < words.len());
    words[value.expect("the command has a --time-limit")] = seconds;
    words
}

/// `command` followed by `extra`.
pub fn with<'a>(command: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    [command, extra].concat()
}

/// Every run directory of the run's store (one per stored seed of a sweep).
pub fn stored_runs(run: &Run) -> Vec<PathBuf> {
    let Some(workload_dir) = run.run_dir.as_ref().and_then(|dir| dir.parent()) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(workload_dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| !path.is_symlink() && path.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}
