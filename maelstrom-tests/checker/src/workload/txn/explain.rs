//! A found cycle as Elle prints it (elle `txn.clj` cycle cases, `rw_register.clj`
//! explainers): the transactions around the cycle, the first repeated at the end, and
//! one step per edge saying why it is there.
//!
//! ```text
//! {:cycle [T1 T2 T1],
//!  :steps [{:type :rw, :key 1, :value nil, :value' 3, :a-mop-index 0, :b-mop-index 1}
//!          {:type :wr, :key 2, :value 4, :a-mop-index 0, :b-mop-index 1}],
//!  :type :G-single}
//! ```
//!
//! The search keeps only each edge's kind; the key and versions behind it are found
//! again here, for the handful of edges that end up in a report, rather than stored
//! for every edge of the graph. When several keys justify an edge, the smallest is
//! shown.

use super::cycles::Cycle;
use super::graph::Kind;
use super::history::{Txn, Writes};
use super::version_order::VersionOrder;
use crate::edn::Edn;

/// `{:cycle [...], :steps [...], :type :G-single}`.
pub fn cycle_case(
    cycle: &Cycle,
    txns: &[Txn<'_>],
    writes: &Writes,
    versions: &VersionOrder,
) -> Edn {
    let length = cycle.transactions.len();
    let mut ops: Vec<Edn> = cycle
        .transactions
        .iter()
        .map(|&id| txns[id].op().to_edn())
        .collect();
    ops.push(txns[cycle.transactions[0]].op().to_edn());
    let steps = (0..length)
        .map(|i| {
            let a = cycle.transactions[i];
            let b = cycle.transactions[(i + 1) % length];
            step(
                cycle.kinds[i],
                (a, &txns[a]),
                (b, &txns[b]),
                writes,
                versions,
            )
        })
        .collect();
    Edn::kmap([
        ("cycle", Edn::Vector(ops)),
        ("steps", Edn::Vector(steps)),
        ("type", Edn::keyword(cycle.cycle_type.name())),
    ])
}

/// Why `a → b` is an edge of `kind`.
fn step(
    kind: Kind,
    (a_id, a): (usize, &Txn<'_>),
    (b_id, b): (usize, &Txn<'_>),
    writes: &Writes,
    versions: &VersionOrder,
) -> Edn {
    let wrote = |txn: usize, key, value| writes.writer(key, value).is_some_and(|w| w.txn == txn);
    let fields: Vec<(&str, Edn)> = match kind {
        Kind::Ww => a
            .ext_writes
            .iter()
            .find_map(|&(key, value, a_index)| {
                let (next, b_index) = b.ext_write(key)?;
                let ordered = versions.precedes(key, Some(value), next)
                    && wrote(a_id, key, value)
                    && wrote(b_id, key, next);
                ordered.then(|| {
                    vec![
                        ("key", Edn::Int(key)),
                        ("value", Edn::Int(value)),
                        ("value'", Edn::Int(next)),
                        ("a-mop-index", Edn::Int(a_index as i64)),
                        ("b-mop-index", Edn::Int(b_index as i64)),
                    ]
                })
            })
            .expect("a ww edge has a key whose versions a and b wrote in order"),
        Kind::Wr => b
            .ext_reads
            .iter()
            .find_map(|&(key, value, b_index)| {
                let value = value?;
                let (written, a_index) = a.ext_write(key)?;
                (written == value && wrote(a_id, key, value)).then(|| {
                    vec![
                        ("key", Edn::Int(key)),
                        ("value", Edn::Int(value)),
                        ("a-mop-index", Edn::Int(a_index as i64)),
                        ("b-mop-index", Edn::Int(b_index as i64)),
                    ]
                })
            })
            .expect("a wr edge has a key b read from a"),
        Kind::Rw => a
            .ext_reads
            .iter()
            .find_map(|&(key, value, a_index)| {
                let (next, b_index) = b.ext_write(key)?;
                (versions.precedes(key, value, next) && wrote(b_id, key, next)).then(|| {
                    vec![
                        ("key", Edn::Int(key)),
                        ("value", value.map_or(Edn::Nil, Edn::Int)),
                        ("value'", Edn::Int(next)),
                        ("a-mop-index", Edn::Int(a_index as i64)),
                        ("b-mop-index", Edn::Int(b_index as i64)),
                    ]
                })
            })
            .expect("an rw edge has a key a read and b overwrote"),
        Kind::Process => vec![("process", Edn::Int(a.process as i64))],
        Kind::Realtime => vec![("a'", a.op().to_edn()), ("b", b.invocation.to_edn())],
    };
    let mut entries = vec![("type", Edn::keyword(kind.name()))];
    entries.extend(fields);
    Edn::kmap(entries)
}
