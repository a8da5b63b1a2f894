//! One replica's registers: last-writer-wins by Lamport stamp, with every change
//! numbered so that peers can be sent exactly what they have not acknowledged.
//!
//! **Why stamps.** Two nodes cut off from each other by a partition both accept
//! writes to the same key (total availability leaves them no choice). When the
//! partition heals, each receives the other's write, and both must keep the *same*
//! one, or the replicas disagree for ever and, worse, each orders the two writes
//! its own way. So every committed transaction gets a [`Stamp`]: a Lamport time and
//! the node that committed it. Stamps are totally ordered (time first, node id to
//! break ties), every replica keeps the highest-stamped write of each key, and
//! merging is commutative, associative and idempotent: messages may be lost,
//! repeated or reordered and the replicas still end equal (a state-based CRDT, a
//! last-writer-wins map).
//!
//! **Why Lamport time, and why it rules out write cycles.** The clock is at least
//! every stamp this replica has ever stored, and a commit stamps its writes one
//! higher. So a transaction's stamp is higher than the stamp of every write it
//! read, and of every write it overwrote. Every write-write and write-read
//! dependency the checker can infer (maelstrom.md §3.8) therefore goes from a
//! lower stamp to a higher one, and no cycle of them (G0, G1c) can exist. For the
//! same reason a commit always wins on its own replica: [`Store::commit`] asserts it.
//!
//! **Change numbers.** Each time a register changes, locally or by a merge, it gets
//! the next change number, and [`Store::changes_after`] lists the registers changed
//! after a given number. A peer that has acknowledged number 57 is sent the
//! registers changed after 57, each with its *current* value: a key written a
//! hundred times while the peer was away costs one entry, and what a message holds
//! is bounded by the number of keys, not by the length of history.
//!
//! Left out: wall-clock time in the stamps (a hybrid logical clock). Lamport time
//! orders causally related writes correctly, but between concurrent writes the
//! winner is the busier node, not the later one; the checker cannot tell, and
//! convergence does not care. Also left out: forgetting keys, since a register
//! never written again still has to be read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::micro_op::{Key, Value};

/// The largest Lamport time a peer may send: the largest integer every JSON reader
/// holds exactly (2^53). Honest clocks grow by one per transaction and never get
/// near it; a larger one is refused, so the clock can never overflow.
pub const LAMPORT_MAX: u64 = 1 << 53;

/// Which write a register holds: when (Lamport time) and where it was committed.
/// The field order is the ordering: time first, then node id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    pub lamport: u64,
    pub node: String,
}

/// One register as replicas exchange it: `[key, value, lamport, node]` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "WireEntry", into = "WireEntry")]
pub struct Entry {
    pub key: Key,
    pub value: Value,
    pub stamp: Stamp,
}

#[derive(Serialize, Deserialize)]
struct WireEntry(Key, Value, u64, String);

impl From<WireEntry> for Entry {
    fn from(WireEntry(key, value, lamport, node): WireEntry) -> Entry {
        Entry {
            key,
            value,
            stamp: Stamp { lamport, node },
        }
    }
}

impl From<Entry> for WireEntry {
    fn from(entry: Entry) -> WireEntry {
        WireEntry(
            entry.key,
            entry.value,
            entry.stamp.lamport,
            entry.stamp.node,
        )
    }
}

/// How a merge decides between what a replica holds and what a peer sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeRule {
    /// Keep the higher stamp: every replica keeps the same write.
    LastWriterWins,
    /// Take whatever arrives with a different stamp, older or not (broken on
    /// purpose: replicas apply concurrent writes in different orders and diverge).
    ArrivalOrder,
}

/// What a merge did with a peer's entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Merged {
    /// Entries that replaced what this replica held.
    pub applied: usize,
    /// Entries this replica already had, or had something newer than.
    pub ignored: usize,
    /// Entries refused because their Lamport time is beyond [`LAMPORT_MAX`].
    pub refused: usize,
}

/// A register's current write, and the bookkeeping of its last change.
#[derive(Clone, Debug)]
struct Register {
    value: Value,
    stamp: Stamp,
    /// The change number of the register's last change.
    changed_at: u64,
    /// The peer whose message made that change (`None`: a local commit). That peer
    /// has this write already and is not sent it back.
    learned_from: Option<String>,
}

/// One replica's registers. See the module documentation.
#[derive(Debug)]
pub struct Store {
    node_id: String,
    merge_rule: MergeRule,
    registers: BTreeMap<Key, Register>,
    /// Change number → the key it changed, for each register's *last* change only.
    changes: BTreeMap<u64, Key>,
    /// The latest change number handed out (0: nothing has changed yet).
    latest_change: u64,
    /// The Lamport clock: at least every stamp stored here.
    clock: u64,
}

impl Store {
    pub fn new(node_id: &str, merge_rule: MergeRule) -> Store {
        Store {
            node_id: node_id.to_string(),
            merge_rule,
            registers: BTreeMap::new(),
            changes: BTreeMap::new(),
            latest_change: 0,
            clock: 0,
        }
    }

    /// What `key` holds; `None` if it was never written.
    pub fn read(&self, key: Key) -> Option<Value> {
        self.registers.get(&key).map(|register| register.value)
    }

    /// Installs one committed transaction's writes, all under one new stamp.
    pub fn commit(&mut self, writes: &BTreeMap<Key, Value>) {
        if writes.is_empty() {
            return; // a read-only transaction changes nothing and needs no stamp
        }
        self.clock += 1;
        let stamp = Stamp {
            lamport: self.clock,
            node: self.node_id.clone(),
        };
        for (&key, &value) in writes {
            if let Some(held) = self.registers.get(&key) {
                assert!(
                    held.stamp < stamp,
                    "a commit is stamped above everything stored: {stamp:?} vs {:?}",
                    held.stamp
                );
            }
            self.install(key, value, stamp.clone(), None);
        }
    }

    /// Merges a peer's entries by the store's [`MergeRule`].
    pub fn merge(&mut self, from: &str, entries: Vec<Entry>) -> Merged {
        let mut merged = Merged::default();
        for entry in entries {
            if entry.stamp.lamport > LAMPORT_MAX {
                merged.refused += 1;
                continue;
            }
            self.clock = self.clock.max(entry.stamp.lamport);
            let replaces = match (self.registers.get(&entry.key), self.merge_rule) {
                (None, _) => true,
                (Some(held), MergeRule::LastWriterWins) => entry.stamp > held.stamp,
                (Some(held), MergeRule::ArrivalOrder) => entry.stamp != held.stamp,
            };
            if replaces {
                self.install(entry.key, entry.value, entry.stamp, Some(from.to_string()));
                merged.applied += 1;
            } else {
                merged.ignored += 1;
            }
        }
        merged
    }

    /// The latest change number: a peer that has acknowledged it has everything.
    pub fn latest_change(&self) -> u64 {
        self.latest_change
    }

    /// The registers changed after change number `after`, as entries, except those
    /// learned from `peer` (it has them): at most `limit` of them, oldest change
    /// first. Also returns the change number the list is complete up to:
    /// [`Store::latest_change`], or less if `limit` cut the list short.
    pub fn changes_after(&self, after: u64, peer: &str, limit: usize) -> (Vec<Entry>, u64) {
        assert!(limit > 0, "a message must be able to carry something");
        let mut entries = Vec::new();
        for (&change, &key) in self.changes.range(after + 1..) {
            if entries.len() == limit {
                return (entries, change - 1);
            }
            let register = &self.registers[&key];
            if register.learned_from.as_deref() == Some(peer) {
                continue;
            }
            entries.push(Entry {
                key,
                value: register.value,
                stamp: register.stamp.clone(),
            });
        }
        (entries, self.latest_change)
    }

    /// Every register's value, in key order.
    pub fn values(&self) -> BTreeMap<Key, Value> {
        self.registers
            .iter()
            .map(|(&key, register)| (key, register.value))
            .collect()
    }

    fn install(&mut self, key: Key, value: Value, stamp: Stamp, learned_from: Option<String>) {
        self.latest_change += 1;
        let change = self.latest_change;
        let register = Register {
            value,
            stamp,
            changed_at: change,
            learned_from,
        };
        if let Some(old) = self.registers.insert(key, register) {
            self.changes.remove(&old.changed_at);
        }
        self.changes.insert(change, key);
        debug_assert_eq!(self.changes.len(), self.registers.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: Key, value: Value, lamport: u64, node: &str) -> Entry {
        Entry {
            key,
            value,
            stamp: Stamp {
                lamport,
                node: node.into(),
            },
        }
    }

    fn writes(pairs: &[(Key, Value)]) -> BTreeMap<Key, Value> {
        pairs.iter().copied().collect()
    }

    /// An entry on the wire is `[key, value, lamport, node]`.
    #[test]
    fn entries_travel_as_four_element_arrays() {
        let json = serde_json::to_string(&entry(9, 3, 12, "n1")).expect("serializable");
        assert_eq!(json, r#"[9,3,12,"n1"]"#);
        let back: Entry = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, entry(9, 3, 12, "n1"));
    }

    /// Two replicas that each committed a write to the same key, in a partition, end
    /// with the same write once each has the other's, whichever arrives first.
    #[test]
    fn concurrent_writes_to_a_key_end_the_same_on_both_replicas() {
        let mut n0 = Store::new("n0", MergeRule::LastWriterWins);
        let mut n1 = Store::new("n1", MergeRule::LastWriterWins);
        n0.commit(&writes(&[(1, 10)]));
        n1.commit(&writes(&[(1, 11)]));
        let (from_n0, _) = n0.changes_after(0, "n1", 100);
        let (from_n1, _) = n1.changes_after(0, "n0", 100);
        n0.merge("n1", from_n1.clone());
        n1.merge("n0", from_n0.clone());
        assert_eq!(n0.read(1), n1.read(1));
        assert_eq!(n0.read(1), Some(11), "equal times: the higher node id wins");
        // Again, and in any order: nothing changes.
        assert_eq!(n0.merge("n1", from_n1).applied, 0);
        assert_eq!(n1.merge("n0", from_n0).applied, 0);
    }

    /// A write committed after reading another replica's write is stamped higher,
    /// so it wins everywhere: the order the checker infers is the order replicas keep.
    #[test]
    fn a_write_made_after_seeing_another_is_stamped_above_it() {
        let mut n0 = Store::new("n0", MergeRule::LastWriterWins);
        let mut n1 = Store::new("n1", MergeRule::LastWriterWins);
        for value in 0..5 {
            n1.commit(&writes(&[(2, value)])); // n1's clock runs ahead
        }
        let (from_n1, _) = n1.changes_after(0, "n0", 100);
        n0.merge("n1", from_n1);
        n0.commit(&writes(&[(2, 100)]));
        let (from_n0, _) = n0.changes_after(0, "n1", 100);
        assert_eq!(from_n0, [entry(2, 100, 6, "n0")]);
        n1.merge("n0", from_n0);
        assert_eq!(n1.read(2), Some(100));
    }

    /// The broken rule keeps whatever arrived last: two replicas that swap
    /// concurrent writes each end with the other's.
    #[test]
    fn in_arrival_order_replicas_swap_concurrent_writes_and_diverge() {
        let mut n0 = Store::new("n0", MergeRule::ArrivalOrder);
        let mut n1 = Store::new("n1", MergeRule::ArrivalOrder);
        n0.commit(&writes(&[(1, 10)]));
        n1.commit(&writes(&[(1, 11)]));
        let (from_n0, _) = n0.changes_after(0, "n1", 100);
        let (from_n1, _) = n1.changes_after(0, "n0", 100);
        n0.merge("n1", from_n1);
        n1.merge("n0", from_n0);
        assert_eq!((n0.read(1), n1.read(1)), (Some(11), Some(10)));
    }

    /// A key written many times between two messages costs one entry.
    #[test]
    fn a_peer_is_sent_each_changed_key_once_with_its_current_value() {
        let mut store = Store::new("n0", MergeRule::LastWriterWins);
        store.commit(&writes(&[(1, 1), (2, 1)]));
        store.commit(&writes(&[(1, 2)]));
        store.commit(&writes(&[(1, 3)]));
        let (entries, through) = store.changes_after(0, "n1", 100);
        let keys_values: Vec<(Key, Value)> = entries.iter().map(|e| (e.key, e.value)).collect();
        assert_eq!(keys_values, [(2, 1), (1, 3)], "in change order");
        assert_eq!(through, store.latest_change());
        let (entries, _) = store.changes_after(through, "n1", 100);
        assert_eq!(entries, [], "nothing changed since");
    }

    /// What a replica learned from a peer goes to the others, not back.
    #[test]
    fn a_peer_is_not_sent_back_what_it_sent() {
        let mut store = Store::new("n0", MergeRule::LastWriterWins);
        store.merge("n1", vec![entry(5, 50, 1, "n1")]);
        store.commit(&writes(&[(6, 60)]));
        let (to_n1, _) = store.changes_after(0, "n1", 100);
        assert_eq!(to_n1, [entry(6, 60, 2, "n0")]);
        let (to_n2, _) = store.changes_after(0, "n2", 100);
        assert_eq!(to_n2.len(), 2, "a third node gets both");
    }

    /// A message's bound cuts the list, and says up to which change it is complete.
    #[test]
    fn a_limit_cuts_the_list_and_says_where() {
        let mut store = Store::new("n0", MergeRule::LastWriterWins);
        for key in 0..10 {
            store.commit(&writes(&[(key, key)]));
        }
        let (first, through) = store.changes_after(0, "n1", 4);
        assert_eq!(first.len(), 4);
        assert_eq!(through, 4);
        let (rest, through) = store.changes_after(through, "n1", 100);
        assert_eq!(rest.len(), 6);
        assert_eq!(through, 10);
    }

    /// Input from outside never panics: a stamp so high that the clock could
    /// overflow is refused, and the store carries on.
    #[test]
    fn a_lamport_time_beyond_the_bound_is_refused() {
        let mut store = Store::new("n0", MergeRule::LastWriterWins);
        let merged = store.merge("n1", vec![entry(1, 1, u64::MAX, "n1")]);
        assert_eq!(merged.refused, 1);
        assert_eq!(store.read(1), None);
        store.merge("n1", vec![entry(1, 1, LAMPORT_MAX, "n1")]);
        store.commit(&writes(&[(1, 2)]));
        assert_eq!(store.read(1), Some(2), "a commit still wins");
    }
}
