//! The real echo binary, driven over stdin and read over stdout.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use proptest::prelude::*;
use serde_json::Value;

const INIT: &str = r#"{"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0"]}}"#;
const PROBE: &str =
    r#"{"src":"c9","dest":"n0","body":{"type":"echo","msg_id":77,"echo":"still here"}}"#;

/// Writes `input` to a fresh echo process, closes stdin, and returns its stdout lines.
fn run_echo(input: &[u8]) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_echo"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn echo");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // The node may exit early only if it is broken; ignore EPIPE here and
        // let the assertions below say what went wrong.
        let _ = stdin.write_all(&input);
    });
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read stdout");
    writer.join().expect("writer");
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "echo exits cleanly when stdin closes: {status}"
    );
    out.lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("not JSON ({error}): {line:?}"))
        })
        .collect()
}

fn lines(lines: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for line in lines {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    bytes
}

/// maelstrom-spec §1.3 and §3.1: init_ok, then echo_ok with the same value.
#[test]
fn echo_answers_init_and_echoes_over_stdio() {
    let out = run_echo(&lines(&[
        INIT,
        r#"{"id":5,"src":"c1","dest":"n0","body":{"type":"echo","msg_id":1,"echo":"Please echo 118"}}"#,
    ]));
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["body"]["type"], "init_ok");
    assert_eq!(out[0]["body"]["in_reply_to"], 1);
    assert_eq!(out[1]["dest"], "c1");
    assert_eq!(out[1]["body"]["type"], "echo_ok");
    assert_eq!(out[1]["body"]["echo"], "Please echo 118");
    assert_eq!(out[1]["body"]["in_reply_to"], 1);
}

/// maelstrom-spec §1.4: errors 10 and 12; garbage (even invalid UTF-8) is skipped.
#[test]
fn echo_answers_bad_requests_with_errors_and_skips_garbage() {
    let mut input = lines(&[
        INIT,
        r#"{"src":"c1","dest":"n0","body":{"type":"generate","msg_id":2}}"#,
        r#"{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":3}}"#,
        "}{ not json",
    ]);
    input.extend_from_slice(b"\xff\xfe\x00 invalid utf-8\n");
    input.extend_from_slice(&lines(&[PROBE]));
    let out = run_echo(&input);
    let codes: Vec<&Value> = out[1..3]
        .iter()
        .map(|message| &message["body"]["code"])
        .collect();
    assert_eq!(codes, [&Value::from(10), &Value::from(12)]);
    assert_eq!(out.len(), 4, "garbage gets no answer");
    assert_eq!(out[3]["body"]["echo"], "still here");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Random bytes on stdin: the process survives, stdout stays JSON, and a
    /// good request afterwards is still answered.
    #[test]
    fn random_bytes_never_break_the_echo_process(garbage in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut input = lines(&[INIT]);
        input.extend_from_slice(&garbage);
        input.push(b'\n');
        input.extend_from_slice(&lines(&[PROBE]));
        let out = run_echo(&input);
        let last = out.last().expect("output");
        prop_assert_eq!(&last["body"]["echo"], "still here");
    }
}
