//! Each key's log as the history shows it: offsets → messages, and a dense index over
//! the offsets (maelstrom.md §3.7; jepsen `tests/kafka.clj` `version-orders`).
//!
//! A log is built from every `:ok` send (which learned its message's offset) and every
//! poll that recorded messages. Offsets may be sparse (a node may skip numbers), so the
//! checks that speak of "the next message" use the *dense index*: the position of an
//! offset among the offsets anyone observed in that key. A poll that jumps from index 3 to
//! index 5 skipped a message someone else saw at index 4, whatever the offsets were.
//!
//! Two errors come straight from building the logs: `:inconsistent-offsets` (one offset
//! seen holding two different messages) and `:duplicate` (one message at two offsets).
//! Sends that did not complete `:ok` have no offset in Maelstrom's history, so unlike
//! jepsen's `:info`-but-read writers they add nothing here.

use std::collections::BTreeMap;

use super::history::{message_id, Action, KafkaOp, Key, MessageId};
use crate::edn::Edn;

/// One key's log.
#[derive(Debug, Default)]
pub struct Log {
    /// Offset → the messages seen there (by identity), in offset order.
    pub by_offset: BTreeMap<i64, BTreeMap<MessageId, Edn>>,
    /// Offset → dense index (its position among the observed offsets).
    pub index_of_offset: BTreeMap<i64, usize>,
    /// Message → every offset it was seen at, ascending.
    pub offsets_of_message: BTreeMap<MessageId, Vec<i64>>,
}

impl Log {
    /// The dense index of an offset this log has seen.
    pub fn index(&self, offset: i64) -> usize {
        *self
            .index_of_offset
            .get(&offset)
            .expect("every polled or sent offset is in its key's log")
    }

    /// The messages at dense indices `from..to` (one per index: the first by identity),
    /// for showing what a poll skipped.
    pub fn messages_between(&self, from: usize, to: usize) -> Vec<Edn> {
        self.by_offset
            .values()
            .skip(from)
            .take(to.saturating_sub(from))
            .filter_map(|messages| messages.values().next().cloned())
            .collect()
    }

    /// The highest dense index at which `message` appears.
    pub fn last_index(&self, message: &MessageId) -> Option<usize> {
        let offsets = self.offsets_of_message.get(message)?;
        offsets.last().map(|offset| self.index(*offset))
    }
}

/// Every key's log, in key order.
pub type Logs = BTreeMap<Key, Log>;

/// Builds the logs from `:ok` sends and every poll that recorded messages.
pub fn build(ops: &[KafkaOp<'_>]) -> Logs {
    let mut logs = Logs::new();
    let mut observe = |key: &Key, offset: i64, message: &Edn| {
        let log = logs.entry(key.clone()).or_default();
        log.by_offset
            .entry(offset)
            .or_default()
            .insert(message_id(message), message.clone());
    };
    for op in ops {
        match &op.action {
            Action::Send {
                key,
                message,
                offset: Some(offset),
            } if op.is_ok() => observe(key, *offset, message),
            Action::Poll {
                polled: Some(polled),
            } => {
                for (key, messages) in polled {
                    for (offset, message) in messages {
                        observe(key, *offset, message);
                    }
                }
            }
            _ => {}
        }
    }
    for log in logs.values_mut() {
        log.index_of_offset = log
            .by_offset
            .keys()
            .enumerate()
            .map(|(index, offset)| (*offset, index))
            .collect();
        for (offset, messages) in &log.by_offset {
            for message in messages.keys() {
                log.offsets_of_message
                    .entry(message.clone())
                    .or_default()
                    .push(*offset);
            }
        }
    }
    logs
}

/// `:inconsistent-offsets`: an offset seen holding two or more different messages.
pub fn inconsistent_offsets(logs: &Logs) -> Vec<Edn> {
    let mut errors = Vec::new();
    for (key, log) in logs {
        for (offset, messages) in &log.by_offset {
            if messages.len() > 1 {
                errors.push(Edn::kmap([
                    ("key", key.to_edn()),
                    ("offset", Edn::Int(*offset)),
                    ("index", Edn::Int(log.index(*offset) as i64)),
                    ("values", Edn::Set(messages.values().cloned().collect())),
                ]));
            }
        }
    }
    errors
}

/// `:duplicate`: a message seen at two or more offsets of one key.
pub fn duplicates(logs: &Logs) -> Vec<Edn> {
    let mut errors = Vec::new();
    for (key, log) in logs {
        for (message, offsets) in &log.offsets_of_message {
            if offsets.len() > 1 {
                let value = log.by_offset[&offsets[0]][message].clone();
                errors.push(Edn::kmap([
                    ("key", key.to_edn()),
                    ("value", value),
                    ("count", Edn::Int(offsets.len() as i64)),
                    (
                        "offsets",
                        Edn::Vector(offsets.iter().map(|offset| Edn::Int(*offset)).collect()),
                    ),
                ]));
            }
        }
    }
    errors
}
