//! Messages that went missing or should never have been seen (maelstrom.md §3.7; jepsen
//! `tests/kafka.clj` `lost-write-cases`, `unseen`, `g1a-cases`).
//!
//! - `:lost-write`: in each key, the highest dense index any `:ok` poll reached is proof
//!   that the log was readable up to there. An acknowledged message at or below that
//!   index which no `:ok` poll ever returned was lost.
//! - `:unseen`: an acknowledged message that no `:ok` poll ever returned, wherever it sits.
//!   The final phase polls every key from the beginning, so on a correct node nothing is
//!   unseen at the end.
//! - `:G1a` (aborted read): an `:ok` poll returned a message whose send `:fail`ed, i.e.
//!   a send the node said definitely did not happen.
//!
//! One choice of ours: Maelstrom 0.2.3 recorded its final polls without their messages
//! (`[[:poll]]`, in both reference runs), although those polls did read and commit (they
//! took two round trips). A history like that cannot show what the final polls saw, and
//! the real checker reported nothing unseen for it (one reference run ends with nine
//! acknowledged messages that no recorded poll returned, and is valid). So when the
//! final phase's `:ok` polls recorded no messages at all, `:unseen` is not judged.

use std::collections::{BTreeMap, BTreeSet};

use super::history::{message_id, Action, KafkaOp, Key, MessageId};
use super::version_order::Logs;
use crate::edn::Edn;
use crate::history::OpType;

/// Which `:ok` polls returned each message of each key.
type Readers<'h> = BTreeMap<(Key, MessageId), Vec<&'h KafkaOp<'h>>>;

fn readers<'h>(ops: &'h [KafkaOp<'h>]) -> Readers<'h> {
    let mut readers: Readers<'h> = BTreeMap::new();
    for op in ops.iter().filter(|op| op.is_ok()) {
        let Action::Poll {
            polled: Some(polled),
        } = &op.action
        else {
            continue;
        };
        for (key, messages) in polled {
            for (_, message) in messages {
                readers
                    .entry((key.clone(), message_id(message)))
                    .or_default()
                    .push(op);
            }
        }
    }
    readers
}

/// Every `:ok` send that learned its offset: key, message, offset, op.
fn acknowledged<'h>(
    ops: &'h [KafkaOp<'h>],
) -> impl Iterator<Item = (&'h Key, &'h Edn, i64, &'h KafkaOp<'h>)> {
    ops.iter()
        .filter(|op| op.is_ok())
        .filter_map(|op| match &op.action {
            Action::Send {
                key,
                message,
                offset: Some(offset),
            } => Some((key, message, *offset, op)),
            _ => None,
        })
}

/// `:lost-write` and `:unseen`, and `:G1a`.
#[derive(Debug, Default)]
pub struct LostErrors {
    pub lost_write: Vec<Edn>,
    pub unseen: Vec<Edn>,
    pub g1a: Vec<Edn>,
}

pub fn check<'h>(ops: &'h [KafkaOp<'h>], logs: &Logs) -> LostErrors {
    let readers = readers(ops);
    let mut errors = LostErrors::default();
    let judge_unseen = final_polls_recorded_messages(ops);

    // Per key, the highest index an :ok poll reached, and a poll that reached it.
    let mut max_read: BTreeMap<&Key, (usize, &KafkaOp<'h>)> = BTreeMap::new();
    for ((key, message), polls) in &readers {
        let Some(index) = logs.get(key).and_then(|log| log.last_index(message)) else {
            continue;
        };
        let entry = max_read.entry(key).or_insert((index, polls[0]));
        if index > entry.0 {
            *entry = (index, polls[0]);
        }
    }

    for (key, message, offset, writer) in acknowledged(ops) {
        let id = message_id(message);
        if readers.contains_key(&(key.clone(), id.clone())) {
            continue;
        }
        let index = logs[key].last_index(&id).unwrap_or(logs[key].index(offset));
        if let Some((max_index, max_reader)) = max_read.get(key) {
            if index <= *max_index {
                errors.lost_write.push(Edn::kmap([
                    ("key", key.to_edn()),
                    ("value", message.clone()),
                    ("index", Edn::Int(index as i64)),
                    ("max-read-index", Edn::Int(*max_index as i64)),
                    ("writer", writer.shown().to_edn()),
                    ("max-read", max_reader.shown().to_edn()),
                ]));
            }
        }
        if judge_unseen {
            errors.unseen.push(Edn::kmap([
                ("key", key.to_edn()),
                ("value", message.clone()),
                ("offset", Edn::Int(offset)),
            ]));
        }
    }

    for op in ops.iter().filter(|op| op.outcome() == OpType::Fail) {
        let Action::Send { key, message, .. } = &op.action else {
            continue;
        };
        if let Some(polls) = readers.get(&(key.clone(), message_id(message))) {
            errors.g1a.push(Edn::kmap([
                ("key", key.to_edn()),
                ("value", message.clone()),
                ("writer", op.shown().to_edn()),
                ("op", polls[0].shown().to_edn()),
            ]));
        }
    }
    errors
}

/// False only when the history has final-phase polls (by processes whose last assign
/// sought to the beginning) that completed `:ok`, and none of them recorded messages.
fn final_polls_recorded_messages(ops: &[KafkaOp<'_>]) -> bool {
    let mut seeking: BTreeSet<u64> = BTreeSet::new();
    let mut final_polls = 0;
    let mut with_messages = 0;
    for op in ops.iter().filter(|op| op.is_ok()) {
        match &op.action {
            Action::Assign {
                seek_to_beginning, ..
            } => {
                if *seek_to_beginning {
                    seeking.insert(op.process);
                } else {
                    seeking.remove(&op.process);
                }
            }
            Action::Poll { polled } if seeking.contains(&op.process) => {
                final_polls += 1;
                if polled.is_some() {
                    with_messages += 1;
                }
            }
            _ => {}
        }
    }
    final_polls == 0 || with_messages > 0
}
