//! Challenge 2, unique-ids: hand out IDs that are unique across every node,
//! without talking to any other node.
//!
//! An ID is `"<node id>-<boot id>-<counter>"`:
//! - the node id (`n1`) separates nodes: Maelstrom gives every node a distinct one;
//! - the boot id, 64 random bits drawn when `init` arrives, separates two
//!   lives of the same node id: if `n1` restarts, its counter starts again at
//!   0, but under a new boot id (two boots collide with probability 2⁻⁶⁴).
//!   The bits come from the engine's seeded RNG ([`Context::rng`]), which the
//!   stdio loop seeds from the OS, so two real boots differ while a simulated
//!   run replays the same ids from its seed;
//! - the counter separates IDs within one life.
//!
//! No coordination means no messages between nodes, so a partition cannot make
//! a `generate` wait or fail: the workload passes with `--availability total`
//! under `--nemesis partition` (maelstrom.md §7, challenge 2). IDs are strings,
//! so the checker can compare any two of them (maelstrom.md §3.2).
//!
//! Left out: IDs are not ordered by time (a snowflake-style layout would be),
//! because the workload asks only for uniqueness.

use protocol::{Context, Init, Message, Node};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The messages of the unique-ids workload (maelstrom.md §3.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Payload {
    Generate,
    GenerateOk { id: String },
}

#[derive(Debug)]
struct UniqueIdsNode {
    node_id: String,
    boot_id: u64,
    /// IDs handed out in this life of the process.
    generated_count: u64,
}

impl UniqueIdsNode {
    fn new(node_id: &str, boot_id: u64) -> UniqueIdsNode {
        UniqueIdsNode {
            node_id: node_id.to_string(),
            boot_id,
            generated_count: 0,
        }
    }

    fn next_id(&mut self) -> String {
        let id = format!(
            "{}-{:016x}-{}",
            self.node_id, self.boot_id, self.generated_count
        );
        self.generated_count += 1;
        id
    }
}

impl Node for UniqueIdsNode {
    type Payload = Payload;
    type Tick = ();

    fn from_init(init: &Init, ctx: &mut Context<()>) -> UniqueIdsNode {
        UniqueIdsNode::new(&init.node_id, ctx.rng().gen())
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<()>) {
        match request.body.payload {
            Payload::Generate => {
                let id = self.next_id();
                ctx.reply(&request, Payload::GenerateOk { id });
            }
            Payload::GenerateOk { .. } => {}
        }
    }
}

/// On stdin/stdout for Maelstrom; `sim ...` runs the simulation instead.
fn main() -> std::process::ExitCode {
    maelstrom_tests::sim::main::<UniqueIdsNode>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_from_different_nodes_and_different_boots_never_collide() {
        let mut seen = BTreeSet::new();
        for node_id in ["n0", "n1", "n2"] {
            // Two lives of each node with different boot ids: a restart.
            for boot_id in [1, 2] {
                let mut node = UniqueIdsNode::new(node_id, boot_id);
                for _ in 0..1000 {
                    assert!(seen.insert(node.next_id()), "duplicate id");
                }
            }
        }
        assert_eq!(seen.len(), 6000);
    }

    #[test]
    fn a_node_id_that_is_a_prefix_of_another_cannot_collide_with_it() {
        // "n1" + "-..." vs "n11" + "-...": the separator keeps them apart.
        let mut short = UniqueIdsNode::new("n1", 0x1);
        let mut long = UniqueIdsNode::new("n11", 0x1);
        let short_ids: BTreeSet<_> = (0..100).map(|_| short.next_id()).collect();
        assert!((0..100).all(|_| !short_ids.contains(&long.next_id())));
    }

    #[test]
    fn the_boot_id_comes_from_the_engines_rng_so_a_seed_replays_it() {
        let init = Init {
            node_id: "n0".into(),
            node_ids: vec!["n0".into()],
        };
        let boot_id = || {
            let mut ctx = Context::for_test("n0", &["n0"]);
            UniqueIdsNode::from_init(&init, &mut ctx).boot_id
        };
        assert_eq!(boot_id(), boot_id(), "one seed, one boot id");
    }
}
