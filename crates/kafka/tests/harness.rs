//! The kafka binary as a process under the bundled harness (`maelstrom-tests test`),
//! the way the challenge is measured: challenge 5b's command, shortened to 5 s, is
//! valid, and its nodes exchange less than one message per operation (maelstrom.md
//! §3.7, §5.4, §7). `make bench-kafka` measures full-length runs.

mod support;

use maelstrom_driver::run_test;
use serde_json::Value;
use support::{kafka, shortened, with, COMMAND_5B, MSGS_PER_OP_MAX};

/// maelstrom.md §7, 5b in process mode, shortened: real processes, real time.
#[test]
fn challenge_5b_is_valid_as_processes() {
    let command = shortened(&COMMAND_5B, "5");
    let args = with(&command, &["--seed", "1", "--check", "5b"]);
    let run = run_test(kafka(), &args);
    println!("{}", run.output);
    run.assert_valid();
    let msgs_per_op = run
        .figure(&["net", "servers", "msgs-per-op"])
        .and_then(Value::as_f64)
        .expect("msgs-per-op");
    assert!(msgs_per_op <= MSGS_PER_OP_MAX, "{msgs_per_op} msgs/op");
    let sends = run
        .figure(&["stats", "by-f", "send", "ok-count"])
        .and_then(Value::as_u64);
    assert!(sends.is_some_and(|sends| sends > 0), "{sends:?}");
}
