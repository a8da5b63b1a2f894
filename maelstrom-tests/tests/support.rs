//! Shared plumbing for the runner's integration tests: the fixture binaries, a
//! private store directory per test (removed when the test passes, kept when it
//! fails), and a harness run that can never outlive its test.
//!
//! Cargo gives a test the path of its own package's binaries
//! (`CARGO_BIN_EXE_maelstrom-tests`) but not another package's, so the fixtures are
//! built once per test process with `cargo build -p maelstrom-fixtures` into the same
//! target directory and profile as the running test (found from `current_exe()`:
//! `<target>/<profile>/deps/<test>`). Cargo releases its build lock while tests run,
//! so this nested build is allowed, and it is a no-op when the fixtures are fresh.
//!
//! If the harness overruns its deadline, or the test fails while it runs, the harness
//! is killed. Its node processes then see their stdin close, and every fixture exits
//! on end of input, so a failing test leaves nothing behind.

#![allow(dead_code)] // Each test file uses its own subset.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub use maelstrom_driver::Scratch;

/// `<target>/<profile>`, where the fixture binaries are.
fn profile_dir() -> PathBuf {
    let test_exe = std::env::current_exe().expect("a test knows its own path");
    test_exe
        .parent()
        .and_then(Path::parent)
        .expect("tests run from <target>/<profile>/deps")
        .to_path_buf()
}

/// Builds the fixtures once per test process; returns the directory holding them.
fn fixtures_dir() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let profile = profile_dir();
        let target = profile
            .parent()
            .expect("a profile dir has a parent")
            .to_path_buf();
        let mut build = Command::new(env!("CARGO"));
        build.args(["build", "--quiet", "-p", "maelstrom-fixtures", "--bins"]);
        build.env("CARGO_TARGET_DIR", &target);
        if profile.file_name().is_some_and(|name| name == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo must be runnable from a test");
        assert!(
            status.success(),
            "building maelstrom-fixtures failed: {status}"
        );
        profile
    })
}

/// The path of fixture `name`.
pub fn fixture(name: &str) -> String {
    let path = fixtures_dir().join(name);
    assert!(path.exists(), "fixture {} was not built", path.display());
    path.display().to_string()
}

/// One finished harness run.
#[derive(Debug)]
pub struct Outcome {
    pub exit_code: i32,
    pub output: String,
    pub elapsed: Duration,
    pub store: Scratch,
}

/// A fresh store directory for one test.
fn fresh_store(label: &str) -> Scratch {
    Scratch::new(&format!("maelstrom-tests-{label}-"))
}

/// Runs `maelstrom-tests test --store <fresh dir> <args...>` (the store goes first,
/// so that arguments after `--`, which belong to the node, stay last); kills
/// everything after `deadline`.
pub fn harness(args: &[&str], deadline: Duration) -> Outcome {
    let store = fresh_store(args.first().copied().unwrap_or("run"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_maelstrom-tests"));
    match args.split_first() {
        Some((&"test", rest)) => {
            command
                .arg("test")
                .arg("--store")
                .arg(store.path())
                .args(rest);
        }
        _ => {
            command.args(args);
        }
    }
    let output_path = store.join("console.txt");
    let console = std::fs::File::create(&output_path).expect("the store is writable");
    command
        .stdout(console.try_clone().expect("a file handle can be cloned"))
        .stderr(console)
        .stdin(Stdio::null());
    let started = Instant::now();
    let mut child = KillOnDrop(command.spawn().expect("the harness binary runs"));
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("waiting on the harness works") {
            break status;
        }
        assert!(
            started.elapsed() < deadline,
            "the harness overran its {deadline:?} deadline: {args:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = std::fs::read_to_string(&output_path).unwrap_or_default();
    Outcome {
        exit_code: status.code().unwrap_or(-1),
        output,
        elapsed: started.elapsed(),
        store,
    }
}

/// Kills the harness when dropped, which also happens when an assertion fails mid-test.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        // Already exited in the normal case; then there is nothing to kill.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
