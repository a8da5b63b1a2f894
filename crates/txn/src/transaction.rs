//! Running one transaction against a replica: reads see the transaction's own
//! writes, and nothing of it is visible to anyone else until it commits, and then
//! only each key's *last* write.
//!
//! That is what read committed asks of a replica (maelstrom.md §3.8, Adya's PL-2):
//! - no G1a: never expose a write of a transaction that aborted. These
//!   transactions never abort; a request either runs whole or fails to parse;
//! - no G1b: never expose an intermediate write. `[["w",1,1],["w",1,2]]`
//!   leaves 2 in register 1; the 1 was never the transaction's result, so no other
//!   transaction, on this replica or any other, may ever read it. Writes go to a
//!   private buffer while the transaction runs, and only the last one per key is
//!   committed;
//! - no G1c (and no G0): no cycle of write-write and write-read dependencies; the
//!   [`crate::store`] stamps take care of that.
//!
//! The node handles one event at a time, so nothing could interleave with a running
//! transaction anyway; the buffer makes the rule explicit instead of incidental,
//! and it is what gets committed and replicated as a unit.
//!
//! [`CommitRule::FirstWrite`] (the node's `--commit-first-write`) breaks the node on
//! purpose: it commits each key's *first* write, an intermediate one whenever a
//! transaction writes a key twice, and G1b follows.

use std::collections::BTreeMap;

use crate::micro_op::{Key, MicroOp, Value};
use crate::store::Store;

/// Which of a transaction's writes to a key is committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitRule {
    /// The last: the transaction's result.
    LastWrite,
    /// The first (broken on purpose: exposes intermediate writes).
    FirstWrite,
}

/// Runs `txn` against `store`, fills in its reads, commits its writes by `rule`,
/// and returns the completed micro-ops for the reply.
pub fn execute(store: &mut Store, mut txn: Vec<MicroOp>, rule: CommitRule) -> Vec<MicroOp> {
    // Each key's writes by this transaction, in order: a read sees the last one.
    let mut buffer: BTreeMap<Key, Vec<Value>> = BTreeMap::new();
    for micro_op in &mut txn {
        match micro_op {
            MicroOp::Read { key, value } => {
                let own = buffer.get(key).and_then(|writes| writes.last());
                *value = own.copied().or_else(|| store.read(*key));
            }
            MicroOp::Write { key, value } => buffer.entry(*key).or_default().push(*value),
        }
    }
    let committed: BTreeMap<Key, Value> = buffer
        .into_iter()
        .map(|(key, writes)| {
            let chosen = match rule {
                CommitRule::LastWrite => writes.last(),
                CommitRule::FirstWrite => writes.first(),
            };
            (key, *chosen.expect("a key is buffered only with a write"))
        })
        .collect();
    store.commit(&committed);
    txn
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MergeRule;

    fn r(key: Key) -> MicroOp {
        MicroOp::Read { key, value: None }
    }

    fn w(key: Key, value: Value) -> MicroOp {
        MicroOp::Write { key, value }
    }

    fn read_value(micro_op: &MicroOp) -> Option<Value> {
        match micro_op {
            MicroOp::Read { value, .. } => *value,
            MicroOp::Write { .. } => panic!("not a read: {micro_op:?}"),
        }
    }

    fn store() -> Store {
        Store::new("n0", MergeRule::LastWriterWins)
    }

    /// maelstrom.md §3.8: a key never written reads `null`; writes come back unchanged.
    #[test]
    fn a_missing_key_reads_null_and_writes_are_echoed() {
        let mut store = store();
        let done = execute(
            &mut store,
            vec![r(1), w(1, 5), w(2, 6)],
            CommitRule::LastWrite,
        );
        assert_eq!(done, [r(1), w(1, 5), w(2, 6)]);
    }

    /// A transaction reads its own writes, in order (elle's internal consistency).
    #[test]
    fn a_read_after_a_write_sees_the_transactions_own_latest_write() {
        let mut store = store();
        execute(&mut store, vec![w(1, 1)], CommitRule::LastWrite);
        let done = execute(
            &mut store,
            vec![r(1), w(1, 2), r(1), w(1, 3), r(1)],
            CommitRule::LastWrite,
        );
        let reads: Vec<Option<Value>> = [0, 2, 4].iter().map(|&i| read_value(&done[i])).collect();
        assert_eq!(reads, [Some(1), Some(2), Some(3)]);
    }

    /// maelstrom.md §3.8, G1b: only a key's last write in a transaction is ever
    /// visible to another transaction.
    #[test]
    fn only_the_last_write_to_a_key_is_committed() {
        let mut store = store();
        execute(&mut store, vec![w(1, 1), w(1, 2)], CommitRule::LastWrite);
        let done = execute(&mut store, vec![r(1)], CommitRule::LastWrite);
        assert_eq!(read_value(&done[0]), Some(2));
    }

    /// The broken rule: another transaction reads the intermediate write (G1b).
    #[test]
    fn the_first_write_rule_exposes_an_intermediate_write() {
        let mut store = store();
        let done = execute(
            &mut store,
            vec![w(1, 1), w(1, 2), r(1)],
            CommitRule::FirstWrite,
        );
        assert_eq!(
            read_value(&done[2]),
            Some(2),
            "its own reads are still right"
        );
        let later = execute(&mut store, vec![r(1)], CommitRule::LastWrite);
        assert_eq!(read_value(&later[0]), Some(1));
    }

    /// A read-only transaction needs no stamp and gives peers nothing to fetch.
    #[test]
    fn a_read_only_transaction_changes_nothing() {
        let mut store = store();
        execute(&mut store, vec![r(1), r(2)], CommitRule::LastWrite);
        assert_eq!(store.latest_change(), 0);
        assert!(store.values().is_empty());
    }
}
