use super::*;
use crate::link::GOSSIP_BYTES_MAX;
use protocol::Effect;
use serde_json::json;

const NODES: [&str; 4] = ["n0", "n1", "n2", "n3"];

fn start(node_id: &str) -> (BroadcastNode, Context<Tick>) {
    let (node, ctx, period, logs) = start_with(node_id, &[]);
    assert_eq!(logs, Vec::<String>::new());
    let expected = if node_id == "n0" {
        FLUSH_INTERVAL
    } else {
        POLL_INTERVAL
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

fn deliver(node: &mut BroadcastNode, ctx: &mut Context<Tick>, src: &str, payload: Payload) {
    let dest = ctx.node_id().to_string();
    node.on_message(Message::new(src, &dest, None, payload), ctx);
}

fn broadcast(node: &mut BroadcastNode, ctx: &mut Context<Tick>, value: u64) {
    let dest = ctx.node_id().to_string();
    node.on_message(
        Message::new(
            "c1",
            &dest,
            Some(value),
            Payload::Broadcast { message: value },
        ),
        ctx,
    );
}

/// Moves the clock by `ms` and fires the poll timer.
fn tick_after(node: &mut BroadcastNode, ctx: &mut Context<Tick>, ms: u64) {
    ctx.advance_for_test(Duration::from_millis(ms));
    node.on_tick(Tick::Poll, ctx);
}

fn gossip(values: &[u64], seq: u64, ack: u64) -> Payload {
    Payload::Gossip(Gossip {
        seq,
        values: values.to_vec(),
        ack,
        hops: Some(0),
        relay: false,
    })
}

/// Everything sent, as (dest, payload), with the replies to clients left out.
fn sent(ctx: &mut Context<Tick>) -> Vec<(String, Payload)> {
    ctx.take_sent::<Payload>()
        .into_iter()
        .filter(|sent| !sent.dest.starts_with('c'))
        .map(|sent| (sent.dest, sent.body.payload))
        .collect()
}

/// The gossip sent, as (dest, values).
fn gossip_sent(ctx: &mut Context<Tick>) -> Vec<(String, Vec<u64>)> {
    sent(ctx)
        .into_iter()
        .filter_map(|(dest, payload)| match payload {
            Payload::Gossip(gossip) => Some((dest, gossip.values)),
            _ => None,
        })
        .collect()
}

fn read(node: &mut BroadcastNode, ctx: &mut Context<Tick>) -> BTreeSet<u64> {
    let dest = ctx.node_id().to_string();
    node.on_message(Message::new("c1", &dest, Some(99), Payload::Read), ctx);
    let replies: Vec<Payload> = ctx
        .take_sent::<Payload>()
        .into_iter()
        .filter(|sent| sent.dest == "c1")
        .map(|sent| sent.body.payload)
        .collect();
    match &replies[..] {
        [Payload::ReadOk { messages }] => messages.clone(),
        other => panic!("expected one read_ok, got {other:?}"),
    }
}

/// A leaf that has shaken hands with the hub and measured its round trip.
fn leaf_on_the_hub(node_id: &str) -> (BroadcastNode, Context<Tick>) {
    let (mut leaf, mut ctx) = start(node_id);
    broadcast(&mut leaf, &mut ctx, 1);
    ctx.advance_for_test(Duration::from_millis(200));
    deliver(&mut leaf, &mut ctx, "n0", gossip(&[], 1, 1));
    ctx.take_effects();
    (leaf, ctx)
}

/// `n1`, cut off from the hub, after its election chose `n2` as its relay.
/// What it sent the relay is left in `ctx`, to be looked at or taken.
fn leaf_relayed_through_n2() -> (BroadcastNode, Context<Tick>) {
    let (mut leaf, mut ctx) = leaf_on_the_hub("n1");
    broadcast(&mut leaf, &mut ctx, 7);
    tick_after(&mut leaf, &mut ctx, 700);
    ctx.take_effects();
    deliver(
        &mut leaf,
        &mut ctx,
        "n2",
        Payload::RouteOk {
            hops: Some(1),
            values: vec![],
        },
    );
    assert!(leaf.route.is_relay("n2"));
    (leaf, ctx)
}

/// The relay answers `hello`, the first message a relayed leaf sends it.
fn relay_answers(leaf: &mut BroadcastNode, ctx: &mut Context<Tick>) {
    let hello = sent(ctx)
        .into_iter()
        .find_map(|(dest, payload)| match payload {
            Payload::Gossip(hello) if dest == "n2" => Some(hello),
            _ => None,
        })
        .expect("a hello to the relay");
    ctx.advance_for_test(Duration::from_millis(200));
    deliver(leaf, ctx, "n2", Payload::Gossip(ack_of(hello.seq)));
}

/// A relay's pure ack: it is one hop from the hub.
fn ack_of(seq: u64) -> Gossip {
    Gossip {
        seq: 0,
        values: vec![],
        ack: seq,
        hops: Some(1),
        relay: false,
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
    let (mut leaf, mut ctx) = leaf_on_the_hub("n1");
    broadcast(&mut leaf, &mut ctx, 7);
    assert_eq!(gossip_sent(&mut ctx), [("n0".to_string(), vec![7])]);
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
    for leaf in ["n1", "n2", "n3"] {
        deliver(&mut hub, &mut ctx, leaf, gossip(&[], 1, 0));
    }
    ctx.take_effects(); // the handshakes: first messages are answered at once
    deliver(&mut hub, &mut ctx, "n1", gossip(&[1], 2, 0));
    deliver(&mut hub, &mut ctx, "n2", gossip(&[2], 2, 0));
    broadcast(&mut hub, &mut ctx, 3);
    deliver(&mut hub, &mut ctx, "n1", gossip(&[1, 4], 3, 0));
    assert_eq!(
        gossip_sent(&mut ctx),
        [],
        "nothing leaves the hub before the flush"
    );
    tick_after(&mut hub, &mut ctx, 150);
    assert_eq!(
        gossip_sent(&mut ctx),
        [
            ("n1".to_string(), vec![2, 3]),
            ("n2".to_string(), vec![1, 3, 4]),
            ("n3".to_string(), vec![1, 2, 3, 4]),
        ],
        "one message per leaf, with everything it lacks and nothing it sent"
    );
}

/// The handshake: the hub answers a leaf's first message at once, later ones
/// at its flush, so that a leaf learns within a round trip whether it can
/// reach the hub.
#[test]
fn the_hub_answers_a_leafs_first_message_at_once() {
    let (mut hub, mut ctx) = start("n0");
    deliver(&mut hub, &mut ctx, "n1", gossip(&[1], 1, 0));
    let Payload::Gossip(answer) = &sent(&mut ctx)[0].1 else {
        panic!("the hub answers with gossip");
    };
    assert_eq!((answer.ack, answer.hops), (1, Some(0)));
    deliver(&mut hub, &mut ctx, "n1", gossip(&[2], 2, 0));
    assert_eq!(sent(&mut ctx), [], "the second waits for the flush");
    // A leaf whose first request is a read greets the hub with a probe.
    let (mut leaf, mut ctx) = start("n2");
    for _ in 0..2 {
        leaf.on_message(Message::new("c1", "n2", Some(1), Payload::Read), &mut ctx);
    }
    let probes = sent(&mut ctx);
    assert!(
        matches!(&probes[..], [(dest, Payload::Gossip(probe))] if dest == "n0" && probe.seq > 0),
        "one probe, however many reads: {probes:?}"
    );
}

#[test]
fn a_leaf_merges_what_the_hub_sends() {
    let (mut leaf, mut ctx) = start("n2");
    deliver(&mut leaf, &mut ctx, "n0", gossip(&[1, 4], 1, 0));
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
    let (mut leaf, mut ctx, _, _) = start_with("n1", &["--no-reroute"]);
    broadcast(&mut leaf, &mut ctx, 7);
    assert_eq!(gossip_sent(&mut ctx), [("n0".to_string(), vec![7])]); // lost
    let mut resent = 0;
    for _ in 0..100 {
        tick_after(&mut leaf, &mut ctx, 50);
        resent += gossip_sent(&mut ctx)
            .iter()
            .filter(|(dest, values)| dest == "n0" && *values == [7])
            .count();
    }
    assert!(
        (2..=3).contains(&resent),
        "resent at the probe pace: {resent}"
    );
    deliver(&mut leaf, &mut ctx, "n0", gossip(&[], 0, 99));
    tick_after(&mut leaf, &mut ctx, 10_000);
    assert_eq!(gossip_sent(&mut ctx), [], "acknowledged: quiet");
}

/// A leaf whose hub stops acknowledging asks every other node for a route,
/// and hands each its values still on their way to the hub.
#[test]
fn a_leaf_whose_hub_stops_answering_asks_every_node_for_a_route() {
    let (mut leaf, mut ctx) = leaf_on_the_hub("n1");
    broadcast(&mut leaf, &mut ctx, 7);
    ctx.take_effects();
    tick_after(&mut leaf, &mut ctx, 100);
    assert_eq!(sent(&mut ctx), [], "not yet");
    tick_after(&mut leaf, &mut ctx, 600);
    let questions = sent(&mut ctx);
    let asked: Vec<&str> = questions.iter().map(|(dest, _)| dest.as_str()).collect();
    assert_eq!(asked, ["n0", "n2", "n3"], "{questions:?}");
    for (_, payload) in &questions {
        let Payload::Route { have, values } = payload else {
            panic!("expected route, got {payload:?}");
        };
        assert_eq!(values, &[7]);
        assert_eq!(have.ranges, [[1, 1], [7, 7]]);
    }
    assert!(ctx.take_logs()[0].contains("looking for a route"));
}

/// The first answer from a node one hop from the hub settles it: the leaf
/// subscribes with its values and its digest, and advertises two hops.
#[test]
fn a_leaf_relays_through_the_first_node_that_reaches_the_hub() {
    let (_leaf, mut ctx) = leaf_relayed_through_n2();
    let to_relay = sent(&mut ctx);
    let [(_, Payload::Gossip(hello)), (_, Payload::Sync { have, after: None })] = &to_relay[..]
    else {
        panic!("a gossip and a sync to the relay, got {to_relay:?}");
    };
    assert!(to_relay.iter().all(|(dest, _)| dest == "n2"));
    assert!(hello.relay, "subscribes");
    assert_eq!(hello.values, [7]);
    assert_eq!(hello.hops, Some(2));
    assert!(hello.seq > 0, "and wants an ack");
    assert_eq!(have.ranges, [[1, 1], [7, 7]]);
}

/// maelstrom.md §5.2 partitions: the backbone never gives up. A relayed
/// leaf's own values go to its relay at once *and* stay on their way to the
/// hub, which it keeps probing.
#[test]
fn a_relayed_leaf_sends_its_values_to_the_relay_and_keeps_probing_the_hub() {
    let (mut leaf, mut ctx) = leaf_relayed_through_n2();
    relay_answers(&mut leaf, &mut ctx);
    broadcast(&mut leaf, &mut ctx, 9);
    let mut probes = Vec::new();
    let mut to_relay = Vec::new();
    for _ in 0..50 {
        for (dest, payload) in sent(&mut ctx) {
            let Payload::Gossip(gossip) = payload else {
                continue;
            };
            if dest == "n2" {
                // The relay is there, and acknowledges everything.
                deliver(
                    &mut leaf,
                    &mut ctx,
                    "n2",
                    Payload::Gossip(ack_of(gossip.seq)),
                );
                to_relay.push(gossip.values);
            } else {
                probes.push((dest, gossip.values));
            }
        }
        tick_after(&mut leaf, &mut ctx, 50);
    }
    assert_eq!(to_relay, [vec![9]], "at once, and once");
    assert_eq!(
        probes,
        [("n0".to_string(), vec![7, 9])],
        "one probe every {HUB_PROBE_AWAY:?}, with everything the hub has not acknowledged"
    );
    assert!(
        leaf.route.is_relay("n2"),
        "the relay answers: no new election"
    );
}

/// The hub answers a probe: the leaf goes back to it, and says goodbye to the
/// relay at once.
#[test]
fn a_relayed_leaf_returns_to_the_hub_when_the_hub_answers() {
    let (mut leaf, mut ctx) = leaf_relayed_through_n2();
    relay_answers(&mut leaf, &mut ctx);
    tick_after(&mut leaf, &mut ctx, 2000);
    ctx.take_effects();
    deliver(&mut leaf, &mut ctx, "n0", gossip(&[3], 5, 99));
    assert_eq!(leaf.route.upstream(), &Upstream::Hub);
    let back = sent(&mut ctx);
    assert!(
        back.iter().any(|(dest, payload)| dest == "n2"
            && matches!(payload, Payload::Gossip(goodbye) if !goodbye.relay)),
        "{back:?}"
    );
    assert!(
        back.iter().any(|(dest, _)| dest == "n0"),
        "acks the hub at once: {back:?}"
    );
    assert_eq!(read(&mut leaf, &mut ctx), BTreeSet::from([1, 3, 7]));
}

/// The relay's side: a subscriber's values go up to the hub at once, and what
/// the hub sends goes down to the subscriber the moment it arrives.
#[test]
fn a_relay_passes_values_up_and_down() {
    let (mut relay, mut ctx) = leaf_on_the_hub("n2");
    let subscribe = Payload::Gossip(Gossip {
        seq: 1,
        values: vec![7],
        ack: 0,
        hops: Some(2),
        relay: true,
    });
    deliver(&mut relay, &mut ctx, "n1", subscribe);
    assert_eq!(
        gossip_sent(&mut ctx),
        [("n1".to_string(), vec![]), ("n0".to_string(), vec![7])],
        "a new subscriber's first message is acknowledged at once, and its value goes up"
    );
    deliver(&mut relay, &mut ctx, "n0", gossip(&[8], 2, 0));
    let down = sent(&mut ctx);
    let [(dest, Payload::Gossip(forward))] = &down[..] else {
        panic!("one gossip down, got {down:?}");
    };
    assert_eq!((dest.as_str(), &forward.values[..]), ("n1", &[8][..]));
    assert_eq!(
        forward.ack, 1,
        "the subscriber's value is acknowledged on the way"
    );
    assert_eq!(forward.hops, Some(1));
    // A goodbye ends the subscription: nothing more goes down.
    deliver(&mut relay, &mut ctx, "n1", gossip(&[], 0, forward.seq));
    deliver(&mut relay, &mut ctx, "n0", gossip(&[9], 3, 0));
    tick_after(&mut relay, &mut ctx, 1000);
    assert!(gossip_sent(&mut ctx).iter().all(|(dest, _)| dest != "n1"));
}

/// A side without the hub: nobody answers with a route, so the lowest node
/// stands in for the hub and probes it often; the others relay through it.
#[test]
fn a_side_without_the_hub_stands_in_with_its_lowest_node() {
    let no_route = || Payload::RouteOk {
        hops: None,
        values: vec![],
    };
    let (mut lowest, mut ctx) = leaf_on_the_hub("n1");
    broadcast(&mut lowest, &mut ctx, 7);
    tick_after(&mut lowest, &mut ctx, 700);
    deliver(&mut lowest, &mut ctx, "n2", no_route());
    deliver(&mut lowest, &mut ctx, "n3", no_route());
    tick_after(&mut lowest, &mut ctx, ELECTION_WAIT.as_millis() as u64);
    assert_eq!(lowest.route.upstream(), &Upstream::Root);
    ctx.take_effects();
    let mut probes = 0;
    for _ in 0..20 {
        tick_after(&mut lowest, &mut ctx, 50);
        probes += gossip_sent(&mut ctx)
            .iter()
            .filter(|(dest, _)| dest == "n0")
            .count();
    }
    assert_eq!(probes, 4, "a probe every {HUB_PROBE_STAND_IN:?}");

    let (mut other, mut ctx) = leaf_on_the_hub("n3");
    broadcast(&mut other, &mut ctx, 8);
    tick_after(&mut other, &mut ctx, 700);
    deliver(&mut other, &mut ctx, "n1", no_route());
    deliver(&mut other, &mut ctx, "n2", no_route());
    tick_after(&mut other, &mut ctx, ELECTION_WAIT.as_millis() as u64);
    assert_eq!(
        other.route.upstream(),
        &Upstream::Relay {
            peer: "n1".into(),
            hops: None
        }
    );
}

/// A `route` from another node is a hint: a leaf that never heard the hub
/// looks for a route itself; one that heard it lately answers that it has a
/// route; one that has not heard it for a while probes it, and answers none.
#[test]
fn a_route_request_is_a_hint_to_the_leaves_that_hear_it() {
    // The asker has value 5, which it hands over, and lacks value 1.
    let question = || Payload::Route {
        have: Digest::of(&BTreeSet::from([5])),
        values: vec![5],
    };
    let (mut never, mut ctx) = start("n2");
    let empty_handed = Payload::Route {
        have: Digest::default(),
        values: vec![],
    };
    deliver(&mut never, &mut ctx, "n1", empty_handed);
    let asked: Vec<String> = sent(&mut ctx)
        .into_iter()
        .filter(|(_, payload)| matches!(payload, Payload::Route { .. }))
        .map(|(dest, _)| dest)
        .collect();
    assert_eq!(asked, ["n0", "n1", "n3"]);

    let (mut fresh, mut ctx) = leaf_on_the_hub("n2");
    deliver(&mut fresh, &mut ctx, "n1", question());
    let answers = sent(&mut ctx);
    let answer = answers.iter().find(|(dest, _)| dest == "n1");
    assert_eq!(
        answer.map(|(_, payload)| payload),
        Some(&Payload::RouteOk {
            hops: Some(1),
            values: vec![1]
        }),
        "we reach the hub, and send what the asker lacks"
    );
    assert!(
        answers.iter().any(|(dest, payload)| dest == "n0"
            && matches!(payload, Payload::Gossip(gossip) if gossip.values == [5])),
        "the asker's value goes on to the hub: {answers:?}"
    );

    let (mut quiet, mut ctx) = leaf_on_the_hub("n3");
    ctx.advance_for_test(quiet.upstream_silence_max());
    deliver(&mut quiet, &mut ctx, "n1", question());
    let answers = sent(&mut ctx);
    assert!(answers.contains(&(
        "n1".to_string(),
        Payload::RouteOk {
            hops: None,
            values: vec![1]
        }
    )));
    assert!(
        answers.iter().any(|(dest, payload)| dest == "n0"
            && matches!(payload, Payload::Gossip(probe) if probe.seq > 0)),
        "probes the hub: {answers:?}"
    );
    assert_eq!(quiet.route.upstream(), &Upstream::Hub, "no election yet");
}

/// `sync` is anti-entropy: the answer carries our digest, and the values the
/// sender's digest lacks follow on the link.
#[test]
fn a_sync_is_answered_with_our_digest_and_what_the_sender_lacks() {
    let (mut leaf, mut ctx) = leaf_on_the_hub("n1");
    for value in [2, 3, 4] {
        deliver(&mut leaf, &mut ctx, "n2", gossip(&[value], value, 0));
    }
    ctx.take_effects();
    let theirs = Digest {
        ranges: vec![[1, 3]],
        ..Digest::default()
    };
    deliver(
        &mut leaf,
        &mut ctx,
        "n3",
        Payload::Sync {
            have: theirs,
            after: None,
        },
    );
    assert_eq!(
        sent(&mut ctx),
        [(
            "n3".to_string(),
            Payload::SyncOk {
                have: Digest {
                    ranges: vec![[1, 4]],
                    ..Digest::default()
                }
            }
        )]
    );
    tick_after(&mut leaf, &mut ctx, 50);
    assert_eq!(gossip_sent(&mut ctx), [("n3".to_string(), vec![4])]);
    // A digest that makes no sense is ignored, and said to be.
    let broken = Digest {
        ranges: vec![[9, 1]],
        ..Digest::default()
    };
    deliver(
        &mut leaf,
        &mut ctx,
        "n3",
        Payload::Sync {
            have: broken,
            after: None,
        },
    );
    assert_eq!(sent(&mut ctx), []);
    assert_eq!(ctx.take_logs().len(), 1);
}

/// A digest cut short (too many holes) says nothing about the values above its
/// end: catching up goes on, round after round, until a digest covers them.
#[test]
fn catching_up_goes_on_while_the_peers_digest_is_cut_short() {
    let (mut hub, mut ctx) = start("n0");
    let everything: Vec<u64> = (0..2_000).collect();
    deliver(&mut hub, &mut ctx, "n2", gossip(&everything, 1, 0));
    ctx.take_effects();
    // n1 has every other value: its digest stops after 256 ranges, at 511.
    let evens: BTreeSet<u64> = (0..1_000).map(|value| value * 2).collect();
    let theirs = Digest::of(&evens);
    assert_eq!(theirs.through, Some(511));
    deliver(&mut hub, &mut ctx, "n1", Payload::SyncOk { have: theirs });
    tick_after(&mut hub, &mut ctx, 150);
    let round: Vec<Payload> = sent(&mut ctx)
        .into_iter()
        .filter(|(dest, _)| dest == "n1")
        .map(|(_, payload)| payload)
        .collect();
    let [Payload::Gossip(batch)] = &round[..] else {
        panic!("one gossip to n1, got {round:?}");
    };
    assert_eq!(
        batch.values.len(),
        256,
        "the odd values up to 511, and nothing beyond"
    );
    assert!(batch
        .values
        .iter()
        .all(|value| value % 2 == 1 && *value <= 511));
    // Once n1 has acknowledged them, the hub asks for a digest again.
    deliver(&mut hub, &mut ctx, "n1", gossip(&[], 0, batch.seq));
    tick_after(&mut hub, &mut ctx, 150);
    assert!(
        sent(&mut ctx).iter().any(|(dest, payload)| dest == "n1"
            && matches!(
                payload,
                Payload::Sync {
                    after: Some(511),
                    ..
                }
            )),
        "another round, from where this one stopped"
    );
}

/// Holes that neither side can fill (values only a third node has) cut every
/// digest short at the same place; the rounds still move on, each asking for
/// the peer's digest above the last one's end, and the catch-up ends.
#[test]
fn holes_that_neither_side_can_fill_do_not_stop_a_catch_up() {
    let (mut hub, mut ctx) = start("n0");
    // More values than a queue holds, so the hub's link to n1 falls behind.
    let evens: BTreeSet<u64> = (0..1_100).map(|value| value * 2).collect();
    let hubs: Vec<u64> = evens.iter().copied().chain(5_000..5_010).collect();
    deliver(&mut hub, &mut ctx, "n2", gossip(&hubs, 1, 0));
    ctx.take_effects();
    // n1 has the even values: so has the hub, and neither has the odd ones.
    let mut answer = Digest::of(&evens);
    let mut rounds = 0;
    let caught_up = loop {
        rounds += 1;
        assert!(rounds <= 20, "the rounds must end");
        deliver(&mut hub, &mut ctx, "n1", Payload::SyncOk { have: answer });
        tick_after(&mut hub, &mut ctx, 150);
        let to_n1: Vec<Payload> = sent(&mut ctx)
            .into_iter()
            .filter(|(dest, _)| dest == "n1")
            .map(|(_, payload)| payload)
            .collect();
        match &to_n1[..] {
            [Payload::Sync { after, .. }] => answer = Digest::above(&evens, *after),
            [Payload::Gossip(batch)] => break batch.values.clone(),
            other => panic!("round {rounds}: {other:?}"),
        }
    };
    assert_eq!(caught_up, (5_000..5_010).collect::<Vec<u64>>());
    assert!(rounds >= 4, "the digests were cut short: {rounds} rounds");
}

/// The bound, end to end: the hub keeps 5,000 values coming for a leaf that
/// never acknowledges anything. No message to it is ever larger than
/// [`GOSSIP_BYTES_MAX`]; once the queue overflows, the hub asks for a digest.
#[test]
fn a_leaf_that_never_acks_costs_the_hub_bounded_bytes_per_message() {
    let (mut hub, mut ctx) = start("n0");
    let mut largest = 0;
    let mut syncs = 0;
    for value in 0..5_000u64 {
        deliver(&mut hub, &mut ctx, "n2", gossip(&[value], value + 1, 0));
        if value % 10 == 9 {
            tick_after(&mut hub, &mut ctx, 150);
        }
        for effect in ctx.take_effects() {
            let Effect::Send(line) = effect else { continue };
            let to_n1 = line.contains(r#""dest":"n1""#);
            if to_n1 {
                largest = largest.max(line.len());
                syncs += usize::from(line.contains(r#""type":"sync""#));
            }
        }
    }
    assert!(
        largest <= GOSSIP_BYTES_MAX,
        "{largest} > {GOSSIP_BYTES_MAX}"
    );
    assert!(syncs > 0, "the hub caught up by digest");
}

#[test]
fn topology_is_answered_and_does_not_change_who_talks_to_whom() {
    let (mut leaf, mut ctx) = leaf_on_the_hub("n2");
    let topology = serde_json::from_value(json!({"n0": ["n1"], "n1": ["n0", "n2"], "n2": ["n1"]}))
        .expect("topology");
    leaf.on_message(
        Message::new("c1", "n2", Some(1), Payload::Topology { topology }),
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

/// Only nodes named in `init` are peers: anyone else's messages change
/// nothing and get no link (so nothing is ever sent back to it).
#[test]
fn messages_from_a_sender_that_is_not_a_node_are_logged_and_ignored() {
    let (mut hub, mut ctx) = start("n0");
    for stranger in ["c5", "seq-kv", "n9", "n0"] {
        deliver(&mut hub, &mut ctx, stranger, gossip(&[9], 1, 0));
        let question = Payload::Route {
            have: Digest::default(),
            values: vec![9],
        };
        deliver(&mut hub, &mut ctx, stranger, question);
    }
    assert_eq!(read(&mut hub, &mut ctx), BTreeSet::new());
    assert_eq!(ctx.take_logs().len(), 8, "each one is logged");
    broadcast(&mut hub, &mut ctx, 3);
    tick_after(&mut hub, &mut ctx, 150);
    let dests: Vec<String> = gossip_sent(&mut ctx)
        .into_iter()
        .map(|(dest, _)| dest)
        .collect();
    assert_eq!(dests, ["n1", "n2", "n3"], "no link to a stranger");
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

/// The hub acknowledges only when it flushes, so a leaf gives it a round trip
/// and a flush interval: with `--flush-ms 1000`, a second's silence is a slow
/// hub, not a lost one, and only past 1.3 s does the leaf ask for a route.
#[test]
fn a_leafs_patience_with_the_hub_grows_with_the_flush_interval() {
    let (mut leaf, mut ctx, _, _) = start_with("n1", &["--flush-ms", "1000"]);
    broadcast(&mut leaf, &mut ctx, 1);
    ctx.advance_for_test(Duration::from_millis(200));
    deliver(&mut leaf, &mut ctx, "n0", gossip(&[], 1, 1));
    broadcast(&mut leaf, &mut ctx, 7);
    ctx.take_effects();
    for _ in 0..24 {
        tick_after(&mut leaf, &mut ctx, 50);
    }
    assert_eq!(sent(&mut ctx), [], "1.2 s: still waiting for the flush");
    for _ in 0..4 {
        tick_after(&mut leaf, &mut ctx, 50);
    }
    let asked: Vec<String> = sent(&mut ctx).into_iter().map(|(dest, _)| dest).collect();
    assert_eq!(
        asked,
        ["n0", "n2", "n3"],
        "1.4 s: the hub is taken for lost"
    );
}

/// Without rerouting, a leaf cut off from the hub waits: no route is asked for.
#[test]
fn with_no_reroute_a_leaf_only_waits_for_the_hub() {
    let (mut leaf, mut ctx, _, _) = start_with("n1", &["--no-reroute"]);
    broadcast(&mut leaf, &mut ctx, 7);
    for _ in 0..100 {
        tick_after(&mut leaf, &mut ctx, 50);
    }
    assert!(sent(&mut ctx).iter().all(|(dest, _)| dest == "n0"));
    assert_eq!(leaf.route.upstream(), &Upstream::Hub);
}

/// The deliberately broken variant: a value lost once is lost for good,
/// which is what the set-full checker must catch (maelstrom.md §3.3).
#[test]
fn with_no_retransmit_a_lost_value_is_never_sent_again() {
    let (mut leaf, mut ctx, _, logs) = start_with("n1", &["--no-retransmit", "--no-reroute"]);
    assert_eq!(logs.len(), 1, "the node says it is broken: {logs:?}");
    broadcast(&mut leaf, &mut ctx, 7);
    assert_eq!(gossip_sent(&mut ctx), [("n0".to_string(), vec![7])]); // lost
    for _ in 0..100 {
        tick_after(&mut leaf, &mut ctx, 50);
    }
    assert_eq!(gossip_sent(&mut ctx), [], "7 is never resent");
}
