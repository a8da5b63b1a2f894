//! The broadcast node: a star around a hub, one reliable [`Link`] per peer,
//! and a [`Route`] that finds another way when the hub can't be reached.
//!
//! Every node keeps the set of values it has seen. Where a value goes next is
//! the route's business (`BroadcastNode::spread`):
//! - to this node's *upstream*: the hub, or the relay it goes through while the
//!   hub is cut off. A leaf sends to it at once: a value's first hop should
//!   not wait;
//! - to its *downstream*: every leaf for the hub, its subscribers for a relay.
//!   The hub sends to them every [`FLUSH_INTERVAL`], one message each with
//!   everything new. A relay passes on what its upstream sends the moment it
//!   arrives, with whatever else it learnt riding along;
//! - and a value a client gave this node always goes to the hub too, relayed
//!   or not: the *backbone*. The hub's link to every leaf and every leaf's
//!   link to the hub never give up (they resend, or catch up by digest, until
//!   acknowledged), so every value reaches the hub and then every node once
//!   the network heals, whatever the relays did meanwhile. Relays only make
//!   values arrive sooner; correctness does not depend on them.
//!
//! Noticing that the hub is gone: a leaf's first message to the hub is
//! answered at once (a handshake), and every later one within a flush; when an
//! upstream lets a message wait longer than its link's measured timeout
//! ([`crate::rtt`]), the leaf asks every node for a route ([`crate::route`])
//! and follows the answer. A `route` from another node is also a hint that a
//! partition may have cut this leaf off too (`BroadcastNode::take_the_hint`),
//! so that a whole side of a partition notices within a round trip or two of
//! its first node. Coming back: a node away from the hub probes it (every two
//! seconds; a stand-in for the hub four times a second, since it speaks for a
//! side that has no other way across), and the first probe the hub
//! acknowledges brings it back; a stand-in then swaps digests with the hub, so
//! its whole side's values cross at once.
//!
//! All sending happens in `BroadcastNode::poll_links`, which asks each link
//! what is due at the pace of the part its peer plays; handlers only change
//! state, then poll. The hub polls only on its flush timer.
//!
//! Only the nodes Maelstrom named in `init` are peers. Messages from any other
//! sender (a client, a service, a typo) are logged and ignored: giving it a
//! link would make this node send to an address nobody reads, forever.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use protocol::{Context, Init, Instant, Message, Node};

use crate::digest::Digest;
use crate::link::{Gossip, Link, Outgoing, Pace, Reach, GOSSIP_VALUES_MAX};
use crate::options::Options;
pub use crate::payload::Payload;
use crate::route::{RelayNews, Route, Upstream};
use crate::rtt::TimeoutBounds;

/// How often the hub sends what it has collected. The trade-off: a value waits
/// half of this at the hub on average, and every flush costs one message per
/// leaf. At 150 ms, 24 leaves cost 160 messages a second whatever the rate,
/// 1.6 per operation at Maelstrom's rate of 100 (`docs/03-broadcast.md` has
/// the measured curve). `--flush-ms N` overrides it ([`crate::options`]).
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(150);

/// How often a node other than the hub looks at its links and its route.
/// Leaves send new values at once, so this only paces repairs, acks and
/// relayed values, and sets how late a timeout may be noticed. Polls cost no
/// messages, only a look at each link.
const POLL_INTERVAL: Duration = Duration::from_millis(25);

/// How long a node waits before acknowledging its upstream by itself: two
/// seconds, because the acks almost always ride on a value it sends meanwhile
/// (a leaf gets a broadcast every half second on the 3d command, so it sends
/// none for two seconds one time in fifty), and a pure ack from every leaf
/// would cost more than the values. Downstream peers are acknowledged within a
/// flush instead: they time their upstream by it.
pub const LAZY_ACK_DELAY: Duration = Duration::from_secs(2);

/// A leaf that hears nothing from the hub for two of its flush intervals
/// (300 ms at the default), and then gets a `route` from another node, probes
/// the hub: a healthy leaf under load hears from the hub every interval.
fn upstream_silence_max(flush_interval: Duration) -> Duration {
    flush_interval * 2
}

/// What a link needs besides the hub's flush to bring back an ack: two link
/// latencies on the 3d command, and some for the jitter of real processes
/// sharing a few cores.
const ROUND_TRIP_ALLOWANCE: Duration = Duration::from_millis(300);

/// The shortest timeout for a prompt peer, whatever the flush: 450 ms, a round
/// trip and the default flush.
const PROMPT_PEER_MIN: Duration = Duration::from_millis(450);

/// Acks from a peer that answers at its next poll (the hub, a relay): a round
/// trip and a flush interval, never less than [`PROMPT_PEER_MIN`], and more as
/// the flush grows (`--flush-ms`), since the hub answers only when it flushes.
/// Before anything is measured, less: the first message is answered at once
/// (see [`BroadcastNode::on_gossip`]), so two link latencies and a quarter
/// again.
fn prompt_peer(flush_interval: Duration) -> TimeoutBounds {
    let min = PROMPT_PEER_MIN.max(ROUND_TRIP_ALLOWANCE + flush_interval);
    TimeoutBounds {
        initial: Duration::from_millis(250),
        min,
        max: Duration::from_secs(3).max(min * 2),
    }
}

/// Acks from a peer that acknowledges lazily (a leaf, [`LAZY_ACK_DELAY`]): never
/// less than that delay and a round trip, however quick its acks often are
/// when they ride on its own values.
const LAZY_PEER: TimeoutBounds = TimeoutBounds {
    initial: Duration::from_secs(3),
    min: Duration::from_millis(2500),
    max: Duration::from_secs(6),
};

/// How often a stand-in root probes the hub. It speaks for its whole side of a
/// partition: when it finds the hub again it hands over the side's values in
/// one digest exchange, so the sooner it notices the heal, the sooner every
/// value crosses.
const HUB_PROBE_STAND_IN: Duration = Duration::from_millis(250);

/// How often any other node away from the hub probes it: its values reach the
/// hub through a relay or a stand-in meanwhile, so only the cost of the detour
/// is at stake, and that can wait.
const HUB_PROBE_AWAY: Duration = Duration::from_secs(2);

/// How long an election waits for answers before taking the best it has: a
/// round trip on the 3d command's 100 ms links, and some. An answer from a
/// node one hop from the hub ends it sooner.
const ELECTION_WAIT: Duration = Duration::from_millis(400);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Look at every link and at the route, and send what is due.
    Poll,
}

#[derive(Debug)]
pub struct BroadcastNode {
    /// Every value this node has seen. Reads return them all, so this grows
    /// with the run by nature; everything else a node keeps is bounded.
    values: BTreeSet<u64>,
    /// One link per peer this node has talked to: at most one per node named
    /// in `init`, since nobody else gets one.
    links: BTreeMap<String, Link>,
    route: Route,
    options: Options,
}

impl BroadcastNode {
    fn is_hub(&self) -> bool {
        self.route.is_hub()
    }

    /// The link to `peer`, made on first use.
    fn link(&mut self, peer: &str) -> &mut Link {
        let reliable = self.options.retransmit;
        self.links
            .entry(peer.to_string())
            .or_insert_with(|| Link::new(reliable))
    }

    /// Records a value; if it is new, queues it for wherever the route says
    /// (see the module doc). `from` is the peer it came from, `None` for a client.
    fn spread(&mut self, value: u64, from: Option<&str>, ctx: &mut Context<Tick>) -> bool {
        if !self.values.insert(value) {
            return false;
        }
        let mut targets: Vec<String> = self
            .route
            .downstream()
            .into_iter()
            .chain(self.route.upstream_peer())
            .filter(|peer| Some(*peer) != from)
            .map(str::to_string)
            .collect();
        let backbone = from.is_none() && !self.is_hub();
        if backbone && !targets.iter().any(|peer| peer == self.route.hub()) {
            targets.push(self.route.hub().to_string());
        }
        for peer in targets {
            if self.link(&peer).push(value) {
                let behind =
                    format!("{peer} is {GOSSIP_VALUES_MAX} values behind: it catches up by digest");
                log(ctx, behind);
            }
        }
        true
    }

    /// How the link to `peer` speaks, by the part `peer` plays now.
    fn pace(&self, peer: &str, forward_now: bool) -> Pace {
        let downstream = self.route.is_downstream(peer);
        let batch = if self.is_hub() || !downstream || forward_now {
            // The hub batches by polling only on its flush timer; anything
            // else that is not relayed goes at once.
            Duration::ZERO
        } else {
            // A relay passes on what its upstream sends as it arrives (about
            // once a flush interval, `forward_now`), and what else it learns
            // rides along; only if the upstream is quiet does it go by itself,
            // every two flush intervals. A stand-in root, with no upstream,
            // serves a side cut off from everyone else at that pace too: half
            // the hub's, for half the cost, and nobody outside waits for it.
            self.options.flush_interval * 2
        };
        let ack_delay = if self.is_hub() {
            Duration::ZERO
        } else if downstream {
            // A relay's acks ride on what it passes on, at most a flush later.
            self.options.flush_interval
        } else {
            LAZY_ACK_DELAY
        };
        // The hub and our relay see us downstream, so they ack promptly.
        let prompt = peer == self.route.hub() || self.route.is_relay(peer);
        Pace {
            batch,
            ack_delay,
            timeout: if prompt {
                prompt_peer(self.options.flush_interval)
            } else {
                LAZY_PEER
            },
        }
    }

    /// Sends what every link has due. `forward_now`: downstream links send
    /// what they have at once (what the upstream just sent is passed on).
    fn poll_links(&mut self, ctx: &mut Context<Tick>, forward_now: bool) {
        let now = ctx.now();
        let hops = self.route.hops();
        let paces: Vec<(String, Pace)> = self
            .links
            .keys()
            .map(|peer| (peer.clone(), self.pace(peer, forward_now)))
            .collect();
        for (peer, pace) in paces {
            let outgoing = self.link(&peer).poll(now, pace);
            match outgoing {
                Some(Outgoing::Gossip(gossip)) => self.send_gossip(&peer, gossip, hops, ctx),
                Some(Outgoing::Sync { after }) => {
                    let have = Digest::of(&self.values);
                    ctx.send(&peer, Payload::Sync { have, after });
                }
                None => {}
            }
        }
    }

    fn send_gossip(
        &self,
        peer: &str,
        mut gossip: Gossip,
        hops: Option<u8>,
        ctx: &mut Context<Tick>,
    ) {
        gossip.hops = hops;
        gossip.relay = self.route.is_relay(peer);
        ctx.send(peer, Payload::Gossip(gossip));
    }

    fn is_node(&self, sender: &str, ctx: &mut Context<Tick>) -> bool {
        let is_peer = sender != ctx.node_id() && ctx.node_ids().iter().any(|id| id == sender);
        if !is_peer {
            ctx.log(format!(
                "ignoring a message from {sender}, which is not a node"
            ));
        }
        is_peer
    }

    fn on_gossip(&mut self, from: &str, gossip: &Gossip, ctx: &mut Context<Tick>) {
        let now = ctx.now();
        let first_from_leaf = self.is_hub() && gossip.seq > 0 && self.link(from).is_new();
        let timeout = self.pace(from, false).timeout;
        let acked = self.link(from).receive(gossip, now, timeout);
        let new_subscriber = gossip.relay && self.route.subscribe(from, now);
        if first_from_leaf || new_subscriber {
            // A handshake: the first message from a node downstream is answered
            // at once, not at the next flush, so that it learns within one
            // round trip whether it can reach us at all. That is how a leaf cut
            // off from the start of a run finds out in time to matter, and how
            // a relayed leaf knows its relay took it on.
            let ack = self.link(from).ack_now(now);
            self.send_gossip(from, ack, self.route.hops(), ctx);
        }
        if from == self.route.hub() && !self.is_hub() && self.route.upstream() != &Upstream::Hub {
            if acked {
                self.follow(Upstream::Hub, ctx);
            } else {
                // The hub speaks again: ask it to answer, to come back sooner.
                self.probe_hub_unless_sent_within(self.upstream_silence_max(), ctx);
            }
        }
        match self.route.relay_reports(from, gossip.hops) {
            RelayNews::Lost => self.look_for_route(ctx, "the relay lost its route"),
            // Our side's stand-in found the hub: maybe we can reach it too.
            RelayNews::Found => self.probe_hub_unless_sent_within(self.upstream_silence_max(), ctx),
            RelayNews::Same => {}
        }
        if !gossip.relay && self.route.unsubscribe(from) {
            self.link(from).forget();
        }
        for &value in &gossip.values {
            self.spread(value, Some(from), ctx);
        }
        if !self.is_hub() {
            let from_upstream = self.route.upstream_peer() == Some(from);
            self.poll_links(ctx, from_upstream);
        }
    }

    /// A `sync`: answer with our digest of the values above `after`, and send
    /// what the sender's digest lacks.
    fn on_sync(&mut self, from: &str, have: &Digest, after: Option<u64>, ctx: &mut Context<Tick>) {
        if self.catch_up(from, have, ctx) {
            let have = Digest::above(&self.values, after);
            ctx.send(from, Payload::SyncOk { have });
        }
    }

    /// A `sync_ok`, the answer to ours: send what the sender's digest lacks.
    fn on_sync_ok(&mut self, from: &str, have: &Digest, ctx: &mut Context<Tick>) {
        if self.catch_up(from, have, ctx) && !self.is_hub() {
            self.poll_links(ctx, false);
        }
    }

    /// Queues what the sender's digest lacks on our link to it, a queue-full
    /// at most (the link asks again for the rest). False if the digest is
    /// malformed, and so ignored.
    fn catch_up(&mut self, from: &str, have: &Digest, ctx: &mut Context<Tick>) -> bool {
        self.link(from).heard(ctx.now());
        if !have.is_well_formed() {
            ctx.log(format!("ignoring a malformed digest from {from}"));
            return false;
        }
        let mut missing = have.missing_from(&self.values, GOSSIP_VALUES_MAX + 1);
        let reach = match have.through {
            _ if missing.len() > GOSSIP_VALUES_MAX => Reach::Partial,
            // A digest cut short says nothing about our values above its end:
            // the next round asks from there.
            Some(through) => Reach::Upto(through),
            None => Reach::Everything,
        };
        missing.truncate(GOSSIP_VALUES_MAX);
        self.link(from).catch_up(&missing, have.after, reach);
        true
    }

    /// Someone asks us for a route: answer with ours and what it lacks; and if
    /// our own upstream has gone quiet, we are probably cut off the same way.
    fn on_route(&mut self, from: &str, have: &Digest, values: &[u64], ctx: &mut Context<Tick>) {
        let now = ctx.now();
        self.link(from).heard(now);
        let missing = if have.is_well_formed() && self.options.retransmit {
            have.missing_from(&self.values, GOSSIP_VALUES_MAX)
        } else {
            Vec::new()
        };
        for &value in values {
            self.spread(value, Some(from), ctx);
        }
        self.take_the_hint(ctx);
        // A leaf that has not heard the hub lately is no relay to recommend,
        // whatever its route says: it may be cut off the same way, and not
        // know it yet.
        let hops = if self.hub_is_silent(now) {
            None
        } else {
            self.route.hops()
        };
        ctx.send(
            from,
            Payload::RouteOk {
                hops,
                values: missing,
            },
        );
        if !self.is_hub() {
            self.poll_links(ctx, false);
        }
    }

    /// Another node asks for a route: it can't reach its upstream, and we may
    /// be cut off the same way. A leaf that has never heard from the hub looks
    /// for a route at once (a partition from the start of the run); one that
    /// has, but not for two flush intervals ([`upstream_silence_max`]), probes the hub, and its
    /// timeout decides. (The hub's flushes pause whenever no value is new, so
    /// silence alone is no proof, and an election costs a message per node.)
    /// A relayed node ignores the hint: it watches its relay by its acks.
    fn take_the_hint(&mut self, ctx: &mut Context<Tick>) {
        if self.route.upstream() != &Upstream::Hub || self.route.is_electing() {
            return;
        }
        let hub_link = self.links.get(self.route.hub());
        if hub_link.and_then(Link::heard_at).is_none() {
            self.look_for_route(ctx, "another node asks, and the hub never spoke");
        } else if self.hub_is_silent(ctx.now()) && !hub_link.is_some_and(Link::awaits_ack) {
            self.probe_hub_unless_sent_within(Duration::ZERO, ctx);
        }
    }

    /// Whether a leaf on the hub has heard nothing from it for two flush
    /// intervals (or ever).
    fn hub_is_silent(&self, now: Instant) -> bool {
        let heard_at = self.links.get(self.route.hub()).and_then(Link::heard_at);
        self.route.upstream() == &Upstream::Hub
            && heard_at.is_none_or(|at| now - at >= self.upstream_silence_max())
    }

    /// Two flush intervals (`upstream_silence_max`) for this node's flush interval.
    pub fn upstream_silence_max(&self) -> Duration {
        upstream_silence_max(self.options.flush_interval)
    }

    fn on_route_ok(
        &mut self,
        from: &str,
        hops: Option<u8>,
        values: &[u64],
        ctx: &mut Context<Tick>,
    ) {
        self.link(from).heard(ctx.now());
        for &value in values {
            self.spread(value, Some(from), ctx);
        }
        if let Some(upstream) = self.route.answer(from, hops) {
            self.follow(upstream, ctx);
        }
        if !self.is_hub() {
            self.poll_links(ctx, false);
        }
    }

    /// Asks every other node for a route, unless already asking.
    fn look_for_route(&mut self, ctx: &mut Context<Tick>, why: &str) {
        if !self.options.reroute {
            return;
        }
        if !self.route.is_electing() {
            log(ctx, format!("looking for a route ({why})"));
        }
        if !self.route.start_election(ctx.now(), ELECTION_WAIT) {
            return;
        }
        // Every node that hears the question learns our values still on their
        // way to the hub, and passes them on: they need not wait for a relay.
        let have = Digest::of(&self.values);
        let hub = self.route.hub().to_string();
        let values: Vec<u64> = self.link(&hub).pending_values().collect();
        for peer in ctx.node_ids().to_vec() {
            if peer != ctx.node_id() {
                let (have, values) = (have.clone(), values.clone());
                ctx.send(&peer, Payload::Route { have, values });
            }
        }
    }

    /// Switches upstream: leaves the old relay, if any, and subscribes to the
    /// new one with everything still on its way to the hub and our digest, so
    /// that it sends us what we lack.
    fn follow(&mut self, upstream: Upstream, ctx: &mut Context<Tick>) {
        let now = ctx.now();
        let change = match &upstream {
            Upstream::Hub => "straight to the hub".to_string(),
            Upstream::Relay {
                peer,
                hops: Some(hops),
            } => format!("through {peer}, {} hops from the hub", hops + 1),
            Upstream::Relay { peer, hops: None } => format!("through {peer}, no route to the hub"),
            Upstream::Root => "standing in for the hub".to_string(),
        };
        log(ctx, change);
        let old = self.route.follow(upstream);
        if let Upstream::Relay {
            peer: old_relay, ..
        } = &old
        {
            if self.route.upstream_peer() != Some(old_relay.as_str()) {
                // Say so at once (`relay` is false now) rather than let the lease run out.
                let link = self.link(old_relay);
                link.forget();
                let goodbye = link.ack_now(now);
                self.send_gossip(old_relay, goodbye, self.route.hops(), ctx);
            }
        }
        if self.route.upstream() == &Upstream::Hub {
            // Back on the hub, which just proved it answers: our old probes are
            // no reason to doubt it, and our ack goes at once, so that it stops
            // backing off now rather than at our next lazy ack.
            let hub = self.route.hub().to_string();
            self.link(&hub).revive();
            let ack = self.link(&hub).ack_now(now);
            self.send_gossip(&hub, ack, self.route.hops(), ctx);
            let had_no_route = matches!(old, Upstream::Root | Upstream::Relay { hops: None, .. });
            if had_no_route {
                // We were on a side without the hub, and may hold values of the
                // whole side: exchange digests, so that each sends what the
                // other lacks now, not when every node of the side probes.
                let have = Digest::of(&self.values);
                ctx.send(&hub, Payload::Sync { have, after: None });
            }
        }
        if let Upstream::Relay { peer, .. } = self.route.upstream().clone() {
            let hub = self.route.hub().to_string();
            let on_their_way: Vec<u64> = self.link(&hub).pending_values().collect();
            for value in on_their_way {
                self.link(&peer).push(value);
            }
            let hello = self.link(&peer).probe(now);
            self.send_gossip(&peer, hello, self.route.hops(), ctx);
            let have = Digest::of(&self.values);
            ctx.send(&peer, Payload::Sync { have, after: None });
        }
    }

    /// The route's clock: lapsed subscriptions, elections due, an upstream that
    /// stopped answering, and the backbone's probes to the hub.
    fn tend_route(&mut self, ctx: &mut Context<Tick>) {
        let now = ctx.now();
        for peer in self.route.expire_subscriptions(now) {
            self.link(&peer).forget();
        }
        if self.is_hub() || !self.options.reroute {
            return;
        }
        if let Some(upstream) = self.route.decide_if_due(now) {
            self.follow(upstream, ctx);
        }
        let upstream_lost = self.route.upstream_peer().is_some_and(|peer| {
            let timeout = self.pace(peer, false).timeout;
            let link = self.links.get(peer);
            link.is_some_and(|link| link.is_unresponsive(now, timeout))
        });
        if upstream_lost && !self.route.is_electing() {
            self.look_for_route(ctx, "the upstream does not acknowledge");
        }
        self.probe_hub_if_due(ctx);
    }

    /// A leaf's first client request opens the handshake with the hub, if the
    /// two have not spoken yet: a broadcast does so by itself (its value goes
    /// to the hub at once), a read sends a probe. This is one message per
    /// leaf per run, and it tells a leaf cut off from the start that it is.
    fn greet_hub_once(&mut self, ctx: &mut Context<Tick>) {
        if self.is_hub() || !self.options.reroute {
            return;
        }
        let now = ctx.now();
        let hub = self.route.hub().to_string();
        let hub_link = self.link(&hub);
        if hub_link.heard_at().is_none() && hub_link.last_sent_at().is_none() {
            let probe = hub_link.probe(now);
            self.send_gossip(&hub, probe, self.route.hops(), ctx);
        }
    }

    /// The backbone: a node away from the hub keeps asking it "are you
    /// there?", and the first answer brings it back ([`Self::on_gossip`]).
    fn probe_hub_if_due(&mut self, ctx: &mut Context<Tick>) {
        let every = match self.route.upstream() {
            Upstream::Hub => return,
            Upstream::Root => HUB_PROBE_STAND_IN,
            Upstream::Relay { .. } => HUB_PROBE_AWAY,
        };
        self.probe_hub_unless_sent_within(every, ctx);
    }

    /// Probes the hub, unless something went to it less than `within` ago.
    fn probe_hub_unless_sent_within(&mut self, within: Duration, ctx: &mut Context<Tick>) {
        let now = ctx.now();
        let hub = self.route.hub().to_string();
        let hub_link = self.link(&hub);
        if hub_link.last_sent_at().is_none_or(|at| now - at >= within) {
            let probe = hub_link.probe(now);
            self.send_gossip(&hub, probe, self.route.hops(), ctx);
        }
    }
}

/// A line for the node's log, with the time: what the route does is only
/// understood against the partitions of the run (`timeline.html`).
fn log(ctx: &mut Context<Tick>, text: impl std::fmt::Display) {
    let seconds = ctx.now().as_nanos() as f64 / 1e9;
    ctx.log(format!("at {seconds:.3} s: {text}"));
}

impl Node for BroadcastNode {
    type Payload = Payload;
    type Tick = Tick;

    fn from_init(init: &Init, ctx: &mut Context<Tick>) -> BroadcastNode {
        let (options, warnings) = Options::parse(ctx.args());
        for warning in warnings {
            ctx.log(warning);
        }
        if !options.retransmit {
            ctx.log(
                "--no-retransmit: every value is sent once and may be lost (broken on purpose)",
            );
        }
        let hub = init
            .node_ids
            .first()
            .cloned()
            .unwrap_or_else(|| init.node_id.clone());
        let route = Route::new(&init.node_id, &hub, init.peers().cloned().collect());
        let interval = if route.is_hub() {
            options.flush_interval
        } else {
            POLL_INTERVAL
        };
        ctx.every(interval, Tick::Poll);
        BroadcastNode {
            values: BTreeSet::new(),
            links: BTreeMap::new(),
            route,
            options,
        }
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<Tick>) {
        let from = request.src.as_str();
        match &request.body.payload {
            Payload::Broadcast { message } => {
                ctx.reply(&request, Payload::BroadcastOk);
                if self.spread(*message, None, ctx) && !self.is_hub() {
                    self.poll_links(ctx, false);
                }
            }
            Payload::Read => {
                let messages = self.values.clone();
                ctx.reply(&request, Payload::ReadOk { messages });
                self.greet_hub_once(ctx);
            }
            Payload::Topology { .. } => ctx.reply(&request, Payload::TopologyOk),
            Payload::Gossip(gossip) if self.is_node(from, ctx) => self.on_gossip(from, gossip, ctx),
            Payload::Sync { have, after } if self.is_node(from, ctx) => {
                self.on_sync(from, have, *after, ctx);
            }
            Payload::SyncOk { have } if self.is_node(from, ctx) => self.on_sync_ok(from, have, ctx),
            Payload::Route { have, values } if self.is_node(from, ctx) => {
                self.on_route(from, have, values, ctx);
            }
            Payload::RouteOk { hops, values } if self.is_node(from, ctx) => {
                self.on_route_ok(from, *hops, values, ctx);
            }
            // Peer messages from strangers (already logged), and replies to
            // requests we never send: nothing to do.
            _ => {}
        }
    }

    fn on_tick(&mut self, tick: Tick, ctx: &mut Context<Tick>) {
        match tick {
            Tick::Poll => {
                self.tend_route(ctx);
                self.poll_links(ctx, false);
            }
        }
    }
}

#[cfg(test)]
mod tests;
