//! The real broadcast binary over stdio, fed a flood from a file: the input
//! never runs dry until it ends, so the hub's flush timer can only fire
//! between turns of lines. It must, and every request must still be answered
//! before the process exits at the end of its input.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Broadcasts in the flood: long enough to outlast several flush intervals.
const FLOOD_REQUESTS: u64 = 50_000;

/// protocol's stdio.rs: deadlines are fired between turns of lines, and
/// stdin's end ends the process only once every reply is written.
#[test]
fn timers_fire_while_input_floods_in_and_every_request_is_answered() {
    let mut input = tempfile_in_target();
    writeln!(
        input.1,
        r#"{{"src":"c0","dest":"n0","body":{{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0","n1"]}}}}"#
    )
    .expect("write the input");
    for msg_id in 1..=FLOOD_REQUESTS {
        // The same value each time: one new value, so one flush has news.
        writeln!(
            input.1,
            r#"{{"src":"c1","dest":"n0","body":{{"type":"broadcast","msg_id":{msg_id},"message":1}}}}"#
        )
        .expect("write the input");
    }
    input.1.flush().expect("flush the input");
    let stdin = std::fs::File::open(&input.0).expect("reopen the input");
    let output = Command::new(env!("CARGO_BIN_EXE_broadcast"))
        .args(["--flush-ms", "10"])
        .stdin(stdin)
        .stderr(Stdio::null())
        .output()
        .expect("run broadcast");
    std::fs::remove_file(&input.0).expect("remove the input");
    assert!(
        output.status.success(),
        "exit at end of input: {}",
        output.status
    );

    let out: Vec<Value> = String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    let kind = |message: &Value| message["body"]["type"].as_str().unwrap_or("").to_string();
    let answered = out.iter().filter(|m| kind(m) == "broadcast_ok").count();
    assert_eq!(
        answered as u64, FLOOD_REQUESTS,
        "everything queued is written"
    );
    let first_gossip = out
        .iter()
        .position(|m| kind(m) == "gossip")
        .expect("the flush timer fired during the flood");
    let last_answer = out
        .iter()
        .rposition(|m| kind(m) == "broadcast_ok")
        .expect("answers");
    assert!(
        first_gossip < last_answer,
        "the gossip went out mid-flood, not after it"
    );
    assert_eq!(out[first_gossip]["dest"], "n1");
}

/// A fresh file under the target directory (no temp-dir crate needed).
fn tempfile_in_target() -> (std::path::PathBuf, std::io::BufWriter<std::fs::File>) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("broadcast-flood-{}.jsonl", std::process::id()));
    let file = std::fs::File::create(&path).expect("create the input file");
    (path, std::io::BufWriter::new(file))
}
