//! The kafka checker against this node broken on purpose (`-- --break NAME`,
//! crates/kafka/src/options.rs), each over a 20-seed sweep in the simulation:
//! every seed is invalid, and its `:bad-error-types` names the bug (maelstrom.md
//! §3.7, the checker's error types; jepsen `tests/kafka.clj`). A bug also has
//! consequences the checker names too; each test lists the ones it accepts and why,
//! so that a type nobody expected still fails the test.
//!
//! The challenge commands are shortened to 10 s: each bug shows within the first
//! second, and every invalid seed is stored with its history and pictures.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use maelstrom_driver::run_sim;
use serde_json::Value;
use support::{kafka, shortened, stored_runs, with, COMMAND_5A, COMMAND_5B};

/// Runs `command` with `--break broken` over seeds 0..20 and returns each stored
/// seed's `:bad-error-types`.
fn bad_error_types(command: &[&str], broken: &str) -> Vec<BTreeSet<String>> {
    let command = shortened(command, "10");
    let args = with(&command, &["--seeds", "0..20", "--", "--break", broken]);
    let run = run_sim(kafka(), &args);
    let verdicts: Vec<BTreeSet<String>> =
        stored_runs(&run).iter().map(|dir| read_bad(dir)).collect();
    assert_eq!(
        run.exit_code, 1,
        "{broken}: the sweep is invalid\n{}",
        run.output
    );
    assert!(
        run.output.contains("0 of 20 seed(s) valid"),
        "{}",
        run.output
    );
    assert_eq!(verdicts.len(), 20, "every seed is stored, being invalid");
    verdicts
}

fn read_bad(run_dir: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(run_dir.join("results.json")).expect("results.json");
    let results: Value = serde_json::from_str(&text).expect("results.json is JSON");
    assert_eq!(
        results["valid?"],
        Value::Bool(false),
        "{}",
        run_dir.display()
    );
    let bad = results["workload"]["bad-error-types"]
        .as_array()
        .expect("a list");
    bad.iter()
        .filter_map(|name| Some(name.as_str()?.to_string()))
        .collect()
}

/// Every seed names `named`, and nothing outside `named` and `consequences`.
fn assert_names(verdicts: &[BTreeSet<String>], named: &str, consequences: &[&str]) {
    for (seed, bad) in verdicts.iter().enumerate() {
        assert!(
            bad.contains(named),
            "stored seed {seed}: {bad:?} lacks {named}"
        );
        let unexplained: Vec<&String> = bad
            .iter()
            .filter(|name| *name != named && !consequences.contains(&name.as_str()))
            .collect();
        assert!(
            unexplained.is_empty(),
            "stored seed {seed}: unexpected {unexplained:?} in {bad:?}"
        );
    }
}

/// A node that acknowledges sends it never stores: `:lost-write`, since polls read
/// past the acknowledged offset without it. It is also `:unseen` (no poll ever
/// returned it), and the polls that stepped over its offset skipped a message
/// (`:int-poll-skip` inside one poll, `:poll-skip` between two).
#[test]
fn acknowledging_sends_that_are_never_stored_is_a_lost_write() {
    let verdicts = bad_error_types(&COMMAND_5A, "drop-sends");
    assert_names(
        &verdicts,
        "lost-write",
        &["unseen", "int-poll-skip", "poll-skip"],
    );
}

/// Nodes that each keep their own log, with no coordination: two messages at one
/// offset of one key, `:inconsistent-offsets`. Every message is still polled on the
/// node that took it, so nothing else is wrong.
#[test]
fn nodes_with_logs_of_their_own_give_inconsistent_offsets() {
    let verdicts = bad_error_types(&COMMAND_5B, "local-log");
    assert_names(&verdicts, "inconsistent-offsets", &[]);
}

/// A node whose polls leave a hole in the middle: `:int-poll-skip`. Its final polls
/// leave the same holes, so the skipped messages are never seen (`:lost-write`,
/// `:unseen`).
#[test]
fn a_poll_with_a_gap_is_an_internal_poll_skip() {
    let verdicts = bad_error_types(&COMMAND_5A, "poll-gap");
    assert_names(&verdicts, "int-poll-skip", &["lost-write", "unseen"]);
}

/// A node that gives one producer decreasing offsets for its successive sends to a
/// key: `:nonmonotonic-send`, and nothing else.
#[test]
fn decreasing_offsets_for_one_producer_are_a_nonmonotonic_send() {
    let verdicts = bad_error_types(&COMMAND_5A, "countdown-offsets");
    assert_names(&verdicts, "nonmonotonic-send", &[]);
}
