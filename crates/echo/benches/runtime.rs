//! `make bench-runtime`: how fast does the runtime move messages?
//!
//! Pipes one `init` and 1,000,000 `echo` requests through the release echo
//! binary, pinned to one core with `taskset` when it is available, and reports
//! replies per second and the binary's peak resident memory. Every reply is
//! counted and its `in_reply_to` checked, so a fast but wrong node fails here.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

const REQUESTS: u64 = 1_000_000;

fn main() -> anyhow::Result<()> {
    let echo = env!("CARGO_BIN_EXE_echo");
    let pinned = Command::new("taskset").arg("--version").output().is_ok();
    let mut command = if pinned {
        let mut command = Command::new("taskset");
        command.args(["-c", "0", echo]);
        command
    } else {
        Command::new(echo)
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");

    let started = Instant::now();
    // The writer hands stdin back instead of closing it, so the node is still
    // alive (and its /proc entry readable) after the last reply.
    let writer = std::thread::spawn(move || -> std::io::Result<_> {
        let mut out = BufWriter::with_capacity(1 << 16, stdin);
        writeln!(
            out,
            r#"{{"src":"c0","dest":"n0","body":{{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0"]}}}}"#
        )?;
        for msg_id in 1..=REQUESTS {
            writeln!(
                out,
                r#"{{"id":{msg_id},"src":"c1","dest":"n0","body":{{"type":"echo","msg_id":{msg_id},"echo":"Please echo {}"}}}}"#,
                msg_id % 128
            )?;
        }
        out.flush()?;
        out.into_inner().map_err(|error| error.into_error())
    });

    let mut replies = 0u64;
    let mut lines = BufReader::with_capacity(1 << 16, stdout).lines();
    let init_ok = lines
        .next()
        .ok_or_else(|| anyhow::anyhow!("no init_ok"))??;
    anyhow::ensure!(
        init_ok.contains("init_ok"),
        "first line is not init_ok: {init_ok}"
    );
    for line in lines {
        let line = line?;
        replies += 1;
        let expected = format!("\"in_reply_to\":{replies}");
        anyhow::ensure!(
            line.contains(&expected),
            "reply {replies} out of order: {line}"
        );
        if replies == REQUESTS {
            break;
        }
    }
    let elapsed = started.elapsed();
    let stdin = writer.join().expect("writer thread")?;
    let peak_kib = peak_rss_kib(child.id())?;
    drop(stdin);
    child.wait()?;

    anyhow::ensure!(replies == REQUESTS, "only {replies} of {REQUESTS} replies");
    let rate = REQUESTS as f64 / elapsed.as_secs_f64();
    println!(
        "bench-runtime: {REQUESTS} echo requests in {:.2} s: {:.0} messages/s{}",
        elapsed.as_secs_f64(),
        rate,
        if pinned {
            " (echo pinned to one core)"
        } else {
            " (taskset not found: not pinned)"
        }
    );
    println!("bench-runtime: peak memory of the echo process: {peak_kib} KiB");
    Ok(())
}

/// The peak resident set size (`VmHWM`) of a running process, from /proc.
fn peak_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .ok_or_else(|| anyhow::anyhow!("no VmHWM in /proc/{pid}/status"))?;
    let kib = line.split_whitespace().nth(1).unwrap_or("0").parse()?;
    Ok(kib)
}
