//! The flood: a reference broadcast node, kept to measure the real one against.
//!
//! Every [`FLOOD_INTERVAL`], each node sends its whole set to every other node.
//! Nothing is acknowledged, nothing is routed and nothing is remembered about
//! peers: a message lost in a partition is simply repeated 200 ms later. That
//! makes it the best case for latency under any partition (a value crosses any
//! path that exists, as soon as it exists) and the worst case for cost: about
//! 44 messages per operation on the 3d command (maelstrom.md §7), 24 per node
//! every tick, during the test and through the 10 s of recovery.
//!
//! It exists for `make bench-broadcast`, which runs it beside the real node on
//! the same seeds: the partition nemesis (maelstrom.md §5.2) puts a floor under
//! the latency of any design, and the flood's figures are that floor. Run it
//! like any challenge binary:
//! `target/release/broadcast-flood sim -w broadcast --node-count 25 ...`.
//!
//! Left out on purpose: any bound on the message size. The whole set goes out
//! every time, so a message grows with the run: about 6 bytes per value, 6 KB
//! after the 3d command's thousand values, far below the 16 MB line that the
//! stdio loop accepts (`protocol::LINE_BYTES_MAX`). A node that has to run for
//! long is the other one.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use protocol::{Context, Init, Message, Node};
use serde::{Deserialize, Serialize};

/// How often every node sends everything it knows to every other node.
pub const FLOOD_INTERVAL: Duration = Duration::from_millis(200);

/// The broadcast workload's messages (maelstrom.md §3.3), and the flood itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FloodPayload {
    Broadcast {
        message: u64,
    },
    BroadcastOk,
    Read,
    ReadOk {
        messages: BTreeSet<u64>,
    },
    Topology {
        topology: BTreeMap<String, Vec<String>>,
    },
    TopologyOk,
    /// Everything the sender knows.
    Flood {
        values: BTreeSet<u64>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FloodTick {
    /// Send the whole set to every peer.
    Flood,
}

#[derive(Debug)]
pub struct FloodNode {
    peers: Vec<String>,
    values: BTreeSet<u64>,
}

impl Node for FloodNode {
    type Payload = FloodPayload;
    type Tick = FloodTick;

    fn from_init(init: &Init, ctx: &mut Context<FloodTick>) -> FloodNode {
        ctx.every(FLOOD_INTERVAL, FloodTick::Flood);
        FloodNode {
            peers: init.peers().cloned().collect(),
            values: BTreeSet::new(),
        }
    }

    fn on_message(&mut self, request: Message<FloodPayload>, ctx: &mut Context<FloodTick>) {
        match request.body.payload {
            FloodPayload::Broadcast { message } => {
                self.values.insert(message);
                ctx.reply(&request, FloodPayload::BroadcastOk);
            }
            FloodPayload::Read => {
                let messages = self.values.clone();
                ctx.reply(&request, FloodPayload::ReadOk { messages });
            }
            FloodPayload::Topology { .. } => ctx.reply(&request, FloodPayload::TopologyOk),
            // Only nodes flood; anything else claiming to is ignored, as the
            // real node ignores gossip from strangers.
            FloodPayload::Flood { values } if self.peers.contains(&request.src) => {
                self.values.extend(values);
            }
            FloodPayload::Flood { .. } => {
                ctx.log(format!(
                    "ignoring a flood from {}, which is not a node",
                    request.src
                ));
            }
            FloodPayload::BroadcastOk | FloodPayload::ReadOk { .. } | FloodPayload::TopologyOk => {}
        }
    }

    fn on_tick(&mut self, tick: FloodTick, ctx: &mut Context<FloodTick>) {
        match tick {
            FloodTick::Flood if self.values.is_empty() => {}
            FloodTick::Flood => {
                for peer in &self.peers {
                    let values = self.values.clone();
                    ctx.send(peer, FloodPayload::Flood { values });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(src: &str, payload: FloodPayload) -> Message<FloodPayload> {
        Message::new(src, "n0", Some(1), payload)
    }

    fn start() -> (FloodNode, Context<FloodTick>) {
        let mut ctx = Context::for_test("n0", &["n0", "n1", "n2"]);
        let init = Init {
            node_id: "n0".into(),
            node_ids: vec!["n0".into(), "n1".into(), "n2".into()],
        };
        let node = FloodNode::from_init(&init, &mut ctx);
        ctx.take_effects();
        (node, ctx)
    }

    /// Every tick, the whole set goes to every other node, whatever was sent before.
    #[test]
    fn every_tick_sends_the_whole_set_to_every_peer() {
        let (mut node, mut ctx) = start();
        node.on_tick(FloodTick::Flood, &mut ctx);
        assert_eq!(
            ctx.take_sent::<FloodPayload>(),
            [],
            "nothing known, nothing sent"
        );
        node.on_message(
            message("c1", FloodPayload::Broadcast { message: 4 }),
            &mut ctx,
        );
        node.on_message(
            message(
                "n2",
                FloodPayload::Flood {
                    values: BTreeSet::from([7]),
                },
            ),
            &mut ctx,
        );
        ctx.take_sent::<FloodPayload>();
        for _ in 0..2 {
            node.on_tick(FloodTick::Flood, &mut ctx);
            let sent: Vec<(String, FloodPayload)> = ctx
                .take_sent::<FloodPayload>()
                .into_iter()
                .map(|sent| (sent.dest, sent.body.payload))
                .collect();
            let everything = FloodPayload::Flood {
                values: BTreeSet::from([4, 7]),
            };
            assert_eq!(
                sent,
                [
                    ("n1".to_string(), everything.clone()),
                    ("n2".to_string(), everything)
                ]
            );
        }
    }

    /// A flood from a sender that is not a node changes nothing.
    #[test]
    fn a_flood_from_a_stranger_is_ignored() {
        let (mut node, mut ctx) = start();
        node.on_message(
            message(
                "c1",
                FloodPayload::Flood {
                    values: BTreeSet::from([1]),
                },
            ),
            &mut ctx,
        );
        assert_eq!(ctx.take_logs().len(), 1);
        node.on_message(message("c1", FloodPayload::Read), &mut ctx);
        let reply = ctx
            .take_sent::<FloodPayload>()
            .pop()
            .map(|sent| sent.body.payload);
        assert_eq!(
            reply,
            Some(FloodPayload::ReadOk {
                messages: BTreeSet::new()
            })
        );
    }
}
