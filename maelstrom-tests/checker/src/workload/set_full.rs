//! broadcast and g-set: jepsen's `set-full` checker (maelstrom.md §3.3).
//!
//! For every element a client tried to add, walk the history once and keep
//! three ops: `known` (the add's `:ok`, or the first `:ok` read that showed the
//! element, whichever came first), `last-present` and `last-absent` (the
//! *invocations* of the latest `:ok` reads that did and did not contain it).
//! Then an element is
//! - **stable** if some read saw it and no later-invoked read missed it,
//! - **lost** if it was known, and the latest read to miss it was invoked after
//!   both the last read that saw it and the moment it became known,
//! - **never read** otherwise.
//!
//! Its stable latency is how long after becoming known it was still being
//! missed: `max(0, t(last-absent) + 1 ns − t(known))`, in whole milliseconds.
//! The checker is invalid if anything is lost and `:unknown` if nothing is stable.
//! Like jepsen's, it tolerates duplicates in a read and ignores elements that
//! were read but never added.

use std::collections::{BTreeMap, BTreeSet};

use super::{pairs, quantiles};
use crate::check::Validity;
use crate::edn::Edn;
use crate::history::{Op, OpType};

/// What the history says about one element.
#[derive(Debug)]
struct Element<'h> {
    value: &'h Edn,
    known: Option<&'h Op>,
    last_present: Option<&'h Op>,
    last_absent: Option<&'h Op>,
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Stable,
    Lost,
    NeverRead,
}

fn index_of(op: Option<&Op>) -> i64 {
    op.map_or(-1, |op| op.index as i64)
}

fn later(current: Option<&'_ Op>, candidate: &'_ Op) -> bool {
    current.is_none_or(|op| op.index < candidate.index)
}

impl<'h> Element<'h> {
    fn outcome(&self) -> Outcome {
        let stable =
            self.last_present.is_some() && index_of(self.last_absent) < index_of(self.last_present);
        let lost = self.known.is_some()
            && self.last_absent.is_some()
            && index_of(self.last_present) < index_of(self.last_absent)
            && index_of(self.known) < index_of(self.last_absent);
        if stable {
            Outcome::Stable
        } else if lost {
            Outcome::Lost
        } else {
            Outcome::NeverRead
        }
    }

    /// Milliseconds from known to the op after `until` (0 when there is none).
    fn latency_ms(&self, until: Option<&Op>) -> i64 {
        let known_ns = self.known.map_or(0, |op| op.time_ns);
        let end_ns = until.map_or(0, |op| op.time_ns + 1);
        (end_ns - known_ns).max(0) / 1_000_000
    }
}

pub fn check(history: &[Op]) -> (Validity, Edn) {
    let elements = walk(history);
    let mut stable = Vec::new();
    let mut lost = Vec::new();
    let mut never_read = Vec::new();
    let mut stale = Vec::new();
    let mut stable_latencies = Vec::new();
    let mut lost_latencies = Vec::new();
    for element in elements.values() {
        match element.outcome() {
            Outcome::Stable => {
                let latency = element.latency_ms(element.last_absent);
                stable_latencies.push(latency);
                if latency > 0 {
                    stale.push((latency, element));
                }
                stable.push(element.value);
            }
            Outcome::Lost => {
                lost_latencies.push(element.latency_ms(element.last_present));
                lost.push(element.value);
            }
            Outcome::NeverRead => never_read.push(element.value),
        }
    }
    let valid = if !lost.is_empty() {
        Validity::False
    } else if stable.is_empty() {
        Validity::Unknown
    } else {
        Validity::True
    };
    stale.sort_by_key(|(latency, _)| std::cmp::Reverse(*latency));
    let worst_stale: Vec<Edn> = stale
        .iter()
        .take(8)
        .map(|(latency, element)| describe(element, *latency))
        .collect();
    let mut entries = vec![
        ("worst-stale", Edn::List(worst_stale)),
        ("duplicated-count", Edn::Int(0)),
        ("valid?", validity_edn(valid)),
        ("lost-count", Edn::Int(lost.len() as i64)),
        ("lost", sorted_list(lost)),
        ("stable-count", Edn::Int(stable.len() as i64)),
        ("stale-count", Edn::Int(stale.len() as i64)),
        (
            "stale",
            sorted_list(stale.iter().map(|(_, element)| element.value).collect()),
        ),
        ("never-read-count", Edn::Int(never_read.len() as i64)),
    ];
    if !stable_latencies.is_empty() {
        entries.push(("stable-latencies", quantiles(&stable_latencies)));
    }
    entries.push(("attempt-count", Edn::Int(elements.len() as i64)));
    if !lost_latencies.is_empty() {
        entries.push(("lost-latencies", quantiles(&lost_latencies)));
    }
    entries.push(("never-read", sorted_list(never_read)));
    entries.push(("duplicated", Edn::Map(Vec::new())));
    (valid, Edn::kmap(entries))
}

/// One pass over the history, in order.
fn walk(history: &[Op]) -> BTreeMap<String, Element<'_>> {
    // Each :ok read's completion index → its invocation.
    let invocation_of: BTreeMap<u64, &Op> = pairs(history)
        .into_iter()
        .filter_map(|(invoke, completion)| completion.map(|completion| (completion.index, invoke)))
        .collect();
    let mut elements: BTreeMap<String, Element<'_>> = BTreeMap::new();
    for op in history {
        let adds = op.f == "add" || op.f == "broadcast";
        match op.op_type {
            OpType::Invoke if adds => {
                elements.insert(
                    op.value.to_string(),
                    Element {
                        value: &op.value,
                        known: None,
                        last_present: None,
                        last_absent: None,
                    },
                );
            }
            OpType::Ok if adds => {
                if let Some(element) = elements.get_mut(&op.value.to_string()) {
                    element.known.get_or_insert(op);
                }
            }
            OpType::Ok if op.f == "read" => {
                let Some(invoke) = invocation_of.get(&op.index).copied() else {
                    continue;
                };
                let present: BTreeSet<String> = match &op.value {
                    Edn::Vector(items) | Edn::List(items) | Edn::Set(items) => {
                        items.iter().map(Edn::to_string).collect()
                    }
                    _ => BTreeSet::new(),
                };
                for (key, element) in elements.iter_mut() {
                    if present.contains(key) {
                        element.known.get_or_insert(op);
                        if later(element.last_present, invoke) {
                            element.last_present = Some(invoke);
                        }
                    } else if later(element.last_absent, invoke) {
                        element.last_absent = Some(invoke);
                    }
                }
            }
            _ => {}
        }
    }
    elements
}

fn describe(element: &Element<'_>, latency: i64) -> Edn {
    Edn::kmap([
        ("element", element.value.clone()),
        ("outcome", Edn::keyword("stable")),
        ("stable-latency", Edn::Int(latency)),
        ("lost-latency", Edn::Nil),
        ("known", element.known.map_or(Edn::Nil, Op::to_edn)),
        (
            "last-absent",
            element.last_absent.map_or(Edn::Nil, Op::to_edn),
        ),
    ])
}

fn validity_edn(valid: Validity) -> Edn {
    match valid {
        Validity::True => Edn::Bool(true),
        Validity::False => Edn::Bool(false),
        Validity::Unknown => Edn::keyword("unknown"),
    }
}

/// Elements in order: numbers numerically, anything else by its text.
fn sorted_list(mut values: Vec<&Edn>) -> Edn {
    values.sort_by(|a, b| match (a, b) {
        (Edn::Int(x), Edn::Int(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    });
    Edn::List(values.into_iter().cloned().collect())
}
