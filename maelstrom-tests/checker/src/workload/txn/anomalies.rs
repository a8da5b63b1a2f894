//! The anomalies that are not cycles (maelstrom.md §3.8; Adya 2000, section 4.2; elle
//! `rw_register.clj`): each is visible in one or two transactions on their own.
//!
//! - **G1a** (aborted read): a committed transaction read a version written by a
//!   transaction that failed.
//! - **G1b** (intermediate read): it read a version another transaction overwrote
//!   before committing, so was never meant to be seen.
//! - **internal**: a transaction contradicted itself, reading something other than
//!   what it had just written or read of the same key.
//! - **lost-update**: two or more committed transactions read the same version of a key
//!   and each wrote the key; all but one of those writes were built on a stale read
//!   (a G2-item cycle of two adjacent rw edges, which snapshot isolation forbids).
//! - **cyclic-versions**: the version order inferred from writes-follow-reads loops.
//!
//! Each case is an EDN map shaped as Elle prints it. Only committed transactions are
//! judged, since only their reads are known.

use std::collections::BTreeMap;

use super::history::{Key, Mop, Status, Txn, Value, Writes};
use super::version_order::VersionOrder;
use crate::edn::Edn;

/// G1a: `{:op reader, :mop [:r k v], :writer failed-op}` for each read of an aborted write.
pub fn aborted_reads(txns: &[Txn<'_>], writes: &Writes) -> Vec<Edn> {
    foreign_reads(txns, writes, |writer_status, _| {
        writer_status == Status::Aborted
    })
}

/// G1b: the same shape, for each read of another transaction's intermediate write.
pub fn intermediate_reads(txns: &[Txn<'_>], writes: &Writes) -> Vec<Edn> {
    foreign_reads(txns, writes, |writer_status, final_write| {
        writer_status != Status::Aborted && !final_write
    })
}

/// Reads in committed transactions of versions another transaction wrote, when
/// `bad(writer's status, whether it was the writer's final write)`.
fn foreign_reads(
    txns: &[Txn<'_>],
    writes: &Writes,
    bad: impl Fn(Status, bool) -> bool,
) -> Vec<Edn> {
    let mut cases = Vec::new();
    for (id, txn) in committed(txns) {
        for mop in &txn.mops {
            let Mop::Read {
                key,
                value: Some(value),
            } = *mop
            else {
                continue;
            };
            let Some(writer) = writes.writer(key, value) else {
                continue;
            };
            if writer.txn != id && bad(txns[writer.txn].status, writer.final_write) {
                cases.push(Edn::kmap([
                    ("op", txn.op().to_edn()),
                    ("mop", mop.to_edn()),
                    ("writer", txns[writer.txn].op().to_edn()),
                ]));
            }
        }
    }
    cases
}

/// internal: `{:op op, :mop [:r k v], :expected v'}` for each read that disagrees with
/// the transaction's own last read or write of the key.
pub fn internal(txns: &[Txn<'_>]) -> Vec<Edn> {
    let mut cases = Vec::new();
    for (_, txn) in committed(txns) {
        let mut known: BTreeMap<Key, Option<Value>> = BTreeMap::new();
        for mop in &txn.mops {
            match *mop {
                Mop::Write { key, value } => {
                    known.insert(key, Some(value));
                }
                Mop::Read { key, value } => {
                    if let Some(&expected) = known.get(&key) {
                        if expected != value {
                            cases.push(Edn::kmap([
                                ("op", txn.op().to_edn()),
                                ("mop", mop.to_edn()),
                                ("expected", expected.map_or(Edn::Nil, Edn::Int)),
                            ]));
                        }
                    }
                    known.insert(key, value);
                }
            }
        }
    }
    cases
}

/// lost-update: `{:key k, :value v, :txns [op ...]}` for each version that two or more
/// committed transactions read and then overwrote.
pub fn lost_updates(txns: &[Txn<'_>]) -> Vec<Edn> {
    let mut by_version: BTreeMap<(Key, Option<Value>), Vec<&Txn<'_>>> = BTreeMap::new();
    for (_, txn) in committed(txns) {
        for &(key, value, _) in &txn.ext_reads {
            if txn.ext_write(key).is_some() {
                by_version.entry((key, value)).or_default().push(txn);
            }
        }
    }
    by_version
        .into_iter()
        .filter(|(_, updaters)| updaters.len() > 1)
        .map(|((key, value), updaters)| {
            Edn::kmap([
                ("key", Edn::Int(key)),
                ("value", value.map_or(Edn::Nil, Edn::Int)),
                (
                    "txns",
                    Edn::Vector(updaters.iter().map(|txn| txn.op().to_edn()).collect()),
                ),
            ])
        })
        .collect()
}

/// cyclic-versions: `{:key k, :scc #{v ...}}` for each cycle in a key's version order.
pub fn cyclic_versions(versions: &VersionOrder) -> Vec<Edn> {
    versions
        .cyclic()
        .iter()
        .map(|(key, members)| {
            Edn::kmap([
                ("key", Edn::Int(*key)),
                (
                    "scc",
                    Edn::Set(members.iter().copied().map(Edn::Int).collect()),
                ),
            ])
        })
        .collect()
}

fn committed<'a, 'h>(txns: &'a [Txn<'h>]) -> impl Iterator<Item = (usize, &'a Txn<'h>)> {
    txns.iter()
        .enumerate()
        .filter(|(_, txn)| txn.status == Status::Committed)
}
