//! The runs in a store, and what each one's `results.json` says about it.
//!
//! A store is `store/<workload>/<timestamp>/` (maelstrom.md §6); the `latest` and
//! `current` links point at runs that are listed anyway, so links are skipped here.
//! The figures shown are the ones a learner compares across runs: the verdict,
//! messages per operation (all, and between servers, the Fly criteria), the stable
//! latency of broadcast runs and the availability. A run with no `results.json` is
//! still running or crashed; one whose `results.json` cannot be read says so. Both
//! are listed, never an error. Every read is bounded ([`RESULTS_BYTES_MAX`],
//! [`RUNS_MAX`], [`DIRECTORY_ENTRIES_MAX`]), since a store can hold anything.

use std::path::Path;

use serde_json::Value;

/// The largest `results.json` read for figures, in bytes.
pub const RESULTS_BYTES_MAX: u64 = 8 * 1024 * 1024;
/// Runs listed on the index, newest first.
pub const RUNS_MAX: usize = 300;
/// Entries read from one directory.
pub const DIRECTORY_ENTRIES_MAX: usize = 10_000;

/// `:valid?` of a run, or why there is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Invalid,
    Unknown,
    /// No `results.json`: still running, or the harness stopped before checking.
    Incomplete,
    /// A `results.json` too large or not JSON.
    Unreadable,
}

impl Verdict {
    /// The CSS class and the word shown.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Unknown => "unknown",
            Verdict::Incomplete => "incomplete",
            Verdict::Unreadable => "unreadable",
        }
    }
}

/// What the index shows of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    pub workload: String,
    /// The run directory's name: its start time, `20250101T120000.000Z`.
    pub name: String,
    pub verdict: Verdict,
    pub msgs_per_op: Option<f64>,
    pub server_msgs_per_op: Option<f64>,
    pub stable_latency_median_ms: Option<f64>,
    pub stable_latency_max_ms: Option<f64>,
    pub availability: Option<f64>,
    /// The run's files, sorted.
    pub files: Vec<String>,
}

/// The runs of the store, newest first, at most [`RUNS_MAX`]; and how many in all.
pub fn find_runs(root: &Path) -> (Vec<RunSummary>, usize) {
    let mut runs: Vec<(String, String)> = Vec::new();
    for workload in real_directories(root) {
        for name in real_directories(&root.join(&workload)) {
            runs.push((name, workload.clone()));
        }
    }
    // Timestamps sort as text; newest first.
    runs.sort_by(|a, b| b.cmp(a));
    let total = runs.len();
    let summaries = runs
        .into_iter()
        .take(RUNS_MAX)
        .map(|(name, workload)| summarize(root, &workload, &name))
        .collect();
    (summaries, total)
}

/// One run's summary.
pub fn summarize(root: &Path, workload: &str, name: &str) -> RunSummary {
    let dir = root.join(workload).join(name);
    let mut files = entry_names(&dir);
    files.sort();
    let mut summary = RunSummary {
        workload: workload.to_string(),
        name: name.to_string(),
        verdict: Verdict::Incomplete,
        msgs_per_op: None,
        server_msgs_per_op: None,
        stable_latency_median_ms: None,
        stable_latency_max_ms: None,
        availability: None,
        files,
    };
    match read_results(&dir.join("results.json")) {
        Results::Absent => {}
        Results::Unreadable => summary.verdict = Verdict::Unreadable,
        Results::Read(results) => {
            summary.verdict = match results.get("valid?") {
                Some(Value::Bool(true)) => Verdict::Valid,
                Some(Value::Bool(false)) => Verdict::Invalid,
                _ => Verdict::Unknown,
            };
            let number = |path: &[&str]| {
                path.iter()
                    .try_fold(&results, |value, key| value.get(key))
                    .and_then(Value::as_f64)
            };
            summary.msgs_per_op = number(&["net", "all", "msgs-per-op"]);
            summary.server_msgs_per_op = number(&["net", "servers", "msgs-per-op"]);
            summary.stable_latency_median_ms = number(&["workload", "stable-latencies", "0.5"]);
            summary.stable_latency_max_ms = number(&["workload", "stable-latencies", "1"]);
            summary.availability = number(&["availability", "ok-fraction"]);
        }
    }
    summary
}

enum Results {
    Absent,
    Unreadable,
    Read(Value),
}

fn read_results(path: &Path) -> Results {
    let Ok(metadata) = std::fs::metadata(path) else {
        return Results::Absent;
    };
    if !metadata.is_file() || metadata.len() > RESULTS_BYTES_MAX {
        return Results::Unreadable;
    }
    match std::fs::read(path).map(|bytes| serde_json::from_slice::<Value>(&bytes)) {
        Ok(Ok(value)) => Results::Read(value),
        _ => Results::Unreadable,
    }
}

/// Subdirectories that are not symlinks (`latest`, `current`), by name.
fn real_directories(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .take(DIRECTORY_ENTRIES_MAX)
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect()
}

/// The names in a directory, at most [`DIRECTORY_ENTRIES_MAX`]; names that are not
/// UTF-8 cannot be linked to and are left out.
pub fn entry_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .take(DIRECTORY_ENTRIES_MAX)
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect()
}
