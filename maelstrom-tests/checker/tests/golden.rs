//! Fidelity: `analyze` on real Maelstrom runs reaches the real checkers'
//! verdicts and figures (everything a history determines; `:net` needs the
//! network journal, which a history does not contain).
//!
//! A few small cases are copied into `tests/data/` (sources in its README); when
//! the project's reference runs are present beside the repository
//! (`../shared/golden`), every case there is checked too, and so are the kafka and
//! lin-kv runs in its `pending/` folder. A lin-kv run is compared key by key: the
//! workload's `:valid?` and `:failures`, each key's `:valid?` and, for a key that is not
//! linearizable, the `:op` no order can explain (maelstrom.md §3.6). Knossos's
//! configurations and paths depend on its search order, so they are not compared.
//!
//! Some pending runs were recorded without gnuplot, so their `:perf`, and with it their
//! top-level `:valid?`, is `:unknown` although every checker passed. Their top-level
//! verdict is compared without `:perf`: the worst of the other sections.

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
        "lin-kv" => &["valid?", "failures"],
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
    compare(
        "valid?".into(),
        ours.get("valid?"),
        verdict_drawn_or_not(&theirs).as_ref(),
    );
    for key in compared_keys(&options.workload) {
        let section = |results: &Edn| results.get("workload").and_then(|w| w.get(key)).cloned();
        compare(
            format!(":workload {key}"),
            section(&ours).as_ref(),
            section(&theirs).as_ref(),
        );
    }
    if options.workload == "lin-kv" {
        let keys: std::collections::BTreeSet<String> = key_verdicts(&ours)
            .into_iter()
            .chain(key_verdicts(&theirs))
            .map(|(key, _)| key)
            .collect();
        for key in keys {
            let of = |results: &Edn| {
                key_verdicts(results)
                    .into_iter()
                    .find(|(other, _)| *other == key)
                    .map(|(_, verdict)| verdict)
            };
            compare(
                format!(":workload :results {key} :valid?"),
                of(&ours).as_ref(),
                of(&theirs).as_ref(),
            );
            // The op no order can explain is the same whichever search finds it.
            let op = |results: &Edn| {
                key_result(results, &key)
                    .and_then(|result| result.get("linearizable"))
                    .and_then(|linearizable| linearizable.get("op"))
                    .cloned()
            };
            compare(
                format!(":workload :results {key} :linearizable :op"),
                op(&ours).as_ref(),
                op(&theirs).as_ref(),
            );
        }
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
    // Maelstrom added the `:availability` checker after 2022; a run recorded before it
    // (one lin-kv run in `pending/`) has no such section to compare with.
    let availability_keys: &[&str] = if theirs.get("availability").is_some() {
        &["valid?", "ok-fraction"]
    } else {
        &[]
    };
    for key in availability_keys {
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

/// The run's `:valid?`, or, when its plots could not be drawn (`:perf` is `:unknown`
/// for want of gnuplot), the worst of its other sections' verdicts.
fn verdict_drawn_or_not(results: &Edn) -> Option<Edn> {
    let unknown = Edn::keyword("unknown");
    let perf = results.get("perf").and_then(|perf| perf.get("valid?"));
    if perf != Some(&unknown) {
        return results.get("valid?").cloned();
    }
    let Edn::Map(sections) = results else {
        return None;
    };
    let verdicts: Vec<&Edn> = sections
        .iter()
        .filter(|(name, _)| *name != Edn::keyword("perf") && *name != Edn::keyword("valid?"))
        .filter_map(|(_, section)| section.get("valid?"))
        .collect();
    Some(if verdicts.contains(&&Edn::Bool(false)) {
        Edn::Bool(false)
    } else if verdicts.contains(&&unknown) {
        unknown
    } else {
        Edn::Bool(true)
    })
}

/// Each key of a lin-kv `:workload :results` with its `:valid?`, the key as EDN text.
fn key_verdicts(results: &Edn) -> Vec<(String, Edn)> {
    match results.get("workload").and_then(|w| w.get("results")) {
        Some(Edn::Map(keys)) => keys
            .iter()
            .map(|(key, result)| {
                let verdict = result.get("valid?").cloned().unwrap_or(Edn::Nil);
                (key.to_string(), verdict)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The result of one lin-kv key, named by its EDN text.
fn key_result<'r>(results: &'r Edn, key: &str) -> Option<&'r Edn> {
    match results.get("workload").and_then(|w| w.get("results")) {
        Some(Edn::Map(keys)) => keys
            .iter()
            .find(|(other, _)| other.to_string() == key)
            .map(|(_, result)| result),
        _ => None,
    }
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
/// pending ones whose workload is checked now (kafka, maelstrom.md §3.7; lin-kv,
/// maelstrom.md §3.6).
#[test]
fn analyze_agrees_with_maelstrom_on_every_reference_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/golden");
    let mut dirs = run_dirs(&root);
    dirs.extend(run_dirs(&root.join("pending")).into_iter().filter(|dir| {
        let name = dir.to_string_lossy();
        name.contains("__kafka_") || name.contains("__lin-kv_")
    }));
    if dirs.is_empty() {
        println!("no reference runs at {}; skipped", root.display());
        return;
    }
    assert_all_agree(&dirs);
}
