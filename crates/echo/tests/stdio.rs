//! The real echo binary, driven over stdin and read over stdout: the stdio
//! loop's part of the bargain (the engine's is in `crates/protocol/tests`).
//! Replies, errors and garbage; the seed in the log; a line past the length
//! bound; and memory that stays flat when nobody reads the node's stdout.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::Value;

const INIT: &str = r#"{"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0"]}}"#;
const PROBE: &str =
    r#"{"src":"c9","dest":"n0","body":{"type":"echo","msg_id":77,"echo":"still here"}}"#;

/// Writes `input` to a fresh echo process, closes stdin, and returns its stdout lines.
fn run_echo(input: &[u8]) -> Vec<Value> {
    run_echo_logged(input).0
}

/// [`run_echo`], and the process's stderr lines.
fn run_echo_logged(input: &[u8]) -> (Vec<Value>, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_echo"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn echo");
    let mut stderr = child.stderr.take().expect("stderr");
    let logs = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).expect("read stderr");
        text.lines().map(str::to_string).collect::<Vec<_>>()
    });
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
    let out = out
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("not JSON ({error}): {line:?}"))
        })
        .collect();
    (out, logs.join().expect("stderr reader"))
}

fn lines(lines: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for line in lines {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    bytes
}

/// maelstrom.md §1.3 and §3.1: init_ok, then echo_ok with the same value.
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

/// maelstrom.md §1.4: errors 10 and 12; garbage (even invalid UTF-8) is skipped.
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

/// The first line of a node's log is the seed its engine was built with.
#[test]
fn the_first_log_line_is_the_seed() {
    let (_, logs) = run_echo_logged(&lines(&[INIT]));
    let seed = logs[0].strip_prefix("seed: ").expect("a seed line first");
    assert!(seed.parse::<u64>().is_ok(), "{seed:?} is a u64");
}

/// A line longer than the bound (protocol::LINE_BYTES_MAX) is skipped with a
/// log line, and the next line is answered as usual.
#[test]
fn a_line_past_the_length_bound_is_skipped_and_the_node_goes_on() {
    let mut input = lines(&[INIT]);
    input
        .extend_from_slice(br#"{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":2,"echo":""#);
    input.extend(std::iter::repeat_n(
        b'x',
        protocol::LINE_BYTES_MAX + (1 << 20),
    ));
    input.extend_from_slice(b"\"}}\n");
    input.extend_from_slice(&lines(&[PROBE]));
    let (out, logs) = run_echo_logged(&input);
    assert_eq!(out.len(), 2, "init_ok and the probe's echo_ok only");
    assert_eq!(out[1]["body"]["echo"], "still here");
    let skipped = format!(
        "[n0] skipping a line longer than {} bytes",
        protocol::LINE_BYTES_MAX
    );
    assert!(logs.contains(&skipped), "logged: {logs:?}");
}

/// The peak resident memory (`VmHWM`) of a running process, in KiB.
fn peak_rss_kib(child: &Child) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .expect("a running process has a status");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/<pid>/status");
    line.split_whitespace()
        .nth(1)
        .and_then(|kib| kib.parse().ok())
        .expect("VmHWM is a number of KiB")
}

/// How many requests the flood below tries to write: about 500 MB of input.
const FLOOD_REQUESTS: u64 = 5_000_000;
/// Requests per `write` of the flood.
const FLOOD_BATCH: u64 = 1_000;
/// The most memory the node may use, whatever is written to it.
const PEAK_RSS_KIB_MAX: u64 = 64 * 1024;

/// Backpressure: with nobody reading its stdout, the node stops reading stdin
/// once its bounded buffers are full, so the writer stalls long before its
/// 5 million requests are in and the node's memory stays small. Reading its
/// stdout then lets it go on.
#[test]
#[cfg(target_os = "linux")]
fn a_node_whose_stdout_is_not_read_stops_reading_and_its_memory_stays_bounded() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_echo"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn echo");
    let mut stdin = child.stdin.take().expect("stdin");
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let written = Arc::clone(&written);
        std::thread::spawn(move || -> std::io::Result<()> {
            stdin.write_all(&lines(&[INIT]))?;
            let mut batch = String::new();
            for first in (1..=FLOOD_REQUESTS).step_by(FLOOD_BATCH as usize) {
                batch.clear();
                for msg_id in first..first + FLOOD_BATCH {
                    batch.push_str(&format!(
                        r#"{{"src":"c1","dest":"n0","body":{{"type":"echo","msg_id":{msg_id},"echo":"Please echo {msg_id}"}}}}"#
                    ));
                    batch.push('\n');
                }
                stdin.write_all(batch.as_bytes())?;
                written.fetch_add(FLOOD_BATCH, Ordering::Relaxed);
            }
            Ok(())
        })
    };

    // Wait until the writer has made no progress for a second: stalled.
    let started = Instant::now();
    let mut last = 0;
    let mut still_since = Instant::now();
    while still_since.elapsed() < Duration::from_secs(1) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the writer never stalled"
        );
        std::thread::sleep(Duration::from_millis(50));
        let now = written.load(Ordering::Relaxed);
        if now != last {
            last = now;
            still_since = Instant::now();
        }
    }
    let stalled_at = written.load(Ordering::Relaxed);
    let peak_kib = peak_rss_kib(&child);
    println!("the writer stalled after {stalled_at} requests; echo's peak RSS: {peak_kib} KiB");
    assert!(stalled_at < FLOOD_REQUESTS, "everything was taken in");
    assert!(
        peak_kib < PEAK_RSS_KIB_MAX,
        "peak RSS {peak_kib} KiB is not under {PEAK_RSS_KIB_MAX} KiB"
    );

    // Reading stdout releases the node, and with it the writer.
    let mut replies = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let wanted = stalled_at + 10 * FLOOD_BATCH;
    let mut read = 0;
    while written.load(Ordering::Relaxed) < wanted {
        let line = replies
            .next()
            .expect("the node keeps answering")
            .expect("a line");
        assert!(line.contains("_ok"), "{line}");
        read += 1;
    }
    assert!(read > 0);
    child.kill().expect("kill echo");
    child.wait().expect("reap echo");
    let _ = writer.join().expect("the writer thread does not panic"); // EPIPE after the kill
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
