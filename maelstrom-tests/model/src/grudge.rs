//! The partition nemesis's grudges (maelstrom.md §5.2, jepsen `nemesis/combined.clj`
//! and `nemesis.clj`).
//!
//! A grudge maps a destination node to the set of source nodes whose messages it drops;
//! healing replaces it with the empty grudge. Each `start-partition` picks one of four
//! shapes uniformly. Only test nodes ever appear: clients and services are never cut.
//!
//! Like jepsen's `complete-grudge`, a split lists *every* node, even one whose set is
//! empty (so `minority-third` on 3 nodes is a grudge of three empty sets, a no-op that
//! still shows up in the history). Left out: jepsen's `:primaries` shape, which the
//! Maelstrom CLI cannot select, and the exact hash-map iteration order jepsen's
//! stochastic ring happens to use (we break ties by a seeded shuffle instead).

use std::collections::{BTreeMap, BTreeSet};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;

/// dest → the srcs it drops. A `BTreeMap` so the history prints it in a stable order.
pub type Grudge = BTreeMap<String, BTreeSet<String>>;

/// The four shapes a partition can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrudgeKind {
    /// Isolate one random node.
    One,
    /// Split off `floor((n−1)/3)` random nodes.
    MinorityThird,
    /// Shuffle and split `floor(n/2)` | the rest.
    Majority,
    /// Every node keeps a majority (itself included), but no two see the same one.
    MajoritiesRing,
}

impl GrudgeKind {
    const ALL: [GrudgeKind; 4] = [
        GrudgeKind::One,
        GrudgeKind::MinorityThird,
        GrudgeKind::Majority,
        GrudgeKind::MajoritiesRing,
    ];

    /// A uniform pick among the four shapes.
    pub fn random(rng: &mut StdRng) -> GrudgeKind {
        GrudgeKind::ALL[rng.gen_range(0..GrudgeKind::ALL.len())]
    }

    /// The keyword Maelstrom records in the history (`:start-partition :majority`).
    pub fn keyword(&self) -> &'static str {
        match self {
            GrudgeKind::One => "one",
            GrudgeKind::MinorityThird => "minority-third",
            GrudgeKind::Majority => "majority",
            GrudgeKind::MajoritiesRing => "majorities-ring",
        }
    }
}

/// Builds the grudge of shape `kind` over `nodes`, drawing from `rng`.
pub fn grudge(kind: GrudgeKind, nodes: &[String], rng: &mut StdRng) -> Grudge {
    match kind {
        GrudgeKind::One => {
            let Some(loner) = nodes.choose(rng) else {
                return Grudge::new();
            };
            let rest = nodes.iter().filter(|node| *node != loner).cloned();
            complete_grudge(&[vec![loner.clone()], rest.collect()])
        }
        GrudgeKind::MinorityThird => split_shuffled(nodes, nodes.len().saturating_sub(1) / 3, rng),
        GrudgeKind::Majority => split_shuffled(nodes, nodes.len() / 2, rng),
        GrudgeKind::MajoritiesRing if nodes.len() <= 5 => majorities_ring_perfect(nodes, rng),
        GrudgeKind::MajoritiesRing => majorities_ring_stochastic(nodes, rng),
    }
}

/// `floor(n/2) + 1` (jepsen `util/majority`).
fn majority(node_count: usize) -> usize {
    node_count / 2 + 1
}

/// Shuffles, then splits after the first `split` nodes.
fn split_shuffled(nodes: &[String], split: usize, rng: &mut StdRng) -> Grudge {
    let mut shuffled = nodes.to_vec();
    shuffled.shuffle(rng);
    let (left, right) = shuffled.split_at(split.min(shuffled.len()));
    complete_grudge(&[left.to_vec(), right.to_vec()])
}

/// jepsen `complete-grudge`: every node drops every node outside its own component.
fn complete_grudge(components: &[Vec<String>]) -> Grudge {
    let universe: BTreeSet<String> = components.iter().flatten().cloned().collect();
    let mut grudge = Grudge::new();
    for component in components {
        let inside: BTreeSet<String> = component.iter().cloned().collect();
        for node in component {
            grudge.insert(
                node.clone(),
                universe.difference(&inside).cloned().collect(),
            );
        }
    }
    grudge
}

/// n ≤ 5: shuffle into a ring; each window of `m = majority(n)` consecutive nodes makes
/// its middle node (position `floor(m/2)`) drop everyone outside the window. For n = 3
/// that gives one-directional drops; for n = 2 every set is empty.
fn majorities_ring_perfect(nodes: &[String], rng: &mut StdRng) -> Grudge {
    let mut ring = nodes.to_vec();
    ring.shuffle(rng);
    let n = ring.len();
    let m = majority(n);
    let universe: BTreeSet<String> = ring.iter().cloned().collect();
    let mut grudge = Grudge::new();
    for start in 0..n {
        let window: BTreeSet<String> = (0..m).map(|k| ring[(start + k) % n].clone()).collect();
        let middle = ring[(start + m / 2) % n].clone();
        grudge.insert(middle, universe.difference(&window).cloned().collect());
    }
    grudge
}

/// node → the nodes it is linked to (itself included), while the stochastic ring grows.
type Links<'n> = BTreeMap<&'n String, BTreeSet<&'n String>>;

/// n > 5 (jepsen `majorities-ring-stochastic`): start with every node linked to itself;
/// while the least-linked node `a` has fewer than a majority of links, link it to the
/// least-linked node it is not yet linked to. Each node then drops every node it is not
/// linked to, so every node hears a majority, itself included.
fn majorities_ring_stochastic(nodes: &[String], rng: &mut StdRng) -> Grudge {
    let m = majority(nodes.len());
    let mut links: Links = nodes
        .iter()
        .map(|node| (node, BTreeSet::from([node])))
        .collect();
    // Bounded: each round adds a link, and there are at most n² of them.
    for _ in 0..nodes.len() * nodes.len() {
        let a = least_linked(&links, rng);
        if links[a].len() >= m {
            break;
        }
        let mut candidates: Vec<&String> = links
            .keys()
            .copied()
            .filter(|node| !links[a].contains(node))
            .collect();
        // Shuffle first, then a stable sort by link count: ties are broken at random.
        candidates.shuffle(rng);
        candidates.sort_by_key(|node| links[node].len());
        let b = candidates[0];
        links.get_mut(a).expect("a is a node").insert(b);
        links.get_mut(b).expect("b is a node").insert(a);
    }
    let universe: BTreeSet<&String> = nodes.iter().collect();
    links
        .into_iter()
        .map(|(node, linked)| {
            let dropped = universe.difference(&linked).map(|n| (*n).clone()).collect();
            (node.clone(), dropped)
        })
        .collect()
}

/// A node with the fewest links, picked at random among the tied ones: jepsen
/// `nemesis.clj` shuffles the nodes within each link count before taking the first,
/// so no node is favoured by its name.
fn least_linked<'n>(links: &Links<'n>, rng: &mut StdRng) -> &'n String {
    let fewest = links
        .values()
        .map(BTreeSet::len)
        .min()
        .expect("more than five nodes");
    let tied: Vec<&String> = links
        .iter()
        .filter(|(_, linked)| linked.len() == fewest)
        .map(|(node, _)| *node)
        .collect();
    tied.choose(rng).expect("some node has the fewest links")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn nodes(count: usize) -> Vec<String> {
        (0..count).map(|i| format!("n{i}")).collect()
    }

    /// How many nodes `node` hears, itself included.
    fn heard(grudge: &Grudge, node: &str, count: usize) -> usize {
        count - grudge.get(node).map_or(0, BTreeSet::len)
    }

    fn is_no_op(grudge: &Grudge) -> bool {
        grudge.values().all(BTreeSet::is_empty)
    }

    /// The grudge splits the nodes into two sides of `small_side` and `count − small_side`
    /// nodes: each node hears exactly its own side, so every cut goes both ways.
    fn assert_symmetric_split(grudge: &Grudge, count: usize, small_side: usize) {
        let universe: BTreeSet<String> = nodes(count).into_iter().collect();
        assert_eq!(grudge.keys().cloned().collect::<BTreeSet<_>>(), universe);
        let sides: BTreeSet<BTreeSet<String>> = grudge
            .values()
            .map(|dropped| universe.difference(dropped).cloned().collect())
            .collect();
        let mut sizes: Vec<usize> = sides.iter().map(BTreeSet::len).collect();
        sizes.sort();
        assert_eq!(sizes, [small_side, count - small_side], "{grudge:?}");
        for (node, dropped) in grudge {
            let side = universe
                .difference(dropped)
                .cloned()
                .collect::<BTreeSet<_>>();
            assert!(side.contains(node), "{node} hears itself");
        }
    }

    /// maelstrom.md §5.2: `:one` isolates exactly one node, both ways, for any n ≥ 2.
    #[test]
    fn one_isolates_a_single_node_both_ways() {
        for count in [2, 3, 5, 25] {
            let grudge = grudge(
                GrudgeKind::One,
                &nodes(count),
                &mut StdRng::seed_from_u64(3),
            );
            assert_eq!(grudge.len(), count);
            assert_symmetric_split(&grudge, count, 1);
        }
    }

    /// maelstrom.md §5.2: `:minority-third` splits off floor((n−1)/3) nodes: none for
    /// n ≤ 3, one for 5, eight for 25.
    #[test]
    fn minority_third_splits_off_a_third_of_the_others() {
        let rng = &mut StdRng::seed_from_u64(4);
        assert!(is_no_op(&grudge(GrudgeKind::MinorityThird, &nodes(2), rng)));
        assert!(is_no_op(&grudge(GrudgeKind::MinorityThird, &nodes(3), rng)));
        assert_symmetric_split(&grudge(GrudgeKind::MinorityThird, &nodes(5), rng), 5, 1);
        assert_symmetric_split(&grudge(GrudgeKind::MinorityThird, &nodes(25), rng), 25, 8);
    }

    /// maelstrom.md §5.2: `:majority` splits floor(n/2) | rest; for n = 2 a full split.
    #[test]
    fn majority_splits_the_nodes_in_half() {
        let rng = &mut StdRng::seed_from_u64(5);
        for (count, small) in [(2, 1), (3, 1), (5, 2), (25, 12)] {
            let grudge = grudge(GrudgeKind::Majority, &nodes(count), rng);
            assert_symmetric_split(&grudge, count, small);
        }
    }

    /// maelstrom.md §5.2: majorities-ring on 2 nodes drops nothing.
    #[test]
    fn majorities_ring_on_two_nodes_is_a_no_op() {
        let grudge = grudge(
            GrudgeKind::MajoritiesRing,
            &nodes(2),
            &mut StdRng::seed_from_u64(6),
        );
        assert!(is_no_op(&grudge), "{grudge:?}");
    }

    /// maelstrom.md §5.2: on 3 nodes each node drops exactly one other, and no link is
    /// cut both ways (the drops form a one-directional cycle).
    #[test]
    fn majorities_ring_on_three_nodes_drops_one_way() {
        let grudge = grudge(
            GrudgeKind::MajoritiesRing,
            &nodes(3),
            &mut StdRng::seed_from_u64(7),
        );
        assert_eq!(grudge.len(), 3);
        for (dest, sources) in &grudge {
            assert_eq!(sources.len(), 1, "{grudge:?}");
            let src = sources.iter().next().expect("one source");
            assert_ne!(src, dest);
            assert!(!grudge[src].contains(dest), "{src}↔{dest} cut both ways");
        }
    }

    /// maelstrom.md §5.2: on 5 nodes each node hears a window of 3 and the ring is
    /// symmetric, so every cut goes both ways.
    #[test]
    fn majorities_ring_on_five_nodes_is_a_symmetric_ring() {
        let grudge = grudge(
            GrudgeKind::MajoritiesRing,
            &nodes(5),
            &mut StdRng::seed_from_u64(8),
        );
        assert_eq!(grudge.len(), 5);
        for (dest, sources) in &grudge {
            assert_eq!(sources.len(), 2, "{grudge:?}");
            assert!(sources.iter().all(|src| grudge[src].contains(dest)));
        }
        // No two nodes see the same majority.
        let views: BTreeSet<&BTreeSet<String>> = grudge.values().collect();
        assert_eq!(views.len(), 5);
    }

    /// maelstrom.md §5.2: with 25 nodes every node can hear a majority (13), itself
    /// included, and yet the network is cut somewhere.
    #[test]
    fn majorities_ring_with_twenty_five_nodes_leaves_every_node_a_majority() {
        for seed in 0..20 {
            let grudge = grudge(
                GrudgeKind::MajoritiesRing,
                &nodes(25),
                &mut StdRng::seed_from_u64(seed),
            );
            assert_eq!(grudge.len(), 25);
            for node in nodes(25) {
                assert!(heard(&grudge, &node, 25) >= 13, "{node} in {grudge:?}");
                assert!(!grudge[&node].contains(&node), "{node} drops itself");
            }
            assert!(!is_no_op(&grudge), "some link is cut");
        }
    }

    /// jepsen `nemesis.clj` `majorities-ring-stochastic` shuffles within each link
    /// count: the node that gets the next link is any of the least-linked ones, not
    /// always the first by name, and never one with more links.
    #[test]
    fn the_next_node_to_link_is_drawn_among_the_least_linked() {
        let names = nodes(7);
        let mut links: Links = names
            .iter()
            .map(|node| (node, BTreeSet::from([node])))
            .collect();
        let rng = &mut StdRng::seed_from_u64(12);
        let picked: BTreeSet<&String> = (0..200).map(|_| least_linked(&links, rng)).collect();
        assert_eq!(picked.len(), 7, "every tied node can be picked: {picked:?}");

        for (a, b) in [(0, 1), (2, 3), (4, 5)] {
            links.get_mut(&names[a]).expect("a node").insert(&names[b]);
            links.get_mut(&names[b]).expect("a node").insert(&names[a]);
        }
        for _ in 0..50 {
            assert_eq!(
                least_linked(&links, rng),
                &names[6],
                "n6 alone has one link"
            );
        }
    }

    /// maelstrom.md §5.2: each start picks among the four shapes uniformly.
    #[test]
    fn every_shape_gets_picked() {
        let rng = &mut StdRng::seed_from_u64(9);
        let picked: BTreeSet<&str> = (0..200)
            .map(|_| GrudgeKind::random(rng).keyword())
            .collect();
        assert_eq!(picked.len(), 4);
    }

    /// Reproducible by seed: the same seed gives the same grudge.
    #[test]
    fn the_same_seed_gives_the_same_grudge() {
        let draw = |seed| {
            grudge(
                GrudgeKind::MajoritiesRing,
                &nodes(9),
                &mut StdRng::seed_from_u64(seed),
            )
        };
        assert_eq!(draw(11), draw(11));
    }
}
