use super::*;

/// A peer that acks within a second before it is measured, and within 100 ms
/// to 5 s after.
const BOUNDS: TimeoutBounds = TimeoutBounds {
    initial: Duration::from_millis(1000),
    min: Duration::from_millis(100),
    max: Duration::from_secs(5),
};

/// Batches of 100 ms, acks within 500 ms.
const PACE: Pace = Pace {
    batch: Duration::from_millis(100),
    ack_delay: Duration::from_millis(500),
    timeout: BOUNDS,
};

/// At once.
const FORCE: Pace = Pace {
    batch: Duration::ZERO,
    ..PACE
};

fn at(ms: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(ms)
}

fn ack(seq: u64) -> Gossip {
    Gossip {
        seq: 0,
        values: vec![],
        ack: seq,
        hops: None,
        relay: false,
    }
}

fn gossip(outgoing: Option<Outgoing>) -> Gossip {
    match outgoing {
        Some(Outgoing::Gossip(gossip)) => gossip,
        other => panic!("expected a gossip, got {other:?}"),
    }
}

#[test]
fn new_values_wait_for_the_batch_window_then_go_out_together() {
    let mut link = Link::new(true);
    link.push(1);
    let first = gossip(link.poll(at(0), PACE));
    assert_eq!(first.values, [1], "nothing sent yet: send at once");
    link.push(2);
    link.push(3);
    assert_eq!(link.poll(at(50), PACE), None, "inside the batch window");
    assert!(link.poll(at(50), FORCE).is_some(), "unless forced");
    link.push(4);
    let third = gossip(link.poll(at(150), PACE));
    assert_eq!(third.values, [1, 2, 3, 4], "unacked values ride along");
    assert_eq!(third.seq, first.seq + 2);
}

#[test]
fn an_ack_removes_exactly_what_the_acked_message_carried() {
    let mut link = Link::new(true);
    link.push(1);
    let first = link.probe(at(0));
    link.push(2);
    assert!(
        link.receive(&ack(first.seq), at(10), BOUNDS),
        "a first ack proves the round trip"
    );
    assert_eq!(
        link.pending_values().collect::<Vec<_>>(),
        [2],
        "value 2 was not in message 1"
    );
    assert!(
        !link.receive(&ack(first.seq), at(11), BOUNDS),
        "the same ack again proves nothing new"
    );
    let second = gossip(link.poll(at(200), PACE));
    assert_eq!(second.values, [2]);
    link.receive(&ack(second.seq), at(300), BOUNDS);
    assert_eq!(link.pending_values().count(), 0);
    assert_eq!(
        link.poll(at(9_000), PACE),
        None,
        "nothing pending, nothing owed: silence"
    );
}

/// The timeout comes from measured round trips ([`crate::rtt`]): once an ack
/// is later than the link's usual round trips allow, the peer counts as
/// unresponsive, and the values are resent at the probe pace.
#[test]
fn lost_messages_make_the_peer_unresponsive_after_the_measured_timeout() {
    let mut link = Link::new(true);
    for round in 0..20 {
        link.push(round);
        let sent = gossip(link.poll(at(round * 1000), PACE));
        link.receive(&ack(sent.seq), at(round * 1000 + 200), BOUNDS);
    }
    let timeout = link.timeout(BOUNDS);
    assert!(timeout < Duration::from_millis(300), "{timeout:?}");
    link.push(7);
    link.poll(at(30_000), PACE)
        .expect("sent, and lost in a partition");
    assert!(!link.is_unresponsive(at(30_000) + (timeout - Duration::from_millis(1)), BOUNDS));
    assert!(link.is_unresponsive(at(30_000) + timeout, BOUNDS));
    let resend_at = at(30_000) + PROBE_INTERVAL;
    let just_before = at(30_000) + (PROBE_INTERVAL - Duration::from_millis(1));
    assert_eq!(link.poll(just_before, PACE), None);
    let again = gossip(link.poll(resend_at, PACE));
    assert_eq!(again.values, [7]);
}

/// A peer that stops answering is given one message per [`PROBE_INTERVAL`],
/// new values included, until it is heard from again.
#[test]
fn an_unresponsive_peer_gets_one_message_per_probe_interval() {
    let mut link = Link::new(true);
    link.push(1);
    link.poll(at(0), PACE).expect("the first send");
    assert!(!link.is_unresponsive(at(999), BOUNDS));
    assert!(
        link.is_unresponsive(at(1000), BOUNDS),
        "the initial timeout has passed"
    );
    let probe_ms = PROBE_INTERVAL.as_millis() as u64;
    let mut sent_at = Vec::new();
    for ms in (1000..4 * probe_ms + 1).step_by(50) {
        link.push(ms);
        if link.poll(at(ms), PACE).is_some() {
            sent_at.push(ms);
        }
    }
    let expected: Vec<u64> = (1..=4).map(|n| n * probe_ms).collect();
    assert_eq!(sent_at, expected);
    // The peer answers: the link is back to its usual pace at once.
    let last = link.probe(at(4 * probe_ms + 10));
    assert!(link.receive(&ack(last.seq), at(4 * probe_ms + 100), BOUNDS));
    assert!(!link.is_unresponsive(at(4 * probe_ms + 100), BOUNDS));
    link.push(99);
    assert!(link.poll(at(4 * probe_ms + 200), PACE).is_some());
}

/// The bound: a peer that never acknowledges anything, while 5,000 values
/// come in, never gets a message larger than [`GOSSIP_BYTES_MAX`], and once
/// the queue overflows the link asks for a digest instead of growing.
#[test]
fn a_peer_that_never_acks_costs_bounded_bytes_per_message() {
    let mut link = Link::new(true);
    let mut largest = 0;
    let mut syncs = 0;
    for value in 0..5_000u64 {
        // The widest values there are, so that the byte bound is tested at its worst.
        link.push(u64::MAX - value);
        let now = at(value * 10);
        match link.poll(now, PACE) {
            Some(Outgoing::Gossip(gossip)) => {
                assert!(gossip.values.len() <= GOSSIP_VALUES_MAX);
                let bytes = serde_json::to_string(&gossip)
                    .expect("gossip serializes")
                    .len();
                largest = largest.max(bytes);
            }
            Some(Outgoing::Sync { .. }) => syncs += 1,
            None => {}
        }
    }
    assert!(
        largest <= GOSSIP_BYTES_MAX,
        "{largest} > {GOSSIP_BYTES_MAX}"
    );
    assert!(
        largest > GOSSIP_BYTES_MAX / 2,
        "the queue did fill up: {largest}"
    );
    assert_eq!(link.pending_values().count(), 0, "the queue was given up");
    assert!(
        (1..=60).contains(&syncs),
        "one sync per probe interval: {syncs}"
    );
}

/// Catching up after an overflow goes a queue-full at a time, each after the
/// previous one is acknowledged; each round asks for the peer's digest from
/// the point the last one settled, until a digest reaches everything.
#[test]
fn a_link_behind_catches_up_a_queue_full_at_a_time() {
    let mut link = Link::new(true);
    for value in 0..=GOSSIP_VALUES_MAX as u64 {
        link.push(value);
    }
    assert_eq!(link.poll(at(0), PACE), Some(Outgoing::Sync { after: None }));
    assert!(link.awaits_ack());
    let missing: Vec<u64> = (0..GOSSIP_VALUES_MAX as u64).collect();
    link.catch_up(&missing, None, Reach::Partial);
    link.push(10_000); // behind still: a digest will find it
    let batch = gossip(link.poll(at(100), PACE));
    assert_eq!(batch.values, missing);
    assert_eq!(
        link.poll(at(150), PACE),
        None,
        "no new sync before this batch is acked"
    );
    link.receive(&ack(batch.seq), at(200), BOUNDS);
    let next = link.poll(at(200), PACE);
    assert_eq!(
        next,
        Some(Outgoing::Sync { after: None }),
        "a queue-full settled nothing"
    );
    // This digest stopped at 5,000 (too many holes): settled up to there.
    link.catch_up(&[1_024], None, Reach::Upto(5_000));
    let batch = gossip(link.poll(at(300), PACE));
    link.receive(&ack(batch.seq), at(400), BOUNDS);
    assert_eq!(
        link.poll(at(400), PACE),
        Some(Outgoing::Sync { after: Some(5_000) }),
        "the next digest starts where this one stopped"
    );
    link.catch_up(&[10_000], Some(5_000), Reach::Everything);
    assert_eq!(gossip(link.poll(at(500), PACE)).values, [10_000]);
    link.push(10_001);
    assert_eq!(
        gossip(link.poll(at(700), PACE)).values,
        [10_000, 10_001],
        "caught up: back to queueing"
    );
}

/// A value below the settled point, pushed while the link is behind (one from
/// a far side of a partition), moves the point back, and a digest of a later
/// window no longer settles anything: the value can't slip through.
#[test]
fn a_late_value_below_the_settled_point_is_not_skipped() {
    let mut link = Link::new(true);
    for value in 0..=GOSSIP_VALUES_MAX as u64 {
        link.push(value);
    }
    link.poll(at(0), PACE);
    link.catch_up(&[], None, Reach::Upto(5_000));
    link.push(3);
    assert_eq!(
        link.poll(at(100), PACE),
        Some(Outgoing::Sync { after: Some(2) })
    );
    // The answer to an older request, for the window above 5,000, arrives late.
    link.catch_up(&[], Some(5_000), Reach::Everything);
    assert_eq!(
        link.poll(at(200), PACE),
        Some(Outgoing::Sync { after: Some(2) }),
        "still behind: 3 was never checked"
    );
    link.catch_up(&[3], Some(2), Reach::Everything);
    assert_eq!(gossip(link.poll(at(300), PACE)).values, [3]);
}

#[test]
fn without_reliability_a_value_rides_on_one_message_only() {
    let mut link = Link::new(false);
    link.push(7);
    assert_eq!(gossip(link.poll(at(0), PACE)).values, [7]); // lost in a partition
    assert_eq!(link.poll(at(60_000), PACE), None, "never sent again");
    link.push(8);
    assert_eq!(
        gossip(link.poll(at(60_001), PACE)).values,
        [8],
        "7 is gone for good"
    );
    for value in 0..=GOSSIP_VALUES_MAX as u64 {
        link.push(value);
    }
    assert!(
        !matches!(link.poll(at(70_000), PACE), Some(Outgoing::Sync { .. })),
        "and nothing is caught up"
    );
}

#[test]
fn values_received_are_acked_alone_only_after_the_ack_delay() {
    let mut link = Link::new(true);
    let values = Gossip {
        seq: 4,
        values: vec![9],
        ..ack(0)
    };
    link.receive(&values, at(0), BOUNDS);
    assert_eq!(link.heard_at(), Some(at(0)));
    assert_eq!(link.poll(at(499), PACE), None);
    assert_eq!(gossip(link.poll(at(500), PACE)), ack(4));
    // A pure ack is not acked back.
    let mut peer = Link::new(true);
    peer.receive(&ack(4), at(0), BOUNDS);
    assert_eq!(peer.poll(at(10_000), PACE), None);
}

#[test]
fn an_ack_rides_along_with_values_for_free() {
    let mut link = Link::new(true);
    link.receive(
        &Gossip {
            seq: 2,
            values: vec![5],
            ..ack(0)
        },
        at(0),
        BOUNDS,
    );
    link.push(6);
    assert_eq!(gossip(link.poll(at(1), PACE)).ack, 2);
    assert_eq!(
        link.poll(at(600), PACE),
        None,
        "the ack was already delivered"
    );
}

#[test]
fn forgetting_a_link_drops_its_values_and_its_doubts() {
    let mut link = Link::new(true);
    link.push(1);
    link.poll(at(0), PACE);
    link.forget();
    assert!(!link.is_unresponsive(at(60_000), BOUNDS));
    assert_eq!(link.poll(at(60_000), PACE), None);
}

#[test]
fn gossip_reads_and_writes_its_wire_form() {
    let wire = r#"{"seq":3,"values":[1,2],"ack":7,"hops":1,"relay":true}"#;
    let gossip: Gossip = serde_json::from_str(wire).expect("parses");
    assert_eq!(gossip.hops, Some(1));
    assert!(gossip.relay);
    assert_eq!(serde_json::to_string(&gossip).expect("serializes"), wire);
    let bare: Gossip = serde_json::from_str(r#"{"seq":0,"values":[],"ack":0}"#).expect("parses");
    assert_eq!(bare, ack(0));
    assert_eq!(
        serde_json::to_string(&bare).expect("serializes"),
        r#"{"seq":0,"values":[],"ack":0}"#
    );
}
