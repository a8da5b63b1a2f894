//! `maelstrom-driver`: run the bundled harness from a challenge's tests.
//!
//! A challenge's integration test knows its own binary (`env!("CARGO_BIN_EXE_broadcast")`)
//! but Cargo gives it no path to another package's binary, so this crate builds
//! the harness once per test process (`cargo build -p maelstrom-tests`, in the
//! same target directory and profile, which Cargo allows from inside a test)
//! and runs it exactly as a person would: `maelstrom-tests test -w ... --bin ...`.
//! Each run gets its own store directory, so tests can run in parallel, and the
//! test reads the verdict and figures from the run's `results.json`.
//!
//! [`run_sim`] runs a challenge binary's own `sim` the same way, for the fast,
//! deterministic tests.
//!
//! Stores are [`Scratch`] directories: removed with their [`Run`] when the test
//! passes, kept when it fails.
//!
//! Left out: nothing is parsed from the console but the replay lines of a seed sweep
//! ([`Run::replays`]); `results.json` is the contract.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

mod scratch;
pub use scratch::Scratch;

/// One finished harness run.
#[derive(Debug)]
pub struct Run {
    /// The harness's exit code: 0 valid, 1 invalid, 2 unknown, 254 bad arguments, 255 crash.
    pub exit_code: i32,
    /// What the harness printed (stdout and stderr, in that order).
    pub output: String,
    /// The run's directory (`<store>/latest` resolved), if the run got that far.
    pub run_dir: Option<PathBuf>,
    /// `results.json`, if it was written.
    pub results: Option<Value>,
    /// The store the run wrote into; it goes with the run (see [`Scratch`]).
    pub store: Scratch,
}

impl Run {
    /// A figure from `results.json` by key path, e.g. `["net", "servers", "msgs-per-op"]`.
    pub fn figure(&self, path: &[&str]) -> Option<&Value> {
        let mut value = self.results.as_ref()?;
        for key in path {
            value = value.get(key)?;
        }
        Some(value)
    }

    /// The `Replay: ...` commands the run printed, one per run that was not valid.
    pub fn replays(&self) -> Vec<String> {
        self.output
            .lines()
            .filter_map(|line| line.strip_prefix("Replay: "))
            .map(str::to_string)
            .collect()
    }

    /// A file of the run's store directory, as bytes.
    pub fn stored(&self, file: &str) -> Option<Vec<u8>> {
        std::fs::read(self.run_dir.as_ref()?.join(file)).ok()
    }

    /// Panics with the harness's output unless the run was valid (exit 0).
    pub fn assert_valid(&self) {
        assert_eq!(
            self.exit_code, 0,
            "expected a valid run; harness output:\n{}",
            self.output
        );
    }

    /// Panics with the output unless a seed sweep (`--seeds A..B`) ran `seeds` seeds
    /// and every one of them was valid.
    pub fn assert_every_seed_valid(&self, seeds: usize) {
        self.assert_valid();
        let summary = format!("{seeds} of {seeds} seed(s) valid");
        assert!(
            self.output.contains(&summary),
            "expected \"{summary}\"; harness output:\n{}",
            self.output
        );
    }
}

/// The harness binary, built on first use.
pub fn harness_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_harness)
}

fn build_harness() -> PathBuf {
    if let Some(path) = std::env::var_os("MAELSTROM_TESTS_BIN") {
        return PathBuf::from(path);
    }
    // target/<profile>/deps/<test-binary> → target/<profile>
    let test_exe = std::env::current_exe().expect("the test knows its own path");
    let profile_dir = test_exe
        .parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps");
    let release = profile_dir
        .file_name()
        .is_some_and(|name| name == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command.args([
        "build",
        "--quiet",
        "-p",
        "maelstrom-tests",
        "--bin",
        "maelstrom-tests",
    ]);
    if release {
        command.arg("--release");
    }
    if let Some(target_dir) = profile_dir.parent() {
        command.arg("--target-dir").arg(target_dir);
    }
    let status = command
        .status()
        .expect("running cargo to build the harness");
    assert!(
        status.success(),
        "building maelstrom-tests failed: {status}"
    );
    let binary = profile_dir.join("maelstrom-tests");
    assert!(binary.exists(), "no harness binary at {}", binary.display());
    binary
}

/// Runs `maelstrom-tests test --bin <node> --store <fresh dir> <args...>`.
pub fn run_test(node: &Path, args: &[&str]) -> Run {
    let store = fresh_store_dir();
    let mut command = Command::new(harness_binary());
    command
        .arg("test")
        .arg("--bin")
        .arg(node)
        .arg("--store")
        .arg(store.path())
        .args(args);
    finish(command, store)
}

/// Runs `<node> sim --store <fresh dir> <args...>`: the simulation built into every
/// challenge binary, with no harness process at all.
pub fn run_sim(node: &Path, args: &[&str]) -> Run {
    let store = fresh_store_dir();
    let mut command = Command::new(node);
    command
        .arg("sim")
        .arg("--store")
        .arg(store.path())
        .args(args);
    finish(command, store)
}

/// Runs `<node> sim <args...>` twice and panics unless both runs stored byte-identical
/// `history.edn` and `results.edn`: the same command and seed give the same run.
/// Returns the first run, for further checks.
pub fn assert_replays_byte_for_byte(node: &Path, args: &[&str]) -> Run {
    let (first, second) = (run_sim(node, args), run_sim(node, args));
    for file in ["history.edn", "results.edn"] {
        let (a, b) = (first.stored(file), second.stored(file));
        assert!(a.is_some(), "{file} was not stored: {}", first.output);
        assert!(a == b, "{file} differs between two runs of {args:?}");
    }
    first
}

fn finish(mut command: Command, store: Scratch) -> Run {
    let output = command.output().expect("running the harness");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let run_dir = std::fs::canonicalize(store.join("latest")).ok();
    let results = run_dir
        .as_ref()
        .and_then(|dir| std::fs::read_to_string(dir.join("results.json")).ok())
        .and_then(|text| serde_json::from_str(&text).ok());
    Run {
        exit_code: output.status.code().unwrap_or(-1),
        output: text,
        run_dir,
        results,
        store,
    }
}

/// A new empty store directory, unique to this call.
fn fresh_store_dir() -> Scratch {
    Scratch::new("maelstrom-store-")
}
