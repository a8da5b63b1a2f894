use super::*;

fn ms(millis: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(millis)
}

const WAIT: Duration = Duration::from_millis(400);

fn route(me: &str) -> Route {
    let peers = (0..6)
        .map(|n| format!("n{n}"))
        .filter(|node| node != me)
        .collect();
    Route::new(me, "n0", peers)
}

fn relay(peer: &str, hops: Option<u8>) -> Upstream {
    Upstream::Relay {
        peer: peer.to_string(),
        hops,
    }
}

#[test]
fn a_leaf_starts_on_the_hub_and_the_hub_on_nothing() {
    let leaf = route("n3");
    assert_eq!(leaf.upstream(), &Upstream::Hub);
    assert_eq!(leaf.upstream_peer(), Some("n0"));
    assert_eq!(leaf.hops(), Some(1));
    assert_eq!(leaf.downstream(), Vec::<&str>::new());
    let mut hub = route("n0");
    assert_eq!(hub.upstream(), &Upstream::Root);
    assert_eq!(hub.hops(), Some(0));
    assert_eq!(hub.downstream(), ["n1", "n2", "n3", "n4", "n5"]);
    assert!(
        !hub.start_election(ms(0), WAIT),
        "the hub never looks for a route"
    );
    assert!(
        !hub.subscribe("n3", ms(0)),
        "every leaf is downstream of the hub already"
    );
}

/// The first answer from a node that reaches the hub settles the election.
#[test]
fn a_leaf_that_lost_the_hub_relays_through_the_first_node_that_reaches_it() {
    let mut leaf = route("n3");
    assert!(leaf.start_election(ms(0), WAIT));
    assert!(!leaf.start_election(ms(1), WAIT), "one at a time");
    assert_eq!(leaf.hops(), None, "no route while electing");
    assert_eq!(leaf.answer("n4", None), None);
    assert_eq!(
        leaf.answer("n5", Some(2)),
        None,
        "two hops: maybe something closer answers"
    );
    let chosen = leaf
        .answer("n2", Some(1))
        .expect("one hop from the hub: take it");
    assert_eq!(chosen, relay("n2", Some(1)));
    assert_eq!(leaf.follow(chosen), Upstream::Hub);
    assert_eq!(leaf.hops(), Some(2));
    assert!(leaf.is_relay("n2"));
    assert!(!leaf.is_electing());
    assert_eq!(
        leaf.answer("n1", Some(1)),
        None,
        "answers after the election change nothing"
    );
}

#[test]
fn the_hub_answering_ends_the_election_on_the_hub() {
    let mut leaf = route("n3");
    leaf.start_election(ms(0), WAIT);
    assert_eq!(leaf.answer("n0", Some(0)), Some(Upstream::Hub));
}

/// At the deadline, the fewest hops win, and among equals the lowest node number.
#[test]
fn at_the_deadline_the_shortest_route_wins() {
    let mut leaf = route("n3");
    leaf.start_election(ms(0), WAIT);
    leaf.answer("n5", Some(2));
    leaf.answer("n4", Some(2));
    leaf.answer("n1", None);
    assert_eq!(leaf.decide_if_due(ms(399)), None);
    assert_eq!(leaf.decide_if_due(ms(400)), Some(relay("n4", Some(2))));
}

/// A side without the hub: nobody has a route, so everyone takes the lowest
/// id among those it heard (itself included) as the stand-in root.
#[test]
fn a_side_without_the_hub_agrees_on_its_lowest_node_as_stand_in_root() {
    let side = ["n2", "n4", "n5"];
    for me in side {
        let mut node = route(me);
        node.start_election(ms(0), WAIT);
        for other in side.iter().filter(|other| **other != me) {
            node.answer(other, None);
        }
        let decided = node.decide_if_due(ms(400)).expect("due");
        let expected = if me == "n2" {
            Upstream::Root
        } else {
            relay("n2", None)
        };
        assert_eq!(decided, expected, "{me}");
        node.follow(decided);
        assert_eq!(node.hops(), None);
    }
    let mut alone = route("n4");
    alone.start_election(ms(0), WAIT);
    assert_eq!(
        alone.decide_if_due(ms(400)),
        Some(Upstream::Root),
        "nobody answered"
    );
}

#[test]
fn node_ids_are_ordered_by_number() {
    let mut leaf = route("n12");
    leaf.start_election(ms(0), WAIT);
    leaf.answer("n10", None);
    leaf.answer("n9", None);
    assert_eq!(leaf.decide_if_due(ms(400)), Some(relay("n9", None)));
}

/// A subscriber is never chosen as a relay (that would be a loop of two), and
/// our relay can't subscribe to us.
#[test]
fn subscribers_and_relays_never_swap_places() {
    let mut node = route("n2");
    assert!(node.subscribe("n4", ms(0)));
    assert!(
        !node.subscribe("n4", ms(100)),
        "a renewal, not a new subscriber"
    );
    node.start_election(ms(0), WAIT);
    assert_eq!(node.answer("n4", Some(1)), None, "n4 relays through us");
    node.answer("n5", Some(2));
    assert_eq!(node.decide_if_due(ms(400)), Some(relay("n5", Some(2))));
    node.follow(relay("n5", Some(2)));
    assert!(!node.subscribe("n5", ms(500)));
    assert_eq!(node.downstream(), ["n4"]);
}

/// maelstrom.md §5.2: partitions heal, and a relayed node that stops asking
/// stops being relayed, one lease later.
#[test]
fn a_subscription_lapses_one_lease_after_its_last_renewal() {
    let mut node = route("n2");
    node.subscribe("n4", ms(0));
    node.subscribe("n5", ms(0));
    node.subscribe("n4", ms(2000));
    assert_eq!(node.expire_subscriptions(ms(4999)), Vec::<String>::new());
    assert_eq!(node.expire_subscriptions(ms(5000)), ["n5"]);
    assert_eq!(node.expire_subscriptions(ms(7000)), ["n4"]);
    assert!(node.subscribe("n4", ms(8000)));
    assert!(node.unsubscribe("n4"));
    assert!(!node.unsubscribe("n4"));
}

/// The relay's reports reach us on its messages: losing its route means a new
/// election for us, and a stand-in that finds one passes it on.
#[test]
fn a_relay_that_loses_its_route_is_left_and_one_that_finds_one_is_kept() {
    let mut node = route("n3");
    node.follow(relay("n2", Some(1)));
    assert_eq!(
        node.relay_reports("n4", None),
        RelayNews::Same,
        "not our relay"
    );
    assert_eq!(
        node.relay_reports("n2", Some(2)),
        RelayNews::Same,
        "a longer route is still a route"
    );
    assert_eq!(node.hops(), Some(3));
    assert_eq!(node.relay_reports("n2", None), RelayNews::Lost);
    let mut joined = route("n4");
    joined.follow(relay("n2", None));
    assert_eq!(
        joined.relay_reports("n2", None),
        RelayNews::Same,
        "it never had a route"
    );
    assert_eq!(joined.relay_reports("n2", Some(1)), RelayNews::Found);
    assert_eq!(joined.hops(), Some(2));
}

/// A cycle of relays counts up its hops until the route is none.
#[test]
fn a_route_longer_than_hops_max_is_none() {
    let mut node = route("n3");
    node.follow(relay("n2", Some(HOPS_MAX - 2)));
    assert_eq!(node.hops(), Some(HOPS_MAX - 1));
    assert_eq!(
        node.relay_reports("n2", Some(HOPS_MAX - 1)),
        RelayNews::Lost
    );
    assert_eq!(node.hops(), None);
}
