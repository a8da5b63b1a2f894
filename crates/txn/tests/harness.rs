//! The txn binary as a process, through the bundled harness (`maelstrom-tests test`),
//! with challenge 6's commands shortened to 5 s: real processes, real time, the
//! partition nemesis every second or so (maelstrom.md §5.2), and every transaction
//! answered. The twenty-seed sweeps run in the simulation (`tests/sim.rs`).

use std::path::Path;

use maelstrom_driver::{run_test, Run};

fn txn(flags: &[&str]) -> Run {
    let common = [
        "-w",
        "txn-rw-register",
        "--concurrency",
        "2n",
        "--time-limit",
        "5",
        "--rate",
        "1000",
        "--availability",
        "total",
    ];
    let run = run_test(
        Path::new(env!("CARGO_BIN_EXE_txn")),
        &[&common[..], flags].concat(),
    );
    println!("{}", run.output);
    run
}

/// Every invocation completed `:ok` (maelstrom.md §5.4: ok-fraction 1.0).
fn assert_all_ok(run: &Run) {
    run.assert_valid();
    let fraction = run
        .figure(&["availability", "ok-fraction"])
        .and_then(|fraction| fraction.as_f64());
    assert_eq!(fraction, Some(1.0), "{}", run.output);
}

/// 6a as a process: one node, read uncommitted.
#[test]
fn challenge_6a_passes_as_a_process() {
    let run = txn(&[
        "--node-count",
        "1",
        "--consistency-models",
        "read-uncommitted",
        "--seed",
        "1",
        "--check",
        "6a",
    ]);
    assert_all_ok(&run);
}

/// 6b as a process: two nodes under partitions, read uncommitted.
#[test]
fn challenge_6b_passes_as_a_process_under_partitions() {
    let run = txn(&[
        "--node-count",
        "2",
        "--consistency-models",
        "read-uncommitted",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "1",
        "--seed",
        "2",
        "--check",
        "6b",
    ]);
    assert_all_ok(&run);
}

/// 6c as a process: two nodes under partitions, read committed.
#[test]
fn challenge_6c_passes_as_a_process_under_partitions() {
    let run = txn(&[
        "--node-count",
        "2",
        "--consistency-models",
        "read-committed",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "1",
        "--seed",
        "3",
        "--check",
        "6c",
    ]);
    assert_all_ok(&run);
}

/// The node broken with `--commit-first-write`, as a process: the checker names G1b.
#[test]
fn committing_intermediate_writes_fails_as_a_process_with_g1b() {
    let run = txn(&[
        "--node-count",
        "2",
        "--consistency-models",
        "read-committed",
        "--seed",
        "4",
        "--",
        "--commit-first-write",
    ]);
    assert_eq!(run.exit_code, 1, "{}", run.output);
    let types = run.figure(&["workload", "anomaly-types"]);
    assert_eq!(types, Some(&serde_json::json!(["G1b"])), "{}", run.output);
}
