//! Which way a node's values go: up to the hub, through a relay when the hub
//! can't be reached, or nowhere when this node stands in for the hub.
//!
//! On a healthy network every leaf sends straight to the hub ([`Upstream::Hub`])
//! and the hub sends to every leaf: the star of [`crate`]. When a leaf stops
//! hearing back from its upstream (the node decides that from its links'
//! timeouts), it holds an *election*: it asks every other node at once, with a
//! `route` message, and each one that hears answers with how many hops it is
//! from the hub (`hops`: 0 for the hub, 1 for a leaf that reaches it, `None`
//! for a node that has no route either). Then:
//! - the hub itself answered: it is reachable after all, both ways ([`Upstream::Hub`]);
//! - a node one hop from the hub answered: take it at once, the first to
//!   answer being the closest (`Relay`). It passes our values up and the hub's
//!   values down, for as long as we keep *subscribing* (every message we send
//!   it says `relay: true`; [`SUBSCRIPTION_LEASE`] after the last one it stops);
//! - after the election's wait, the answer with the fewest hops (then the
//!   lowest id), if any has a route;
//! - none has: this side of a partition has no hub. Its lowest id stands in
//!   for one ([`Upstream::Root`]) and the others relay through it, so that
//!   values still spread among the nodes that can reach each other. Every
//!   node of a clean split sees the same answers, so they agree on it.
//!
//! An answer is only as good as the answerer's knowledge: a node that is
//! electing itself answers `None` ([`Route::hops`]), and so does a leaf that
//! has not heard from the hub lately (the node's rule), since a stale "one
//! hop" would send the asker into the very partition it is escaping.
//!
//! The state here is pure: [`crate::node`] reports what it heard and sends
//! what this decides, so every rule is a unit test.
//!
//! Loops: a node never takes one of its own subscribers as its relay, and a
//! route longer than [`HOPS_MAX`] counts as none; a cycle of relays would grow
//! its hop count on every message until it breaks itself. Left out: a stand-in
//! root looking again for a route while its side stays cut off. Partitions
//! change by healing, and a heal brings every node back to the hub (the node
//! probes it), which is the route that matters.

use std::collections::BTreeMap;
use std::time::Duration;

use protocol::Instant;

/// Hops to the hub beyond which a route counts as none. On 25 nodes under
/// Maelstrom's partitions a route needs at most two (leaf, relay, hub);
/// anything longer is a loop counting up.
pub const HOPS_MAX: u8 = 4;

/// How long a relay keeps passing values to a node that has stopped saying it
/// wants them. A relayed node acknowledges its relay within two seconds
/// (`node::LAZY_ACK_DELAY`), and every message says `relay: true`, so five
/// seconds allow one missed message and a slow one.
pub const SUBSCRIPTION_LEASE: Duration = Duration::from_secs(5);

/// Where this node's values go first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Upstream {
    /// Straight to the hub.
    Hub,
    /// Through `peer`, which last said it was `hops` from the hub (`None`: it has
    /// no route either, and we joined the side's stand-in root through it).
    Relay { peer: String, hops: Option<u8> },
    /// Nowhere: this node is a root, the hub itself or a stand-in for a side
    /// of a partition that can't reach it.
    Root,
}

/// An election in progress: the answers so far, and when to stop waiting.
#[derive(Debug)]
struct Election {
    deadline: Instant,
    /// Each node that answered, with the hops it reported: at most one entry
    /// per node (the node passes on answers from nodes named in `init` only).
    answers: BTreeMap<String, Option<u8>>,
}

#[derive(Debug)]
pub struct Route {
    me: String,
    hub: String,
    /// Every other node, in `init` order.
    peers: Vec<String>,
    upstream: Upstream,
    /// Nodes relayed through this one, each with the end of its lease: at most
    /// one entry per node. (The hub has no such list: every leaf is downstream
    /// of it.)
    subscribers: BTreeMap<String, Instant>,
    election: Option<Election>,
}

impl Route {
    pub fn new(me: &str, hub: &str, peers: Vec<String>) -> Route {
        Route {
            me: me.to_string(),
            hub: hub.to_string(),
            peers,
            upstream: if me == hub {
                Upstream::Root
            } else {
                Upstream::Hub
            },
            subscribers: BTreeMap::new(),
            election: None,
        }
    }

    pub fn is_hub(&self) -> bool {
        self.me == self.hub
    }

    pub fn hub(&self) -> &str {
        &self.hub
    }

    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    /// The peer this node's values go to first, if any.
    pub fn upstream_peer(&self) -> Option<&str> {
        match &self.upstream {
            Upstream::Hub => Some(&self.hub),
            Upstream::Relay { peer, .. } => Some(peer),
            Upstream::Root => None,
        }
    }

    /// Whether `peer` is where this node sends through a relay (and so must
    /// hear `relay: true`).
    pub fn is_relay(&self, peer: &str) -> bool {
        matches!(&self.upstream, Upstream::Relay { peer: relay, .. } if relay == peer)
    }

    pub fn is_electing(&self) -> bool {
        self.election.is_some()
    }

    /// This node's distance to the hub, as it tells others; `None` while it has
    /// no route: cut off, or electing (it doubts the route it has, and must not
    /// be chosen as a relay for it).
    pub fn hops(&self) -> Option<u8> {
        if self.is_hub() {
            return Some(0);
        }
        if self.is_electing() {
            return None;
        }
        match self.upstream {
            Upstream::Hub => Some(1),
            Upstream::Relay {
                hops: Some(hops), ..
            } if hops + 1 < HOPS_MAX => Some(hops + 1),
            Upstream::Relay { .. } | Upstream::Root => None,
        }
    }

    /// The nodes this one passes values down to: every leaf for the hub, its
    /// subscribers for anyone else.
    pub fn downstream(&self) -> Vec<&str> {
        if self.is_hub() {
            self.peers.iter().map(String::as_str).collect()
        } else {
            self.subscribers.keys().map(String::as_str).collect()
        }
    }

    pub fn is_downstream(&self, peer: &str) -> bool {
        if self.is_hub() {
            peer != self.me && self.peers.iter().any(|node| node == peer)
        } else {
            self.subscribers.contains_key(peer)
        }
    }

    /// `peer` asked to be relayed (again): its lease restarts. Refused for the
    /// hub, which relays every leaf anyway, and for our own relay, which would
    /// make a loop. Returns whether `peer` is a new subscriber.
    pub fn subscribe(&mut self, peer: &str, now: Instant) -> bool {
        if self.is_hub() || self.upstream_peer() == Some(peer) {
            return false;
        }
        self.subscribers
            .insert(peer.to_string(), now + SUBSCRIPTION_LEASE)
            .is_none()
    }

    /// `peer` no longer wants to be relayed. Returns whether it was.
    pub fn unsubscribe(&mut self, peer: &str) -> bool {
        self.subscribers.remove(peer).is_some()
    }

    /// Drops the subscribers whose lease has run out, and returns them.
    pub fn expire_subscriptions(&mut self, now: Instant) -> Vec<String> {
        let expired: Vec<String> = self
            .subscribers
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(peer, _)| peer.clone())
            .collect();
        for peer in &expired {
            self.subscribers.remove(peer);
        }
        expired
    }

    /// Starts an election that decides by `now + wait` at the latest. Returns
    /// false if there is nothing to start: one is running, or this is the hub.
    pub fn start_election(&mut self, now: Instant, wait: Duration) -> bool {
        if self.is_hub() || self.is_electing() {
            return false;
        }
        self.election = Some(Election {
            deadline: now + wait,
            answers: BTreeMap::new(),
        });
        true
    }

    /// `peer` answered our `route` with `hops`. Returns where to send from now
    /// on, if that answer settles it.
    pub fn answer(&mut self, peer: &str, hops: Option<u8>) -> Option<Upstream> {
        let election = self.election.as_mut()?;
        if peer == self.hub {
            return Some(Upstream::Hub);
        }
        election.answers.insert(peer.to_string(), hops);
        (hops == Some(1) && !self.is_downstream(peer)).then(|| Upstream::Relay {
            peer: peer.to_string(),
            hops,
        })
    }

    /// At the election's deadline, the best answer: the fewest hops to the hub,
    /// else the side's stand-in root, the lowest id that answered (or this node).
    pub fn decide_if_due(&mut self, now: Instant) -> Option<Upstream> {
        let election = self.election.as_ref()?;
        if now < election.deadline {
            return None;
        }
        let usable = |(peer, _): &(&String, &Option<u8>)| !self.is_downstream(peer);
        let routed = election
            .answers
            .iter()
            .filter(usable)
            .filter_map(|(peer, hops)| hops.filter(|hops| hops + 1 < HOPS_MAX).map(|h| (h, peer)))
            .min_by(|(a_hops, a), (b_hops, b)| a_hops.cmp(b_hops).then(by_node_number(a, b)));
        if let Some((hops, peer)) = routed {
            return Some(Upstream::Relay {
                peer: peer.clone(),
                hops: Some(hops),
            });
        }
        let lowest_answer = election
            .answers
            .iter()
            .filter(usable)
            .map(|(peer, _)| peer)
            .min_by(|a, b| by_node_number(a, b));
        Some(match lowest_answer {
            Some(peer) if by_node_number(peer, &self.me).is_lt() => Upstream::Relay {
                peer: peer.clone(),
                hops: None,
            },
            _ => Upstream::Root,
        })
    }

    /// Sends through `upstream` from now on, and ends any election. Returns
    /// the upstream it replaces.
    pub fn follow(&mut self, upstream: Upstream) -> Upstream {
        assert!(!self.is_hub(), "the hub has no upstream to change");
        assert_ne!(
            upstream,
            Upstream::Relay {
                peer: self.me.clone(),
                hops: None
            },
            "a node can't relay through itself"
        );
        self.election = None;
        if let Upstream::Relay { peer, .. } = &upstream {
            self.subscribers.remove(peer);
        }
        std::mem::replace(&mut self.upstream, upstream)
    }

    /// Our relay `peer` now says it is `hops` from the hub: what that means for us.
    pub fn relay_reports(&mut self, peer: &str, hops: Option<u8>) -> RelayNews {
        let Upstream::Relay {
            peer: relay,
            hops: relay_hops,
        } = &mut self.upstream
        else {
            return RelayNews::Same;
        };
        if relay != peer {
            return RelayNews::Same;
        }
        let had_route = relay_hops.is_some();
        *relay_hops = hops;
        match (had_route, self.hops().is_some()) {
            (true, false) => RelayNews::Lost,
            (false, true) => RelayNews::Found,
            _ => RelayNews::Same,
        }
    }
}

/// What a relay's report of its hops means for the node relayed through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayNews {
    /// It lost the route we chose it for: time for an election.
    Lost,
    /// It had none (a stand-in root, or relayed through one) and now has one:
    /// the partition may have healed for us too.
    Found,
    /// Nothing that changes our course.
    Same,
}

/// Orders node ids by their number (`n2` before `n10`), then as text.
fn by_node_number(a: &str, b: &str) -> std::cmp::Ordering {
    let number = |id: &str| id.strip_prefix('n').and_then(|n| n.parse::<u64>().ok());
    number(a).cmp(&number(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests;
