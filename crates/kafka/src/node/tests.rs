//! The kafka node in-process: requests from a made-up client, and a tiny
//! network between nodes that carries forwarded sends, their answers and
//! `replicate` messages in a seeded random order, drops them across a cut, and
//! ticks the nodes by hand.

use std::collections::{BTreeMap, BTreeSet};

use protocol::Effect;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::*;
use crate::journal::JOURNAL_RECORDS_MAX;
use crate::peer::RETRANSMIT_AFTER;

/// Rounds of ticks and deliveries [`Cluster::settle`] allows before it gives up.
const SETTLE_ROUNDS_MAX: usize = 1000;

/// A message between nodes.
#[derive(Debug)]
enum Flight {
    Replicate(Replicate),
    /// A send forwarded to its leader, by the forwarder's call.
    Forward {
        call: CallId,
        body: Value,
    },
    /// The leader's answer to a forwarded send.
    Answer {
        call: CallId,
        body: Value,
    },
}

/// Nodes, the messages between them, and which links are cut.
struct Cluster {
    ids: Vec<String>,
    nodes: Vec<(KafkaNode, Context<Tick>)>,
    /// (from, to, message), delivered in an order the RNG picks.
    in_flight: Vec<(usize, usize, Flight)>,
    /// (from, to): messages on these links are dropped when delivered.
    cut: BTreeSet<(usize, usize)>,
    /// Client answers, by the request's msg_id (the body, `in_reply_to` dropped).
    answers: BTreeMap<u64, Value>,
    rng: StdRng,
    next_msg_id: u64,
    replicate_sent: usize,
    forwards_sent: usize,
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
            answers: BTreeMap::new(),
            rng: StdRng::seed_from_u64(seed),
            next_msg_id: 1,
            replicate_sent: 0,
            forwards_sent: 0,
        }
    }

    /// A client request to `node`; returns its msg_id. Its answer lands in
    /// `answers`, at once or once a forwarded send comes back.
    fn request(&mut self, node: usize, payload: Payload) -> u64 {
        let msg_id = self.next_msg_id;
        self.next_msg_id += 1;
        let request = Message::new("c1", self.ids[node].clone(), Some(msg_id), payload);
        let (kafka, ctx) = &mut self.nodes[node];
        kafka.on_message(request, ctx);
        self.collect(node, None);
        msg_id
    }

    /// A request, and the network run until it is answered.
    fn ask_value(&mut self, node: usize, payload: Payload) -> Value {
        let msg_id = self.request(node, payload);
        while !self.answers.contains_key(&msg_id) {
            assert!(self.deliver_one(), "request {msg_id} was never answered");
        }
        self.answers.remove(&msg_id).expect("checked")
    }

    /// [`Cluster::ask_value`] for a request whose answer must be one of ours.
    fn ask(&mut self, node: usize, payload: Payload) -> Payload {
        let answer = self.ask_value(node, payload);
        serde_json::from_value(answer.clone()).unwrap_or_else(|_| panic!("answered {answer}"))
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

    /// Moves what `node` said into the network or into `answers`.
    /// `forwarded_by` maps the msg_id of a forwarded send the node was handling
    /// to the forwarder's call, so that the leader's answer finds its way back.
    fn collect(&mut self, node: usize, forwarded_by: Option<(u64, usize, CallId)>) {
        for effect in self.nodes[node].1.take_effects() {
            match effect {
                Effect::Rpc {
                    call, dest, body, ..
                } => {
                    let to = self.index(&dest);
                    self.in_flight
                        .push((node, to, Flight::Forward { call, body }));
                    self.forwards_sent += 1;
                }
                Effect::Send(line) => self.route(node, &line, forwarded_by),
                Effect::Timer { .. } | Effect::Log(_) => {}
            }
        }
    }

    fn route(&mut self, node: usize, line: &str, forwarded_by: Option<(u64, usize, CallId)>) {
        let message: Message<Value> = serde_json::from_str(line).expect("a message");
        let body = message.body.payload;
        if message.dest.starts_with('c') {
            let msg_id = message.body.in_reply_to.expect("answers answer");
            self.answers.insert(msg_id, body);
            return;
        }
        let to = self.index(&message.dest);
        match (message.body.in_reply_to, forwarded_by) {
            (Some(in_reply_to), Some((msg_id, forwarder, call))) if in_reply_to == msg_id => {
                assert_eq!(to, forwarder);
                self.in_flight
                    .push((node, to, Flight::Answer { call, body }));
            }
            _ => {
                let Ok(Payload::Replicate(replicate)) = serde_json::from_value(body) else {
                    panic!("nodes send each other replicate, forwards and answers: {line}");
                };
                self.in_flight
                    .push((node, to, Flight::Replicate(replicate)));
                self.replicate_sent += 1;
            }
        }
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
        self.collect(node, None);
    }

    fn tick_all(&mut self) {
        for node in 0..self.nodes.len() {
            self.tick(node);
        }
    }

    /// Delivers one message in flight, picked at random. Across a cut it is
    /// dropped; a dropped forward or answer times the forwarder's call out, as
    /// its engine would.
    fn deliver_one(&mut self) -> bool {
        if self.in_flight.is_empty() {
            return false;
        }
        let pick = self.rng.gen_range(0..self.in_flight.len());
        let (from, to, flight) = self.in_flight.swap_remove(pick);
        let dropped = self.cut.contains(&(from, to));
        match flight {
            Flight::Replicate(_) if dropped => {}
            Flight::Forward { call, .. } if dropped => self.time_out(from, call),
            Flight::Answer { call, .. } if dropped => self.time_out(to, call),
            Flight::Replicate(replicate) => {
                self.deliver(from, to, None, Payload::Replicate(replicate), None);
            }
            Flight::Forward { call, body } => {
                let payload = serde_json::from_value(body).expect("a forwarded send");
                let msg_id = 1_000_000 + self.next_msg_id;
                self.next_msg_id += 1;
                self.deliver(from, to, Some(msg_id), payload, Some((msg_id, from, call)));
            }
            Flight::Answer { call, body } => {
                let result = if body["type"] == "error" {
                    let code = body["code"].as_u64().expect("a code") as u32;
                    Err(Error::new(ErrorCode::from_code(code), "from the leader"))
                } else {
                    Ok(body)
                };
                let (kafka, ctx) = &mut self.nodes[to];
                kafka.on_reply(RpcReply { call, result }, ctx);
                self.collect(to, None);
            }
        }
        true
    }

    fn deliver(
        &mut self,
        from: usize,
        to: usize,
        msg_id: Option<u64>,
        payload: Payload,
        forwarded_by: Option<(u64, usize, CallId)>,
    ) {
        let message = Message::new(
            self.ids[from].clone(),
            self.ids[to].clone(),
            msg_id,
            payload,
        );
        let (kafka, ctx) = &mut self.nodes[to];
        kafka.on_message(message, ctx);
        self.collect(to, forwarded_by);
    }

    fn time_out(&mut self, forwarder: usize, call: CallId) {
        let result = Err(Error::timeout("no reply from the leader"));
        let (kafka, ctx) = &mut self.nodes[forwarder];
        kafka.on_reply(RpcReply { call, result }, ctx);
        self.collect(forwarder, None);
    }

    fn deliver_all(&mut self) {
        while self.deliver_one() {}
    }

    /// Ticks and delivers until the network is quiet, moving every clock past
    /// the retransmission delay each round; returns the rounds it took.
    fn settle(&mut self) -> usize {
        for round in 1..=SETTLE_ROUNDS_MAX {
            for (_, ctx) in &mut self.nodes {
                ctx.advance_for_test(RETRANSMIT_AFTER);
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

    /// The index of the node that leads `key`.
    fn leader(&self, key: &str) -> usize {
        self.index(self.node(0).leader_of(key))
    }

    /// A key led by node `leader`, for tests that need one.
    fn key_led_by(&self, leader: usize) -> String {
        (0..)
            .map(|key: u32| key.to_string())
            .find(|key| self.leader(key) == leader)
            .expect("some key")
    }
}

/// maelstrom.md §3.7: `send` answers with the key's next offset; each key
/// counts 0, 1, 2 by itself.
#[test]
fn each_key_counts_its_offsets_from_zero() {
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

/// The design (main.rs): a send for a key another node leads goes to that
/// leader and comes back with its offset; the follower's copy catches up at
/// its next replication, and polls there show it.
#[test]
fn a_send_for_a_remote_key_is_appended_by_its_leader_and_copied_back() {
    let mut cluster = Cluster::new(2, 0);
    let key = cluster.key_led_by(1);
    assert_eq!(cluster.send(0, &key, 7), 0);
    assert_eq!(cluster.forwards_sent, 1);
    assert_eq!(
        cluster.send(1, &key, 8),
        1,
        "the leader's own send, next in line"
    );
    assert_eq!(cluster.forwards_sent, 1, "no forward on the leader");
    assert_eq!(
        cluster.poll(0, &[(&key, 0)]),
        BTreeMap::new(),
        "not copied yet"
    );
    assert_eq!(cluster.poll(1, &[(&key, 0)])[&key], [(0, 7), (1, 8)]);
    cluster.tick(1);
    cluster.deliver_all();
    assert_eq!(cluster.poll(0, &[(&key, 0)])[&key], [(0, 7), (1, 8)]);
}

/// maelstrom.md §1.4, §5.2: a forwarded send whose leader is out of reach is
/// answered with error 0 (timeout): indefinite, since the leader may have it.
/// Everything else keeps answering; after the heal, the copies catch up.
#[test]
fn across_a_partition_a_remote_send_times_out_and_the_rest_still_answers() {
    let mut cluster = Cluster::new(2, 1);
    let remote = cluster.key_led_by(1);
    let local = cluster.key_led_by(0);
    cluster.send(1, &remote, 1);
    cluster.settle();
    cluster.cut_between(0, 1);
    let answer = cluster.ask_value(
        0,
        Payload::Send {
            key: remote.clone(),
            msg: 2,
        },
    );
    assert_eq!(answer["type"], "error");
    assert_eq!(answer["code"], 0);
    assert_eq!(cluster.send(0, &local, 3), 0, "a local key is fine");
    assert_eq!(
        cluster.poll(0, &[(&remote, 0)])[&remote],
        [(0, 1)],
        "the copy so far"
    );
    cluster.tick_all();
    cluster.deliver_all();
    cluster.heal();
    cluster.settle();
    assert_eq!(cluster.poll(1, &[(&local, 0)])[&local], [(0, 3)]);
}

/// reach.rs: after one forward to a leader timed out, sends for its keys are
/// refused at once (definite error 11, nothing forwarded) while one probe is
/// out; once the leader answers again, sends go through as before.
#[test]
fn while_a_leader_is_unreachable_one_probe_goes_out_and_other_sends_fail_at_once() {
    let mut cluster = Cluster::new(2, 0);
    let remote = cluster.key_led_by(1);
    let send = |msg| Payload::Send {
        key: remote.clone(),
        msg,
    };
    cluster.cut_between(0, 1);
    assert_eq!(
        cluster.ask_value(0, send(1))["code"],
        0,
        "the first one times out"
    );
    let probe = cluster.request(0, send(2));
    assert_eq!(cluster.in_flight.len(), 1, "the probe");
    let refused = cluster.request(0, send(3));
    assert_eq!(cluster.answers[&refused]["code"], 11, "answered at once");
    assert_eq!(cluster.in_flight.len(), 1, "and not forwarded");
    cluster.heal();
    cluster.deliver_all();
    assert_eq!(cluster.answers[&probe]["type"], "send_ok");
    assert_eq!(cluster.send(0, &remote, 4), 1);
    assert_eq!(cluster.send(0, &remote, 5), 2, "no probe needed any more");
}

/// peer.rs: once nothing is new, two nodes stop talking; commits travel too.
#[test]
fn idle_nodes_fall_silent_and_commits_reach_every_node() {
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
    assert_eq!(cluster.node(0).committed("a"), Some(0));
}

/// Random sends, polls, commits, ticks, deliveries in any order, and
/// partitions that come and go, on two and three nodes, over many seeds: every
/// node ends with the same logs, holding every acknowledged message at its
/// offset, offsets dense and in the order of acknowledgement (a send
/// acknowledged before another was sent has the smaller offset), and no poll
/// ever showed a log that something later slipped into.
#[test]
fn random_runs_keep_every_message_in_acknowledgement_order_on_every_node() {
    for seed in 0..200 {
        for count in [2, 3] {
            random_run(seed, count);
        }
    }
}

/// One poll that returned something: (node, key, from, what came back).
type Polled = (usize, String, u64, Vec<(u64, i64)>);

/// A send in flight: its key, its message, and the highest offset of that key
/// acknowledged before it was sent.
type Pending = (String, i64, Option<u64>);

fn random_run(seed: u64, count: usize) {
    let mut cluster = Cluster::new(count, seed);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let keys = ["a", "b", "c", "d"];
    let mut pending: BTreeMap<u64, Pending> = BTreeMap::new();
    let mut acknowledged: BTreeMap<String, BTreeMap<u64, i64>> = BTreeMap::new();
    let mut maybe: BTreeSet<i64> = BTreeSet::new();
    let mut polls: Vec<Polled> = Vec::new();
    let mut committed: BTreeMap<String, u64> = BTreeMap::new();
    for msg in 0..300 {
        let node = rng.gen_range(0..count);
        let key = keys[rng.gen_range(0..keys.len())];
        match rng.gen_range(0..10) {
            0..=3 => {
                let before = acknowledged
                    .get(key)
                    .and_then(|log| log.keys().max().copied());
                let send = Payload::Send {
                    key: key.to_string(),
                    msg,
                };
                pending.insert(cluster.request(node, send), (key.to_string(), msg, before));
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
        settle_answers(
            &mut cluster,
            &mut pending,
            &mut acknowledged,
            &mut maybe,
            seed,
        );
    }
    cluster.heal();
    cluster.settle();
    settle_answers(
        &mut cluster,
        &mut pending,
        &mut acknowledged,
        &mut maybe,
        seed,
    );
    assert!(pending.is_empty(), "seed {seed}: every send was answered");

    let context = format!("seed {seed}, {count} nodes");
    for key in keys {
        let final_log = cluster.node(0).held(key);
        for node in 1..count {
            assert_eq!(
                cluster.node(node).held(key),
                final_log,
                "{context}, n{node}, {key}"
            );
        }
        let offsets: Vec<u64> = final_log.iter().map(|(offset, _)| *offset).collect();
        let dense: Vec<u64> = (0..final_log.len() as u64).collect();
        assert_eq!(offsets, dense, "{context}, {key}: offsets 0, 1, 2, …");
        let acked = acknowledged.get(key).cloned().unwrap_or_default();
        for (offset, msg) in &final_log {
            assert!(
                !maybe.contains(&(-msg - 1)),
                "{context}: refused {msg} is in {key}"
            );
            let expected = acked.get(offset);
            assert!(
                expected == Some(msg) || (expected.is_none() && maybe.contains(msg)),
                "{context}: {key}[{offset}] = {msg}, which nobody acknowledged there"
            );
        }
        assert!(
            acked.iter().all(|(o, m)| final_log.contains(&(*o, *m))),
            "{context}: lost"
        );
    }
    for (node, key, from, found) in polls {
        let last = found.last().expect("only non-empty polls are kept").0;
        let log = cluster.node(0).held(&key);
        let range: Vec<(u64, i64)> = log
            .into_iter()
            .filter(|(offset, _)| (from..=last).contains(offset))
            .collect();
        assert_eq!(
            found, range,
            "{context}: n{node} polled {key} from {from}: something slipped in"
        );
    }
    for (key, offset) in committed {
        for node in 0..count {
            assert_eq!(
                cluster.node(node).committed(&key),
                Some(offset),
                "{context}"
            );
        }
    }
}

/// Takes every send answered so far off `pending`: an offset must be above
/// every offset of its key acknowledged before the send was made. A timed-out
/// send goes into `maybe`; a refused one goes in as `-msg - 1`, never to be seen.
fn settle_answers(
    cluster: &mut Cluster,
    pending: &mut BTreeMap<u64, Pending>,
    acknowledged: &mut BTreeMap<String, BTreeMap<u64, i64>>,
    maybe: &mut BTreeSet<i64>,
    seed: u64,
) {
    let answered: Vec<u64> = pending
        .keys()
        .copied()
        .filter(|id| cluster.answers.contains_key(id))
        .collect();
    for msg_id in answered {
        let (key, msg, before) = pending.remove(&msg_id).expect("pending");
        let answer = cluster.answers.remove(&msg_id).expect("answered");
        if answer["type"] == "error" {
            // 0: the leader may have it; 11: it was never forwarded, so it must
            // not be anywhere (the caller checks, with negative messages).
            match answer["code"].as_u64() {
                Some(0) => maybe.insert(msg),
                Some(11) => maybe.insert(-msg - 1),
                _ => panic!("seed {seed}: unexpected {answer}"),
            };
            continue;
        }
        let offset = answer["offset"].as_u64().expect("send_ok has an offset");
        assert!(
            before.is_none_or(|before| offset > before),
            "seed {seed}: {key} acknowledged {before:?} before {msg} was sent, then {offset}"
        );
        let previous = acknowledged
            .entry(key.clone())
            .or_default()
            .insert(offset, msg);
        assert_eq!(
            previous, None,
            "seed {seed}: offset {offset} of {key} given twice"
        );
    }
}

/// journal.rs: a peer cut off for long enough fills the journal; then sends
/// are refused with a definite error (11), and taken again once the peer has
/// caught up.
#[test]
fn a_full_journal_refuses_sends_with_temporarily_unavailable() {
    let mut cluster = Cluster::new(2, 0);
    let key = cluster.key_led_by(0);
    cluster.cut_between(0, 1);
    for msg in 0..JOURNAL_RECORDS_MAX as i64 {
        cluster.send(0, &key, msg);
    }
    let refused = cluster.ask_value(
        0,
        Payload::Send {
            key: key.clone(),
            msg: -1,
        },
    );
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], 11);
    assert_eq!(
        cluster.node(0).held(&key).len(),
        JOURNAL_RECORDS_MAX,
        "not stored"
    );
    cluster.heal();
    cluster.settle();
    assert_eq!(cluster.send(0, &key, -1), JOURNAL_RECORDS_MAX as u64);
    assert_eq!(cluster.node(1).held(&key).len(), JOURNAL_RECORDS_MAX);
}

/// A `replicate` from anything but a peer, or a record of a key its sender
/// does not lead, is logged and changes nothing.
#[test]
fn records_from_strangers_and_from_non_leaders_are_left_out() {
    let mut cluster = Cluster::new(2, 0);
    let led_by_n0 = cluster.key_led_by(0);
    let replicate = Replicate {
        records_from: 1,
        records: vec![Record {
            key: led_by_n0.clone(),
            offset: 0,
            message: 5,
        }],
        commits: BTreeMap::new(),
        commits_version: 0,
        ack: Default::default(),
    };
    for src in ["c9", "n1"] {
        let message = Message::new(
            src.to_string(),
            "n0",
            Some(1),
            Payload::Replicate(replicate.clone()),
        );
        let (kafka, ctx) = &mut cluster.nodes[0];
        kafka.on_message(message, ctx);
        let logs = ctx.take_logs();
        assert_eq!(logs.len(), 1, "{src}: {logs:?}");
        assert!(cluster.node(0).held(&led_by_n0).is_empty(), "{src}");
    }
}

/// A send forwarded by a peer for a key this node does not lead (the peers'
/// node lists would have to differ) is refused, not forwarded again.
#[test]
fn a_forwarded_send_for_a_key_led_elsewhere_is_refused_not_forwarded() {
    let mut cluster = Cluster::new(2, 0);
    let led_by_n1 = cluster.key_led_by(1);
    let message = Message::new(
        "n1",
        "n0",
        Some(1),
        Payload::Send {
            key: led_by_n1,
            msg: 1,
        },
    );
    let (kafka, ctx) = &mut cluster.nodes[0];
    kafka.on_message(message, ctx);
    let sent: Vec<Message<Value>> = ctx.take_sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body.payload["code"], json!(11));
    assert!(ctx.take_effects().is_empty(), "no forward");
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

/// options.rs `local-log`: two nodes, no leaders, no replication: the same
/// offset twice.
#[test]
fn broken_local_log_gives_the_same_offset_on_every_node() {
    let mut cluster = Cluster::with_args(2, 0, &["--break", "local-log"]);
    assert_eq!(cluster.send(0, "a", 1), 0);
    assert_eq!(cluster.send(1, "a", 2), 0);
    cluster.settle();
    assert_eq!(cluster.replicate_sent + cluster.forwards_sent, 0);
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
/// the node runs alone and leads every key.
#[test]
fn a_node_missing_from_its_own_init_runs_alone() {
    let mut ctx = Context::for_test("n5", &["n0", "n1"]);
    let init = Init {
        node_id: "n5".to_string(),
        node_ids: vec!["n0".to_string(), "n1".to_string()],
    };
    let node = KafkaNode::from_init(&init, &mut ctx);
    assert!(ctx.take_logs()[0].contains("running alone"));
    assert_eq!(node.leader_of("a"), "n5");
}
