//! The kafka node in-process: requests from a made-up client, and a tiny
//! network between nodes that delivers `replicate` messages in a seeded random
//! order, drops them across a cut, and ticks the nodes by hand.

use std::collections::{BTreeMap, BTreeSet};

use protocol::{Body, Effect};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::*;
use crate::journal::JOURNAL_RECORDS_MAX;

/// Rounds of ticks and deliveries [`Cluster::settle`] allows before it gives up.
const SETTLE_ROUNDS_MAX: usize = 1000;

/// Nodes, the replicate messages between them, and which links are cut.
struct Cluster {
    ids: Vec<String>,
    nodes: Vec<(KafkaNode, Context<Tick>)>,
    /// (from, to, message), delivered in an order the RNG picks.
    in_flight: Vec<(usize, usize, Replicate)>,
    /// (from, to): messages on these links are dropped when delivered.
    cut: BTreeSet<(usize, usize)>,
    rng: StdRng,
    next_msg_id: u64,
    replicate_sent: usize,
}

impl Cluster {
    fn new(count: usize, seed: u64) -> Cluster {
        Cluster::with_args(count, seed, &[])
    }

    fn with_args(count: usize, seed: u64, args: &[&str]) -> Cluster {
        let ids: Vec<String> = (0..count).map(|index| format!("n{index}")).collect();
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let nodes = ids
            .iter()
            .map(|id| {
                let mut ctx = Context::for_test_with_args(id, &id_refs, args);
                let init = Init {
                    node_id: id.clone(),
                    node_ids: ids.clone(),
                };
                let node = KafkaNode::from_init(&init, &mut ctx);
                ctx.take_effects(); // the timer: this network ticks by hand
                (node, ctx)
            })
            .collect();
        Cluster {
            ids,
            nodes,
            in_flight: Vec::new(),
            cut: BTreeSet::new(),
            rng: StdRng::seed_from_u64(seed),
            next_msg_id: 1,
            replicate_sent: 0,
        }
    }

    /// One client request to `node`; the body of the node's answer.
    fn request(&mut self, node: usize, payload: Payload) -> Value {
        let msg_id = self.next_msg_id;
        self.next_msg_id += 1;
        let request = Message {
            src: "c1".to_string(),
            dest: self.ids[node].clone(),
            body: Body {
                msg_id: Some(msg_id),
                in_reply_to: None,
                payload,
            },
        };
        let (kafka, ctx) = &mut self.nodes[node];
        kafka.on_message(request, ctx);
        let mut replies = self.collect(node);
        assert_eq!(replies.len(), 1, "one answer per request: {replies:?}");
        let reply = replies.remove(0);
        assert_eq!(reply["in_reply_to"], msg_id);
        reply
    }

    /// A request whose answer must be one of ours (not an error).
    fn ask(&mut self, node: usize, payload: Payload) -> Payload {
        let reply = self.request(node, payload);
        serde_json::from_value(reply.clone())
            .unwrap_or_else(|_| panic!("unexpected answer {reply}"))
    }

    fn send(&mut self, node: usize, key: &str, msg: i64) -> u64 {
        let payload = Payload::Send {
            key: key.to_string(),
            msg,
        };
        match self.ask(node, payload) {
            Payload::SendOk { offset } => offset,
            other => panic!("send answered {other:?}"),
        }
    }

    fn poll(&mut self, node: usize, offsets: &[(&str, u64)]) -> BTreeMap<String, Vec<(u64, i64)>> {
        let offsets = offsets
            .iter()
            .map(|(key, offset)| (key.to_string(), *offset))
            .collect();
        match self.ask(node, Payload::Poll { offsets }) {
            Payload::PollOk { msgs } => msgs,
            other => panic!("poll answered {other:?}"),
        }
    }

    /// Moves the node's messages to peers into the network; returns the
    /// bodies of what it said to clients.
    fn collect(&mut self, node: usize) -> Vec<Value> {
        let mut to_clients = Vec::new();
        for effect in self.nodes[node].1.take_effects() {
            let Effect::Send(line) = effect else {
                continue;
            };
            let message: Message<Value> = serde_json::from_str(&line).expect("a message");
            if message.dest.starts_with('c') {
                let mut body = message.body.payload;
                body["in_reply_to"] = message.body.in_reply_to.into();
                to_clients.push(body);
                continue;
            }
            let Ok(Payload::Replicate(replicate)) = serde_json::from_value(message.body.payload)
            else {
                panic!("nodes send each other only replicate: {line}");
            };
            let to = self.index(&message.dest);
            self.in_flight.push((node, to, replicate));
            self.replicate_sent += 1;
        }
        to_clients
    }

    fn index(&self, id: &str) -> usize {
        self.ids
            .iter()
            .position(|known| known == id)
            .expect("a node")
    }

    fn tick(&mut self, node: usize) {
        let (kafka, ctx) = &mut self.nodes[node];
        kafka.on_tick(Tick::Replicate, ctx);
        let to_clients = self.collect(node);
        assert!(to_clients.is_empty(), "a tick answers no client");
    }

    fn tick_all(&mut self) {
        for node in 0..self.nodes.len() {
            self.tick(node);
        }
    }

    /// Delivers one message in flight, picked at random (or drops it, if its
    /// link is cut).
    fn deliver_one(&mut self) -> bool {
        if self.in_flight.is_empty() {
            return false;
        }
        let pick = self.rng.gen_range(0..self.in_flight.len());
        let (from, to, replicate) = self.in_flight.swap_remove(pick);
        if self.cut.contains(&(from, to)) {
            return true;
        }
        let message = Message {
            src: self.ids[from].clone(),
            dest: self.ids[to].clone(),
            body: Body {
                msg_id: Some(1),
                in_reply_to: None,
                payload: Payload::Replicate(replicate),
            },
        };
        let (kafka, ctx) = &mut self.nodes[to];
        kafka.on_message(message, ctx);
        let to_clients = self.collect(to);
        assert!(to_clients.is_empty(), "replication answers no client");
        true
    }

    fn deliver_all(&mut self) {
        while self.deliver_one() {}
    }

    /// Ticks and delivers until the network is quiet, advancing every clock
    /// past the retransmission delay each round; returns the rounds it took.
    fn settle(&mut self) -> usize {
        for round in 1..=SETTLE_ROUNDS_MAX {
            for (_, ctx) in &mut self.nodes {
                ctx.advance_for_test(crate::peer::RETRANSMIT_AFTER);
            }
            self.tick_all();
            if self.in_flight.is_empty() {
                return round;
            }
            self.deliver_all();
        }
        panic!("the network never fell silent");
    }

    fn heal(&mut self) {
        self.cut.clear();
    }

    fn cut_between(&mut self, a: usize, b: usize) {
        self.cut.insert((a, b));
        self.cut.insert((b, a));
    }

    fn node(&self, index: usize) -> &KafkaNode {
        &self.nodes[index].0
    }
}

/// maelstrom.md §3.7: `send` answers with the key's next offset; on one node,
/// each key counts 0, 1, 2 by itself.
#[test]
fn a_lone_node_numbers_each_key_from_zero() {
    let mut cluster = Cluster::new(1, 0);
    assert_eq!(cluster.send(0, "a", 10), 0);
    assert_eq!(cluster.send(0, "a", 11), 1);
    assert_eq!(cluster.send(0, "b", 20), 0);
    assert_eq!(cluster.send(0, "a", 12), 2);
    assert_eq!(cluster.replicate_sent, 0, "nobody to replicate to");
}

/// maelstrom.md §3.7: a poll returns each key's messages from the first offset
/// at or after the one asked for; keys with nothing are left out, a key nobody
/// wrote included, and that is not an error.
#[test]
fn a_poll_reads_from_each_offset_and_leaves_out_keys_with_nothing() {
    let mut cluster = Cluster::new(1, 0);
    for msg in [10, 11, 12] {
        cluster.send(0, "a", msg);
    }
    cluster.send(0, "b", 20);
    let polled = cluster.poll(0, &[("a", 1), ("b", 5), ("never-written", 0)]);
    assert_eq!(
        polled,
        BTreeMap::from([("a".to_string(), vec![(1, 11), (2, 12)])])
    );
    assert_eq!(cluster.poll(0, &[]), BTreeMap::new());
}

/// A poll is bounded: at most POLL_MESSAGES_MAX messages, and the consumer
/// polls again from where it got to.
#[test]
fn a_poll_returns_at_most_its_bound_and_the_rest_comes_next_time() {
    let mut cluster = Cluster::new(1, 0);
    for msg in 0..POLL_MESSAGES_MAX as i64 + 10 {
        cluster.send(0, "a", msg);
    }
    cluster.send(0, "b", 1);
    let first = cluster.poll(0, &[("a", 0), ("b", 0)]);
    assert_eq!(first["a"].len(), POLL_MESSAGES_MAX);
    assert!(!first.contains_key("b"), "the bound was reached in a");
    let next = POLL_MESSAGES_MAX as u64;
    let second = cluster.poll(0, &[("a", next), ("b", 0)]);
    assert_eq!(second["a"].len(), 10);
    assert_eq!(second["b"], [(0, 1)]);
}

/// maelstrom.md §3.7: committed offsets are read back per key, unknown keys
/// left out; what a Kafka user expects besides: they never go backwards.
#[test]
fn committed_offsets_only_move_forward_and_unknown_keys_are_left_out() {
    let mut cluster = Cluster::new(1, 0);
    let commit = |offsets: &[(&str, u64)]| Payload::CommitOffsets {
        offsets: offsets.iter().map(|(k, o)| (k.to_string(), *o)).collect(),
    };
    assert_eq!(
        cluster.ask(0, commit(&[("a", 5), ("b", 2)])),
        Payload::CommitOffsetsOk
    );
    assert_eq!(
        cluster.ask(0, commit(&[("a", 3)])),
        Payload::CommitOffsetsOk
    );
    let listed = cluster.ask(
        0,
        Payload::ListCommittedOffsets {
            keys: vec!["a".into(), "b".into(), "c".into()],
        },
    );
    assert_eq!(
        listed,
        Payload::ListCommittedOffsetsOk {
            offsets: BTreeMap::from([("a".to_string(), 5), ("b".to_string(), 2)])
        }
    );
}

/// The design (node.rs): a message is pollable on the writer's peer as soon as
/// it arrives, and on the writer once the peer's clock has come back.
#[test]
fn a_message_becomes_pollable_after_one_round_of_replication() {
    let mut cluster = Cluster::new(2, 0);
    assert_eq!(cluster.send(0, "a", 7), 0);
    assert_eq!(cluster.send(1, "a", 8), 1, "n1 owns the odd offsets");
    assert_eq!(
        cluster.poll(0, &[("a", 0)]),
        BTreeMap::new(),
        "n1 promised nothing yet"
    );
    cluster.tick(0);
    cluster.deliver_all();
    let at_n1 = cluster.poll(1, &[("a", 0)]);
    assert_eq!(at_n1["a"], [(0, 7)], "n0's clock (0) came with the record");
    cluster.tick(1);
    cluster.deliver_all();
    let at_n0 = cluster.poll(0, &[("a", 0)]);
    assert_eq!(at_n0["a"], [(0, 7), (1, 8)], "n1's clock (1) is back");
    cluster.tick(0);
    cluster.deliver_all();
    assert_eq!(cluster.poll(1, &[("a", 0)])["a"], [(0, 7), (1, 8)]);
    assert_eq!(
        cluster.send(0, "a", 9),
        2,
        "the next even offset above the clock"
    );
    assert_eq!(cluster.send(1, "a", 10), 3);
}

/// maelstrom.md §5.2: a partition cuts nodes apart; both sides keep answering,
/// polls show nothing the other side could still slip under, and after the heal
/// every node shows every acknowledged message in the same order.
#[test]
fn after_a_partition_heals_every_node_shows_the_same_complete_log() {
    let mut cluster = Cluster::new(2, 3);
    cluster.send(0, "a", 1);
    cluster.settle();
    cluster.cut_between(0, 1);
    let mut sent = vec![(0, 1)];
    for msg in 2..20 {
        let node = (msg % 2) as usize;
        sent.push((cluster.send(node, "a", msg), msg));
        cluster.tick_all();
        cluster.deliver_all();
    }
    assert_eq!(
        cluster.poll(0, &[("a", 0)])["a"],
        [(0, 1)],
        "only what was final before the cut"
    );
    cluster.heal();
    cluster.settle();
    sent.sort_unstable();
    for node in 0..2 {
        assert_eq!(cluster.poll(node, &[("a", 0)])["a"], sent, "n{node}");
    }
}

/// peer.rs: once nothing is new, two nodes stop talking.
#[test]
fn idle_nodes_fall_silent() {
    let mut cluster = Cluster::new(2, 0);
    cluster.send(0, "a", 1);
    let offsets = BTreeMap::from([("a".to_string(), 0)]);
    cluster.ask(1, Payload::CommitOffsets { offsets });
    let rounds = cluster.settle();
    assert!(rounds <= 4, "{rounds} rounds");
    let before = cluster.replicate_sent;
    for _ in 0..10 {
        cluster.settle();
    }
    assert_eq!(cluster.replicate_sent, before);
    assert_eq!(
        cluster.node(0).committed("a"),
        Some(0),
        "commits travel too"
    );
}

/// Every acknowledged message is in every node's log at the end, in the same
/// order, and no poll ever showed a log that a later message slipped into:
/// random sends, polls, commits, ticks, deliveries in any order, and
/// partitions that come and go, on two and three nodes, over many seeds.
#[test]
fn random_runs_keep_every_message_and_never_show_a_log_that_changes_below_a_poll() {
    for seed in 0..200 {
        for count in [2, 3] {
            random_run(seed, count);
        }
    }
}

/// One poll that returned something: (node, key, from, what came back).
type Polled = (usize, String, u64, Vec<(u64, i64)>);

fn random_run(seed: u64, count: usize) {
    let mut cluster = Cluster::new(count, seed);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let keys = ["a", "b", "c"];
    let mut acknowledged: BTreeMap<String, BTreeMap<u64, i64>> = BTreeMap::new();
    let mut polls: Vec<Polled> = Vec::new();
    let mut committed: BTreeMap<String, u64> = BTreeMap::new();
    let mut next_msg = 0;
    for _ in 0..300 {
        let node = rng.gen_range(0..count);
        let key = keys[rng.gen_range(0..keys.len())];
        match rng.gen_range(0..10) {
            0..=3 => {
                next_msg += 1;
                let offset = cluster.send(node, key, next_msg);
                let previous = acknowledged
                    .entry(key.to_string())
                    .or_default()
                    .insert(offset, next_msg);
                assert_eq!(
                    previous, None,
                    "seed {seed}: offset {offset} of {key} given twice"
                );
            }
            4..=5 => {
                let from = rng.gen_range(0..12);
                let polled = cluster.poll(node, &[(key, from)]);
                if let Some(found) = polled.get(key) {
                    polls.push((node, key.to_string(), from, found.clone()));
                }
            }
            6 => {
                let offset = rng.gen_range(0..20);
                let entry = committed.entry(key.to_string()).or_insert(offset);
                *entry = (*entry).max(offset);
                let offsets = BTreeMap::from([(key.to_string(), offset)]);
                cluster.ask(node, Payload::CommitOffsets { offsets });
            }
            7 => cluster.tick(node),
            8 => {
                for _ in 0..rng.gen_range(1..4) {
                    cluster.deliver_one();
                }
            }
            _ => {
                let (a, b) = (rng.gen_range(0..count), rng.gen_range(0..count));
                if rng.gen_bool(0.5) || a == b {
                    cluster.heal();
                } else {
                    cluster.cut_between(a, b);
                }
            }
        }
    }
    cluster.heal();
    cluster.settle();
    for (key, messages) in &acknowledged {
        let expected: Vec<(u64, i64)> = messages.iter().map(|(o, m)| (*o, *m)).collect();
        for node in 0..count {
            let polled = cluster.poll(node, &[(key, 0)]);
            assert_eq!(
                polled.get(key),
                Some(&expected),
                "seed {seed}, {count} nodes, n{node}, key {key}"
            );
        }
    }
    for (node, key, from, found) in polls {
        let last = found.last().expect("only non-empty polls are kept").0;
        let final_range: Vec<(u64, i64)> = acknowledged[&key]
            .range(from..=last)
            .map(|(o, m)| (*o, *m))
            .collect();
        assert_eq!(
            found, final_range,
            "seed {seed}: n{node} polled {key} from {from}: a hole filled in later"
        );
    }
    for (key, offset) in committed {
        for node in 0..count {
            assert_eq!(
                cluster.node(node).committed(&key),
                Some(offset),
                "seed {seed}"
            );
        }
    }
}

/// journal.rs: a peer cut off for long enough fills the journal; then sends
/// are refused with a definite error (11), and accepted again once the peer
/// has caught up.
#[test]
fn a_full_journal_refuses_sends_with_temporarily_unavailable() {
    let mut cluster = Cluster::new(2, 0);
    cluster.cut_between(0, 1);
    for msg in 0..JOURNAL_RECORDS_MAX as i64 {
        cluster.send(0, "a", msg);
    }
    let refused = cluster.request(
        0,
        Payload::Send {
            key: "a".into(),
            msg: -1,
        },
    );
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], 11);
    assert_eq!(
        cluster.node(0).held("a").len(),
        JOURNAL_RECORDS_MAX,
        "not stored"
    );
    cluster.heal();
    cluster.settle();
    assert_eq!(cluster.send(0, "a", -1), 2 * JOURNAL_RECORDS_MAX as u64);
}

/// A `replicate` from anything but a peer is logged and changes nothing.
#[test]
fn replication_from_a_stranger_is_ignored() {
    let mut cluster = Cluster::new(2, 0);
    cluster.send(1, "a", 5);
    cluster.tick(1);
    let (_, _, replicate) = cluster.in_flight.pop().expect("n1 replicates");
    let from_client = Message {
        src: "c9".to_string(),
        dest: "n0".to_string(),
        body: Body {
            msg_id: Some(1),
            in_reply_to: None,
            payload: Payload::Replicate(replicate),
        },
    };
    let (kafka, ctx) = &mut cluster.nodes[0];
    kafka.on_message(from_client, ctx);
    assert!(ctx.take_logs()[0].contains("not a peer"));
    assert!(cluster.node(0).held("a").is_empty());
}

/// options.rs `drop-sends`: every seventh send is acknowledged and not stored.
#[test]
fn broken_drop_sends_acknowledges_what_it_never_stores() {
    let mut cluster = Cluster::with_args(1, 0, &["--break", "drop-sends"]);
    let offsets: Vec<u64> = (0..8).map(|msg| cluster.send(0, "a", msg)).collect();
    assert_eq!(offsets, [0, 1, 2, 3, 4, 5, 6, 7]);
    let held: Vec<u64> = cluster.node(0).held("a").iter().map(|(o, _)| *o).collect();
    assert_eq!(
        held,
        [0, 1, 2, 3, 4, 5, 7],
        "offset 6 was acknowledged and thrown away"
    );
}

/// options.rs `local-log`: two nodes, no replication, the same offsets twice.
#[test]
fn broken_local_log_gives_the_same_offset_on_every_node() {
    let mut cluster = Cluster::with_args(2, 0, &["--break", "local-log"]);
    assert_eq!(cluster.send(0, "a", 1), 0);
    assert_eq!(cluster.send(1, "a", 2), 0);
    cluster.settle();
    assert_eq!(cluster.replicate_sent, 0);
    assert_eq!(cluster.poll(1, &[("a", 0)])["a"], [(0, 2)]);
}

/// options.rs `poll-gap`: three messages or more, and the second is missing.
#[test]
fn broken_poll_gap_leaves_a_hole_in_the_middle_of_a_poll() {
    let mut cluster = Cluster::with_args(1, 0, &["--break", "poll-gap"]);
    for msg in 0..4 {
        cluster.send(0, "a", msg);
    }
    assert_eq!(cluster.poll(0, &[("a", 0)])["a"], [(0, 0), (2, 2), (3, 3)]);
    assert_eq!(cluster.poll(0, &[("a", 2)])["a"], [(2, 2), (3, 3)]);
}

/// options.rs `countdown-offsets`: each send lands before the last one.
#[test]
fn broken_countdown_offsets_go_down() {
    let mut cluster = Cluster::with_args(1, 0, &["--break", "countdown-offsets"]);
    let offsets: Vec<u64> = (0..3).map(|msg| cluster.send(0, "a", msg)).collect();
    assert_eq!(
        offsets,
        [COUNTDOWN_FROM, COUNTDOWN_FROM - 1, COUNTDOWN_FROM - 2]
    );
}

/// An `init` that does not list the node itself (bad input) does not panic:
/// the node runs alone.
#[test]
fn a_node_missing_from_its_own_init_runs_alone() {
    let mut ctx = Context::for_test("n5", &["n0", "n1"]);
    let init = Init {
        node_id: "n5".to_string(),
        node_ids: vec!["n0".to_string(), "n1".to_string()],
    };
    let node = KafkaNode::from_init(&init, &mut ctx);
    assert!(ctx.take_logs()[0].contains("running alone"));
    assert_eq!(node.frontier("a"), Frontier::Everything);
}
