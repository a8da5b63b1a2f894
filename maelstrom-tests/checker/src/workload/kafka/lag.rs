//! Realtime lag: how far behind the log a consumer was when it polled (maelstrom.md §3.7,
//! `:worst-realtime-lag`; jepsen `tests/kafka.clj` `realtime-lag`).
//!
//! Every offset of a key *expires* at the first moment a later offset of that key was
//! known to exist: the completion of an `:ok` send or poll that showed one. A process
//! that, once its poll returned, stood at offset `o` in a key it is assigned, and had
//! invoked that poll at time `t`, lagged `t − expiry(o)` behind the log if `o` had already
//! expired by then, and 0 otherwise. A process that never polled anything in a key
//! stands at −1, which expires with the key's first message.
//!
//! The record counts the poll's own result, so a node that always returns everything
//! acknowledged before the poll has zero lag throughout; both reference runs report
//! exactly that (`:lag 0.0`, at the first poll that had a key assigned). The worst record
//! is the first one with the largest lag. Times are seconds since the test began.

use std::collections::BTreeMap;

use super::history::{Action, KafkaOp, Key};
use crate::edn::Edn;

/// Per key, the moments the highest known offset grew: `(time_ns, highest offset)`,
/// both strictly increasing.
type Frontiers<'h> = BTreeMap<&'h Key, Vec<(i64, i64)>>;

fn frontiers<'h>(ops: &'h [KafkaOp<'h>]) -> Frontiers<'h> {
    let mut events: BTreeMap<&Key, Vec<(i64, i64)>> = BTreeMap::new();
    for op in ops.iter().filter(|op| op.is_ok()) {
        let time_ns = op.shown().time_ns;
        match &op.action {
            Action::Send {
                key,
                offset: Some(offset),
                ..
            } => events.entry(key).or_default().push((time_ns, *offset)),
            Action::Poll {
                polled: Some(polled),
            } => {
                for (key, messages) in polled {
                    if let Some(highest) = messages.iter().map(|(offset, _)| *offset).max() {
                        events.entry(key).or_default().push((time_ns, highest));
                    }
                }
            }
            _ => {}
        }
    }
    events
        .into_iter()
        .map(|(key, mut events)| {
            events.sort_unstable();
            let mut frontier: Vec<(i64, i64)> = Vec::new();
            for (time_ns, offset) in events {
                if frontier.last().is_none_or(|(_, highest)| offset > *highest) {
                    frontier.push((time_ns, offset));
                }
            }
            (key, frontier)
        })
        .collect()
}

/// When an offset after `offset` was first known in this key, if ever.
fn expiry_ns(frontier: &[(i64, i64)], offset: i64) -> Option<i64> {
    let first_later = frontier.partition_point(|(_, highest)| *highest <= offset);
    frontier.get(first_later).map(|(time_ns, _)| *time_ns)
}

/// `{:time t, :process p, :key k, :lag dt}` for the worst lag, or `nil` when no process
/// polled with a key assigned.
pub fn worst_realtime_lag(ops: &[KafkaOp<'_>]) -> Edn {
    let frontiers = frontiers(ops);
    // Each process's assigned keys, in the order its latest assign listed them.
    let mut assigned: BTreeMap<u64, Vec<&Key>> = BTreeMap::new();
    let mut positions: BTreeMap<(u64, &Key), i64> = BTreeMap::new();
    // (lag_ns, time_ns, process, key) of the worst record so far.
    let mut worst: Option<(i64, i64, u64, &Key)> = None;
    for op in ops.iter().filter(|op| op.is_ok()) {
        match &op.action {
            Action::Assign { keys, .. } => {
                assigned.insert(op.process, keys.iter().collect());
            }
            Action::Poll { polled } => {
                for (key, messages) in polled.iter().flatten() {
                    if let Some(highest) = messages.iter().map(|(offset, _)| *offset).max() {
                        let position = positions.entry((op.process, key)).or_insert(highest);
                        *position = (*position).max(highest);
                    }
                }
                let invoked_ns = op.invoke.time_ns;
                for key in assigned.get(&op.process).into_iter().flatten() {
                    let position = positions.get(&(op.process, *key)).copied().unwrap_or(-1);
                    let expired_ns = frontiers
                        .get(key)
                        .and_then(|frontier| expiry_ns(frontier, position));
                    let lag_ns = expired_ns.map_or(0, |expired| (invoked_ns - expired).max(0));
                    if worst.is_none_or(|(worst_ns, ..)| lag_ns > worst_ns) {
                        worst = Some((lag_ns, invoked_ns, op.process, key));
                    }
                }
            }
            _ => {}
        }
    }
    let Some((lag_ns, time_ns, process, key)) = worst else {
        return Edn::Nil;
    };
    Edn::kmap([
        ("time", Edn::Float(time_ns as f64 / 1e9)),
        ("process", Edn::Int(process as i64)),
        ("key", key.to_edn()),
        ("lag", Edn::Float(lag_ns as f64 / 1e9)),
    ])
}
