//! Workload checkers (maelstrom.md §3): one module per family of workloads.
//!
//! Each takes the whole history and returns the `:workload` results map with
//! its verdict. Adding a workload is one more module and one more arm in
//! [`check_workload`].

mod counter;
mod echo;
mod kafka;
mod lin_kv;
mod set_full;
mod txn;
mod unique_ids;

use crate::check::{CheckOptions, Validity};
use crate::edn::Edn;
use crate::history::{Op, OpType, Process};

/// `(verdict, results map)` for the workload's own checker. Only the txn checker
/// reads more of `options` than the workload's name (its consistency models).
pub fn check_workload(options: &CheckOptions, history: &[Op]) -> anyhow::Result<(Validity, Edn)> {
    Ok(match options.workload.as_str() {
        "echo" => echo::check(history),
        "unique-ids" => unique_ids::check(history),
        "broadcast" | "g-set" => set_full::check(history),
        "g-counter" | "pn-counter" => counter::check(history),
        "txn-rw-register" => txn::check(history, &options.consistency_models)?,
        "kafka" => kafka::check(history),
        "lin-kv" => lin_kv::check(history),
        other => anyhow::bail!("workload {other}: checker not supported yet"),
    })
}

/// Client ops paired up: each invocation with its completion (if any), in
/// history order of the invocation. A process has one op in flight at a time.
pub(crate) fn pairs(history: &[Op]) -> Vec<(&Op, Option<&Op>)> {
    let mut open: std::collections::BTreeMap<u64, usize> = std::collections::BTreeMap::new();
    let mut pairs: Vec<(&Op, Option<&Op>)> = Vec::new();
    for op in history {
        let Process::Client(process) = op.process else {
            continue;
        };
        if op.op_type == OpType::Invoke {
            open.insert(process, pairs.len());
            pairs.push((op, None));
        } else if let Some(position) = open.remove(&process) {
            pairs[position].1 = Some(op);
        }
    }
    pairs
}

/// `{0 a, 0.5 b, 0.95 c, 0.99 d, 1 e}`: jepsen's quantiles, `sorted[min(n−1, ⌊n·p⌋)]`.
pub(crate) fn quantiles(values: &[i64]) -> Edn {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let points = [
        (Edn::Int(0), 0.0),
        (Edn::Float(0.5), 0.5),
        (Edn::Float(0.95), 0.95),
        (Edn::Float(0.99), 0.99),
        (Edn::Int(1), 1.0),
    ];
    if sorted.is_empty() {
        return Edn::Map(Vec::new());
    }
    let n = sorted.len();
    Edn::Map(
        points
            .into_iter()
            .map(|(key, p)| {
                let position = ((n as f64 * p).floor() as usize).min(n - 1);
                (key, Edn::Int(sorted[position]))
            })
            .collect(),
    )
}
