//! The version order of each key, as far as the history reveals it (maelstrom.md §3.8:
//! Elle's `:wfr-keys? true`; elle `rw_register.clj`).
//!
//! A register overwrites its value, so a read shows *which* version it saw but not
//! where that version sits among the others. Anti-dependency (rw) and write-write (ww)
//! edges need that order. Maelstrom tells Elle to infer it from one assumption only:
//! **writes follow reads** within a transaction. A committed transaction that reads
//! `x = 1` and then writes `x = 2` puts version 1 immediately before version 2.
//!
//! The initial state comes first: every key starts at `nil`, which precedes every
//! version. Recording `nil → v` for *every* version would cost an edge per (reader of
//! `nil`, writer) pair; recording it only for the versions nothing else is known to
//! precede (the sources of the key's version graph) reaches the same versions, through
//! the writes-follow-reads chains, at a fraction of the cost.
//!
//! Left out: Elle's other two inferences, `:sequential-keys?` and
//! `:linearizable-keys?`, which Maelstrom does not ask for. A version order with a
//! cycle (each of 1 → 2 → 1 read-then-overwrote the other) is reported as
//! `:cyclic-versions`, which even read-uncommitted proscribes.

use std::collections::{BTreeMap, BTreeSet};

use super::history::{Key, Status, Txn, Value, Writes};
use super::scc;

/// The inferred version order: for each key, each version's immediate successors.
#[derive(Debug, Default)]
pub struct VersionOrder {
    /// key → version (`None` is the initial `nil`) → successors, sorted.
    successors: BTreeMap<Key, BTreeMap<Option<Value>, Vec<Value>>>,
    /// Keys whose inferred order has a cycle, with the versions on it.
    cyclic: Vec<(Key, Vec<Value>)>,
}

impl VersionOrder {
    /// The order writes-follow-reads implies for the committed transactions of `txns`.
    pub fn infer(txns: &[Txn<'_>], writes: &Writes) -> VersionOrder {
        let mut edges: BTreeMap<Key, BTreeSet<(Option<Value>, Value)>> = BTreeMap::new();
        let mut versions: BTreeMap<Key, BTreeSet<Value>> = BTreeMap::new();
        for txn in txns {
            if txn.status == Status::Aborted {
                continue;
            }
            for &(key, written, _) in &txn.ext_writes {
                let installed = writes
                    .writer(key, written)
                    .is_some_and(|writer| writer.final_write);
                if installed {
                    versions.entry(key).or_default().insert(written);
                }
                // Only a committed transaction's reads are known.
                let Some((read, _)) = txn.ext_read(key) else {
                    continue;
                };
                if read != Some(written) {
                    edges.entry(key).or_default().insert((read, written));
                    versions.entry(key).or_default().extend(read);
                    versions.entry(key).or_default().insert(written);
                }
            }
        }
        let mut order = VersionOrder::default();
        for (key, key_versions) in versions {
            let key_edges = edges.remove(&key).unwrap_or_default();
            order.add_key(key, &key_versions, &key_edges);
        }
        order
    }

    fn add_key(
        &mut self,
        key: Key,
        versions: &BTreeSet<Value>,
        edges: &BTreeSet<(Option<Value>, Value)>,
    ) {
        let mut successors: BTreeMap<Option<Value>, Vec<Value>> = BTreeMap::new();
        for &(from, to) in edges {
            successors.entry(from).or_default().push(to);
        }
        // Version graph over the non-nil versions, numbered densely.
        let numbered: Vec<Value> = versions.iter().copied().collect();
        let number = |value: Value| {
            numbered
                .binary_search(&value)
                .expect("every version on an edge is a version")
        };
        let outgoing = |position: usize| {
            successors
                .get(&Some(numbered[position]))
                .into_iter()
                .flatten()
                .map(|&to| number(to))
        };
        let cycles = scc::components(numbered.len(), outgoing);
        // component[i]: the cycle vertex i is on, if any.
        let mut component = vec![usize::MAX; numbered.len()];
        for (id, members) in cycles.iter().enumerate() {
            for &member in members {
                component[member] = id;
            }
        }
        // A source is a version (or a cycle of versions) nothing outside precedes.
        let mut preceded = vec![false; numbered.len()];
        for &(from, to) in edges {
            let Some(from) = from else { continue };
            let (from, to) = (number(from), number(to));
            let same_cycle = component[from] != usize::MAX && component[from] == component[to];
            if !same_cycle {
                preceded[to] = true;
            }
        }
        // A cycle is preceded as a whole when any of its versions is.
        for members in &cycles {
            if members.iter().any(|&member| preceded[member]) {
                for &member in members {
                    preceded[member] = true;
                }
            }
        }
        let initial = successors.entry(None).or_default();
        initial.extend(
            (0..numbered.len())
                .filter(|&position| !preceded[position])
                .map(|position| numbered[position]),
        );
        for list in successors.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        for members in cycles {
            self.cyclic
                .push((key, members.into_iter().map(|m| numbered[m]).collect()));
        }
        self.successors.insert(key, successors);
    }

    /// Every `(key, version, immediate successor)`, `None` being the initial `nil`.
    pub fn edges(&self) -> impl Iterator<Item = (Key, Option<Value>, Value)> + '_ {
        self.successors.iter().flat_map(|(&key, by_version)| {
            by_version
                .iter()
                .flat_map(move |(&from, tos)| tos.iter().map(move |&to| (key, from, to)))
        })
    }

    /// Whether `to` immediately follows `from` in `key`'s inferred order.
    pub fn precedes(&self, key: Key, from: Option<Value>, to: Value) -> bool {
        self.successors
            .get(&key)
            .and_then(|by_version| by_version.get(&from))
            .is_some_and(|tos| tos.binary_search(&to).is_ok())
    }

    /// Keys whose inferred order is cyclic, and the versions on each cycle.
    pub fn cyclic(&self) -> &[(Key, Vec<Value>)] {
        &self.cyclic
    }
}
