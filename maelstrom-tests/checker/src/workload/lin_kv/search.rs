//! Is one key's history linearizable? Wing & Gong's search with Lowe's memoization
//! ("WGL", as in Knossos's `knossos.wgl` and Porcupine), over the register of
//! [`super::register`].
//!
//! The history becomes a list of call and return entries in history order. The search
//! walks it from the front: at a call, it tries to *linearize* that op now (apply it to
//! the register); if the op is legal and the configuration it leads to (ops linearized,
//! register value) is new to the [`Memo`], it lifts the op's two entries out of the list,
//! pushes what it did on a stack and starts again from the front. Reaching a return means
//! an op that had to take effect before this moment has not: the search pops the last
//! choice, puts its entries back and tries the next call. The history is linearizable
//! when every op with a return has been lifted; it is not when a return is reached with
//! nothing left to undo. Every configuration is tried once, so the answer is exact
//! (sound and complete), and the number of configurations bounds the work
//! ([`EXPLORED_CONFIGS_MAX`]).
//!
//! Ops whose outcome is unknown (`:info`, or never completed) have a call and no return:
//! they may be linearized anywhere after their call, or never, since nothing forces them
//! out of the list. Three shortcuts keep a run full of them from costing 2ⁿ
//! configurations, each safe because an uncertain op may also never happen:
//! - two that make the same call are interchangeable once both have been invoked, so the
//!   search only ever tries the earlier one;
//! - an uncertain write never directly follows another uncertain op: the write would
//!   erase it, so an order with the pair explains no more than the order without the
//!   first;
//! - the memo skips a configuration that has used up more of them than one already
//!   explored.
//!
//! When the history is not linearizable, the search also says where: the op whose return
//! was the furthest any attempt reached (Knossos's `:op`, the first op that no order can
//! explain) and the configurations that reached it.
//!
//! Left out: Knossos runs two searches in competition (`linear` and `wgl`) and keeps
//! the first answer; this is one search, and its configurations are not Knossos's.

use super::history::{Call, RegisterOp, Value, NIL};
use super::memo::Memo;
use super::register::step;

/// How many configurations (linearized set, register value) the search may explore for
/// one key before it gives up and calls the key `:unknown`, as Knossos does when it runs
/// out of time or memory. Each costs a bitset of the key's ops: with the few hundred ops
/// a key gets in a Maelstrom run, a few hundred megabytes at most. The real runs in the
/// golden set need about one configuration per op (415 for the largest key).
pub const EXPLORED_CONFIGS_MAX: usize = 1_000_000;

/// How many configurations a report keeps for the op that could not be linearized.
pub const CONFIGS_SHOWN_MAX: usize = 10;

/// A point of the search: the register's value, the op linearized last (`None` at the
/// start) and the ops invoked but not yet linearized, as indices into the key's ops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub value: Value,
    pub last_op: Option<usize>,
    pub pending: Vec<usize>,
}

/// The verdict on one key.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// One order that explains every op, seen at its end.
    Linearizable(Config),
    /// `op` (an index into the key's ops) could not be linearized from any of `configs`,
    /// the configurations that reached its return.
    NotLinearizable { op: usize, configs: Vec<Config> },
    /// The search visited `explored` configurations without an answer.
    GaveUp { explored: usize },
}

/// One entry of the list: an op's call or its return, or one of the two sentinels.
#[derive(Clone, Copy, Debug)]
enum Entry {
    Head,
    Call(usize),
    Return(usize),
    Tail,
}

/// A doubly linked list over entries that can lift an entry out and put it back in
/// place, as long as entries go back in the reverse order they came out.
#[derive(Debug)]
struct Links {
    next: Vec<usize>,
    prev: Vec<usize>,
}

impl Links {
    fn lift(&mut self, node: usize) {
        let (prev, next) = (self.prev[node], self.next[node]);
        self.next[prev] = next;
        self.prev[next] = prev;
    }

    fn unlift(&mut self, node: usize) {
        let (prev, next) = (self.prev[node], self.next[node]);
        self.next[prev] = node;
        self.prev[next] = node;
    }
}

const HEAD: usize = 0;

/// Searches with the default bound.
pub fn search(ops: &[RegisterOp<'_>]) -> Verdict {
    search_bounded(ops, EXPLORED_CONFIGS_MAX)
}

/// The search state for one key.
struct Search<'o, 'h> {
    ops: &'o [RegisterOp<'h>],
    entries: Vec<Entry>,
    links: Links,
    /// The node of each op's call and, for ops that completed, of its return.
    call_node: Vec<usize>,
    return_node: Vec<Option<usize>>,
    /// Each entry's place in the history, to compare how far attempts got.
    entry_position: Vec<usize>,
}

/// Searches, giving up after `explored_max` configurations.
pub fn search_bounded(ops: &[RegisterOp<'_>], explored_max: usize) -> Verdict {
    let search = Search::new(ops);
    search.run(explored_max)
}

impl<'o, 'h> Search<'o, 'h> {
    fn new(ops: &'o [RegisterOp<'h>]) -> Search<'o, 'h> {
        let mut events: Vec<(usize, Entry)> = Vec::with_capacity(2 * ops.len());
        for (index, op) in ops.iter().enumerate() {
            events.push((op.invoked_at, Entry::Call(index)));
            if let Some(at) = op.completed_at {
                events.push((at, Entry::Return(index)));
            }
        }
        // Positions are distinct places in the history, and a completion comes after
        // its invocation there, so this is history order.
        events.sort_by_key(|(at, _)| *at);
        let mut entries = vec![Entry::Head];
        let mut entry_position = vec![0];
        let mut call_node = vec![0; ops.len()];
        let mut return_node = vec![None; ops.len()];
        for (at, entry) in events {
            match entry {
                Entry::Call(op) => call_node[op] = entries.len(),
                Entry::Return(op) => return_node[op] = Some(entries.len()),
                Entry::Head | Entry::Tail => {}
            }
            entries.push(entry);
            entry_position.push(at);
        }
        entries.push(Entry::Tail);
        entry_position.push(usize::MAX);
        let count = entries.len();
        let links = Links {
            next: (1..=count).collect(),
            prev: (0..count).map(|node| node.saturating_sub(1)).collect(),
        };
        Search {
            ops,
            entries,
            links,
            call_node,
            return_node,
            entry_position,
        }
    }

    fn lift(&mut self, op: usize) {
        self.links.lift(self.call_node[op]);
        if let Some(node) = self.return_node[op] {
            self.links.lift(node);
        }
    }

    fn unlift(&mut self, op: usize) {
        if let Some(node) = self.return_node[op] {
            self.links.unlift(node);
        }
        self.links.unlift(self.call_node[op]);
    }

    /// The ops whose calls are still in the list before `until`.
    fn pending_before(&self, until: usize) -> Vec<usize> {
        let mut pending = Vec::new();
        let mut node = self.links.next[HEAD];
        while node != until {
            match self.entries[node] {
                Entry::Call(op) => pending.push(op),
                Entry::Tail => break,
                Entry::Head | Entry::Return(_) => {}
            }
            node = self.links.next[node];
        }
        pending
    }

    /// The calls of uncertain ops from the front up to and including `through`: the
    /// calls a later uncertain op of the same kind gives way to.
    fn uncertain_calls_through(&self, through: usize) -> Vec<Call> {
        let mut seen = Vec::new();
        let mut node = self.links.next[HEAD];
        loop {
            if let Entry::Call(op) = self.entries[node] {
                if self.ops[op].completed_at.is_none() {
                    seen.push(self.ops[op].call);
                }
            }
            if node == through || matches!(self.entries[node], Entry::Tail) {
                return seen;
            }
            node = self.links.next[node];
        }
    }

    fn run(mut self, explored_max: usize) -> Verdict {
        let mut memo = Memo::new(self.ops.iter().map(|op| op.completed_at.is_none()));
        let mut stack: Vec<(usize, Value)> = Vec::new();
        let mut value = NIL;
        let mut unresolved = self.return_node.iter().flatten().count();
        let mut uncertain_seen: Vec<Call> = Vec::new();
        let mut furthest: Option<(usize, usize, Vec<Config>)> = None;
        let mut node = self.links.next[HEAD];
        loop {
            if unresolved == 0 {
                return Verdict::Linearizable(Config {
                    value,
                    last_op: stack.last().map(|(op, _)| *op),
                    pending: self.pending_before(self.entries.len() - 1),
                });
            }
            match self.entries[node] {
                Entry::Call(op) => {
                    let call = self.ops[op].call;
                    let uncertain = self.ops[op].completed_at.is_none();
                    let after_uncertain = stack
                        .last()
                        .is_some_and(|(last, _)| self.ops[*last].completed_at.is_none());
                    if uncertain && after_uncertain && matches!(call, Call::Write(_)) {
                        node = self.links.next[node];
                        continue;
                    }
                    if uncertain && uncertain_seen.contains(&call) {
                        node = self.links.next[node];
                        continue;
                    }
                    if uncertain {
                        uncertain_seen.push(call);
                    }
                    if let Some(next_value) = step(value, call) {
                        memo.add(op);
                        if memo.visit(next_value) {
                            if memo.explored() > explored_max {
                                return Verdict::GaveUp {
                                    explored: explored_max,
                                };
                            }
                            stack.push((op, value));
                            value = next_value;
                            self.lift(op);
                            if !uncertain {
                                unresolved -= 1;
                            }
                            node = self.links.next[HEAD];
                            uncertain_seen.clear();
                            continue;
                        }
                        memo.remove(op);
                    }
                    node = self.links.next[node];
                }
                Entry::Return(op) => {
                    self.note_stuck(node, op, value, &stack, &mut furthest);
                    let Some((undone, previous)) = stack.pop() else {
                        let (_, op, configs) = furthest.unwrap_or((node, op, Vec::new()));
                        return Verdict::NotLinearizable { op, configs };
                    };
                    memo.remove(undone);
                    value = previous;
                    self.unlift(undone);
                    if self.ops[undone].completed_at.is_some() {
                        unresolved += 1;
                    }
                    let call = self.call_node[undone];
                    uncertain_seen = self.uncertain_calls_through(call);
                    node = self.links.next[call];
                }
                // While an op with a return is unresolved, its return is in the list
                // before the tail, so the walk stops there first.
                Entry::Head | Entry::Tail => {
                    unreachable!("the walk passed every return with {unresolved} unresolved")
                }
            }
        }
    }

    /// Remembers the configuration stuck at `node` (the return of `op`) when no attempt
    /// has got further.
    fn note_stuck(
        &self,
        node: usize,
        op: usize,
        value: Value,
        stack: &[(usize, Value)],
        furthest: &mut Option<(usize, usize, Vec<Config>)>,
    ) {
        let position = self.entry_position[node];
        let reached = furthest.as_ref().map(|(at, _, _)| *at);
        if reached.is_some_and(|at| at > position) {
            return;
        }
        if reached != Some(position) {
            *furthest = Some((position, op, Vec::new()));
        }
        let Some((_, _, configs)) = furthest.as_mut() else {
            return;
        };
        if configs.len() == CONFIGS_SHOWN_MAX {
            return;
        }
        let config = Config {
            value,
            last_op: stack.last().map(|(op, _)| *op),
            pending: self.pending_before(node),
        };
        if !configs
            .iter()
            .any(|seen| seen.value == config.value && seen.pending == config.pending)
        {
            configs.push(config);
        }
    }
}
