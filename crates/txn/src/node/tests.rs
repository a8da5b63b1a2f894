//! The transaction node in-process: one node alone on a [`Context::for_test`], and a
//! small cluster whose messages this file delivers by hand, dropping the ones a
//! partition would drop (maelstrom.md §5.1: silently, at delivery).

use std::collections::BTreeSet;

use protocol::Effect;
use serde_json::json;

use super::*;

fn start(node_id: &str, node_ids: &[&str], args: &[&str]) -> (TxnNode, Context<Tick>) {
    let mut ctx = Context::for_test_with_args(node_id, node_ids, args);
    let init = Init {
        node_id: node_id.into(),
        node_ids: node_ids.iter().map(|id| id.to_string()).collect(),
    };
    let node = TxnNode::from_init(&init, &mut ctx);
    (node, ctx)
}

fn ops(json: serde_json::Value) -> Vec<MicroOp> {
    serde_json::from_value(json).expect("micro-ops")
}

/// A few nodes and the messages in flight between them.
struct Cluster {
    ids: Vec<&'static str>,
    nodes: Vec<(TxnNode, Context<Tick>)>,
    /// (from, to, message), in sending order.
    in_flight: Vec<(usize, usize, Message<Payload>)>,
    /// Links that drop what crosses them, as (from, to).
    cut: BTreeSet<(usize, usize)>,
    next_msg_id: u64,
}

impl Cluster {
    fn new(ids: &[&'static str], args: &[&str]) -> Cluster {
        let nodes = ids
            .iter()
            .map(|id| {
                let (node, mut ctx) = start(id, ids, args);
                ctx.take_effects(); // the sync timer: this cluster ticks by hand
                (node, ctx)
            })
            .collect();
        Cluster {
            ids: ids.to_vec(),
            nodes,
            in_flight: Vec::new(),
            cut: BTreeSet::new(),
            next_msg_id: 1,
        }
    }

    /// Runs a transaction on node `at` and returns its completed micro-ops.
    fn txn(&mut self, at: usize, txn: serde_json::Value) -> Vec<MicroOp> {
        let msg_id = self.next_msg_id;
        self.next_msg_id += 1;
        let message = Message::new(
            "c1",
            self.ids[at],
            Some(msg_id),
            Payload::Txn { txn: ops(txn) },
        );
        let (node, ctx) = &mut self.nodes[at];
        node.on_message(message, ctx);
        let mut replies = self.collect(at);
        assert_eq!(replies.len(), 1, "one reply per txn");
        let reply = replies.remove(0);
        assert_eq!(reply.body.in_reply_to, Some(msg_id));
        match reply.body.payload {
            Payload::TxnOk { txn } => txn,
            other => panic!("expected txn_ok, got {other:?}"),
        }
    }

    /// The value node `at` reads for `key`.
    fn read(&mut self, at: usize, key: Key) -> Option<Value> {
        match self.txn(at, json!([["r", key, null]]))[..] {
            [MicroOp::Read { value, .. }] => value,
            ref other => panic!("one read, got {other:?}"),
        }
    }

    /// One sync interval passes: every node ticks, then everything sent is delivered
    /// (or dropped on a cut link), until nothing is in flight.
    fn tick(&mut self) {
        for at in 0..self.nodes.len() {
            let (node, ctx) = &mut self.nodes[at];
            ctx.advance_for_test(SYNC_INTERVAL);
            node.on_tick(Tick::Sync, ctx);
            let replies = self.collect(at);
            assert_eq!(replies, [], "a tick answers no client");
        }
        while !self.in_flight.is_empty() {
            for (from, to, message) in std::mem::take(&mut self.in_flight) {
                if self.cut.contains(&(from, to)) {
                    continue;
                }
                let (node, ctx) = &mut self.nodes[to];
                node.on_message(message, ctx);
                self.collect(to);
            }
        }
    }

    /// Queues node `at`'s messages to peers; returns its messages to clients.
    fn collect(&mut self, at: usize) -> Vec<Message<Payload>> {
        let mut to_clients = Vec::new();
        for message in self.nodes[at].1.take_sent::<Payload>() {
            match self.ids.iter().position(|id| *id == message.dest) {
                Some(to) => self.in_flight.push((at, to, message)),
                None => to_clients.push(message),
            }
        }
        to_clients
    }

    fn cut_both_ways(&mut self, a: usize, b: usize) {
        self.cut.insert((a, b));
        self.cut.insert((b, a));
    }

    fn values(&self) -> Vec<BTreeMap<Key, Value>> {
        self.nodes.iter().map(|(node, _)| node.values()).collect()
    }
}

/// maelstrom.md §3.8: `txn_ok` carries the same micro-ops, reads filled in (`null`
/// for a key never written), writes unchanged, and nothing else.
#[test]
fn a_txn_is_answered_at_once_with_its_reads_filled_in() {
    let (mut node, mut ctx) = start("n0", &["n0"], &[]);
    let txn = ops(json!([
        ["r", 1, null],
        ["w", 1, 6],
        ["r", 1, null],
        ["w", 2, 7]
    ]));
    node.on_message(
        Message::new("c1", "n0", Some(4), Payload::Txn { txn }),
        &mut ctx,
    );
    let lines: Vec<serde_json::Value> = ctx
        .take_effects()
        .into_iter()
        .filter_map(|effect| match effect {
            Effect::Send(line) => Some(serde_json::from_str(&line).expect("JSON")),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), 1);
    let body = &lines[0]["body"];
    assert_eq!(lines[0]["dest"], "c1");
    assert_eq!(body["type"], "txn_ok");
    assert_eq!(body["in_reply_to"], 4);
    assert_eq!(
        body["txn"],
        json!([["r", 1, null], ["w", 1, 6], ["r", 1, 6], ["w", 2, 7]])
    );
    let fields: BTreeSet<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        BTreeSet::from(["type", "txn", "in_reply_to", "msg_id"]),
        "maelstrom.md §1.2: the reply schema is closed"
    );
}

/// A single node (6a) has nobody to replicate to, and arms no timer.
#[test]
fn a_single_node_arms_no_sync_timer() {
    let (_, mut ctx) = start("n0", &["n0"], &[]);
    assert_eq!(ctx.take_effects(), []);
    let (_, mut ctx) = start("n0", &["n0", "n1"], &[]);
    assert_eq!(
        ctx.take_effects(),
        [Effect::Timer {
            delay: SYNC_INTERVAL,
            period: Some(SYNC_INTERVAL),
            tick: Tick::Sync
        }]
    );
}

/// One `replicate` per peer per tick carries every change of that tick, and a
/// tick with nothing new sends nothing (maelstrom.md §5.4: msgs-per-op).
#[test]
fn a_tick_sends_each_peer_one_message_with_everything_new() {
    let (mut node, mut ctx) = start("n0", &["n0", "n1", "n2"], &[]);
    for (msg_id, value) in (1..=20).enumerate() {
        let txn = ops(json!([["w", value % 3, value]]));
        node.on_message(
            Message::new("c1", "n0", Some(msg_id as u64), Payload::Txn { txn }),
            &mut ctx,
        );
    }
    ctx.take_sent::<Payload>(); // the replies
    node.on_tick(Tick::Sync, &mut ctx);
    let sent = ctx.take_sent::<Payload>();
    let dests: Vec<&str> = sent.iter().map(|message| message.dest.as_str()).collect();
    assert_eq!(dests, ["n1", "n2"]);
    let Payload::Replicate(Replicate { entries, ack, .. }) = &sent[0].body.payload else {
        panic!("a replicate: {sent:?}");
    };
    let values: Vec<(Key, Value)> = entries.iter().map(|e| (e.key, e.value)).collect();
    assert_eq!(
        values,
        [(0, 18), (1, 19), (2, 20)],
        "each key once, latest value"
    );
    assert_eq!(*ack, 0);
    ctx.advance_for_test(SYNC_INTERVAL);
    node.on_tick(Tick::Sync, &mut ctx);
    assert_eq!(
        ctx.take_sent::<Payload>(),
        [],
        "nothing new, nothing due yet"
    );
}

/// What replicas say to each other, as it looks in a node's log of messages.
#[test]
fn a_replicate_carries_entries_a_range_of_change_numbers_and_an_ack() {
    let (mut node, mut ctx) = start("n0", &["n0", "n1"], &[]);
    ctx.take_effects();
    let txn = ops(json!([["w", 9, 3], ["w", 4, 1]]));
    node.on_message(
        Message::new("c1", "n0", Some(1), Payload::Txn { txn }),
        &mut ctx,
    );
    ctx.take_sent::<Payload>();
    node.on_tick(Tick::Sync, &mut ctx);
    let [Effect::Send(line)] = &ctx.take_effects()[..] else {
        panic!("one message");
    };
    let message: serde_json::Value = serde_json::from_str(line).expect("JSON");
    assert_eq!(
        message,
        json!({"src": "n0", "dest": "n1", "body": {
            "type": "replicate", "msg_id": 2,
            "entries": [[4, 1, 1, "n0"], [9, 3, 1, "n0"]], "after": 0, "through": 2, "ack": 0
        }})
    );
}

/// maelstrom.md §3.8, §5.2: while partitioned, both sides answer every transaction;
/// after the heal, both replicas hold the same value for every key.
#[test]
fn replicas_partitioned_apart_accept_writes_and_agree_after_the_heal() {
    let mut cluster = Cluster::new(&["n0", "n1"], &[]);
    cluster.txn(0, json!([["w", 1, 1]]));
    cluster.tick();
    assert_eq!(
        cluster.read(1, 1),
        Some(1),
        "replicated before the partition"
    );
    cluster.cut_both_ways(0, 1);
    cluster.txn(0, json!([["w", 1, 2], ["w", 2, 2]]));
    cluster.txn(1, json!([["w", 1, 3], ["w", 3, 3]]));
    for _ in 0..20 {
        cluster.tick();
    }
    assert_ne!(cluster.values()[0], cluster.values()[1], "still apart");
    cluster.cut.clear();
    for _ in 0..20 {
        cluster.tick(); // lost changes go again after the retransmit time
    }
    let values = cluster.values();
    assert_eq!(values[0], values[1]);
    assert_eq!(values[0].len(), 3);
}

/// A one-way partition that cuts n0 and n2 apart (maelstrom.md §5.2's majorities
/// ring on three nodes): n1 passes their writes on, and all three converge.
#[test]
fn a_replica_passes_on_what_it_learns_to_nodes_that_cannot_hear_each_other() {
    let mut cluster = Cluster::new(&["n0", "n1", "n2"], &[]);
    cluster.cut_both_ways(0, 2);
    cluster.txn(0, json!([["w", 1, 10]]));
    cluster.txn(2, json!([["w", 2, 20]]));
    for _ in 0..3 {
        cluster.tick();
    }
    assert_eq!(
        cluster.read(2, 1),
        Some(10),
        "n0's write reached n2 through n1"
    );
    assert_eq!(cluster.read(0, 2), Some(20));
    let values = cluster.values();
    assert!(values.iter().all(|v| *v == values[0]), "{values:?}");
}

/// A backlog larger than one message's bound goes out over several messages, and
/// all of it arrives.
#[test]
fn a_backlog_beyond_one_message_arrives_whole_over_several() {
    let mut cluster = Cluster::new(&["n0", "n1"], &[]);
    let keys = ENTRIES_PER_MESSAGE_MAX as i64 * 2 + 5;
    for key in 0..keys {
        cluster.txn(0, json!([["w", key, key]]));
    }
    for _ in 0..5 {
        cluster.tick();
    }
    assert_eq!(cluster.values()[1].len(), keys as usize);
    assert_eq!(cluster.values()[0], cluster.values()[1]);
}

/// Only nodes Maelstrom named are peers: a client's `replicate` changes nothing.
#[test]
fn a_replicate_from_a_sender_that_is_not_a_peer_is_ignored() {
    let (mut node, mut ctx) = start("n0", &["n0", "n1"], &[]);
    let entries = serde_json::from_value(json!([[1, 99, 5, "n1"]])).expect("entries");
    for stranger in ["c3", "n7", "n0"] {
        let payload = Payload::Replicate(Replicate {
            entries: Vec::clone(&entries),
            after: 0,
            through: 1,
            ack: 0,
        });
        node.on_message(Message::new(stranger, "n0", None, payload), &mut ctx);
    }
    assert_eq!(node.values(), BTreeMap::new());
    assert_eq!(ctx.take_logs().len(), 3, "each one is logged");
}

/// The node broken on purpose with `--commit-first-write`: a peer reads a value
/// the writing transaction overwrote before it committed (G1b, maelstrom.md §3.8).
#[test]
fn committing_the_first_write_shows_peers_an_intermediate_write() {
    let mut cluster = Cluster::new(&["n0", "n1"], &["--commit-first-write"]);
    let done = cluster.txn(0, json!([["w", 1, 1], ["w", 1, 2], ["r", 1, null]]));
    assert_eq!(
        done[2],
        MicroOp::Read {
            key: 1,
            value: Some(2)
        }
    );
    cluster.tick();
    assert_eq!(cluster.read(1, 1), Some(1), "the intermediate write");
    let mut fine = Cluster::new(&["n0", "n1"], &[]);
    fine.txn(0, json!([["w", 1, 1], ["w", 1, 2]]));
    fine.tick();
    assert_eq!(fine.read(1, 1), Some(2));
}

/// The node broken on purpose with `--apply-in-arrival-order`: concurrent writes
/// from the two sides of a partition end swapped, and the replicas never agree.
#[test]
fn applying_in_arrival_order_leaves_replicas_apart_for_good() {
    let mut cluster = Cluster::new(&["n0", "n1"], &["--apply-in-arrival-order"]);
    cluster.cut_both_ways(0, 1);
    cluster.txn(0, json!([["w", 1, 1]]));
    cluster.txn(1, json!([["w", 1, 2]]));
    cluster.tick();
    cluster.cut.clear();
    for _ in 0..30 {
        cluster.tick();
    }
    assert_eq!((cluster.read(0, 1), cluster.read(1, 1)), (Some(2), Some(1)));
}
