//! Every buffer between the harness and a node has a named bound, and a node that
//! pushes against one is reported, not buffered without limit (maelstrom.md §2).

mod support;

use std::time::Duration;

use support::{fixture, harness};

/// A stdout line past 16 MiB ends the run: the node is named, exit 255.
#[test]
fn a_stdout_line_past_its_bound_ends_the_run_naming_the_node() {
    let bin = fixture("long-line");
    let outcome = harness(
        &[
            "test",
            "-w",
            "echo",
            "--bin",
            &bin,
            "--node-count",
            "1",
            "--time-limit",
            "5",
        ],
        Duration::from_secs(30),
    );
    assert_eq!(outcome.exit_code, 255, "{}", outcome.output);
    assert!(
        outcome
            .output
            .contains("node n0 printed a stdout line longer than 16777216 bytes"),
        "{}",
        outcome.output
    );
}

/// A node's stderr log stops at its cap with a marker, and an over-long stderr line is
/// cut with a marker; the run itself is unaffected.
#[test]
fn a_chatty_node_log_is_capped_with_a_marker() {
    let bin = fixture("chatty-stderr");
    let outcome = harness(
        &[
            "test",
            "-w",
            "echo",
            "--bin",
            &bin,
            "--node-count",
            "1",
            "--time-limit",
            "3",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(outcome.exit_code, 0, "{}", outcome.output);
    let log = outcome.store.join("latest/node-logs/n0.log");
    let size = std::fs::metadata(&log).expect("the log exists").len();
    assert!(
        size <= 64 * 1024 * 1024 + 200,
        "the log is capped: {size} bytes"
    );
    let text = std::fs::read_to_string(&log).expect("the log reads");
    assert!(
        text.contains("node-logs cap of 67108864 bytes reached"),
        "the cap is marked"
    );
    assert!(
        text.contains("[… line cut at 65536 bytes]"),
        "the long line is marked"
    );
}
