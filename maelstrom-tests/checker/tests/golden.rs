//! Fidelity: `analyze` on real Maelstrom runs reaches the real checkers'
//! verdicts and figures (everything a history determines; `:net` needs the
//! network journal, which a history does not contain).
//!
//! A few small cases are copied into `tests/data/` (sources in its README); when
//! the project's reference runs are present beside the repository
//! (`../shared/golden`), every case there is checked too, and so are the kafka runs
//! in its `pending/` folder (the other workloads there have no checker yet).

use std::path::{Path, PathBuf};

use maelstrom_checker::{analyze, check, parse_edn, Edn};

/// The figures that must agree, by workload (maelstrom.md §3.2, §3.3, §3.5, §5.4;
/// maelstrom.md §3.8 for txn-rw-register, whose `:anomalies` print Jepsen's op records
/// and so are compared through their types only; maelstrom.md §3.7 for kafka, whose
/// per-type `:count`s are compared in [`disagreements`]).
fn compared_keys(workload: &str) -> &'static [&'static str] {
    match workload {
        "broadcast" | "g-set" => &[
            "valid?",
            "attempt-count",
            "stable-count",
            "lost-count",
            "lost",
            "never-read-count",
            "stale-count",
            "stable-latencies",
            "lost-latencies",
        ],
        "g-counter" | "pn-counter" => &["valid?", "errors", "final-reads", "acceptable"],
        "echo" => &["valid?", "errors"],
        "unique-ids" => &[
            "valid?",
            "attempted-count",
            "acknowledged-count",
            "duplicated-count",
            "range",
        ],
        "txn-rw-register" => &["valid?", "anomaly-types", "not", "also-not"],
        "kafka" => &[
            "valid?",
            "bad-error-types",
            "error-types",
            "worst-realtime-lag",
            "info-txn-causes",
        ],
        _ => &["valid?"],
    }
}

/// `value` without its tagged-literal wrappers: Maelstrom writes the ops inside
/// its results as `#jepsen.history.Op{...}`, we write the bare map.
fn untagged(value: &Edn) -> Edn {
    match value {
        Edn::Tagged(_, inner) => untagged(inner),
        Edn::Vector(items) => Edn::Vector(items.iter().map(untagged).collect()),
        Edn::List(items) => Edn::List(items.iter().map(untagged).collect()),
        Edn::Set(items) => Edn::Set(items.iter().map(untagged).collect()),
        Edn::Map(entries) => Edn::Map(
            entries
                .iter()
                .map(|(key, value)| (untagged(key), untagged(value)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Compares one run directory; returns the disagreements.
fn disagreements(dir: &Path) -> Vec<String> {
    let (options, history, net) = analyze::load(dir).expect("the history loads");
    let ours = check(&options, &history, net.as_ref())
        .expect("the checkers run")
        .edn;
    let text = std::fs::read_to_string(dir.join("results.edn")).expect("results.edn");
    let theirs = parse_edn(&text).expect("results.edn parses");
    let mut wrong = Vec::new();
    let mut compare = |what: String, a: Option<&Edn>, b: Option<&Edn>| {
        let show =
            |value: Option<&Edn>| value.map_or("absent".to_string(), |v| untagged(v).to_string());
        if show(a) != show(b) {
            wrong.push(format!(
                "{what}: ours {} vs Maelstrom's {}",
                show(a),
                show(b)
            ));
        }
    };
    compare("valid?".into(), ours.get("valid?"), theirs.get("valid?"));
    for key in compared_keys(&options.workload) {
        let section = |results: &Edn| results.get("workload").and_then(|w| w.get(key)).cloned();
        compare(
            format!(":workload {key}"),
            section(&ours).as_ref(),
            section(&theirs).as_ref(),
        );
    }
    if options.workload == "kafka" {
        // Per :f, including :crash's own `:valid? false` under a valid :stats.
        let by_f = |results: &Edn| results.get("stats").and_then(|s| s.get("by-f")).cloned();
        compare(
            ":stats :by-f".into(),
            by_f(&ours).as_ref(),
            by_f(&theirs).as_ref(),
        );
        for error_type in error_types(&ours).into_iter().chain(error_types(&theirs)) {
            let count = |results: &Edn| {
                results
                    .get("workload")
                    .and_then(|w| w.get(&error_type))
                    .and_then(|e| e.get("count"))
                    .cloned()
            };
            compare(
                format!(":workload {error_type} :count"),
                count(&ours).as_ref(),
                count(&theirs).as_ref(),
            );
        }
    }
    for key in ["valid?", "count", "ok-count", "fail-count", "info-count"] {
        let stat = |results: &Edn| results.get("stats").and_then(|s| s.get(key)).cloned();
        compare(
            format!(":stats {key}"),
            stat(&ours).as_ref(),
            stat(&theirs).as_ref(),
        );
    }
    for key in ["valid?", "ok-fraction"] {
        let figure = |results: &Edn| {
            results
                .get("availability")
                .and_then(|a| a.get(key))
                .cloned()
        };
        compare(
            format!(":availability {key}"),
            figure(&ours).as_ref(),
            figure(&theirs).as_ref(),
        );
    }
    wrong
}

/// The keyword names in a results map's `:workload :error-types`.
fn error_types(results: &Edn) -> Vec<String> {
    match results.get("workload").and_then(|w| w.get("error-types")) {
        Some(Edn::List(types) | Edn::Vector(types)) => types
            .iter()
            .filter_map(|t| match t {
                Edn::Keyword(name) => Some(name.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn run_dirs(root: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.join("history.edn").exists() && path.join("results.edn").exists())
        .collect();
    dirs.sort();
    dirs
}

fn assert_all_agree(dirs: &[PathBuf]) {
    let mut failures = Vec::new();
    for dir in dirs {
        for wrong in disagreements(dir) {
            failures.push(format!("{}: {wrong}", dir.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "disagreements with Maelstrom:\n{}",
        failures.join("\n")
    );
}

/// maelstrom.md §3, §5.4: the copied cases agree with Maelstrom.
#[test]
fn analyze_agrees_with_maelstrom_on_the_copied_runs() {
    let dirs = run_dirs(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data"));
    assert!(
        dirs.len() >= 10,
        "the copied cases are there ({} found)",
        dirs.len()
    );
    assert_all_agree(&dirs);
}

/// The same over every reference run beside the repository, when present, and over the
/// pending ones whose workload is checked now (kafka, maelstrom.md §3.7).
#[test]
fn analyze_agrees_with_maelstrom_on_every_reference_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/golden");
    let mut dirs = run_dirs(&root);
    dirs.extend(
        run_dirs(&root.join("pending"))
            .into_iter()
            .filter(|dir| dir.to_string_lossy().contains("__kafka_")),
    );
    if dirs.is_empty() {
        println!("no reference runs at {}; skipped", root.display());
        return;
    }
    assert_all_agree(&dirs);
}
