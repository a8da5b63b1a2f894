//! The topologies a broadcast node is told about in its `topology` message
//! (maelstrom.md §5.3, Maelstrom `workload/broadcast.clj`).
//!
//! Only the broadcast workload sends one; the runner still builds it for every workload
//! so that a bad `--topology` is refused at start-up. Each neighbour list keeps
//! Maelstrom's order, because a node that gossips to "the first neighbour" should see the
//! same first neighbour here. Left out: nothing; all seven names are implemented.
//!
//! `line` follows Maelstrom `workload/broadcast.clj`, which walks the nodes in windows
//! of three (`partition 3 1`): an inner node lists its previous node, then its next
//! (`n1: [n0, n2]`). With fewer than two nodes the map is `{}` (maelstrom.md §5.3).

use std::collections::BTreeMap;

/// node → its neighbours, in Maelstrom's order.
pub type Topology = BTreeMap<String, Vec<String>>;

/// `--topology kind` over `nodes`; an unknown kind is an error naming the known ones.
pub fn topology(kind: &str, nodes: &[String]) -> Result<Topology, String> {
    match kind {
        "grid" => Ok(grid(nodes)),
        "line" => Ok(line(nodes)),
        "total" => Ok(total(nodes)),
        "tree" | "tree2" => Ok(tree(2, nodes)),
        "tree3" => Ok(tree(3, nodes)),
        "tree4" => Ok(tree(4, nodes)),
        other => Err(format!(
            "unknown topology {other:?}; expected grid, line, total, tree, tree2, tree3 or tree4"
        )),
    }
}

/// Rows of `ceil(√n)` nodes in order; neighbours below, above, right, left, where present.
fn grid(nodes: &[String]) -> Topology {
    let side = (nodes.len() as f64).sqrt().ceil().max(1.0) as usize;
    let rows: Vec<&[String]> = nodes.chunks(side).collect();
    let at = |row: Option<usize>, column: Option<usize>| -> Option<String> {
        rows.get(row?)?.get(column?).cloned()
    };
    let mut topology = Topology::new();
    for (i, row) in rows.iter().enumerate() {
        for (j, node) in row.iter().enumerate() {
            let neighbours = [
                at(Some(i + 1), Some(j)),
                at(i.checked_sub(1), Some(j)),
                at(Some(i), Some(j + 1)),
                at(Some(i), j.checked_sub(1)),
            ];
            topology.insert(node.clone(), neighbours.into_iter().flatten().collect());
        }
    }
    topology
}

/// Each node linked to its previous and next node, in that order (see the module doc).
fn line(nodes: &[String]) -> Topology {
    if nodes.len() < 2 {
        return Topology::new();
    }
    nodes
        .iter()
        .enumerate()
        .map(|(position, node)| {
            let previous = position.checked_sub(1).map(|before| &nodes[before]);
            let next = nodes.get(position + 1);
            let neighbours = previous.into_iter().chain(next).cloned().collect();
            (node.clone(), neighbours)
        })
        .collect()
}

/// Every other node, in node order.
fn total(nodes: &[String]) -> Topology {
    let others = |node: &String| {
        nodes
            .iter()
            .filter(|other| *other != node)
            .cloned()
            .collect()
    };
    nodes
        .iter()
        .map(|node| (node.clone(), others(node)))
        .collect()
}

/// Tiers of 1, b, b², … nodes in order; the k-th node of a tier is the parent of the
/// k-th chunk of b nodes in the next tier. Neighbours are `[parent, children…]`.
fn tree(branching: usize, nodes: &[String]) -> Topology {
    assert!(branching >= 2, "a tree branches at least twice");
    let mut tiers: Vec<&[String]> = Vec::new();
    let (mut rest, mut tier_size) = (nodes, 1);
    while !rest.is_empty() {
        let (tier, remaining) = rest.split_at(tier_size.min(rest.len()));
        tiers.push(tier);
        rest = remaining;
        tier_size *= branching;
    }
    let mut topology: Topology = nodes
        .iter()
        .map(|node| (node.clone(), Vec::new()))
        .collect();
    for pair in tiers.windows(2) {
        let (parents, children) = (pair[0], pair[1]);
        for (parent, chunk) in parents.iter().zip(children.chunks(branching)) {
            for child in chunk {
                topology
                    .get_mut(parent)
                    .expect("every node has an entry")
                    .push(child.clone());
                topology
                    .get_mut(child)
                    .expect("every node has an entry")
                    .insert(0, parent.clone());
            }
        }
    }
    topology
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(count: usize) -> Vec<String> {
        (0..count).map(|i| format!("n{i}")).collect()
    }

    /// `n0:[n3,n1] n1:[…]` as one line, for readable comparisons.
    fn render(topology: &Topology) -> String {
        let mut entries: Vec<(usize, String)> = topology
            .iter()
            .map(|(node, neighbours)| {
                let number = node[1..].parse().expect("nodes are n<number>");
                (number, format!("{node}:[{}]", neighbours.join(",")))
            })
            .collect();
        entries.sort();
        entries
            .into_iter()
            .map(|(_, text)| text)
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn shape(kind: &str, count: usize) -> String {
        render(&topology(kind, &nodes(count)).expect("a known topology"))
    }

    /// maelstrom.md §5.3: the spec's own 5-node grid example.
    #[test]
    fn a_five_node_grid_matches_maelstrom() {
        assert_eq!(
            shape("grid", 5),
            "n0:[n3,n1] n1:[n4,n2,n0] n2:[n1] n3:[n0,n4] n4:[n1,n3]"
        );
    }

    /// maelstrom.md §5.3: 25 nodes make a full 5×5 grid; corners have 2 neighbours,
    /// edges 3, the inside 4, and n12 (the centre) sees below, above, right, left.
    #[test]
    fn a_twenty_five_node_grid_is_five_by_five() {
        let grid = topology("grid", &nodes(25)).expect("grid");
        assert_eq!(grid["n12"], ["n17", "n7", "n13", "n11"]);
        assert_eq!(grid["n0"], ["n5", "n1"]);
        assert_eq!(grid["n24"], ["n19", "n23"]);
        let degrees: Vec<usize> = grid.values().map(Vec::len).collect();
        assert_eq!(degrees.iter().filter(|d| **d == 2).count(), 4);
        assert_eq!(degrees.iter().filter(|d| **d == 4).count(), 9);
    }

    /// Maelstrom `workload/broadcast.clj` (`partition 3 1`): a line links neighbours
    /// both ways, previous first; fewer than 2 nodes give `{}` (maelstrom.md §5.3).
    #[test]
    fn a_line_links_each_node_to_its_previous_then_next_node() {
        assert_eq!(
            shape("line", 5),
            "n0:[n1] n1:[n0,n2] n2:[n1,n3] n3:[n2,n4] n4:[n3]"
        );
        assert_eq!(shape("line", 2), "n0:[n1] n1:[n0]");
        assert!(topology("line", &nodes(1)).expect("line").is_empty());
        assert!(topology("line", &nodes(0)).expect("line").is_empty());
        let line = topology("line", &nodes(25)).expect("line");
        assert_eq!(line.len(), 25);
        assert_eq!(line["n24"], ["n23"]);
        assert_eq!(line.values().map(Vec::len).sum::<usize>(), 2 * 24);
    }

    /// maelstrom.md §5.3: `total` lists every other node.
    #[test]
    fn total_lists_every_other_node() {
        assert_eq!(shape("total", 3), "n0:[n1,n2] n1:[n0,n2] n2:[n0,n1]");
    }

    /// maelstrom.md §5.3: tree = tree2; tiers 1, 2, 4 and neighbours [parent, children…].
    #[test]
    fn a_binary_tree_fills_tiers_in_order() {
        assert_eq!(
            shape("tree", 5),
            "n0:[n1,n2] n1:[n0,n3,n4] n2:[n0] n3:[n1] n4:[n1]"
        );
        assert_eq!(shape("tree2", 5), shape("tree", 5));
    }

    /// maelstrom.md §5.3: with 25 nodes tree4 has tiers 1, 4, 16 and 4 more; the first
    /// second-tier node fathers the first chunk of 4, and the last tier hangs off n5.
    #[test]
    fn a_twenty_five_node_tree4_has_four_tiers() {
        let tree = topology("tree4", &nodes(25)).expect("tree4");
        assert_eq!(tree["n0"], ["n1", "n2", "n3", "n4"]);
        assert_eq!(tree["n1"], ["n0", "n5", "n6", "n7", "n8"]);
        assert_eq!(tree["n5"], ["n1", "n21", "n22", "n23", "n24"]);
        assert_eq!(tree["n6"], ["n1"]);
        assert_eq!(tree["n24"], ["n5"]);
        // A tree on n nodes has n − 1 edges, each listed at both ends.
        assert_eq!(tree.values().map(Vec::len).sum::<usize>(), 2 * 24);
        let tree3 = topology("tree3", &nodes(25)).expect("tree3");
        assert_eq!(tree3["n1"], ["n0", "n4", "n5", "n6"]);
    }

    /// maelstrom.md §5.3: grid and tree on 5 and 25 nodes give every node an entry.
    #[test]
    fn every_node_has_an_entry_in_grid_and_tree() {
        for kind in ["grid", "tree", "tree3", "tree4", "total"] {
            for count in [5, 25] {
                assert_eq!(
                    topology(kind, &nodes(count)).expect("known").len(),
                    count,
                    "{kind}"
                );
            }
        }
    }

    #[test]
    fn an_unknown_topology_is_refused() {
        assert!(topology("ring", &nodes(3)).is_err());
    }
}
