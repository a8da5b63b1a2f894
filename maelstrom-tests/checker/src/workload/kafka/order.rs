//! Order within a process and within one poll (maelstrom.md §3.7; jepsen
//! `tests/kafka.clj` `poll-skip+nonmonotonic-cases`, `nonmonotonic-send-cases`,
//! `int-poll-skip+nonmonotonic-cases`).
//!
//! A consumer that is assigned a key reads its log front to back. So, in dense indices:
//! - inside one poll, each message of a key must sit at the index right after the previous
//!   one: a jump forward is `:int-poll-skip`, a step back (or a repeat) is
//!   `:int-nonmonotonic-poll`;
//! - across one process's polls, a key's first message must sit right after the last
//!   message that process polled from it before: `:poll-skip` / `:nonmonotonic-poll`.
//!   Both are fatal here because Maelstrom assigns keys (`:sub-via #{:assign}`) rather
//!   than subscribing, so no rebalance can legitimately move a consumer. An `:ok` assign
//!   forgets the keys it drops (the client forgets their offsets too), and a
//!   seek-to-beginning assign forgets every key;
//! - a producer's successive sends to one key must land at increasing indices, else
//!   `:nonmonotonic-send`. (A send landing further on is normal: other producers write
//!   in between.)
//!
//! Polls that did not complete `:ok` carry no messages, so they leave the tracking
//! untouched, even though the client may have moved on: jepsen judges the same way.

use std::collections::BTreeMap;

use super::history::{Action, KafkaOp, Key};
use super::version_order::{Log, Logs};
use crate::edn::Edn;
use crate::history::Op;

/// What these checks found, by error type.
#[derive(Debug, Default)]
pub struct OrderErrors {
    pub poll_skip: Vec<Edn>,
    pub nonmonotonic_poll: Vec<Edn>,
    pub int_poll_skip: Vec<Edn>,
    pub int_nonmonotonic_poll: Vec<Edn>,
    pub nonmonotonic_send: Vec<Edn>,
}

/// The last message a process touched in a key: its dense index, the message, the op.
#[derive(Clone, Copy)]
struct Position<'h> {
    index: usize,
    message: &'h Edn,
    op: &'h Op,
}

/// One process's positions per key, for polls and for sends.
#[derive(Default)]
struct ProcessState<'h> {
    polled: BTreeMap<Key, Position<'h>>,
    sent: BTreeMap<Key, Position<'h>>,
}

/// Runs every order check over the `:ok` ops, in history order.
pub fn check<'h>(ops: &'h [KafkaOp<'h>], logs: &Logs) -> OrderErrors {
    let mut errors = OrderErrors::default();
    let mut processes: BTreeMap<u64, ProcessState<'h>> = BTreeMap::new();
    for op in ops.iter().filter(|op| op.is_ok()) {
        let state = processes.entry(op.process).or_default();
        let shown = op.shown();
        match &op.action {
            Action::Assign {
                keys,
                seek_to_beginning,
            } => {
                if *seek_to_beginning {
                    state.polled.clear();
                } else {
                    state.polled.retain(|key, _| keys.contains(key));
                }
            }
            Action::Poll {
                polled: Some(polled),
            } => {
                for (key, messages) in polled {
                    let Some(((first_offset, first), (last_offset, last))) =
                        messages.first().zip(messages.last())
                    else {
                        continue;
                    };
                    let log = &logs[key];
                    inside_one_poll(key, messages, log, shown, &mut errors);
                    let first = Position {
                        index: log.index(*first_offset),
                        message: first,
                        op: shown,
                    };
                    if let Some(previous) = state.polled.get(key) {
                        across_polls(key, previous, &first, log, &mut errors);
                    }
                    let last = Position {
                        index: log.index(*last_offset),
                        message: last,
                        op: shown,
                    };
                    state.polled.insert(key.clone(), last);
                }
            }
            Action::Send {
                key,
                message,
                offset: Some(offset),
            } => {
                let this = Position {
                    index: logs[key].index(*offset),
                    message,
                    op: shown,
                };
                if let Some(previous) = state.sent.get(key) {
                    if this.index <= previous.index {
                        errors
                            .nonmonotonic_send
                            .push(Edn::kmap(between_ops(key, previous, &this)));
                    }
                }
                state.sent.insert(key.clone(), this);
            }
            _ => {}
        }
    }
    errors
}

/// Consecutive messages of one key inside one poll.
fn inside_one_poll(
    key: &Key,
    messages: &[(i64, Edn)],
    log: &Log,
    op: &Op,
    errors: &mut OrderErrors,
) {
    for pair in messages.windows(2) {
        let [(offset_a, message_a), (offset_b, message_b)] = pair else {
            continue;
        };
        let (a, b) = (log.index(*offset_a), log.index(*offset_b));
        let delta = b as i64 - a as i64;
        let mut error = vec![
            ("key", key.to_edn()),
            (
                "values",
                Edn::Vector(vec![message_a.clone(), message_b.clone()]),
            ),
            ("delta", Edn::Int(delta)),
        ];
        if delta > 1 {
            error.push(("skipped", Edn::Vector(log.messages_between(a + 1, b))));
            error.push(("op", op.to_edn()));
            errors.int_poll_skip.push(Edn::kmap(error));
        } else if delta < 1 {
            error.push(("op", op.to_edn()));
            errors.int_nonmonotonic_poll.push(Edn::kmap(error));
        }
    }
}

/// A key's first message in this poll against the last one this process polled before.
fn across_polls(
    key: &Key,
    previous: &Position<'_>,
    first: &Position<'_>,
    log: &Log,
    errors: &mut OrderErrors,
) {
    let delta = first.index as i64 - previous.index as i64;
    if delta > 1 {
        let mut entries = between_ops(key, previous, first);
        entries.push((
            "skipped",
            Edn::Vector(log.messages_between(previous.index + 1, first.index)),
        ));
        errors.poll_skip.push(Edn::kmap(entries));
    } else if delta < 1 {
        errors
            .nonmonotonic_poll
            .push(Edn::kmap(between_ops(key, previous, first)));
    }
}

/// `{:key k, :values [a b], :delta d, :ops [op-a op-b]}`, as entries.
fn between_ops(key: &Key, a: &Position<'_>, b: &Position<'_>) -> Vec<(&'static str, Edn)> {
    vec![
        ("key", key.to_edn()),
        (
            "values",
            Edn::Vector(vec![a.message.clone(), b.message.clone()]),
        ),
        ("delta", Edn::Int(b.index as i64 - a.index as i64)),
        ("ops", Edn::Vector(vec![a.op.to_edn(), b.op.to_edn()])),
    ]
}
