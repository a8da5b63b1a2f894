//! A run leaves nothing behind (maelstrom.md §2: teardown kills every node): not after
//! a normal end, not when a node ignores EOF and SIGTERM, not for a node's own children
//! or a shell wrapper that doesn't `exec`, and not when the harness itself is told to
//! stop with SIGINT or SIGTERM, in which case it keeps what it recorded and exits 130
//! or 143.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{fixture, harness, Scratch};

/// A marker no other process on the machine carries in its command line.
fn marker() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    format!("{}.{:09}", 4000 + std::process::id() % 1000, nanos)
}

/// Processes whose command line contains `marker`.
fn survivors(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(marker) {
            found.push(format!("{}: {text}", entry.file_name().to_string_lossy()));
        }
    }
    found
}

/// Waits up to a few seconds for every process carrying `marker` to be gone.
fn assert_none_survive(marker: &str) {
    let started = Instant::now();
    while !survivors(marker).is_empty() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        survivors(marker),
        Vec::<String>::new(),
        "processes outlived the run"
    );
}

/// A node wrapper: a shell that doesn't `exec` the node, leaves a child of its own
/// running, and, once the node is gone, ignores EOF and SIGTERM forever.
fn stubborn_wrapper(dir: &Path, marker: &str) -> String {
    let path = dir.join("stubborn-node.sh");
    let script = format!(
        "#!/bin/sh\ntrap '' TERM INT\nsleep {marker} &\n{}\nwhile true; do sleep {marker}; done\n",
        fixture("echo-plain")
    );
    std::fs::write(&path, script).expect("the script is written");
    Command::new("chmod")
        .arg("+x")
        .arg(&path)
        .status()
        .expect("chmod runs");
    path.display().to_string()
}

fn scratch(label: &str) -> Scratch {
    Scratch::new(&format!("maelstrom-shutdown-{label}-"))
}

/// After a normal end, nothing the node started survives: not the wrapper shell, not
/// its child, not the node.
#[test]
fn after_a_normal_end_no_descendant_of_a_node_survives() {
    let marker = marker();
    let dir = scratch("normal");
    let wrapper = stubborn_wrapper(&dir, &marker);
    let outcome = harness(
        &[
            "test",
            "-w",
            "echo",
            "--bin",
            &wrapper,
            "--node-count",
            "2",
            "--time-limit",
            "2",
        ],
        Duration::from_secs(30),
    );
    println!("{}", outcome.output);
    assert_eq!(
        outcome.exit_code, 0,
        "the wrapped node is a correct echo node"
    );
    assert_none_survive(&marker);
}

/// SIGTERM and SIGINT stop the run: every node's process group is killed, the history
/// so far is stored with `test.json` saying `"interrupted": true` and results
/// `:valid? :unknown`, and the exit code is 128 + the signal.
#[test]
fn a_signal_stops_the_run_keeps_the_history_and_leaves_no_node_behind() {
    for (signal, name, code) in [
        (nix::sys::signal::Signal::SIGTERM, "SIGTERM", 143),
        (nix::sys::signal::Signal::SIGINT, "SIGINT", 130),
    ] {
        let marker = marker();
        let dir = scratch(name);
        let wrapper = stubborn_wrapper(&dir, &marker);
        let store = dir.join("store");
        let mut child = Command::new(env!("CARGO_BIN_EXE_maelstrom-tests"))
            .args([
                "test",
                "-w",
                "echo",
                "--bin",
                &wrapper,
                "--node-count",
                "2",
                "--time-limit",
                "60",
            ])
            .arg("--store")
            .arg(&store)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the harness runs");
        // Let it get into the main phase and record some ops.
        std::thread::sleep(Duration::from_secs(3));
        let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
        nix::sys::signal::kill(pid, signal).expect("the signal is sent");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("waiting works") {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{name}: the harness did not stop"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let output = child.wait_with_output().expect("the output is read");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(status.code(), Some(code), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("Interrupted by {name}")),
            "{stderr}"
        );
        let run = store.join("latest");
        let history =
            std::fs::read_to_string(run.join("history.edn")).expect("the history is stored");
        assert!(
            history.contains(":type :invoke"),
            "ops before the signal are kept"
        );
        let test: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(run.join("test.json")).expect("test.json"),
        )
        .expect("json");
        assert_eq!(test["interrupted"], true);
        let results = std::fs::read_to_string(run.join("results.edn")).expect("results.edn");
        assert!(results.contains(":valid? :unknown"), "{results}");
        assert_none_survive(&marker);
    }
}
