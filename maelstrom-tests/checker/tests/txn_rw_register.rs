//! The txn-rw-register checker on constructed histories (maelstrom.md §3.8): each
//! anomaly is found and named as Elle names it, each consistency model reports exactly
//! what it proscribes, and correct histories, small and large, are valid.

#[path = "support/txn_histories.rs"]
mod txn_histories;

use maelstrom_checker::{check, parse_edn, CheckOptions, Edn, Op};
use txn_histories::{simulate, Simulation};

/// A history from one line per op, `"process type value"`, in history order:
/// `"0 invoke [[:w 1 1]]"`, `"0 ok [[:w 1 1]]"`.
fn history(lines: &[&str]) -> Vec<Op> {
    lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let mut parts = line.splitn(3, ' ');
            let (process, op_type, value) = (
                parts.next().expect("a process"),
                parts.next().expect("a type"),
                parts.next().expect("a value"),
            );
            let text = format!(
                "{{:index {index}, :time {}, :type :{op_type}, :process {process}, :f :txn, :value {value}}}",
                index * 1_000_000
            );
            Op::from_edn(&parse_edn(&text).expect("valid EDN")).expect("a valid op")
        })
        .collect()
}

/// Each transaction invoked and completed before the next: `(process, type, value)`
/// where `value` is what the completion says.
fn serial(txns: &[(u64, &str, &str)]) -> Vec<Op> {
    let lines: Vec<String> = txns
        .iter()
        .flat_map(|(process, op_type, value)| {
            [
                format!("{process} invoke {}", invoked(value)),
                format!("{process} {op_type} {value}"),
            ]
        })
        .collect();
    history(&lines.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The invocation of a completed value: every read's value unknown.
fn invoked(value: &str) -> String {
    let Edn::Vector(mops) = parse_edn(value).expect("a txn") else {
        panic!("a txn is a vector");
    };
    let mops: Vec<Edn> = mops
        .into_iter()
        .map(|mop| match mop {
            Edn::Vector(parts) if parts[0] == Edn::keyword("r") => {
                Edn::Vector(vec![parts[0].clone(), parts[1].clone(), Edn::Nil])
            }
            other => other,
        })
        .collect();
    Edn::Vector(mops).to_string()
}

/// The `:workload` section for `history` under `models`.
fn judge(models: &[&str], history: &[Op]) -> Edn {
    let options = CheckOptions {
        workload: "txn-rw-register".into(),
        availability: None,
        consistency_models: models.iter().map(|m| m.to_string()).collect(),
    };
    check(&options, history, None)
        .expect("the checker runs")
        .edn
        .get("workload")
        .expect("a workload section")
        .clone()
}

fn anomaly_types(workload: &Edn) -> Vec<String> {
    match workload.get("anomaly-types") {
        Some(Edn::List(types)) => types.iter().map(Edn::to_string).collect(),
        other => panic!("anomaly-types is a list, not {other:?}"),
    }
}

fn valid(workload: &Edn) -> bool {
    workload.get("valid?") == Some(&Edn::Bool(true))
}

/// Writes x=1 and y=1, so later transactions have versions to read.
const SETUP: (u64, &str, &str) = (9, "ok", "[[:w 1 1] [:w 2 1]]");

/// G2-item, write skew: each reads both keys and overwrites a different one.
fn write_skew() -> Vec<Op> {
    serial(&[
        SETUP,
        (0, "ok", "[[:r 1 1] [:r 2 1] [:w 1 2]]"),
        (1, "ok", "[[:r 1 1] [:r 2 1] [:w 2 2]]"),
    ])
}

/// G-single, read skew: the reader sees y after the writer, x before it.
fn read_skew() -> Vec<Op> {
    serial(&[
        SETUP,
        (0, "ok", "[[:r 1 1] [:w 1 2] [:r 2 1] [:w 2 2]]"),
        (1, "ok", "[[:r 1 1] [:r 2 2]]"),
    ])
}

/// maelstrom.md §3.8: a history that could only have run one transaction at a time,
/// each seeing the last one's writes, is valid under every model.
#[test]
fn a_serial_history_is_valid_under_every_model() {
    let history = serial(&[
        (0, "ok", "[[:r 1 nil] [:w 1 1]]"),
        (1, "ok", "[[:r 1 1] [:w 1 2] [:w 2 1]]"),
        (0, "ok", "[[:r 2 1] [:r 1 2]]"),
        (1, "fail", "[[:w 1 3]]"),
        (0, "ok", "[[:r 1 2] [:w 1 4] [:r 1 4]]"),
    ]);
    for model in [
        "read-uncommitted",
        "read-committed",
        "snapshot-isolation",
        "serializable",
        "strict-serializable",
    ] {
        let workload = judge(&[model], &history);
        assert_eq!(
            workload.to_string(),
            "{:valid? true, :anomaly-types (), :anomalies nil}",
            "{model}"
        );
    }
}

/// maelstrom.md §3.8: thousands of overlapping transactions from a store that applies
/// each atomically within its lifetime, some failed and some timed out, are strict
/// serializable.
#[test]
fn a_simulated_strict_serializable_history_is_valid() {
    let history = simulate(Simulation {
        seed: 7,
        txn_count: 4_000,
        client_count: 10,
        fail_per_mille: 20,
        info_per_mille: 20,
        staleness_txns: 0,
    });
    let workload = judge(&["strict-serializable"], &history);
    assert!(valid(&workload), "{workload}");
}

/// maelstrom.md §3.8 ⚠: with no committed transaction there is no graph; Elle calls
/// that unknown and Maelstrom's wrapper makes it invalid, whatever the model.
#[test]
fn an_all_failed_history_is_an_invalid_empty_transaction_graph() {
    let history = serial(&[(0, "fail", "[[:w 1 1]]"), (1, "info", "[[:r 1 nil]]")]);
    let workload = judge(&["read-uncommitted"], &history);
    assert_eq!(
        workload.to_string(),
        "{:valid? false, :anomaly-types (:empty-transaction-graph), \
         :anomalies {:empty-transaction-graph true}, :not #{}, :also-not #{}}"
    );
}

/// maelstrom.md §3.8, Adya G1a: reading a failed transaction's write is illegal under
/// read-committed, legal under read-uncommitted.
#[test]
fn reading_an_aborted_write_is_g1a_under_read_committed_only() {
    let history = serial(&[
        SETUP,
        (0, "fail", "[[:w 1 5]]"),
        (1, "ok", "[[:r 1 5] [:r 2 1]]"),
    ]);
    let workload = judge(&["read-committed"], &history);
    assert_eq!(anomaly_types(&workload), [":G1a"]);
    assert_eq!(
        workload.get("not").map(Edn::to_string).as_deref(),
        Some("#{:read-committed}")
    );
    let case = &workload
        .get("anomalies")
        .and_then(|a| a.get("G1a"))
        .map(Edn::to_string);
    let case = case.as_deref().expect("a G1a case");
    assert!(
        case.contains(":mop [:r 1 5]") && case.contains(":type :fail"),
        "{case}"
    );
    assert!(valid(&judge(&["read-uncommitted"], &history)));
}

/// Adya G1b: reading a value its writer overwrote before committing.
#[test]
fn reading_an_intermediate_write_is_g1b() {
    let history = serial(&[
        (0, "ok", "[[:w 1 1] [:w 1 2]]"),
        (1, "ok", "[[:r 1 1]]"),
        (2, "ok", "[[:r 1 2]]"),
    ]);
    assert_eq!(
        anomaly_types(&judge(&["read-committed"], &history)),
        [":G1b"]
    );
    assert!(valid(&judge(&["read-uncommitted"], &history)));
}

/// elle `rw_register.clj` internal cases; maelstrom.md §3.8: a transaction that does
/// not see its own write is `internal`, which read-uncommitted and read-committed
/// allow and snapshot isolation does not.
#[test]
fn not_seeing_your_own_write_is_internal_and_only_stronger_models_mind() {
    let history = serial(&[SETUP, (0, "ok", "[[:w 1 7] [:r 1 1] [:r 2 1]]")]);
    for model in ["read-uncommitted", "read-committed"] {
        assert!(valid(&judge(&[model], &history)), "{model}");
    }
    let workload = judge(&["snapshot-isolation"], &history);
    assert_eq!(anomaly_types(&workload), [":internal"]);
    let case = workload.get("anomalies").and_then(|a| a.get("internal"));
    assert!(
        case.map(Edn::to_string)
            .is_some_and(|c| c.contains(":expected 7")),
        "{case:?}"
    );
}

/// Adya G0: each transaction overwrote a version the other wrote (inferred from
/// writes-follow-reads), a cycle read-uncommitted already forbids; it is G1c as well,
/// which read-committed reports too.
#[test]
fn two_transactions_overwriting_each_other_are_g0() {
    let history = serial(&[
        (0, "ok", "[[:r 2 2] [:w 2 1] [:w 1 1]]"),
        (1, "ok", "[[:r 1 1] [:w 1 2] [:w 2 2]]"),
    ]);
    let workload = judge(&["read-uncommitted"], &history);
    assert_eq!(anomaly_types(&workload), [":G0"]);
    assert_eq!(
        workload.get("not").map(Edn::to_string).as_deref(),
        Some("#{:read-uncommitted}")
    );
    assert_eq!(
        anomaly_types(&judge(&["read-committed"], &history)),
        [":G0", ":G1c"]
    );
}

/// Adya G1c: each transaction read the other's write.
#[test]
fn two_transactions_reading_each_other_are_g1c() {
    let history = serial(&[
        (0, "ok", "[[:w 1 1] [:r 2 1]]"),
        (1, "ok", "[[:w 2 1] [:r 1 1]]"),
    ]);
    let workload = judge(&["read-committed"], &history);
    assert_eq!(anomaly_types(&workload), [":G1c"]);
    let cycle = workload
        .get("anomalies")
        .and_then(|a| a.get("G1c"))
        .map(Edn::to_string)
        .expect("a G1c case");
    assert!(
        cycle.contains(
            ":steps [{:type :wr, :key 1, :value 1, :a-mop-index 0, :b-mop-index 1} \
                        {:type :wr, :key 2, :value 1, :a-mop-index 0, :b-mop-index 1}]"
        ),
        "{cycle}"
    );
    assert!(valid(&judge(&["read-uncommitted"], &history)));
}

/// Adya G-single (read skew): snapshot isolation forbids it, read-committed allows it.
/// The case lists the cycle's transactions, the first again at the end, and why each
/// edge is there, as Elle prints it.
#[test]
fn read_skew_is_g_single_and_breaks_snapshot_isolation() {
    let workload = judge(&["snapshot-isolation"], &read_skew());
    assert_eq!(anomaly_types(&workload), [":G-single"]);
    assert_eq!(
        workload.get("not").map(Edn::to_string).as_deref(),
        Some("#{:snapshot-isolation}")
    );
    assert_eq!(
        workload.get("also-not").map(Edn::to_string).as_deref(),
        Some("#{:serializable :strict-serializable}")
    );
    let Some(Edn::Vector(cases)) = workload.get("anomalies").and_then(|a| a.get("G-single")) else {
        panic!("G-single cases");
    };
    let case = &cases[0];
    let Some(Edn::Vector(cycle)) = case.get("cycle") else {
        panic!("a cycle");
    };
    assert_eq!(cycle.len(), 3);
    assert_eq!(cycle[0], cycle[2]);
    assert_eq!(
        case.get("steps").map(Edn::to_string).as_deref(),
        Some(
            "[{:type :rw, :key 1, :value 1, :value' 2, :a-mop-index 0, :b-mop-index 1} \
             {:type :wr, :key 2, :value 2, :a-mop-index 3, :b-mop-index 1}]"
        )
    );
    assert!(valid(&judge(&["read-committed"], &read_skew())));
}

/// Cerone & Gotsman: two rw edges that do not touch, G-nonadjacent, is forbidden by
/// snapshot isolation.
#[test]
fn two_separated_anti_dependencies_are_g_nonadjacent() {
    let history = serial(&[
        (9, "ok", "[[:w 1 1] [:w 3 1]]"),
        (0, "ok", "[[:r 1 1] [:w 1 2] [:w 2 2]]"),
        (1, "ok", "[[:r 2 2] [:r 3 1]]"),
        (2, "ok", "[[:r 3 1] [:w 3 2] [:w 4 2]]"),
        (3, "ok", "[[:r 1 1] [:r 4 2]]"),
    ]);
    let workload = judge(&["snapshot-isolation"], &history);
    assert_eq!(anomaly_types(&workload), [":G-nonadjacent"]);
}

/// Write skew is G2-item: serializability forbids it, snapshot isolation allows it.
#[test]
fn write_skew_is_g2_item_and_legal_under_snapshot_isolation() {
    assert_eq!(
        anomaly_types(&judge(&["serializable"], &write_skew())),
        [":G2-item"]
    );
    assert!(valid(&judge(&["snapshot-isolation"], &write_skew())));
}

/// Berenson et al. P4: two transactions overwriting the same version is a lost
/// update, which snapshot isolation forbids; it is also a G2-item cycle.
#[test]
fn two_updates_of_one_version_are_a_lost_update() {
    let history = serial(&[
        SETUP,
        (0, "ok", "[[:r 1 1] [:w 1 2]]"),
        (1, "ok", "[[:r 1 1] [:w 1 3]]"),
    ]);
    let workload = judge(&["snapshot-isolation"], &history);
    assert_eq!(anomaly_types(&workload), [":lost-update"]);
    let case = workload
        .get("anomalies")
        .and_then(|a| a.get("lost-update"))
        .map(Edn::to_string)
        .expect("a lost-update case");
    assert!(case.starts_with("[{:key 1, :value 1, :txns ["), "{case}");
    assert_eq!(
        anomaly_types(&judge(&["serializable"], &history)),
        [":G2-item", ":lost-update"]
    );
    assert!(valid(&judge(&["read-committed"], &history)));
}

/// maelstrom.md §3.8, elle realtime graph: a read that misses a write completed before
/// it began is serializable (the read could be ordered first) but not strict
/// serializable: G-single-realtime.
#[test]
fn a_stale_read_is_serializable_but_not_strict_serializable() {
    let history = serial(&[(0, "ok", "[[:w 1 1]]"), (1, "ok", "[[:r 1 nil]]")]);
    assert!(valid(&judge(&["serializable"], &history)));
    let workload = judge(&["strict-serializable"], &history);
    assert_eq!(anomaly_types(&workload), [":G-single-realtime"]);
    let steps = workload
        .get("anomalies")
        .and_then(|a| a.get("G-single-realtime"))
        .map(Edn::to_string)
        .expect("a case");
    assert!(steps.contains("{:type :realtime, :a' {"), "{steps}");
}

/// The same read, overlapping the write in time, is strict serializable too.
#[test]
fn a_read_concurrent_with_a_write_may_miss_it() {
    let history = history(&[
        "0 invoke [[:w 1 1]]",
        "1 invoke [[:r 1 nil]]",
        "0 ok [[:w 1 1]]",
        "1 ok [[:r 1 nil]]",
    ]);
    assert!(valid(&judge(&["strict-serializable"], &history)));
}

/// maelstrom.md §1.4: a timed-out transaction may have committed, so reading its
/// write is fine; its own reads are unknown, not reads of nothing.
#[test]
fn an_indeterminate_transaction_may_be_read_and_its_reads_are_unknown() {
    let history = serial(&[
        SETUP,
        (0, "info", "[[:r 1 nil] [:w 2 5]]"),
        (1, "ok", "[[:r 2 5] [:r 1 1]]"),
    ]);
    let workload = judge(&["strict-serializable"], &history);
    assert!(valid(&workload), "{workload}");
}

/// Elle's `reportable-anomaly-types`: a history with many anomalies, judged by each
/// model, reports exactly what that model proscribes. (Transactions 6 → 9 → 5 → 4 → 6
/// close a G-nonadjacent cycle besides the G-single one.)
#[test]
fn each_model_reports_exactly_what_it_proscribes() {
    let history = serial(&[
        SETUP,
        (0, "fail", "[[:w 1 5]]"),
        (1, "ok", "[[:r 1 5] [:w 3 1] [:r 3 9]]"),
        (2, "ok", "[[:w 4 1] [:w 4 2]]"),
        (3, "ok", "[[:r 4 1]]"),
        (4, "ok", "[[:r 2 1] [:r 1 1] [:w 1 2]]"),
        (5, "ok", "[[:r 2 1] [:r 1 1] [:w 2 2]]"),
        (6, "ok", "[[:r 1 2] [:r 2 nil]]"),
    ]);
    let expected: [(&str, &[&str]); 5] = [
        ("read-uncommitted", &[]),
        ("read-committed", &[":G1a", ":G1b"]),
        (
            "snapshot-isolation",
            &[":G-nonadjacent", ":G-single", ":G1a", ":G1b", ":internal"],
        ),
        (
            "serializable",
            &[
                ":G-nonadjacent",
                ":G-single",
                ":G1a",
                ":G1b",
                ":G2-item",
                ":internal",
            ],
        ),
        (
            "strict-serializable",
            &[
                ":G-nonadjacent",
                ":G-nonadjacent-realtime",
                ":G-single",
                ":G-single-realtime",
                ":G1a",
                ":G1b",
                ":G2-item",
                ":internal",
            ],
        ),
    ];
    for (model, types) in expected {
        assert_eq!(anomaly_types(&judge(&[model], &history)), types, "{model}");
    }
}

/// A broken store, reading from a consistent snapshot ten transactions old and
/// writing to the newest state, is snapshot isolation without its first-committer-wins
/// rule: among thousands of transactions the checker finds its lost updates and write
/// skew, and (a snapshot being consistent) no G-single.
#[test]
fn a_store_reading_old_snapshots_loses_updates() {
    let history = simulate(Simulation {
        seed: 3,
        txn_count: 2_000,
        client_count: 10,
        fail_per_mille: 0,
        info_per_mille: 0,
        staleness_txns: 10,
    });
    let workload = judge(&["serializable"], &history);
    assert_eq!(anomaly_types(&workload), [":G2-item", ":lost-update"]);
}

/// Input from outside never panics: a micro-op that is not [:r k v] or [:w k v] over
/// integers, or an unknown model, is an error.
#[test]
fn malformed_micro_ops_and_unknown_models_are_errors() {
    let options = |models: &str| CheckOptions {
        workload: "txn-rw-register".into(),
        availability: None,
        consistency_models: vec![models.into()],
    };
    let bad = history(&["0 invoke [[:append 1 2]]", "0 ok [[:append 1 2]]"]);
    assert!(check(&options("serializable"), &bad, None).is_err());
    let good = serial(&[(0, "ok", "[[:w 1 1]]")]);
    assert!(check(&options("linearizable"), &good, None).is_err());
}

/// The console summary names the anomaly types and counts the transactions by outcome
/// (maelstrom.md §3.8, §5.4).
#[test]
fn the_summary_names_anomaly_types_and_counts_transactions() {
    let options = CheckOptions {
        workload: "txn-rw-register".into(),
        availability: None,
        consistency_models: vec!["read-committed".into()],
    };
    let history = serial(&[
        SETUP,
        (0, "fail", "[[:w 1 5]]"),
        (1, "ok", "[[:r 1 5] [:r 2 1]]"),
    ]);
    let results = check(&options, &history, None).expect("the checker runs");
    let summary = maelstrom_checker::summary::render(&results, &options);
    assert!(
        summary.contains("\n  anomaly types (:G1a); 3 txns: 2 ok, 0 info, 1 fail\n"),
        "{summary}"
    );
}

/// An arbitrary micro-op over few keys and values, so that duplicates, garbage reads
/// and cycles of every kind are common.
fn arbitrary_mop() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    (any::<bool>(), 0..3i64, proptest::option::of(0..4i64)).prop_map(|(read, key, value)| {
        match (read, value) {
            (true, None) => format!("[:r {key} nil]"),
            (true, Some(value)) => format!("[:r {key} {value}]"),
            (false, value) => format!("[:w {key} {}]", value.unwrap_or(0)),
        }
    })
}

proptest::proptest! {
    /// Input from outside never panics: any history of well-formed micro-ops, however
    /// inconsistent (the same value written twice, values never written, transactions
    /// overlapping), is judged under every model, and each cycle it reports is
    /// explained edge by edge (the explanation asserts every edge's reason exists).
    #[test]
    fn any_history_of_well_formed_micro_ops_is_judged_without_panicking(
        txns in proptest::collection::vec(
            (0..3u64, 0..4usize, proptest::collection::vec(arbitrary_mop(), 1..4)),
            1..12,
        ),
        overlap in proptest::prelude::any::<bool>(),
    ) {
        let mut lines: Vec<String> = Vec::new();
        // With `overlap`, each even transaction completes after the next is invoked.
        let mut pending: Option<String> = None;
        for (i, (process, outcome, mops)) in txns.iter().enumerate() {
            // Each transaction has its own process, so any two may overlap.
            let process = i as u64 * 3 + process;
            let value = format!("[{}]", mops.join(" "));
            let outcome = ["ok", "ok", "fail", "info"][*outcome];
            lines.push(format!("{process} invoke {}", invoked(&value)));
            lines.extend(pending.take());
            let completion = format!("{process} {outcome} {value}");
            if overlap && i % 2 == 0 {
                pending = Some(completion);
            } else {
                lines.push(completion);
            }
        }
        lines.extend(pending);
        let history = history(&lines.iter().map(String::as_str).collect::<Vec<_>>());
        for model in ["read-uncommitted", "read-committed", "snapshot-isolation",
                      "serializable", "strict-serializable"] {
            let workload = judge(&[model], &history);
            proptest::prop_assert!(workload.get("valid?").is_some());
        }
    }
}
