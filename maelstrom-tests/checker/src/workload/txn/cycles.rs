//! Finding the dependency cycles that name anomalies (Adya 2000 §4; maelstrom.md §3.8;
//! elle `txn.clj` `cycle-anomaly-specs`, elle `graph.clj` `find-cycle-with`).
//!
//! A cycle's *shape*, the kinds of its edges, says which anomaly it is:
//! - **G0** (write cycle): only ww edges.
//! - **G1c** (circular information flow): ww and wr edges, at least one wr.
//! - **G-single** (read skew): exactly one rw edge, the rest ww/wr.
//! - **G-nonadjacent**: two or more rw edges, no two of them next to each other.
//! - **G2-item** (write skew and friends): two or more rw edges, some two adjacent.
//!
//! and a cycle that needs a process edge to close is the `-process` variant of its
//! shape, one that needs a realtime edge the `-realtime` variant. The five shapes
//! partition every cycle, so each cycle has exactly one name ([`classify`]).
//!
//! The search runs in two steps, as Elle's does. First Tarjan's algorithm finds the
//! strongly connected components of the whole graph; a cycle never leaves one, and a
//! valid history has none. Then, inside each component and for each anomaly type
//! asked about, the component is cut down to the edge kinds that type may use, its
//! components are found again, and a breadth-first search over (transaction, shape
//! so far) pairs looks for the shortest cycle of exactly that shape through a
//! transaction. The shape so far is a few bits (rw edges seen, whether the first and
//! last edges were rw, ...), so the search is a product of the graph with a tiny
//! automaton, which is what Elle's `find-cycle-with` does with its state functions.
//! Paths never revisit a transaction, so what is found is a simple cycle whose edges
//! really have that shape. (Pruning by (transaction, state) can then miss a cycle
//! that only a longer path reaches; it never reports one that is not there.) One
//! cycle per anomaly type per component is reported.
//!
//! In a large, badly broken component a shape that does not occur there can take a
//! search from every transaction to rule out. Each search has a budget of edge
//! visits, [`EDGE_VISITS_PER_SEARCH_MAX`], and the whole check another,
//! [`EDGE_VISITS_PER_CHECK_MAX`]; a search that runs out reports a
//! `:cycle-search-timeout` instead (Elle's is a wall-clock timeout; a count of steps
//! gives the same verdict on every machine).

use super::graph::{Graph, Kind, Kinds};
use super::scc;

/// Edge visits one search (one anomaly type in one component) may make.
pub const EDGE_VISITS_PER_SEARCH_MAX: u64 = 4_000_000;
/// Edge visits all the searches of one check may make together.
pub const EDGE_VISITS_PER_CHECK_MAX: u64 = 60_000_000;

/// The shape of a cycle over data dependencies (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shape {
    G0,
    G1c,
    GSingle,
    GNonadjacent,
    G2Item,
}

/// Which non-data edge, if any, a cycle needs to close.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    Data,
    Process,
    Realtime,
}

/// An anomaly type that is a cycle: a shape and a variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CycleType {
    pub shape: Shape,
    pub variant: Variant,
}

impl CycleType {
    /// Every cycle type, in Elle's search order: plain shapes, then process, then
    /// realtime variants, each from most to least specific.
    pub fn all() -> Vec<CycleType> {
        let shapes = [
            Shape::G0,
            Shape::G1c,
            Shape::GSingle,
            Shape::GNonadjacent,
            Shape::G2Item,
        ];
        [Variant::Data, Variant::Process, Variant::Realtime]
            .into_iter()
            .flat_map(|variant| shapes.map(|shape| CycleType { shape, variant }))
            .collect()
    }

    /// Elle's name: `G0`, `G-single-process`, `G2-item-realtime`, ...
    pub fn name(self) -> &'static str {
        use Shape::*;
        use Variant::*;
        match (self.shape, self.variant) {
            (G0, Data) => "G0",
            (G1c, Data) => "G1c",
            (GSingle, Data) => "G-single",
            (GNonadjacent, Data) => "G-nonadjacent",
            (G2Item, Data) => "G2-item",
            (G0, Process) => "G0-process",
            (G1c, Process) => "G1c-process",
            (GSingle, Process) => "G-single-process",
            (GNonadjacent, Process) => "G-nonadjacent-process",
            (G2Item, Process) => "G2-item-process",
            (G0, Realtime) => "G0-realtime",
            (G1c, Realtime) => "G1c-realtime",
            (GSingle, Realtime) => "G-single-realtime",
            (GNonadjacent, Realtime) => "G-nonadjacent-realtime",
            (G2Item, Realtime) => "G2-item-realtime",
        }
    }

    /// The edge kinds a cycle of this type may use.
    fn allowed(self) -> Kinds {
        let mut kinds = match self.shape {
            Shape::G0 => vec![Kind::Ww],
            Shape::G1c => vec![Kind::Ww, Kind::Wr],
            _ => vec![Kind::Ww, Kind::Wr, Kind::Rw],
        };
        kinds.extend(self.extra());
        Kinds::of(&kinds)
    }

    fn extra(self) -> Option<Kind> {
        match self.variant {
            Variant::Data => None,
            Variant::Process => Some(Kind::Process),
            Variant::Realtime => Some(Kind::Realtime),
        }
    }

    /// A kind every cycle of this type has at least one edge of, if any: searches
    /// start only from transactions with such an edge.
    fn required(self) -> Option<Kind> {
        self.extra().or(match self.shape {
            Shape::G0 => None,
            Shape::G1c => Some(Kind::Wr),
            _ => Some(Kind::Rw),
        })
    }
}

/// The name of the cycle whose edges, in order around it, have these kinds.
pub fn classify(kinds: &[Kind]) -> CycleType {
    assert!(!kinds.is_empty(), "a cycle has edges");
    let is_rw = |i: usize| kinds[i % kinds.len()] == Kind::Rw;
    let rw_count = kinds.iter().filter(|kind| **kind == Kind::Rw).count();
    let adjacent = (0..kinds.len()).any(|i| is_rw(i) && is_rw(i + 1));
    let shape = match rw_count {
        0 if kinds
            .iter()
            .all(|k| matches!(k, Kind::Ww | Kind::Process | Kind::Realtime)) =>
        {
            Shape::G0
        }
        0 => Shape::G1c,
        1 => Shape::GSingle,
        _ if adjacent => Shape::G2Item,
        _ => Shape::GNonadjacent,
    };
    let variant = if kinds.contains(&Kind::Realtime) {
        Variant::Realtime
    } else if kinds.contains(&Kind::Process) {
        Variant::Process
    } else {
        Variant::Data
    };
    CycleType { shape, variant }
}

/// A cycle found: `transactions[i] → transactions[i + 1]` (wrapping) by `kinds[i]`.
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle {
    pub cycle_type: CycleType,
    pub transactions: Vec<usize>,
    pub kinds: Vec<Kind>,
}

/// A search that ran out of budget: the type it was looking for, and the size of the
/// component it was looking in.
#[derive(Debug, PartialEq, Eq)]
pub struct Timeout {
    pub cycle_type: CycleType,
    pub component_size: usize,
}

/// What the search found: cycles in component order, then type order; and timeouts.
#[derive(Debug, Default)]
pub struct Found {
    pub cycles: Vec<Cycle>,
    pub timeouts: Vec<Timeout>,
}

/// Searches `graph` for one cycle of each of `types` in each strongly connected
/// component.
pub fn search(graph: &Graph, types: &[CycleType]) -> Found {
    search_within(
        graph,
        types,
        EDGE_VISITS_PER_SEARCH_MAX,
        EDGE_VISITS_PER_CHECK_MAX,
    )
}

fn search_within(
    graph: &Graph,
    types: &[CycleType],
    visits_per_search: u64,
    visits_per_check: u64,
) -> Found {
    let mut found = Found::default();
    let mut budget = Budget {
        check_left: visits_per_check,
        search_left: 0,
    };
    let components = scc::components(graph.vertex_count(), |v| graph.out(v).map(|(to, _)| to));
    for members in components {
        let component = Component::new(graph, members);
        for &cycle_type in types {
            budget.search_left = visits_per_search;
            match component.find(cycle_type, &mut budget) {
                Ok(Some(cycle)) => found.cycles.push(cycle),
                Ok(None) => {}
                Err(OutOfBudget) => found.timeouts.push(Timeout {
                    cycle_type,
                    component_size: component.members.len(),
                }),
            }
        }
    }
    found
}

/// The edge visits left to the current search and to the whole check.
struct Budget {
    check_left: u64,
    search_left: u64,
}

#[derive(Debug)]
struct OutOfBudget;

impl Budget {
    /// One edge visit.
    fn spend(&mut self) -> Result<(), OutOfBudget> {
        self.spend_path(1)
    }

    /// Walking back along a path of `depth` edges costs as many visits.
    fn spend_path(&mut self, depth: u64) -> Result<(), OutOfBudget> {
        if self.search_left < depth || self.check_left < depth {
            self.search_left = 0;
            return Err(OutOfBudget);
        }
        self.search_left -= depth;
        self.check_left -= depth;
        Ok(())
    }
}

/// One strongly connected component, renumbered `0..members.len()`, with only the
/// edges inside it.
struct Component {
    /// Transaction ids, ascending; position = local number.
    members: Vec<usize>,
    out: Vec<Vec<(usize, Kinds)>>,
}

impl Component {
    fn new(graph: &Graph, members: Vec<usize>) -> Component {
        let local = |transaction: usize| members.binary_search(&transaction).ok();
        let out = members
            .iter()
            .map(|&member| {
                graph
                    .out(member)
                    .filter_map(|(to, kinds)| local(to).map(|to| (to, kinds)))
                    .collect()
            })
            .collect();
        Component { members, out }
    }

    /// The first shortest cycle of `cycle_type`, trying start transactions in order.
    fn find(
        &self,
        cycle_type: CycleType,
        budget: &mut Budget,
    ) -> Result<Option<Cycle>, OutOfBudget> {
        let allowed = cycle_type.allowed();
        let edges = |v: usize| {
            self.out[v]
                .iter()
                .filter(move |(_, kinds)| !kinds.intersect(allowed).is_empty())
        };
        let pieces = scc::components(self.members.len(), |v| edges(v).map(|(to, _)| *to));
        // piece_of[v]: which piece of the cut-down component `v` is in.
        let mut piece_of = vec![usize::MAX; self.members.len()];
        for (id, piece) in pieces.iter().enumerate() {
            for &v in piece {
                piece_of[v] = id;
            }
        }
        let mut search = Bfs::new(self.members.len());
        for (id, piece) in pieces.iter().enumerate() {
            let inside = |v: usize| piece_of[v] == id;
            let starts = piece
                .iter()
                .copied()
                .filter(|&v| match cycle_type.required() {
                    None => true,
                    Some(kind) => edges(v).any(|(to, kinds)| kinds.contains(kind) && inside(*to)),
                });
            for start in starts {
                let Some((locals, kinds)) =
                    search.shortest_cycle(self, start, cycle_type, &inside, budget)?
                else {
                    // Every vertex of a piece made of ww edges alone is on a ww cycle,
                    // and with a single search state the breadth-first search finds
                    // one (it never needs to revisit a vertex).
                    let plain_g0 = CycleType {
                        shape: Shape::G0,
                        variant: Variant::Data,
                    };
                    assert_ne!(cycle_type, plain_g0, "a G0 search always succeeds");
                    continue;
                };
                assert_eq!(
                    classify(&kinds),
                    cycle_type,
                    "the search finds only the shape it seeks"
                );
                let distinct: std::collections::BTreeSet<&usize> = locals.iter().collect();
                assert_eq!(distinct.len(), locals.len(), "a cycle is simple");
                return Ok(Some(Cycle {
                    cycle_type,
                    transactions: locals.iter().map(|&v| self.members[v]).collect(),
                    kinds,
                }));
            }
        }
        Ok(None)
    }
}

/// The shape of a path so far, as bits. Only the bits a cycle type needs are kept,
/// so that paths differing in nothing that matters are one search state.
mod state {
    pub const SAW_WR: u8 = 1;
    pub const SAW_EXTRA: u8 = 2;
    pub const ONE_RW: u8 = 4;
    pub const MANY_RW: u8 = 8;
    pub const FIRST_RW: u8 = 16;
    pub const LAST_RW: u8 = 32;
    pub const ADJACENT_RW: u8 = 64;
}

impl CycleType {
    /// The state bits this type's acceptance depends on.
    fn tracked(self) -> u8 {
        use state::*;
        let shape = match self.shape {
            Shape::G0 => 0,
            Shape::G1c => SAW_WR,
            Shape::GSingle => ONE_RW | MANY_RW,
            Shape::GNonadjacent => ONE_RW | MANY_RW | FIRST_RW | LAST_RW,
            Shape::G2Item => ONE_RW | MANY_RW | FIRST_RW | LAST_RW | ADJACENT_RW,
        };
        let extra = if self.variant == Variant::Data {
            0
        } else {
            SAW_EXTRA
        };
        shape | extra
    }

    /// The state after one more edge of `kind`, or `None` if no cycle of this type
    /// can continue that way.
    fn step(self, state: u8, kind: Kind, first: bool) -> Option<u8> {
        use state::*;
        let mut next = state & !LAST_RW;
        match kind {
            Kind::Ww => {}
            Kind::Wr => next |= SAW_WR,
            Kind::Process | Kind::Realtime => next |= SAW_EXTRA,
            Kind::Rw => {
                if state & LAST_RW != 0 {
                    if self.shape == Shape::GNonadjacent {
                        return None;
                    }
                    next |= ADJACENT_RW;
                }
                next = match (state & ONE_RW != 0, state & MANY_RW != 0) {
                    (false, false) => next | ONE_RW,
                    _ => (next & !ONE_RW) | MANY_RW,
                };
                if self.shape == Shape::GSingle && next & MANY_RW != 0 {
                    return None;
                }
                next |= LAST_RW;
                if first {
                    next |= FIRST_RW;
                }
            }
        }
        Some(next & self.tracked())
    }

    /// Whether a path back to the start whose final state is `state` is a cycle of
    /// this type.
    fn accepts(self, state: u8) -> bool {
        use state::*;
        let has = |bit: u8| state & bit != 0;
        let wraps_adjacent = has(FIRST_RW) && has(LAST_RW);
        let shape = match self.shape {
            Shape::G0 => true,
            Shape::G1c => has(SAW_WR),
            Shape::GSingle => has(ONE_RW),
            Shape::GNonadjacent => has(MANY_RW) && !wraps_adjacent,
            Shape::G2Item => has(MANY_RW) && (has(ADJACENT_RW) || wraps_adjacent),
        };
        shape && (self.variant == Variant::Data || has(SAW_EXTRA))
    }
}

/// Breadth-first search over (vertex, state) pairs, with buffers reused between starts.
struct Bfs {
    /// Per vertex, the states already reached (a bit per state; states are < 128).
    seen: Vec<u128>,
    queue: Vec<Visit>,
}

/// A cycle as local vertices from the start, and the kind of each edge (the last one
/// back to the start).
type Path = (Vec<usize>, Vec<Kind>);

#[derive(Clone, Copy)]
struct Visit {
    vertex: usize,
    state: u8,
    /// Edges from the start.
    depth: u64,
    /// Position in the queue of the visit this one came from, and the edge's kind.
    parent: Option<(usize, Kind)>,
}

impl Bfs {
    fn new(vertex_count: usize) -> Bfs {
        Bfs {
            seen: vec![0; vertex_count],
            queue: Vec::new(),
        }
    }

    /// The shortest cycle of `cycle_type` through `start` inside the piece, as local
    /// vertices from `start` and the kind of each edge.
    fn shortest_cycle(
        &mut self,
        component: &Component,
        start: usize,
        cycle_type: CycleType,
        inside: &impl Fn(usize) -> bool,
        budget: &mut Budget,
    ) -> Result<Option<Path>, OutOfBudget> {
        for visit in self.queue.drain(..) {
            self.seen[visit.vertex] = 0;
        }
        self.queue.push(Visit {
            vertex: start,
            state: 0,
            depth: 0,
            parent: None,
        });
        let allowed = cycle_type.allowed();
        let mut head = 0;
        while head < self.queue.len() {
            let visit = self.queue[head];
            for &(to, kinds) in &component.out[visit.vertex] {
                if !inside(to) {
                    continue;
                }
                for kind in kinds.intersect(allowed).iter() {
                    budget.spend()?;
                    let Some(state) = cycle_type.step(visit.state, kind, visit.vertex == start)
                    else {
                        continue;
                    };
                    if to == start {
                        if cycle_type.accepts(state) {
                            return Ok(Some(self.path_to(head, kind)));
                        }
                        continue;
                    }
                    if self.seen[to] & (1u128 << state) != 0 {
                        continue;
                    }
                    // A cycle visits each transaction once: a walk that comes back
                    // to one is several cycles, and its edge kinds name none of them.
                    budget.spend_path(visit.depth)?;
                    if self.on_path(head, to) {
                        continue;
                    }
                    self.seen[to] |= 1u128 << state;
                    self.queue.push(Visit {
                        vertex: to,
                        state,
                        depth: visit.depth + 1,
                        parent: Some((head, kind)),
                    });
                }
            }
            head += 1;
        }
        Ok(None)
    }

    /// Whether `vertex` is on the path from the start to the visit at `at`.
    fn on_path(&self, mut at: usize, vertex: usize) -> bool {
        loop {
            let visit = self.queue[at];
            if visit.vertex == vertex {
                return true;
            }
            match visit.parent {
                Some((parent, _)) => at = parent,
                None => return false,
            }
        }
    }

    /// The vertices from the start to the visit at `last`, and the edge kinds between
    /// them, ending with `closing`, the edge back to the start.
    fn path_to(&self, last: usize, closing: Kind) -> Path {
        let mut vertices = Vec::new();
        let mut kinds = vec![closing];
        let mut at = last;
        loop {
            let visit = self.queue[at];
            vertices.push(visit.vertex);
            match visit.parent {
                Some((parent, kind)) => {
                    kinds.push(kind);
                    at = parent;
                }
                None => break,
            }
        }
        vertices.reverse();
        kinds.reverse();
        (vertices, kinds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Kind::*;

    fn named(kinds: &[Kind]) -> &'static str {
        classify(kinds).name()
    }

    /// Adya 2000, section 4.4: a cycle's edge kinds name it; the first and last edges are adjacent.
    #[test]
    fn every_cycle_has_exactly_one_name() {
        assert_eq!(named(&[Ww, Ww]), "G0");
        assert_eq!(named(&[Ww, Wr]), "G1c");
        assert_eq!(named(&[Rw, Wr]), "G-single");
        assert_eq!(named(&[Rw, Wr, Rw, Ww]), "G-nonadjacent");
        assert_eq!(named(&[Rw, Rw]), "G2-item");
        assert_eq!(
            named(&[Rw, Wr, Rw]),
            "G2-item",
            "the last and first rw touch"
        );
        assert_eq!(named(&[Ww, Realtime]), "G0-realtime");
        assert_eq!(named(&[Rw, Process]), "G-single-process");
        assert_eq!(named(&[Wr, Process, Realtime]), "G1c-realtime");
    }

    fn of(cycle_type: CycleType) -> Vec<CycleType> {
        vec![cycle_type]
    }

    const G0: CycleType = CycleType {
        shape: Shape::G0,
        variant: Variant::Data,
    };
    const G_SINGLE: CycleType = CycleType {
        shape: Shape::GSingle,
        variant: Variant::Data,
    };

    /// Elle's search finds the shortest cycle of the shape asked for, even when a
    /// shorter cycle of another shape shares its transactions.
    #[test]
    fn the_search_finds_the_shortest_cycle_of_the_shape_asked_for() {
        // 0 -rw-> 1 -rw-> 0 is G2-item; 0 -rw-> 1 -wr-> 2 -ww-> 0 is G-single.
        let graph = Graph::from_edges(3, vec![(0, 1, Rw), (1, 0, Rw), (1, 2, Wr), (2, 0, Ww)]);
        let found = search(&graph, &of(G_SINGLE));
        assert_eq!(
            found.cycles,
            [Cycle {
                cycle_type: G_SINGLE,
                transactions: vec![0, 1, 2],
                kinds: vec![Rw, Wr, Ww],
            }]
        );
        assert!(search(&graph, &of(G0)).cycles.is_empty());
    }

    /// Elle `txn.clj`: a search that runs out of budget is a `:cycle-search-timeout`
    /// naming the anomaly it sought and the component's size, not a verdict.
    #[test]
    fn a_search_out_of_budget_is_a_timeout() {
        let ring: Vec<(usize, usize, Kind)> = (0..100).map(|v| (v, (v + 1) % 100, Ww)).collect();
        let graph = Graph::from_edges(100, ring);
        let found = search_within(&graph, &of(G0), 50, 1_000);
        assert!(found.cycles.is_empty());
        assert_eq!(
            found.timeouts,
            [Timeout {
                cycle_type: G0,
                component_size: 100,
            }]
        );
        assert_eq!(search(&graph, &of(G0)).cycles.len(), 1);
    }

    /// The automaton accepts a closed path exactly when `classify` gives its type.
    #[test]
    fn the_search_automaton_agrees_with_classify() {
        let kinds = [Ww, Wr, Rw, Process, Realtime];
        // Every sequence of one to five edge kinds, as a cycle.
        let mut cycles: Vec<Vec<Kind>> = Vec::new();
        let mut level: Vec<Vec<Kind>> = vec![Vec::new()];
        for _ in 0..5 {
            level = level
                .iter()
                .flat_map(|c| kinds.map(|k| [c.as_slice(), &[k]].concat()))
                .collect();
            cycles.extend(level.iter().cloned());
        }
        for cycle in cycles {
            let has_data = cycle.iter().any(|k| matches!(k, Ww | Wr | Rw));
            let mixed_order = cycle.contains(&Process) && cycle.contains(&Realtime);
            if !has_data || mixed_order {
                continue;
            }
            let actual = classify(&cycle);
            for cycle_type in CycleType::all() {
                let allowed = cycle.iter().all(|k| cycle_type.allowed().contains(*k));
                let state = cycle
                    .iter()
                    .enumerate()
                    .try_fold(0, |state, (i, kind)| cycle_type.step(state, *kind, i == 0));
                let accepted = allowed && state.is_some_and(|s| cycle_type.accepts(s));
                assert_eq!(
                    accepted,
                    actual == cycle_type,
                    "{cycle:?} as {}",
                    cycle_type.name()
                );
            }
        }
    }
}
