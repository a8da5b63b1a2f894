//! The counter node in-process against the harness's `seq-kv` model, which
//! serves stale reads exactly as maelstrom.md §4 describes (32-state ring,
//! a new caller starts at state 0, uniform pick between its last state and the
//! newest). A tiny simulation delivers RPCs to it in a seeded random order.

use std::collections::VecDeque;

use maelstrom_model::Service;
use protocol::error::ErrorPayload;
use protocol::Effect;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::*;

const NODES: [&str; 3] = ["n0", "n1", "n2"];

/// Three nodes, one seq-kv, and the RPCs in flight between them.
struct Cluster {
    nodes: Vec<(CounterNode, Context<Tick>)>,
    seq_kv: Box<dyn Service>,
    /// (node index, call, request body), delivered in an order the RNG picks.
    in_flight: VecDeque<(usize, CallId, Value)>,
    /// Every message the nodes sent to clients, as JSON (errors included).
    client_replies: Vec<Value>,
    rng: StdRng,
    next_msg_id: u64,
}

impl Cluster {
    fn new(seed: u64) -> Cluster {
        Cluster::with_args(seed, &[])
    }

    /// Three nodes started with `args`.
    fn with_args(seed: u64, args: &[&str]) -> Cluster {
        let nodes = NODES
            .iter()
            .map(|id| {
                let mut ctx = Context::for_test_with_args(id, &NODES, args);
                let init = Init {
                    node_id: id.to_string(),
                    node_ids: NODES.iter().map(|id| id.to_string()).collect(),
                };
                let node = CounterNode::from_init(&init, &mut ctx);
                ctx.take_effects(); // the timers: this simulation ticks by hand
                (node, ctx)
            })
            .collect();
        Cluster {
            nodes,
            seq_kv: maelstrom_model::service("seq-kv", seed).expect("seq-kv exists"),
            in_flight: VecDeque::new(),
            client_replies: Vec::new(),
            rng: StdRng::seed_from_u64(seed),
            next_msg_id: 1,
        }
    }

    fn add(&mut self, node: usize, delta: i64) -> u64 {
        let msg_id = self.next_msg_id;
        self.next_msg_id += 1;
        let request = Message::new("c1", NODES[node], Some(msg_id), Payload::Add { delta });
        let (counter, ctx) = &mut self.nodes[node];
        counter.on_message(request, ctx);
        self.collect(node);
        msg_id
    }

    fn tick(&mut self, node: usize, tick: Tick) {
        let (counter, ctx) = &mut self.nodes[node];
        counter.on_tick(tick, ctx);
        self.collect(node);
    }

    fn collect(&mut self, node: usize) {
        for effect in self.nodes[node].1.take_effects() {
            match effect {
                Effect::Rpc {
                    call, dest, body, ..
                } => {
                    assert_eq!(dest, "seq-kv", "the counter talks only to seq-kv");
                    self.in_flight.push_back((node, call, body));
                }
                Effect::Send(line) => {
                    let message = serde_json::from_str(&line).expect("a client reply is JSON");
                    self.client_replies.push(message);
                }
                Effect::Timer { .. } | Effect::Log(_) => {}
            }
        }
    }

    /// Delivers one RPC in flight, picked at random, and its reply.
    fn deliver_one(&mut self) -> bool {
        if self.in_flight.is_empty() {
            return false;
        }
        let pick = self.rng.gen_range(0..self.in_flight.len());
        let (node, call, body) = self.in_flight.remove(pick).expect("in range");
        let reply = self
            .seq_kv
            .handle(NODES[node], &body)
            .expect("seq-kv answers reads and writes");
        let result = if reply["type"] == "error" {
            Err(serde_json::from_value::<ErrorPayload>(reply)
                .expect("an error body")
                .into())
        } else {
            Ok(reply)
        };
        let (counter, ctx) = &mut self.nodes[node];
        counter.on_reply(RpcReply { call, result }, ctx);
        self.collect(node);
        true
    }

    fn deliver_all(&mut self) {
        while self.deliver_one() {}
    }

    /// The keys of the seq-kv requests in flight, in the order they were sent.
    fn keys_in_flight(&self) -> Vec<String> {
        let keys = self.in_flight.iter().map(|(_, _, body)| &body["key"]);
        keys.map(|key| key.as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn value(&self, node: usize) -> i64 {
        self.nodes[node].0.value()
    }

    /// The body of the reply to client request `msg_id`, if there is one.
    fn reply_to(&self, msg_id: u64) -> Option<&Value> {
        let mut replies = self.client_replies.iter().map(|reply| &reply["body"]);
        replies.find(|body| body["in_reply_to"] == msg_id)
    }

    fn acknowledged(&self, msg_id: u64) -> bool {
        self.reply_to(msg_id)
            .is_some_and(|body| body["type"] == "add_ok")
    }
}

/// The durability choice of the crate's `//!`: `add_ok` at once, from memory;
/// seq-kv gets the add with the next sync (maelstrom.md §5.2: nodes never crash).
#[test]
fn an_add_is_acknowledged_at_once_and_reaches_seq_kv_with_the_next_sync() {
    let mut cluster = Cluster::new(1);
    let add = cluster.add(0, 3);
    assert!(
        cluster.acknowledged(add),
        "no write stands between an add and its add_ok"
    );
    assert!(cluster.in_flight.is_empty(), "and none is sent for it yet");
    assert_eq!(cluster.value(0), 3, "the node's own reads count it at once");
    cluster.tick(0, Tick::Sync);
    assert_eq!(
        cluster
            .in_flight
            .iter()
            .map(|(_, _, body)| body.clone())
            .collect::<Vec<_>>(),
        [json!({"type": "write", "key": "counter-n0", "value": {"version": 1, "sum": 3}})]
    );
}

/// maelstrom.md §3.5: pn-counter deltas may be negative; however many adds
/// arrive between two syncs, the sync writes their sum once.
#[test]
fn the_adds_between_two_syncs_share_one_write() {
    let mut cluster = Cluster::new(2);
    let adds = [
        cluster.add(1, 1),
        cluster.add(1, 2),
        cluster.add(1, -4),
        cluster.add(1, 0),
    ];
    assert!(adds.iter().all(|&add| cluster.acknowledged(add)));
    cluster.tick(1, Tick::Sync);
    assert_eq!(cluster.in_flight.len(), 1, "one write for four adds");
    assert_eq!(
        cluster.in_flight[0].2["value"],
        json!({"version": 1, "sum": -1})
    );
    cluster.deliver_all();
    assert_eq!(cluster.value(1), -1);
}

/// An add that would overflow the node's sum is refused with a definite error
/// (maelstrom.md §1.4, code 12), so the client knows it did not happen.
#[test]
fn an_add_that_would_overflow_is_refused_and_changes_nothing() {
    let mut cluster = Cluster::new(3);
    let big = cluster.add(2, i64::MAX);
    let over = cluster.add(2, 1);
    assert!(cluster.acknowledged(big));
    let refusal = cluster.reply_to(over).expect("the add is answered");
    assert_eq!(refusal["type"], "error");
    assert_eq!(refusal["code"], 12);
    assert_eq!(cluster.value(2), i64::MAX);
}

/// maelstrom.md §4: the trap this node avoids. A caller seq-kv has never seen
/// starts at state 0, so a plain read can miss a write that completed long ago.
#[test]
fn seq_kv_serves_a_new_reader_a_stale_value_so_reading_alone_is_not_enough() {
    let stale_seen = (0..20).any(|seed| {
        let mut seq_kv = maelstrom_model::service("seq-kv", seed).expect("seq-kv");
        for version in 1..=10 {
            seq_kv.handle("n0", &json!({"type": "write", "key": "counter-n0", "value": {"version": version, "sum": version}}));
        }
        let reply = seq_kv.handle("n1", &json!({"type": "read", "key": "counter-n0"})).expect("a reply");
        reply["value"]["sum"] != json!(10)
    });
    assert!(stale_seen, "some seed serves n1 an old state");
}

/// maelstrom.md §4: after its own write, a caller reads at least the newest
/// state at the time of that write, which is what a sync relies on; with no
/// new adds, the write is a version bump.
#[test]
fn a_sync_with_nothing_new_bumps_the_version_before_reading() {
    let mut cluster = Cluster::new(3);
    cluster.tick(2, Tick::Sync);
    assert_eq!(cluster.in_flight.len(), 1, "first the bump, reads after it");
    assert_eq!(cluster.in_flight[0].2["type"], "write");
    assert_eq!(
        cluster.in_flight[0].2["value"],
        json!({"version": 1, "sum": 0})
    );
    cluster.tick(2, Tick::Sync);
    assert_eq!(cluster.in_flight.len(), 1, "one sync at a time");
    cluster.deliver_one();
    assert_eq!(cluster.keys_in_flight(), ["counter-n0", "counter-n1"]);
    cluster.deliver_all();
    cluster.tick(2, Tick::Sync);
    assert_eq!(
        cluster.in_flight[0].2["value"],
        json!({"version": 2, "sum": 0}),
        "every sync writes a new version"
    );
}

/// The node broken on purpose: with nothing new to write, a sync reads at once,
/// on whatever view seq-kv holds for it (maelstrom.md §4).
#[test]
fn without_the_freshness_write_a_sync_with_nothing_new_reads_at_once() {
    let mut cluster = Cluster::with_args(4, &["--no-freshness-write"]);
    cluster.tick(0, Tick::Sync);
    assert_eq!(cluster.keys_in_flight(), ["counter-n1", "counter-n2"]);
    cluster.deliver_all();
    cluster.add(0, 2);
    cluster.tick(0, Tick::Sync);
    assert_eq!(
        cluster.keys_in_flight(),
        ["counter-n0"],
        "a changed sum is still written first"
    );
}

#[test]
fn a_stale_read_never_takes_a_sum_backwards() {
    let (mut node, _ctx) = {
        let mut ctx = Context::for_test("n0", &NODES);
        let init = Init {
            node_id: "n0".into(),
            node_ids: NODES.iter().map(|id| id.to_string()).collect(),
        };
        (CounterNode::from_init(&init, &mut ctx), ctx)
    };
    node.merge_remote(
        "n1".into(),
        Entry {
            version: 5,
            sum: 50,
        },
    );
    node.merge_remote(
        "n1".into(),
        Entry {
            version: 3,
            sum: 30,
        },
    );
    assert_eq!(node.value(), 50);
}

/// A seeded run: random adds, syncs and deliveries, then two syncs on every
/// node, each run to its end (the first writes each node's last adds, the
/// second reads them). The first node whose value is not the exact sum of the
/// adds, if any.
fn final_reads_fall_short(seed: u64, args: &[&str]) -> Option<String> {
    let mut cluster = Cluster::with_args(seed, args);
    let mut expected = 0;
    let mut adds = Vec::new();
    for _ in 0..60 {
        let node = cluster.rng.gen_range(0..3);
        match cluster.rng.gen_range(0..10) {
            0..=4 => {
                let delta = cluster.rng.gen_range(-5..5);
                expected += delta;
                adds.push(cluster.add(node, delta));
            }
            5..=6 => cluster.tick(node, Tick::Sync),
            _ => {
                cluster.deliver_one();
            }
        }
    }
    assert!(
        adds.iter().all(|&add| cluster.acknowledged(add)),
        "seed {seed}: every add acknowledged"
    );
    cluster.deliver_all(); // the syncs still running end
    for _round in 0..2 {
        for node in 0..3 {
            cluster.tick(node, Tick::Sync);
        }
        cluster.deliver_all();
    }
    (0..3)
        .find(|&node| cluster.value(node) != expected)
        .map(|node| format!("n{node} reads {} of {expected}", cluster.value(node)))
}

/// maelstrom.md §3.5 with §4: whatever order seq-kv answers in, and however
/// stale its reads, every node reads the exact sum of the acknowledged adds
/// once each has synced twice after the last add (the final reads come 10 s
/// after the last add, about ten syncs later).
#[test]
fn every_node_converges_to_the_exact_sum_on_a_stale_seq_kv() {
    for seed in 0..200 {
        if let Some(short) = final_reads_fall_short(seed, &[]) {
            panic!("seed {seed}: {short}");
        }
    }
}

/// The same runs with the node broken on purpose (`--no-freshness-write`):
/// a sync that reads without bumping its own key first gets stale sums from
/// seq-kv (maelstrom.md §4), and on some seeds a final read falls short.
#[test]
fn without_the_freshness_write_some_seed_ends_short_of_the_sum() {
    let short = (0..200).find_map(|seed| final_reads_fall_short(seed, &["--no-freshness-write"]));
    assert!(short.is_some(), "no seed showed a stale final read");
}
