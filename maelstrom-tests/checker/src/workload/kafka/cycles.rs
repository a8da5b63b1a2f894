//! Dependency cycles between sends and polls (maelstrom.md §3.7; jepsen
//! `tests/kafka.clj` `analysis` → elle `txn/cycles!` over wr, process and realtime graphs).
//!
//! The graph's vertices are the `:ok` sends and polls. Edges:
//! - **wr**: a send → every poll that returned its message;
//! - **process**: an op → the next op of the same process;
//! - **realtime**: an op → every op invoked after it completed.
//!
//! Maelstrom's kafka test does not infer write-write order from offsets (`:ww-deps` is
//! unset), so there are no ww edges, and only G1c-shaped cycles can appear: a poll that
//! returned a message whose send began only after the poll had finished (or, by the same
//! process, after it). Process and realtime edges both run forward in time, so every
//! cycle holds a wr edge; each cycle is named by its strongest other edge:
//! `:G1c-realtime`, then `:G1c-process`.
//!
//! Realtime edges are quadratic in number if drawn directly. Instead every op points at
//! its completion on a chain of completion moments, and each moment points at the ops
//! invoked after it and before the next one: a path through the chain exists exactly
//! when one op completed before the other was invoked. The search finds the strongly
//! connected components (Tarjan, without recursion) and reports one cycle per component,
//! as elle does. Left out: elle's other cycle names, which need ww or rw edges.

use std::collections::{BTreeMap, VecDeque};

use super::history::{message_id, Action, KafkaOp, Key, MessageId};
use crate::edn::Edn;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edge {
    /// Send → poll that returned its message; the number of its (key, message) label.
    Wr(usize),
    Process,
    /// Into or along the chain of completion moments.
    Realtime,
}

struct Graph<'h> {
    /// The ops, then one vertex per completion moment.
    ops: Vec<&'h KafkaOp<'h>>,
    out: Vec<Vec<(usize, Edge)>>,
    /// (key, message) of each wr edge, by its number in `Edge::Wr`.
    wr_labels: Vec<(&'h Key, &'h Edn)>,
}

impl<'h> Graph<'h> {
    fn build(all: &'h [KafkaOp<'h>]) -> Graph<'h> {
        let ops: Vec<&KafkaOp<'h>> = all
            .iter()
            .filter(|op| {
                op.is_ok() && matches!(op.action, Action::Send { .. } | Action::Poll { .. })
            })
            .collect();
        let n = ops.len();
        let mut out: Vec<Vec<(usize, Edge)>> = vec![Vec::new(); 2 * n];
        let mut wr_labels = Vec::new();

        let mut writer: BTreeMap<(&Key, MessageId), usize> = BTreeMap::new();
        for (vertex, op) in ops.iter().enumerate() {
            if let Action::Send { key, message, .. } = &op.action {
                writer.insert((key, message_id(message)), vertex);
            }
        }
        let mut last_of_process: BTreeMap<u64, usize> = BTreeMap::new();
        for (vertex, op) in ops.iter().enumerate() {
            if let Some(previous) = last_of_process.insert(op.process, vertex) {
                out[previous].push((vertex, Edge::Process));
            }
            let Action::Poll {
                polled: Some(polled),
            } = &op.action
            else {
                continue;
            };
            for (key, messages) in polled {
                for (_, message) in messages {
                    if let Some(&send) = writer.get(&(key, message_id(message))) {
                        out[send].push((vertex, Edge::Wr(wr_labels.len())));
                        wr_labels.push((key, message));
                    }
                }
            }
        }

        // The chain: vertex n + j is the j-th completion moment.
        let mut by_completion: Vec<usize> = (0..n).collect();
        by_completion.sort_by_key(|&vertex| (ops[vertex].shown().time_ns, vertex));
        let completion_times: Vec<i64> = by_completion
            .iter()
            .map(|&vertex| ops[vertex].shown().time_ns)
            .collect();
        for (moment, &vertex) in by_completion.iter().enumerate() {
            out[vertex].push((n + moment, Edge::Realtime));
            if moment + 1 < n {
                out[n + moment].push((n + moment + 1, Edge::Realtime));
            }
        }
        for (vertex, op) in ops.iter().enumerate() {
            let invoked_ns = op.invoke.time_ns;
            let completed_before = completion_times.partition_point(|&t| t < invoked_ns);
            if completed_before > 0 {
                out[n + completed_before - 1].push((vertex, Edge::Realtime));
            }
        }
        Graph {
            ops,
            out,
            wr_labels,
        }
    }

    fn is_op(&self, vertex: usize) -> bool {
        vertex < self.ops.len()
    }
}

/// Strongly connected components with more than one vertex (iterative Tarjan).
fn components(out: &[Vec<(usize, Edge)>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let count = out.len();
    let mut index = vec![UNSEEN; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut stack = Vec::new();
    let mut found = Vec::new();
    let mut next_index = 0;
    for root in 0..count {
        if index[root] != UNSEEN {
            continue;
        }
        // (vertex, next edge to look at)
        let mut work = vec![(root, 0)];
        while let Some(&mut (vertex, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[vertex] == UNSEEN {
                index[vertex] = next_index;
                low[vertex] = next_index;
                next_index += 1;
                stack.push(vertex);
                on_stack[vertex] = true;
            }
            if let Some(&(next, _)) = out[vertex].get(*edge) {
                *edge += 1;
                if index[next] == UNSEEN {
                    work.push((next, 0));
                } else if on_stack[next] {
                    low[vertex] = low[vertex].min(index[next]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[vertex]);
            }
            if low[vertex] == index[vertex] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(member);
                    if member == vertex {
                        break;
                    }
                }
                if component.len() > 1 {
                    found.push(component);
                }
            }
        }
    }
    found
}

/// A shortest path `from` → `to` inside `members`, as (vertex, edge taken into it).
fn path_within(
    graph: &Graph<'_>,
    members: &[bool],
    from: usize,
    to: usize,
) -> Option<Vec<(usize, Edge)>> {
    let mut came_from: BTreeMap<usize, (usize, Edge)> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(vertex) = queue.pop_front() {
        if vertex == to {
            let mut path = Vec::new();
            let mut at = to;
            while at != from {
                let (previous, edge) = came_from[&at];
                path.push((at, edge));
                at = previous;
            }
            path.reverse();
            return Some(path);
        }
        for &(next, edge) in &graph.out[vertex] {
            if members[next] && next != from && !came_from.contains_key(&next) {
                came_from.insert(next, (vertex, edge));
                queue.push_back(next);
            }
        }
    }
    None
}

/// One cycle per component: `{:type :G1c-realtime, :cycle [ops…], :steps [...]}`, by type.
pub fn check(all: &[KafkaOp<'_>]) -> BTreeMap<&'static str, Vec<Edn>> {
    let graph = Graph::build(all);
    let mut found: BTreeMap<&'static str, Vec<Edn>> = BTreeMap::new();
    let mut members = vec![false; graph.out.len()];
    for component in components(&graph.out) {
        for &vertex in &component {
            members[vertex] = true;
        }
        let wr = component.iter().find_map(|&send| {
            graph.out[send]
                .iter()
                .find(|(poll, edge)| members[*poll] && matches!(edge, Edge::Wr(..)))
                .map(|&(poll, edge)| (send, poll, edge))
        });
        if let Some((send, poll, edge)) = wr {
            if let Some(back) = path_within(&graph, &members, poll, send) {
                let mut path = vec![(poll, edge)];
                path.extend(back);
                let (name, cycle) = describe(&graph, send, &path);
                found.entry(name).or_default().push(cycle);
            }
        }
        for &vertex in &component {
            members[vertex] = false;
        }
    }
    found
}

/// Names the cycle `start → path…` and renders it with the ops only (chain moments
/// collapse into one realtime step).
fn describe(graph: &Graph<'_>, start: usize, path: &[(usize, Edge)]) -> (&'static str, Edn) {
    let mut ops = vec![graph.ops[start].shown().to_edn()];
    let mut steps = Vec::new();
    let (mut realtime, mut process) = (false, false);
    for &(vertex, edge) in path {
        if !graph.is_op(vertex) {
            continue;
        }
        let step = match edge {
            Edge::Wr(label) => {
                let (key, message) = graph.wr_labels[label];
                Edn::kmap([
                    ("type", Edn::keyword("wr")),
                    ("key", key.to_edn()),
                    ("value", message.clone()),
                ])
            }
            Edge::Process => {
                process = true;
                Edn::kmap([
                    ("type", Edn::keyword("process")),
                    ("process", Edn::Int(graph.ops[vertex].process as i64)),
                ])
            }
            Edge::Realtime => {
                realtime = true;
                Edn::kmap([("type", Edn::keyword("realtime"))])
            }
        };
        steps.push(step);
        ops.push(graph.ops[vertex].shown().to_edn());
    }
    let name = if realtime {
        "G1c-realtime"
    } else if process {
        "G1c-process"
    } else {
        "G1c"
    };
    (
        name,
        Edn::kmap([
            ("type", Edn::keyword(name)),
            ("cycle", Edn::Vector(ops)),
            ("steps", Edn::Vector(steps)),
        ]),
    )
}
