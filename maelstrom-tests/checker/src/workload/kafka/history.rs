//! A kafka history read as operations on logs: who sent what where, who polled what,
//! who was assigned which keys (maelstrom.md §3.7).
//!
//! Maelstrom records every op as a one-element "transaction" of micro-ops:
//! `[[:send "9" 1]]` completes as `[[:send "9" [0 1]]]` (offset 0, message 1), and
//! `[[:poll]]` completes as `[[:poll {"9" [[0 1] [1 2]]}]]`. Assigns carry their keys as
//! the value (`["9" "7"]`), with `:seek-to-beginning? true` in the final phase.
//!
//! Keys are strings in main-phase ops but integers in the final phase's assign
//! (`[0 1 2 …]`, both reference runs). Like jepsen (Clojure `=`), this checker keeps them
//! apart: `"9"` and `9` are different keys. That is what makes the reference runs' final
//! polls, assigned integer keys while logs are named by strings, contribute no realtime
//! lag. Anything that does not have these shapes is history input we cannot read; it is
//! skipped, never a panic.

use std::collections::BTreeMap;

use super::super::pairs;
use crate::edn::Edn;
use crate::history::{Op, OpType, Process};

/// A log's name: a string in Maelstrom's main phase, an integer in its final assign.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Int(i64),
    Str(String),
}

impl Key {
    pub fn to_edn(&self) -> Edn {
        match self {
            Key::Int(number) => Edn::Int(*number),
            Key::Str(text) => Edn::Str(text.clone()),
        }
    }
}

/// A message, identified by its EDN text (messages are integers in this workload, but
/// nodes echo whatever they stored).
pub type MessageId = String;

/// The messages one poll returned for each key: `(offset, message)` in the order given.
pub type Polled = BTreeMap<Key, Vec<(i64, Edn)>>;

/// What one op did, read from its completion (or from its invocation when the
/// completion carries no result).
#[derive(Debug)]
pub enum Action {
    /// `[:send k v]`; `offset` only when the send completed `:ok`.
    Send {
        key: Key,
        message: Edn,
        offset: Option<i64>,
    },
    /// `[:poll …]`; `None` when the completion recorded no messages at all (`[[:poll]]`,
    /// as Maelstrom 0.2.3 records its final polls).
    Poll { polled: Option<Polled> },
    /// `:assign` of these keys.
    Assign {
        keys: Vec<Key>,
        seek_to_beginning: bool,
    },
    /// `:crash`, and ops this checker does not read.
    Other,
}

/// One client op: its invocation, its completion and what it did.
#[derive(Debug)]
pub struct KafkaOp<'h> {
    pub invoke: &'h Op,
    /// `None` for an op still in flight when the history ended.
    pub completion: Option<&'h Op>,
    pub process: u64,
    pub action: Action,
}

impl KafkaOp<'_> {
    /// The completion's type; an op that never completed is as uncertain as `:info`.
    pub fn outcome(&self) -> OpType {
        self.completion.map_or(OpType::Info, |op| op.op_type)
    }

    pub fn is_ok(&self) -> bool {
        self.outcome() == OpType::Ok
    }

    /// The op to show in an error: the completion when there is one.
    pub fn shown(&self) -> &Op {
        self.completion.unwrap_or(self.invoke)
    }

    /// Where the op sits in history order: its completion's index (ops of one process
    /// complete in order).
    pub fn position(&self) -> u64 {
        self.shown().index
    }
}

/// Every client op, in history order of completion.
pub fn read(history: &[Op]) -> Vec<KafkaOp<'_>> {
    let mut ops: Vec<KafkaOp<'_>> = pairs(history)
        .into_iter()
        .filter_map(|(invoke, completion)| {
            let Process::Client(process) = invoke.process else {
                return None;
            };
            let action = action_of(invoke, completion);
            Some(KafkaOp {
                invoke,
                completion,
                process,
                action,
            })
        })
        .collect();
    ops.sort_by_key(KafkaOp::position);
    ops
}

fn action_of(invoke: &Op, completion: Option<&Op>) -> Action {
    let ok = completion.filter(|op| op.op_type == OpType::Ok);
    match invoke.f.as_str() {
        "send" => send_of(ok.map_or(&invoke.value, |op| &op.value)).unwrap_or(Action::Other),
        "poll" => Action::Poll {
            polled: ok.and_then(|op| polled_of(&op.value)),
        },
        "assign" => Action::Assign {
            keys: match &invoke.value {
                Edn::Vector(keys) | Edn::List(keys) => keys.iter().filter_map(key_of).collect(),
                _ => Vec::new(),
            },
            seek_to_beginning: matches!(invoke.extra("seek-to-beginning?"), Some(Edn::Bool(true))),
        },
        _ => Action::Other,
    }
}

/// The single micro-op of a one-op transaction: `[[:send …]]` → `[:send …]`.
fn only_micro_op(value: &Edn) -> Option<&[Edn]> {
    match value {
        Edn::Vector(mops) | Edn::List(mops) => match mops.as_slice() {
            [Edn::Vector(mop) | Edn::List(mop)] => Some(mop.as_slice()),
            _ => None,
        },
        _ => None,
    }
}

/// `[[:send k v]]` (invocation, or a send that did not complete `:ok`) or
/// `[[:send k [offset v]]]` (an `:ok` completion).
fn send_of(value: &Edn) -> Option<Action> {
    let [Edn::Keyword(f), key, sent] = only_micro_op(value)? else {
        return None;
    };
    if f != "send" {
        return None;
    }
    let key = key_of(key)?;
    Some(match sent {
        Edn::Vector(pair) | Edn::List(pair) => match pair.as_slice() {
            [Edn::Int(offset), message] => Action::Send {
                key,
                message: message.clone(),
                offset: Some(*offset),
            },
            _ => return None,
        },
        message => Action::Send {
            key,
            message: message.clone(),
            offset: None,
        },
    })
}

/// `[[:poll {k [[offset v] …]}]]`; `None` for `[[:poll]]` or anything unreadable.
fn polled_of(value: &Edn) -> Option<Polled> {
    let [Edn::Keyword(f), Edn::Map(by_key)] = only_micro_op(value)? else {
        return None;
    };
    if f != "poll" {
        return None;
    }
    let mut polled = Polled::new();
    for (key, pairs) in by_key {
        let (Some(key), Edn::Vector(pairs) | Edn::List(pairs)) = (key_of(key), pairs) else {
            continue;
        };
        let messages = pairs
            .iter()
            .filter_map(|pair| match pair {
                Edn::Vector(pair) | Edn::List(pair) => match pair.as_slice() {
                    [Edn::Int(offset), message] => Some((*offset, message.clone())),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        polled.insert(key, messages);
    }
    Some(polled)
}

/// The key an EDN value names, if it can name one.
pub fn key_of(value: &Edn) -> Option<Key> {
    match value {
        Edn::Str(text) => Some(Key::Str(text.clone())),
        Edn::Int(number) => Some(Key::Int(*number)),
        _ => None,
    }
}

/// A message's identity.
pub fn message_id(message: &Edn) -> MessageId {
    message.to_string()
}
