//! Challenge 6 in the simulation (`txn sim ...`): 6a, 6b and 6c each pass on twenty
//! seeds under their exact commands, partitions included, with every transaction
//! answered (`--availability total`); the same seed replays byte for byte; and the
//! node broken with `--commit-first-write` is caught on every seed, its anomaly
//! named G1b, by a sweep whose printed replay fails the same way; and the node broken
//! with `--abort-after-commit` is named G1a under read committed and passes under read
//! uncommitted, which allows it (maelstrom.md §3.8, §7).

use std::path::{Path, PathBuf};
use std::process::Command;

use maelstrom_driver::{run_sim, Run};

/// What 6a, 6b and 6c share (maelstrom.md §7).
const TXN: [&str; 8] = [
    "-w",
    "txn-rw-register",
    "--concurrency",
    "2n",
    "--rate",
    "1000",
    "--availability",
    "total",
];

/// 6a: one node, read uncommitted.
const CHALLENGE_6A: [&str; 4] = [
    "--node-count",
    "1",
    "--consistency-models",
    "read-uncommitted",
];

/// 6b: two nodes, read uncommitted, partitioned.
const CHALLENGE_6B: [&str; 6] = [
    "--node-count",
    "2",
    "--consistency-models",
    "read-uncommitted",
    "--nemesis",
    "partition",
];

/// 6c: two nodes, read committed, partitioned.
const CHALLENGE_6C: [&str; 6] = [
    "--node-count",
    "2",
    "--consistency-models",
    "read-committed",
    "--nemesis",
    "partition",
];

fn txn() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_txn"))
}

/// A sweep of seeds 0..20 (twenty seeds) of a challenge's full 20 s command.
fn sweep(challenge: &str, flags: &[&str]) -> Run {
    let run = run_sim(
        txn(),
        &[
            &TXN[..],
            flags,
            &[
                "--time-limit",
                "20",
                "--seeds",
                "0..20",
                "--check",
                challenge,
            ],
        ]
        .concat(),
    );
    println!("{}", run.output);
    run
}

fn assert_all_twenty_valid(run: &Run) {
    run.assert_every_seed_valid(20);
    // A seed line shows the availability only when it is below 1.0.
    assert!(!run.output.contains("availability"), "{}", run.output);
}

/// 6a: a single node, every transaction answered, no G0, on twenty seeds.
#[test]
fn challenge_6a_passes_on_twenty_seeds() {
    assert_all_twenty_valid(&sweep("6a", &CHALLENGE_6A));
}

/// 6b: two nodes under partitions (maelstrom.md §5.2), read uncommitted, on twenty seeds.
#[test]
fn challenge_6b_passes_on_twenty_seeds_under_partitions() {
    assert_all_twenty_valid(&sweep("6b", &CHALLENGE_6B));
}

/// 6c: two nodes under partitions, read committed (no G0, G1a, G1b, G1c), on twenty seeds.
#[test]
fn challenge_6c_passes_on_twenty_seeds_under_partitions() {
    assert_all_twenty_valid(&sweep("6c", &CHALLENGE_6C));
}

/// The same command and seed give byte-identical history.edn and results.edn.
#[test]
fn the_same_seed_replays_byte_for_byte() {
    let args = [
        &TXN[..],
        &CHALLENGE_6C,
        &["--time-limit", "10", "--seed", "7"],
    ]
    .concat();
    let (first, second) = (run_sim(txn(), &args), run_sim(txn(), &args));
    first.assert_valid();
    for file in ["history.edn", "results.edn"] {
        let (a, b) = (first.stored(file), second.stored(file));
        assert!(a.is_some(), "{file} is stored");
        assert_eq!(a, b, "{file} differs between two runs of seed 7");
    }
}

/// `--commit-first-write` commits each key's first write of a transaction, an
/// intermediate one when it writes the key twice. A sweep of 6c finds it on every
/// seed and names it G1b, which read committed proscribes (maelstrom.md §3.8);
/// the replay it prints fails the same way, with the same history.
#[test]
fn committing_intermediate_writes_is_caught_as_g1b_and_replays() {
    let run = run_sim(
        txn(),
        &[
            &TXN[..],
            &CHALLENGE_6C,
            &["--time-limit", "20", "--seeds", "0..5"],
            &["--", "--commit-first-write"],
        ]
        .concat(),
    );
    println!("{}", run.output);
    assert_eq!(run.exit_code, 1, "{}", run.output);
    let seed_lines: Vec<&str> = run
        .output
        .lines()
        .filter(|line| line.starts_with("seed "))
        .collect();
    assert_eq!(seed_lines.len(), 5, "{}", run.output);
    for line in &seed_lines {
        assert!(line.contains("anomaly-types (:G1b)"), "{line}");
    }
    let replays = run.replays();
    assert_eq!(replays.len(), 5);
    assert!(replays[0].contains("--seed 0"), "{}", replays[0]);
    assert!(
        replays[0].ends_with("-- --commit-first-write"),
        "{}",
        replays[0]
    );

    let swept_dir = stored_dir(seed_lines[0]);
    let (exit_code, output, replayed_dir) = run_replay(&replays[0]);
    println!("{output}");
    assert_eq!(exit_code, 1, "{output}");
    assert!(output.contains("anomaly types (:G1b)"), "{output}");
    let history = |dir: &Path| std::fs::read(dir.join("history.edn")).expect("a history");
    assert_ne!(swept_dir, replayed_dir, "the replay is a run of its own");
    assert_eq!(
        history(&swept_dir),
        history(&replayed_dir),
        "the replay's history is the sweep's"
    );
}

/// The directory a sweep's seed line says the run was stored in.
fn stored_dir(seed_line: &str) -> PathBuf {
    let (_, path) = seed_line
        .split_once("stored in ")
        .unwrap_or_else(|| panic!("no store in {seed_line:?}"));
    PathBuf::from(path)
}

/// Runs a printed replay command (plain words, as the sweep prints them here) and
/// returns its exit code, its output, and the run directory it stored.
fn run_replay(replay: &str) -> (i32, String, PathBuf) {
    let words: Vec<&str> = replay.split_whitespace().collect();
    assert!(
        !replay.contains('\''),
        "this test splits on spaces only: {replay}"
    );
    let store = words
        .iter()
        .position(|word| *word == "--store")
        .map(|at| PathBuf::from(words[at + 1]))
        .expect("the replay keeps the sweep's --store");
    let output = Command::new(words[0])
        .args(&words[1..])
        .output()
        .expect("the replay runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let dir = std::fs::canonicalize(store.join("latest")).expect("the replay stored its run");
    (output.status.code().unwrap_or(-1), text, dir)
}

/// `--abort-after-commit` answers error 30 for transactions it has already applied: the
/// client records them `:fail`, and other transactions read their writes. That is G1a
/// (an aborted read), which read committed proscribes and read uncommitted allows
/// (maelstrom.md §3.8); availability is left out, since the refusals are `:fail`.
#[test]
fn refusing_committed_transactions_is_g1a_under_read_committed_only() {
    let command = |model: &'static str| -> Vec<&'static str> {
        [
            &[
                "-w",
                "txn-rw-register",
                "--concurrency",
                "2n",
                "--rate",
                "1000",
                "--node-count",
                "2",
            ][..],
            &[
                "--time-limit",
                "10",
                "--nemesis",
                "partition",
                "--seeds",
                "0..3",
            ],
            &["--consistency-models", model, "--", "--abort-after-commit"],
        ]
        .concat()
    };
    let committed = run_sim(txn(), &command("read-committed"));
    println!("{}", committed.output);
    assert_eq!(committed.exit_code, 1, "{}", committed.output);
    let lines: Vec<&str> = committed
        .output
        .lines()
        .filter(|line| line.starts_with("seed "))
        .collect();
    assert_eq!(lines.len(), 3);
    for line in lines {
        assert!(line.contains("anomaly-types (:G1a)"), "{line}");
    }
    let uncommitted = run_sim(txn(), &command("read-uncommitted"));
    println!("{}", uncommitted.output);
    assert_eq!(
        uncommitted.exit_code, 0,
        "read uncommitted allows G1a: {}",
        uncommitted.output
    );
}
