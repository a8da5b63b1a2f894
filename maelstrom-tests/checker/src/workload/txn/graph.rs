//! The transaction dependency graph (Adya's DSG; maelstrom.md §3.8; elle
//! `rw_register.clj`, `core.clj`).
//!
//! Vertices are transactions; an edge `a → b` says `a` must come before `b` in any
//! serial order that explains the history, and carries the reasons, any of:
//! - **ww** (write-write): `b` wrote the version of a key right after `a`'s;
//! - **wr** (write-read): `b` read the version `a` wrote;
//! - **rw** (read-write, anti-dependency): `a` read a version that `b` overwrote;
//! - **process**: `b` is the next transaction of `a`'s client process;
//! - **realtime**: `a` completed before `b` was invoked.
//!
//! ww and rw edges come from the inferred version order ([`super::version_order`]).
//! Only transactions that may have committed take part: an aborted one's effects must
//! be invisible (that is G1a's business, not an edge), and an indeterminate one can
//! only *receive* data edges or be read from, since its reads are unknown.
//!
//! Process and realtime edges are added only when the consistency models asked about
//! care (Elle's `additional-graphs`): realtime when any `-realtime` anomaly is
//! proscribed, else process when any `-process` one is. Realtime edges are built as a
//! transitive reduction, as Elle's `realtime-graph` does: each transaction is linked
//! from the *frontier* of completed transactions not already covered by a later one,
//! so a history of n transactions with c clients has O(n·c) of them, not O(n²).
//!
//! Storage is compressed sparse rows: one offsets array and one target array, built
//! once and read many times by the cycle search.

use std::collections::{BTreeMap, HashMap};

use super::history::{Key, Status, Txn, Value, Writes};
use super::version_order::VersionOrder;

/// Why one transaction precedes another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Ww,
    Wr,
    Rw,
    Process,
    Realtime,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Ww, Kind::Wr, Kind::Rw, Kind::Process, Kind::Realtime];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// `ww`, `wr`, `rw`, `process`, `realtime`: Elle's names.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ww => "ww",
            Kind::Wr => "wr",
            Kind::Rw => "rw",
            Kind::Process => "process",
            Kind::Realtime => "realtime",
        }
    }
}

/// A set of [`Kind`]s: all the reasons one edge has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kinds(u8);

impl Kinds {
    pub fn of(kinds: &[Kind]) -> Kinds {
        Kinds(kinds.iter().fold(0, |bits, kind| bits | kind.bit()))
    }

    pub fn contains(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }

    pub fn intersect(self, other: Kinds) -> Kinds {
        Kinds(self.0 & other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Kind> {
        Kind::ALL
            .into_iter()
            .filter(move |kind| self.contains(*kind))
    }
}

/// Which order between transactions, besides data dependencies, the graph includes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionOrder {
    None,
    Process,
    Realtime,
}

/// The dependency graph over transactions `0..txns.len()`.
#[derive(Debug)]
pub struct Graph {
    /// `targets[offsets[v]..offsets[v + 1]]` are `v`'s successors, ascending.
    offsets: Vec<usize>,
    targets: Vec<usize>,
    kinds: Vec<Kinds>,
}

impl Graph {
    pub fn build(
        txns: &[Txn<'_>],
        writes: &Writes,
        versions: &VersionOrder,
        order: SessionOrder,
    ) -> Graph {
        let mut edges: Vec<(usize, usize, Kind)> = Vec::new();
        data_edges(txns, writes, versions, &mut edges);
        match order {
            SessionOrder::None => {}
            SessionOrder::Process => process_edges(txns, &mut edges),
            SessionOrder::Realtime => realtime_edges(txns, &mut edges),
        }
        Graph::from_edges(txns.len(), edges)
    }

    /// The graph with exactly these edges (kinds between one pair are merged).
    pub(super) fn from_edges(vertex_count: usize, mut edges: Vec<(usize, usize, Kind)>) -> Graph {
        edges.retain(|(from, to, _)| from != to);
        edges.sort_unstable();
        let mut offsets = vec![0; vertex_count + 1];
        let mut targets: Vec<usize> = Vec::new();
        let mut kinds: Vec<Kinds> = Vec::new();
        let mut last: Option<(usize, usize)> = None;
        for (from, to, kind) in edges {
            if last == Some((from, to)) {
                let merged = kinds.last_mut().expect("a previous edge");
                *merged = Kinds(merged.0 | kind.bit());
                continue;
            }
            last = Some((from, to));
            offsets[from + 1] += 1;
            targets.push(to);
            kinds.push(Kinds(kind.bit()));
        }
        for vertex in 0..vertex_count {
            offsets[vertex + 1] += offsets[vertex];
        }
        Graph {
            offsets,
            targets,
            kinds,
        }
    }

    pub fn vertex_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Edges between distinct transactions, each counted once whatever its kinds.
    pub fn edge_count(&self) -> usize {
        self.targets.len()
    }

    /// `vertex`'s successors and the kinds of each edge.
    pub fn out(&self, vertex: usize) -> impl Iterator<Item = (usize, Kinds)> + '_ {
        let range = self.offsets[vertex]..self.offsets[vertex + 1];
        self.targets[range.clone()]
            .iter()
            .copied()
            .zip(self.kinds[range].iter().copied())
    }
}

/// ww, wr and rw edges: from what was read, and the version order.
fn data_edges(
    txns: &[Txn<'_>],
    writes: &Writes,
    versions: &VersionOrder,
    edges: &mut Vec<(usize, usize, Kind)>,
) {
    // The transaction whose final write installed a version, if it may have committed.
    let installer = |key: Key, value: Value| {
        writes
            .writer(key, value)
            .filter(|writer| writer.final_write && txns[writer.txn].status != Status::Aborted)
            .map(|writer| writer.txn)
    };
    let mut readers: HashMap<(Key, Option<Value>), Vec<usize>> = HashMap::new();
    for (id, txn) in txns.iter().enumerate() {
        for &(key, value, _) in &txn.ext_reads {
            readers.entry((key, value)).or_default().push(id);
            if let Some(writer) = value.and_then(|value| installer(key, value)) {
                edges.push((writer, id, Kind::Wr));
            }
        }
    }
    for (key, from, to) in versions.edges() {
        let Some(next_writer) = installer(key, to) else {
            continue;
        };
        if let Some(writer) = from.and_then(|from| installer(key, from)) {
            edges.push((writer, next_writer, Kind::Ww));
        }
        for &reader in readers.get(&(key, from)).into_iter().flatten() {
            edges.push((reader, next_writer, Kind::Rw));
        }
    }
}

/// Each process's transactions in order (elle `core.clj` `process-graph`). A process
/// runs one operation at a time, and an `:info` retires it, so this is a chain.
fn process_edges(txns: &[Txn<'_>], edges: &mut Vec<(usize, usize, Kind)>) {
    let mut previous: BTreeMap<u64, usize> = BTreeMap::new();
    for (id, txn) in txns.iter().enumerate() {
        if txn.status == Status::Aborted {
            continue;
        }
        if let Some(before) = previous.insert(txn.process, id) {
            edges.push((before, id, Kind::Process));
        }
    }
}

/// `a → b` when `a` completed `:ok` before `b` was invoked, transitively reduced
/// (elle `core.clj` `realtime-graph`; see the module doc).
fn realtime_edges(txns: &[Txn<'_>], edges: &mut Vec<(usize, usize, Kind)>) {
    // (history index, transaction, whether this is its :ok completion).
    let mut events: Vec<(u64, usize, bool)> = Vec::new();
    for (id, txn) in txns.iter().enumerate() {
        if txn.status == Status::Aborted {
            continue;
        }
        events.push((txn.invocation.index, id, false));
        if let (Status::Committed, Some(completion)) = (txn.status, txn.completion) {
            events.push((completion.index, id, true));
        }
    }
    events.sort_unstable();
    // Completed transactions no later completion has covered yet.
    let mut frontier: Vec<usize> = Vec::new();
    // What the frontier was when each transaction was invoked: its predecessors.
    let mut predecessors: HashMap<usize, Vec<usize>> = HashMap::new();
    for (_, id, completed) in events {
        if completed {
            let covered = predecessors.remove(&id).unwrap_or_default();
            frontier.retain(|member| !covered.contains(member));
            frontier.push(id);
        } else {
            edges.extend(frontier.iter().map(|&before| (before, id, Kind::Realtime)));
            predecessors.insert(id, frontier.clone());
        }
    }
}
