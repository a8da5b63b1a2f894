//! The broadcast node: a star around a hub, one reliable [`Link`] per peer.
//!
//! Every node keeps the set of values it has seen. What differs is who talks
//! to whom:
//! - a *leaf* has one link, to the hub. A value a client broadcasts to it goes
//!   out on that link at once; values arrive from the hub.
//! - the *hub* has a link to every leaf. A value it learns (from a client or a
//!   leaf) is queued on every link but the one it came from, and every
//!   [`FLUSH_INTERVAL`] each link with something new sends one message.
//!
//! All sending happens in [`BroadcastNode::poll_links`], from a timer or right
//! after a leaf queues a value; handlers only change state.
//!
//! Only the nodes Maelstrom named in `init` are peers. A `gossip` from any
//! other sender (a client, a service, a typo) is logged and ignored: giving it
//! a link would make this node send to an address nobody reads, forever.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use protocol::{Context, Init, Message, Node};
use serde::{Deserialize, Serialize};

use crate::link::{Gossip, Link, Timing};
use crate::options::Options;

/// How often the hub sends what it has collected. The trade-off: a value waits
/// half of this at the hub on average, and every flush costs one message per
/// leaf. At 150 ms, 24 leaves cost 160 messages a second whatever the rate,
/// 1.6 per operation at Maelstrom's rate of 100 (`docs/03-broadcast.md` has
/// the measured curve). `--flush-ms N` overrides it ([`crate::options`]).
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(150);

/// How often a leaf looks at its link for acks and retransmissions due. Leaves
/// send new values at once, so this only paces repairs.
const LEAF_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Link timing for every link. No batching inside the link: the hub batches by
/// flushing on a timer, and leaves do not batch at all (a value's first hop
/// should not wait). An ack waits up to a second for a message to ride on,
/// which it almost always finds; values are resent after 1.5 s of silence,
/// longer than the ack delay plus a round trip, so a healthy link never resends.
const TIMING: Timing = Timing {
    batch: Duration::ZERO,
    retransmit: Some(Duration::from_millis(1500)),
    ack_delay: Duration::from_millis(1000),
};

/// The messages of the broadcast workload (maelstrom.md §3.3), and our gossip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    Broadcast {
        message: u64,
    },
    BroadcastOk,
    Read,
    ReadOk {
        messages: BTreeSet<u64>,
    },
    /// Maelstrom's suggested neighbours; this node answers and ignores it.
    Topology {
        topology: BTreeMap<String, Vec<String>>,
    },
    TopologyOk,
    Gossip(Gossip),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Look at every link and send what is due.
    Poll,
}

#[derive(Debug)]
pub struct BroadcastNode {
    node_id: String,
    hub: String,
    /// Every value this node has seen.
    values: BTreeSet<u64>,
    /// One link per peer this node talks to: the hub has every leaf, a leaf has
    /// the hub. A gossip from another node gets a link too, so it is acked.
    links: BTreeMap<String, Link>,
    /// The timing of every link ([`TIMING`], unless `--no-retransmit`).
    timing: Timing,
}

impl BroadcastNode {
    fn is_hub(&self) -> bool {
        self.node_id == self.hub
    }

    /// Records a value; if it is new, queues it for every peer but `from`.
    /// Leaves send it at once; the hub waits for its flush.
    fn learn(&mut self, value: u64, from: Option<&str>) -> bool {
        if !self.values.insert(value) {
            return false;
        }
        for (peer, link) in &mut self.links {
            if Some(peer.as_str()) != from {
                link.push(value);
            }
        }
        true
    }

    fn merge_gossip(&mut self, from: &str, gossip: &Gossip, ctx: &mut Context<Tick>) {
        let is_peer = from != self.node_id && ctx.node_ids().iter().any(|id| id == from);
        if !is_peer {
            ctx.log(format!("ignoring gossip from {from}, which is not a node"));
            return;
        }
        let timing = self.timing;
        self.links
            .entry(from.to_string())
            .or_insert_with(|| Link::new(timing))
            .receive(gossip, ctx.now());
        for &value in &gossip.values {
            self.learn(value, Some(from));
        }
    }

    /// Sends what every link has due.
    fn poll_links(&mut self, ctx: &mut Context<Tick>) {
        let now = ctx.now();
        for (peer, link) in &mut self.links {
            if let Some(gossip) = link.poll(now) {
                ctx.send(peer, Payload::Gossip(gossip));
            }
        }
    }
}

impl Node for BroadcastNode {
    type Payload = Payload;
    type Tick = Tick;

    fn from_init(init: &Init, ctx: &mut Context<Tick>) -> BroadcastNode {
        let (options, warnings) = Options::parse(ctx.args());
        for warning in warnings {
            ctx.log(warning);
        }
        let timing = if options.retransmit {
            TIMING
        } else {
            ctx.log(
                "--no-retransmit: every value is sent once and may be lost (broken on purpose)",
            );
            Timing {
                retransmit: None,
                ..TIMING
            }
        };
        let hub = init
            .node_ids
            .first()
            .cloned()
            .unwrap_or_else(|| init.node_id.clone());
        let peers: Vec<String> = if init.node_id == hub {
            init.peers().cloned().collect()
        } else {
            vec![hub.clone()]
        };
        let node = BroadcastNode {
            node_id: init.node_id.clone(),
            hub,
            values: BTreeSet::new(),
            links: peers
                .into_iter()
                .map(|peer| (peer, Link::new(timing)))
                .collect(),
            timing,
        };
        let interval = if node.is_hub() {
            options.flush_interval
        } else {
            LEAF_POLL_INTERVAL
        };
        ctx.every(interval, Tick::Poll);
        node
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<Tick>) {
        match &request.body.payload {
            Payload::Broadcast { message } => {
                ctx.reply(&request, Payload::BroadcastOk);
                if self.learn(*message, None) && !self.is_hub() {
                    self.poll_links(ctx);
                }
            }
            Payload::Read => {
                let messages = self.values.clone();
                ctx.reply(&request, Payload::ReadOk { messages });
            }
            Payload::Topology { .. } => ctx.reply(&request, Payload::TopologyOk),
            Payload::Gossip(gossip) => self.merge_gossip(&request.src, gossip, ctx),
            // Replies to requests we never send: nothing to do.
            Payload::BroadcastOk | Payload::ReadOk { .. } | Payload::TopologyOk => {}
        }
    }

    fn on_tick(&mut self, tick: Tick, ctx: &mut Context<Tick>) {
        match tick {
            Tick::Poll => self.poll_links(ctx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{Body, Effect};
    use serde_json::json;

    const NODES: [&str; 3] = ["n0", "n1", "n2"];

    fn start(node_id: &str) -> (BroadcastNode, Context<Tick>) {
        let (node, ctx, period, logs) = start_with(node_id, &[]);
        assert_eq!(logs, Vec::<String>::new());
        let expected = if node_id == "n0" {
            FLUSH_INTERVAL
        } else {
            LEAF_POLL_INTERVAL
        };
        assert_eq!(period, expected);
        (node, ctx)
    }

    /// A node started with `args`, the period of its poll timer, and what it logged.
    fn start_with(
        node_id: &str,
        args: &[&str],
    ) -> (BroadcastNode, Context<Tick>, Duration, Vec<String>) {
        let mut ctx = Context::for_test_with_args(node_id, &NODES, args);
        let init = Init {
            node_id: node_id.into(),
            node_ids: NODES.iter().map(|id| id.to_string()).collect(),
        };
        let node = BroadcastNode::from_init(&init, &mut ctx);
        let logs = ctx.take_logs();
        let timers = ctx.take_effects();
        let [Effect::Timer {
            tick: Tick::Poll,
            period: Some(period),
            ..
        }] = timers[..]
        else {
            panic!("one periodic poll timer, got {timers:?}");
        };
        (node, ctx, period, logs)
    }

    fn message(src: &str, dest: &str, msg_id: Option<u64>, payload: Payload) -> Message<Payload> {
        Message {
            src: src.into(),
            dest: dest.into(),
            body: Body {
                msg_id,
                in_reply_to: None,
                payload,
            },
        }
    }

    fn broadcast(node: &mut BroadcastNode, ctx: &mut Context<Tick>, value: u64) {
        node.on_message(
            message(
                "c1",
                &node.node_id.clone(),
                Some(value),
                Payload::Broadcast { message: value },
            ),
            ctx,
        );
    }

    fn gossip(values: &[u64], seq: u64, ack: u64) -> Payload {
        Payload::Gossip(Gossip {
            seq,
            values: values.to_vec(),
            ack,
        })
    }

    /// The gossip messages sent, as (dest, values).
    fn gossip_sent(ctx: &mut Context<Tick>) -> Vec<(String, Vec<u64>)> {
        ctx.take_sent::<Payload>()
            .into_iter()
            .filter_map(|sent| match sent.body.payload {
                Payload::Gossip(gossip) => Some((sent.dest, gossip.values)),
                _ => None,
            })
            .collect()
    }

    fn read(node: &mut BroadcastNode, ctx: &mut Context<Tick>) -> BTreeSet<u64> {
        node.on_message(message("c1", "n0", Some(99), Payload::Read), ctx);
        match ctx
            .take_sent::<Payload>()
            .pop()
            .map(|sent| sent.body.payload)
        {
            Some(Payload::ReadOk { messages }) => messages,
            other => panic!("expected read_ok, got {other:?}"),
        }
    }

    /// maelstrom.md §3.3: broadcast_ok answers the request, and a read returns the value.
    #[test]
    fn a_broadcast_is_acknowledged_and_then_read() {
        let (mut node, mut ctx) = start("n0");
        broadcast(&mut node, &mut ctx, 5);
        let sent = ctx.take_sent::<Payload>();
        assert_eq!(sent[0].body.payload, Payload::BroadcastOk);
        assert_eq!(sent[0].body.in_reply_to, Some(5));
        assert_eq!(read(&mut node, &mut ctx), BTreeSet::from([5]));
    }

    #[test]
    fn a_leaf_sends_a_new_value_to_the_hub_at_once_and_only_once() {
        let (mut leaf, mut ctx) = start("n1");
        broadcast(&mut leaf, &mut ctx, 7);
        let sent = ctx.take_sent::<Payload>();
        assert_eq!(sent.len(), 2, "broadcast_ok and one gossip: {sent:?}");
        assert_eq!(sent[1].dest, "n0");
        assert_eq!(sent[1].body.payload, gossip(&[7], 1, 0));
        broadcast(&mut leaf, &mut ctx, 7);
        assert_eq!(
            gossip_sent(&mut ctx),
            [],
            "a value seen before is not sent again"
        );
    }

    #[test]
    fn the_hub_batches_values_until_its_flush_and_fans_them_out_to_the_others() {
        let (mut hub, mut ctx) = start("n0");
        hub.on_message(message("n1", "n0", None, gossip(&[1], 1, 0)), &mut ctx);
        hub.on_message(message("n2", "n0", None, gossip(&[2], 1, 0)), &mut ctx);
        broadcast(&mut hub, &mut ctx, 3);
        assert_eq!(
            gossip_sent(&mut ctx),
            [],
            "nothing leaves the hub before the flush"
        );
        ctx.advance_for_test(FLUSH_INTERVAL);
        hub.on_tick(Tick::Poll, &mut ctx);
        assert_eq!(
            gossip_sent(&mut ctx),
            [
                ("n1".to_string(), vec![2, 3]),
                ("n2".to_string(), vec![1, 3])
            ],
            "one message per leaf, with everything it lacks and nothing it sent"
        );
    }

    #[test]
    fn a_leaf_merges_what_the_hub_sends() {
        let (mut leaf, mut ctx) = start("n2");
        leaf.on_message(message("n0", "n2", None, gossip(&[1, 4], 1, 0)), &mut ctx);
        assert_eq!(read(&mut leaf, &mut ctx), BTreeSet::from([1, 4]));
        assert_eq!(
            gossip_sent(&mut ctx),
            [],
            "values from the hub are not sent back"
        );
    }

    /// maelstrom.md §3.3 with §5 partitions: a message may be lost; the value is not.
    #[test]
    fn an_unacknowledged_value_is_resent_until_the_hub_acknowledges_it() {
        let (mut leaf, mut ctx) = start("n1");
        broadcast(&mut leaf, &mut ctx, 7);
        ctx.take_sent::<Payload>(); // the first send, lost in a partition
        let retransmit = TIMING.retransmit.expect("the node retransmits by default");
        ctx.advance_for_test(retransmit);
        leaf.on_tick(Tick::Poll, &mut ctx);
        assert_eq!(gossip_sent(&mut ctx), [("n0".to_string(), vec![7])]);
        // The hub's next message acknowledges message 2; then the leaf is quiet.
        leaf.on_message(message("n0", "n1", None, gossip(&[], 0, 2)), &mut ctx);
        ctx.advance_for_test(retransmit * 4);
        leaf.on_tick(Tick::Poll, &mut ctx);
        assert_eq!(gossip_sent(&mut ctx), []);
    }

    #[test]
    fn topology_is_answered_and_does_not_change_who_talks_to_whom() {
        let (mut leaf, mut ctx) = start("n2");
        let topology =
            serde_json::from_value(json!({"n0": ["n1"], "n1": ["n0", "n2"], "n2": ["n1"]}))
                .expect("topology");
        leaf.on_message(
            message("c1", "n2", Some(1), Payload::Topology { topology }),
            &mut ctx,
        );
        assert_eq!(
            ctx.take_sent::<Payload>()[0].body.payload,
            Payload::TopologyOk
        );
        broadcast(&mut leaf, &mut ctx, 9);
        assert_eq!(
            gossip_sent(&mut ctx),
            [("n0".to_string(), vec![9])],
            "still to the hub"
        );
    }

    /// Only nodes named in `init` are peers: anyone else's gossip changes
    /// nothing and gets no link (so nothing is ever sent back to it).
    #[test]
    fn a_gossip_from_a_sender_that_is_not_a_node_is_logged_and_ignored() {
        let (mut hub, mut ctx) = start("n0");
        for stranger in ["c5", "seq-kv", "n9", "n0"] {
            hub.on_message(message(stranger, "n0", None, gossip(&[9], 1, 0)), &mut ctx);
        }
        assert_eq!(read(&mut hub, &mut ctx), BTreeSet::new());
        assert_eq!(ctx.take_logs().len(), 4, "each one is logged");
        broadcast(&mut hub, &mut ctx, 3);
        ctx.advance_for_test(FLUSH_INTERVAL);
        hub.on_tick(Tick::Poll, &mut ctx);
        let dests: Vec<String> = gossip_sent(&mut ctx)
            .into_iter()
            .map(|(dest, _)| dest)
            .collect();
        assert_eq!(dests, ["n1", "n2"], "no link to a stranger");
    }

    #[test]
    fn flush_ms_sets_the_hubs_flush_interval_and_a_bad_value_keeps_the_default() {
        let (_, _, period, logs) = start_with("n0", &["--flush-ms", "600"]);
        assert_eq!(period, Duration::from_millis(600));
        assert_eq!(logs, Vec::<String>::new());
        let (_, _, period, logs) = start_with("n0", &["--flush-ms", "-1"]);
        assert_eq!(period, FLUSH_INTERVAL);
        assert_eq!(logs.len(), 1, "the bad value is reported: {logs:?}");
    }

    /// The deliberately broken variant: a value lost once is lost for good,
    /// which is what the set-full checker must catch (maelstrom.md §3.3).
    #[test]
    fn with_no_retransmit_a_lost_value_is_never_sent_again() {
        let (mut leaf, mut ctx, _, logs) = start_with("n1", &["--no-retransmit"]);
        assert_eq!(logs.len(), 1, "the node says it is broken: {logs:?}");
        broadcast(&mut leaf, &mut ctx, 7);
        assert_eq!(gossip_sent(&mut ctx), [("n0".to_string(), vec![7])]); // lost
        for _ in 0..100 {
            ctx.advance_for_test(LEAF_POLL_INTERVAL);
            leaf.on_tick(Tick::Poll, &mut ctx);
        }
        assert_eq!(gossip_sent(&mut ctx), [], "7 is never resent");
    }
}
