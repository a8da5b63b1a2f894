//! The broadcast binary through the bundled harness, with short time limits:
//! each challenge's command line (maelstrom.md §7) must end valid, that is,
//! no acknowledged broadcast lost (maelstrom.md §3.3, set-full checker);
//! and the node broken on purpose (`--no-retransmit`) must end invalid.
//! The figures (msgs-per-op, latencies) are measured by `make bench-broadcast`.

use std::path::Path;

use maelstrom_driver::{run_test, Run};

fn broadcast(args: &[&str]) -> Run {
    let run = run_test(
        Path::new(env!("CARGO_BIN_EXE_broadcast")),
        &[&["-w", "broadcast"], args].concat(),
    );
    println!("{}", run.output);
    run
}

/// 3a: one node remembers what it was sent.
#[test]
fn a_single_node_is_valid() {
    broadcast(&[
        "--node-count",
        "1",
        "--time-limit",
        "3",
        "--rate",
        "10",
        "--seed",
        "1",
    ])
    .assert_valid();
}

/// 3b: five nodes, every value reaches every node.
#[test]
fn five_nodes_are_valid() {
    let run = broadcast(&[
        "--node-count",
        "5",
        "--time-limit",
        "5",
        "--rate",
        "10",
        "--seed",
        "2",
    ]);
    run.assert_valid();
    assert_eq!(run.figure(&["workload", "lost-count"]), Some(&0.into()));
}

/// 3c: five nodes under the partition nemesis (maelstrom.md §5): values sent
/// into a partition arrive after it heals.
#[test]
fn five_nodes_under_partitions_are_valid() {
    broadcast(&[
        "--node-count",
        "5",
        "--time-limit",
        "8",
        "--rate",
        "10",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "2",
        "--seed",
        "3",
    ])
    .assert_valid();
}

/// 3d/3e's 25 nodes with 100 ms links, partitioned, on a line topology the node
/// ignores and with exponentially distributed latency: still nothing lost.
#[test]
fn twenty_five_nodes_under_partitions_with_any_topology_and_latency_are_valid() {
    broadcast(&[
        "--node-count",
        "25",
        "--time-limit",
        "8",
        "--rate",
        "100",
        "--latency",
        "100",
        "--latency-dist",
        "exponential",
        "--topology",
        "line",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "3",
        "--seed",
        "4",
    ])
    .assert_valid();
}

/// The node broken on purpose (`--no-retransmit`: every value rides on one
/// message): under partitions the set-full checker finds acknowledged values
/// that never reached every node (maelstrom.md §3.3), and the run is invalid.
#[test]
fn without_retransmission_values_are_lost_under_partitions() {
    let run = broadcast(&[
        "--node-count",
        "5",
        "--time-limit",
        "8",
        "--rate",
        "10",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "2",
        "--seed",
        "3",
        "--",
        "--no-retransmit",
    ]);
    assert_eq!(run.exit_code, 1, "invalid:\n{}", run.output);
    let lost = run
        .figure(&["workload", "lost-count"])
        .and_then(|n| n.as_u64());
    assert!(lost.is_some_and(|lost| lost > 0), "lost: {lost:?}");
}
