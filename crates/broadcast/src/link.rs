//! A reliable link to one peer, built from messages that flow anyway, with a
//! bounded queue and a way to catch up when the queue is not enough.
//!
//! Every message on the link carries *all* values the peer has not yet
//! acknowledged, a sequence number, and a cumulative ack of the peer's own
//! messages (`ack` = the highest sequence number received from it). So a lost
//! message costs nothing to repair: the next one carries the same values again.
//! Retransmission costs bytes, not messages, and msgs-per-op is counted in
//! messages.
//!
//! Why a cumulative ack is enough: message `s` carries every value still
//! pending when it was sent, so receiving it proves the peer has every value
//! added before it (values added earlier and no longer pending were acked
//! already). Reordering is harmless: the peer acks the *highest* seq it saw.
//! Messages that carry no values (pure acks) have seq 0 and are never acked,
//! so acks never ping-pong; a *probe* is an empty message with a seq, sent
//! only to ask "are you there?".
//!
//! The queue is bounded: at most [`GOSSIP_VALUES_MAX`] values wait for one
//! peer, so no message is ever larger than [`GOSSIP_BYTES_MAX`]. A peer that
//! falls further behind (cut off for long, while values keep coming) makes the
//! link give up on the queue and fall *behind*: it forgets the values and
//! instead asks for the peer's [`Digest`](crate::digest::Digest) (a `sync`),
//! then sends exactly what the digest shows missing, a queue-full at a time,
//! each round starting where the last one settled. Catching up then costs
//! messages in proportion to the difference.
//!
//! Each link also measures its round trips ([`crate::rtt`]), so it knows when
//! its peer is *unresponsive*: a message has waited longer than the timeout
//! for its ack. An unresponsive link backs off to one message per
//! [`PROBE_INTERVAL`] (the node routes around it meanwhile), and wakes up the
//! moment the peer is heard from again.
//!
//! A link can also be built broken on purpose ([`Link::new`] with `reliable`
//! false, the node's `--no-retransmit`): each value then rides on exactly one
//! message and is forgotten, and nothing is ever caught up, so a message lost
//! in a partition loses its values for good. That is the bug the reliable version
//! exists to prevent, kept runnable so that a checker can be seen catching it.

use std::collections::VecDeque;
use std::time::Duration;

use protocol::Instant;
use serde::{Deserialize, Serialize};

use crate::rtt::{RttEstimator, TimeoutBounds};

/// Values one link keeps waiting for its peer, and so values one gossip
/// message carries, at most.
pub const GOSSIP_VALUES_MAX: usize = 1024;

/// The largest gossip message on the wire, in bytes: every value at its widest
/// (20 digits and a comma) plus the envelope and the other fields.
pub const GOSSIP_BYTES_MAX: usize = GOSSIP_VALUES_MAX * 21 + 256;

/// Sent messages whose send time a link remembers, to time their acks. Beyond
/// it, further messages go untimed until acks free room (the oldest one, which
/// decides whether the peer is answering, is always kept).
const UNACKED_TRACKED_MAX: usize = 64;

/// How often an unresponsive link still speaks. The node probes the hub more
/// often than this where it must notice a heal quickly (a stand-in for the hub).
pub const PROBE_INTERVAL: Duration = Duration::from_secs(2);

/// The gossip message on the wire:
/// `{"type": "gossip", "seq": 3, "values": [..], "ack": 7, "hops": 1}`.
/// The link fills `seq`, `values` and `ack`; `hops` and `relay` belong to the
/// node's routing ([`crate::route`]) and ride along.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gossip {
    pub seq: u64,
    pub values: Vec<u64>,
    pub ack: u64,
    /// The sender's distance to the hub, if it has a route to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hops: Option<u8>,
    /// The sender wants the receiver to pass values on to it (it is relayed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub relay: bool,
}

/// What a link wants sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outgoing {
    Gossip(Gossip),
    /// The link is behind: send the peer a `sync` with our digest, asking for
    /// its digest of the values above `after` (all of them if `None`); its
    /// `sync_ok` will say what it lacks.
    Sync {
        after: Option<u64>,
    },
}

/// How far a digest's difference goes, for [`Link::catch_up`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// It is every value the peer lacks above the digest's start.
    Everything,
    /// It is every value the peer lacks between the digest's start and this
    /// value, where the digest stopped (cut at its bound).
    Upto(u64),
    /// It was cut at a queue-full: the peer lacks more within the digest.
    Partial,
}

/// When a link speaks up. The node chooses it per poll, by the part the peer
/// plays at the moment (upstream, downstream, neither): a link's role changes
/// as routes do, its state does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    /// New values wait until this long after the previous message, so that
    /// one message carries many.
    pub batch: Duration,
    /// Values received are acknowledged by themselves after this long, if no
    /// message to the peer has carried the ack by then.
    pub ack_delay: Duration,
    /// How long the peer may take to acknowledge, by how it acknowledges us.
    pub timeout: TimeoutBounds,
}

#[derive(Debug)]
pub struct Link {
    /// Resend until acknowledged, and catch up by digest. False: send each
    /// value once and forget it (broken on purpose).
    reliable: bool,
    /// Seq of the next message that needs an ack (from 1).
    next_seq: u64,
    /// Values the peer has not acknowledged, with the seq of the first
    /// message that carries (or will carry) them. At most [`GOSSIP_VALUES_MAX`].
    pending: VecDeque<(u64, u64)>,
    /// The queue overflowed: the peer catches up by digest instead.
    behind: bool,
    /// While behind: every value up to this one is at the peer or queued for
    /// it (`None`: nothing is known to be), so the next digest may start here.
    settled: Option<u64>,
    /// When the last `sync` went out, while it waits for its `sync_ok`.
    sync_sent_at: Option<Instant>,
    /// Values were added since the last message.
    fresh: bool,
    last_sent_at: Option<Instant>,
    /// Messages sent and not yet acknowledged, with their send times, oldest first.
    unacked: VecDeque<(u64, Instant)>,
    rtt: RttEstimator,
    /// Highest seq received from the peer: what we acknowledge.
    received_seq_max: u64,
    /// Since when we owe the peer an ack (it sent values we haven't acked).
    ack_owed_since: Option<Instant>,
    /// When the peer was last heard from, by any message.
    heard_at: Option<Instant>,
}

impl Link {
    pub fn new(reliable: bool) -> Link {
        Link {
            reliable,
            next_seq: 1,
            pending: VecDeque::new(),
            behind: false,
            settled: None,
            sync_sent_at: None,
            fresh: false,
            last_sent_at: None,
            unacked: VecDeque::new(),
            rtt: RttEstimator::default(),
            received_seq_max: 0,
            ack_owed_since: None,
            heard_at: None,
        }
    }

    /// Queues a value for the peer. A full queue puts a reliable link behind
    /// (the value will be found missing by the next digest); a link that is
    /// already behind needs nothing queued; an unreliable one drops the value.
    /// Returns true if this value is the one that put the link behind.
    pub fn push(&mut self, value: u64) -> bool {
        if self.behind {
            // A value below the settled point (a late one from a far side of a
            // partition) moves the point back, so that a digest finds it.
            if self.settled.is_some_and(|settled| value <= settled) {
                self.settled = value.checked_sub(1);
            }
            return false;
        }
        if self.pending.len() == GOSSIP_VALUES_MAX {
            if self.reliable {
                self.fall_behind();
            }
            return self.reliable;
        }
        self.pending.push_back((self.next_seq, value));
        self.fresh = true;
        false
    }

    fn fall_behind(&mut self) {
        self.pending.clear();
        self.behind = true;
        self.settled = None;
        self.sync_sent_at = None;
    }

    /// Takes in the difference a digest of the peer's showed: `missing`, the
    /// values it lacks above `after` (the digest's start), as far as `reach`
    /// says. They are queued; the link stays behind, and the next round starts
    /// from the point this one settled, until a round reaches everything.
    pub fn catch_up(&mut self, missing: &[u64], after: Option<u64>, reach: Reach) {
        if !self.reliable {
            return;
        }
        self.sync_sent_at = None;
        let mut queued_all = true;
        for &value in missing {
            if self.pending.iter().any(|&(_, pending)| pending == value) {
                continue;
            }
            if self.pending.len() == GOSSIP_VALUES_MAX {
                queued_all = false;
                break;
            }
            self.pending.push_back((self.next_seq, value));
            self.fresh = true;
        }
        // The digest settles its window only if it starts where we had settled
        // (or before): otherwise values in between are unchecked.
        let contiguous = !self.behind || after <= self.settled;
        match reach {
            Reach::Everything if queued_all && contiguous => {
                self.behind = false;
                self.settled = None;
            }
            Reach::Upto(through) if queued_all && contiguous => {
                self.behind = true;
                self.settled = self.settled.max(Some(through));
            }
            _ => self.behind = true,
        }
    }

    /// Forgets everything queued: the node no longer sends this peer values.
    pub fn forget(&mut self) {
        self.pending.clear();
        self.behind = false;
        self.settled = None;
        self.sync_sent_at = None;
        self.fresh = false;
        self.unacked.clear();
    }

    /// Takes in the peer's gossip: forgets what it acknowledges, times the
    /// round trips (`bounds`: what the peer's acks may take), and notes the ack
    /// we now owe if it carried values. Returns whether it acknowledged a
    /// message of ours for the first time: proof that the link works both ways.
    pub fn receive(&mut self, gossip: &Gossip, now: Instant, bounds: TimeoutBounds) -> bool {
        self.heard(now);
        self.pending
            .retain(|(first_seq, _)| *first_seq > gossip.ack);
        // Time every message this ack covers: how long messages wait for their
        // ack, oldest and newest alike (a peer that batches its acks makes the
        // oldest wait longest), is what `is_unresponsive` holds against the
        // timeout. A wait far beyond the timeout is no round trip but an
        // outage (a message sent into a partition, acked after the heal), and
        // says nothing about the next message: it is left out.
        let outage = self.rtt.timeout(bounds) * 2;
        let mut acked_any = false;
        while let Some(&(seq, sent_at)) = self.unacked.front() {
            if seq > gossip.ack {
                break;
            }
            acked_any = true;
            self.unacked.pop_front();
            if now - sent_at <= outage {
                self.rtt.sample(now - sent_at);
            }
        }
        if gossip.seq > 0 {
            self.received_seq_max = self.received_seq_max.max(gossip.seq);
            self.ack_owed_since.get_or_insert(now);
        }
        acked_any
    }

    /// The peer proved it is there (it answered something other than gossip):
    /// whatever still waits for its ack is no reason to doubt it, and goes out
    /// again at the next poll.
    pub fn revive(&mut self) {
        self.unacked.clear();
        self.last_sent_at = None;
        self.fresh |= !self.pending.is_empty();
    }

    /// Notes that the peer spoke (any message: gossip, sync, route).
    pub fn heard(&mut self, now: Instant) {
        self.heard_at = Some(now);
    }

    /// Whether the peer has never sent us a message that asks for an ack.
    pub fn is_new(&self) -> bool {
        self.received_seq_max == 0
    }

    /// When the peer last spoke, if ever.
    pub fn heard_at(&self) -> Option<Instant> {
        self.heard_at
    }

    /// When we last sent the peer anything, if ever.
    pub fn last_sent_at(&self) -> Option<Instant> {
        self.last_sent_at
    }

    /// The values still waiting for the peer's ack, oldest first.
    pub fn pending_values(&self) -> impl Iterator<Item = u64> + '_ {
        self.pending.iter().map(|&(_, value)| value)
    }

    /// Whether some message of ours is waiting for its ack.
    pub fn awaits_ack(&self) -> bool {
        !self.unacked.is_empty() || self.sync_sent_at.is_some()
    }

    /// How long an ack may take on this link, as measured so far, within `bounds`.
    pub fn timeout(&self, bounds: TimeoutBounds) -> Duration {
        self.rtt.timeout(bounds)
    }

    /// Whether the peer has let a message of ours wait longer than the timeout.
    pub fn is_unresponsive(&self, now: Instant, bounds: TimeoutBounds) -> bool {
        let oldest = match (self.unacked.front(), self.sync_sent_at) {
            (Some(&(_, sent_at)), Some(sync)) => sent_at.min(sync),
            (Some(&(_, sent_at)), None) => sent_at,
            (None, Some(sync)) => sync,
            (None, None) => return false,
        };
        now - oldest >= self.timeout(bounds)
    }

    /// The message to send now, if any: new values whose batch window has
    /// passed, values due for retransmission, an ack that has waited long
    /// enough, or a `sync` if the link is behind. An unresponsive peer gets one
    /// message per [`PROBE_INTERVAL`] at most.
    pub fn poll(&mut self, now: Instant, pace: Pace) -> Option<Outgoing> {
        let since_sent = self.last_sent_at.map_or(Duration::MAX, |at| now - at);
        let timeout = self.timeout(pace.timeout);
        let backoff = if self.is_unresponsive(now, pace.timeout) {
            PROBE_INTERVAL
        } else {
            Duration::ZERO
        };
        if self.behind && self.pending.is_empty() {
            let since_sync = self.sync_sent_at.map_or(Duration::MAX, |at| now - at);
            if since_sync >= timeout.max(backoff) {
                self.sync_sent_at = Some(now);
                self.last_sent_at = Some(now);
                return Some(Outgoing::Sync {
                    after: self.settled,
                });
            }
        }
        let batch_due = self.fresh && since_sent >= pace.batch.max(backoff);
        let retransmit_due =
            self.reliable && !self.pending.is_empty() && since_sent >= timeout.max(backoff);
        let ack_due = self
            .ack_owed_since
            .is_some_and(|since| now - since >= pace.ack_delay);
        if batch_due || retransmit_due || ack_due {
            Some(Outgoing::Gossip(self.message(now, false)))
        } else {
            None
        }
    }

    /// A message now, whatever is due: our ack, and whatever is pending.
    pub fn ack_now(&mut self, now: Instant) -> Gossip {
        self.message(now, false)
    }

    /// An empty message that asks for an ack: "are you there?". It carries
    /// whatever is pending too.
    pub fn probe(&mut self, now: Instant) -> Gossip {
        self.message(now, true)
    }

    /// The next message, unconditionally: every pending value and our ack.
    fn message(&mut self, now: Instant, probe: bool) -> Gossip {
        let seq = if self.pending.is_empty() && !probe {
            0
        } else {
            let seq = self.next_seq;
            self.next_seq += 1;
            if self.unacked.len() < UNACKED_TRACKED_MAX {
                self.unacked.push_back((seq, now));
            }
            seq
        };
        self.fresh = false;
        self.last_sent_at = Some(now);
        self.ack_owed_since = None;
        let values = self.pending_values().collect();
        if !self.reliable {
            self.pending.clear(); // Sent once: forgotten, acknowledged or not.
        }
        Gossip {
            seq,
            values,
            ack: self.received_seq_max,
            hops: None,
            relay: false,
        }
    }
}

#[cfg(test)]
mod tests;
