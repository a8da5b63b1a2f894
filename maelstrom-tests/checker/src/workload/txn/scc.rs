//! Strongly connected components (Tarjan, 1972): the first step of every cycle search.
//!
//! A cycle never leaves the strongly connected component it starts in, so the checker
//! finds the components first, in time linear in the graph, and searches for cycle
//! shapes only inside the few non-trivial ones. A serializable history has none at
//! all, which is why judging one is cheap however long it is.
//!
//! The algorithm is written with an explicit stack instead of recursion: a history of
//! 20,000 transactions can make a path 20,000 calls deep. Only components of two or
//! more vertices are returned (the graphs here have no self-loops), each sorted, and
//! in order of their smallest vertex, so output never depends on traversal order.

/// The non-trivial strongly connected components of the graph on `0..vertex_count`
/// whose edges `successors(v)` yields.
pub fn components<F, I>(vertex_count: usize, successors: F) -> Vec<Vec<usize>>
where
    F: Fn(usize) -> I,
    I: Iterator<Item = usize>,
{
    let mut tarjan = Tarjan {
        index: vec![UNVISITED; vertex_count],
        low_link: vec![0; vertex_count],
        on_stack: vec![false; vertex_count],
        stack: Vec::new(),
        next_index: 0,
        components: Vec::new(),
    };
    // The explicit call stack: a vertex and the successors it has yet to visit.
    let mut calls: Vec<(usize, I)> = Vec::new();
    for root in 0..vertex_count {
        if tarjan.index[root] != UNVISITED {
            continue;
        }
        tarjan.enter(root);
        calls.push((root, successors(root)));
        while let Some((vertex, pending)) = calls.last_mut() {
            let vertex = *vertex;
            if let Some(next) = pending.next() {
                if tarjan.index[next] == UNVISITED {
                    tarjan.enter(next);
                    calls.push((next, successors(next)));
                } else if tarjan.on_stack[next] {
                    tarjan.lower(vertex, tarjan.index[next]);
                }
                continue;
            }
            calls.pop();
            if let Some((parent, _)) = calls.last() {
                tarjan.lower(*parent, tarjan.low_link[vertex]);
            }
            tarjan.leave(vertex);
        }
    }
    let mut components = tarjan.components;
    components.sort_unstable_by_key(|component| component[0]);
    components
}

const UNVISITED: usize = usize::MAX;

/// Tarjan's bookkeeping, by vertex: discovery index, lowest index reachable, and
/// whether it is still on the stack of vertices without a component.
struct Tarjan {
    index: Vec<usize>,
    low_link: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next_index: usize,
    components: Vec<Vec<usize>>,
}

impl Tarjan {
    fn enter(&mut self, vertex: usize) {
        self.index[vertex] = self.next_index;
        self.low_link[vertex] = self.next_index;
        self.next_index += 1;
        self.stack.push(vertex);
        self.on_stack[vertex] = true;
    }

    fn lower(&mut self, vertex: usize, reachable: usize) {
        self.low_link[vertex] = self.low_link[vertex].min(reachable);
    }

    /// Every successor is done: if nothing below reaches higher, `vertex` roots a
    /// component made of everything above it on the stack.
    fn leave(&mut self, vertex: usize) {
        if self.low_link[vertex] != self.index[vertex] {
            return;
        }
        let mut component = Vec::new();
        loop {
            let member = self
                .stack
                .pop()
                .expect("a component's root is on the stack");
            self.on_stack[member] = false;
            component.push(member);
            if member == vertex {
                break;
            }
        }
        if component.len() > 1 {
            component.sort_unstable();
            self.components.push(component);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(edges: &[(usize, usize)], vertex_count: usize) -> Vec<Vec<usize>> {
        components(vertex_count, |v| {
            edges
                .iter()
                .filter(move |(from, _)| *from == v)
                .map(|(_, to)| *to)
        })
    }

    /// Tarjan's algorithm: two cycles joined by a one-way edge are two components;
    /// vertices on no cycle are in none.
    #[test]
    fn cycles_joined_one_way_are_separate_components() {
        let edges = [(0, 1), (1, 0), (1, 2), (2, 3), (3, 4), (4, 2), (5, 0)];
        assert_eq!(of(&edges, 6), vec![vec![0, 1], vec![2, 3, 4]]);
    }

    /// An acyclic graph has no non-trivial component.
    #[test]
    fn a_dag_has_no_components() {
        assert!(of(&[(0, 1), (1, 2), (0, 2)], 3).is_empty());
    }

    /// A path 100,000 vertices long closing on itself is one component, found without
    /// recursion.
    #[test]
    fn a_very_long_cycle_does_not_exhaust_the_stack() {
        let n = 100_000;
        let found = components(n, |v| std::iter::once((v + 1) % n));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), n);
    }
}
