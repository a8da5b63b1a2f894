//! What a node knows about one peer's replica, and when to send it a `replicate`.
//!
//! A `replicate` carries the registers changed after change number `after` up to
//! `through`, and acknowledges the peer's own changes with `ack`:
//! `{"type":"replicate","entries":[[9,3,12,"n0"]],"after":40,"through":57,"ack":31}`.
//!
//! The ack is cumulative: "I have every change of yours up to 31". A receiver
//! moves its ack to a message's `through` only when the message starts where its
//! coverage ends (`after` ≤ what it already has), so a lost message leaves a gap
//! that the ack does not jump over. The sender, seeing no progress for
//! [`Timing::retransmit`], sends again everything after the ack, which fills the
//! gap. Duplicates and reordering are harmless: merging an entry already held
//! changes nothing ([`crate::store`]). This is the piggybacked cumulative ack of
//! `crates/broadcast/src/link.rs`, over change numbers instead of values.
//!
//! When to speak, checked on every sync tick:
//! - changes sent but not acknowledged for [`Timing::retransmit`]: send everything
//!   after the ack again (a partition ate them, or their ack);
//! - else, changes not sent yet: send them, so one message per tick carries all
//!   that a tick's transactions wrote, however many;
//! - else, the peer's changes not acknowledged for [`Timing::ack_delay`]: send an
//!   ack alone. A message without changes has `through` 0 and is never
//!   acknowledged, so acks never ping-pong.
//!
//! Left out: flow control. A message carries at most a bounded number of entries
//! ([`crate::node::ENTRIES_PER_MESSAGE_MAX`]), and a larger backlog goes out a
//! message per tick; it is bounded by the number of keys, not by how long the peer
//! was away, since each changed key is sent once with its latest value.

use std::time::Duration;

use protocol::Instant;
use serde::{Deserialize, Serialize};

use crate::store::Entry;

/// The `replicate` message: the registers the sender changed after its change
/// number `after`, up to `through` (0: no range, an ack alone), and the sender's
/// ack of the receiver's changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replicate {
    pub entries: Vec<Entry>,
    pub after: u64,
    pub through: u64,
    pub ack: u64,
}

impl Replicate {
    /// A message that only acknowledges.
    pub fn ack_only(ack: u64) -> Replicate {
        Replicate {
            ack,
            ..Replicate::default()
        }
    }
}

/// When a peer is sent something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Changes sent and not acknowledged are sent again after this long without
    /// progress.
    pub retransmit: Duration,
    /// An ack that found no message to ride on goes alone after this long.
    pub ack_delay: Duration,
}

/// What a peer is due on this tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// The registers changed after change number `after`.
    Changes { after: u64 },
    /// Only an acknowledgement.
    Ack,
}

/// One peer's replica, as this node knows it.
#[derive(Debug)]
pub struct Peer {
    timing: Timing,
    /// The peer has every change up to this number (it said so).
    acked: u64,
    /// The highest change number sent to it.
    sent_through: u64,
    /// Since when changes sent have waited for an ack without progress (`None`:
    /// nothing is waiting).
    waiting_since: Option<Instant>,
    /// The peer's changes we have without a gap, up to this number: our ack.
    received_through: u64,
    /// Since when the peer is owed an ack.
    ack_owed_since: Option<Instant>,
}

impl Peer {
    pub fn new(timing: Timing) -> Peer {
        Peer {
            timing,
            acked: 0,
            sent_through: 0,
            waiting_since: None,
            received_through: 0,
            ack_owed_since: None,
        }
    }

    /// The change number the peer has everything up to.
    pub fn acked(&self) -> u64 {
        self.acked
    }

    /// What we acknowledge of the peer's changes.
    pub fn ack(&self) -> u64 {
        self.received_through
    }

    /// What the peer is due now, when this node's latest change is `latest_change`.
    pub fn due(&self, latest_change: u64, now: Instant) -> Option<Due> {
        let stalled = self
            .waiting_since
            .is_some_and(|since| now.saturating_duration_since(since) >= self.timing.retransmit);
        let ack_waited = self
            .ack_owed_since
            .map(|since| now.saturating_duration_since(since));
        if stalled {
            Some(Due::Changes { after: self.acked })
        } else if latest_change > self.sent_through {
            Some(Due::Changes {
                after: self.sent_through,
            })
        } else if ack_waited.is_some_and(|waited| waited >= self.timing.ack_delay) {
            Some(Due::Ack)
        } else {
            None
        }
    }

    /// Records a message with the changes in (`after`, `through`] (and our ack)
    /// sent at `now`.
    pub fn sent_changes(&mut self, after: u64, through: u64, now: Instant) {
        assert!(after < through, "a message with changes covers some");
        let retransmission = after == self.acked;
        self.sent_through = self.sent_through.max(through);
        if retransmission || self.waiting_since.is_none() {
            self.waiting_since = Some(now);
        }
        self.ack_owed_since = None;
    }

    /// Records an ack sent alone.
    pub fn sent_ack(&mut self) {
        self.ack_owed_since = None;
    }

    /// The peer has every change after its ack up to `through` without being sent
    /// any: each one was learned from the peer itself.
    pub fn has_through(&mut self, through: u64) {
        self.sent_through = self.sent_through.max(through);
        self.acknowledged(through, None);
    }

    /// Takes in a `replicate` from the peer: its ack of our changes, and the range
    /// of its changes it carried (`through` 0: none).
    pub fn received(&mut self, after: u64, through: u64, ack: u64, now: Instant) {
        // The peer can only acknowledge what it was sent; anything higher would make
        // us skip changes it never got.
        self.acknowledged(ack.min(self.sent_through), Some(now));
        if through > 0 {
            if after <= self.received_through {
                self.received_through = self.received_through.max(through);
            }
            self.ack_owed_since.get_or_insert(now);
        }
    }

    fn acknowledged(&mut self, ack: u64, now: Option<Instant>) {
        if ack > self.acked {
            self.acked = ack;
            // Progress: what is still unacknowledged waits afresh.
            self.waiting_since = if self.acked < self.sent_through {
                now.or(self.waiting_since)
            } else {
                None
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMING: Timing = Timing {
        retransmit: Duration::from_millis(1000),
        ack_delay: Duration::from_millis(500),
    };

    fn at(ms: u64) -> Instant {
        Instant::ZERO + Duration::from_millis(ms)
    }

    /// maelstrom.md §5.4: one message per tick carries every new change, so
    /// msgs-per-op falls as the rate rises.
    #[test]
    fn new_changes_are_due_at_once_and_then_not_again_until_there_are_more() {
        let mut peer = Peer::new(TIMING);
        assert_eq!(peer.due(0, at(0)), None, "nothing has changed");
        assert_eq!(peer.due(3, at(0)), Some(Due::Changes { after: 0 }));
        peer.sent_changes(0, 3, at(0));
        assert_eq!(peer.due(3, at(100)), None, "sent, waiting for the ack");
        assert_eq!(
            peer.due(4, at(100)),
            Some(Due::Changes { after: 3 }),
            "only what is new, without waiting for the ack"
        );
    }

    /// maelstrom.md §5.1: a partition drops messages silently; the changes are
    /// sent again, from the ack, until the peer acknowledges them.
    #[test]
    fn unacknowledged_changes_are_resent_after_the_retransmit_time() {
        let mut peer = Peer::new(TIMING);
        peer.sent_changes(0, 3, at(0)); // lost
        peer.sent_changes(3, 5, at(100));
        assert_eq!(peer.due(5, at(999)), None);
        assert_eq!(peer.due(5, at(1000)), Some(Due::Changes { after: 0 }));
        peer.sent_changes(0, 5, at(1000));
        assert_eq!(
            peer.due(5, at(1999)),
            None,
            "the retransmission waits afresh"
        );
        peer.received(0, 0, 5, at(1010));
        assert_eq!(peer.acked(), 5);
        assert_eq!(peer.due(5, at(60_000)), None, "acknowledged: silence");
    }

    /// A receiver's ack never jumps a gap: a message that starts beyond what it has
    /// is merged but not acknowledged past the gap.
    #[test]
    fn a_message_after_a_gap_does_not_move_the_ack() {
        let mut peer = Peer::new(TIMING);
        peer.received(0, 3, 0, at(0));
        assert_eq!(peer.ack(), 3);
        peer.received(5, 8, 0, at(10)); // (3, 5] was lost
        assert_eq!(peer.ack(), 3);
        peer.received(3, 8, 0, at(20)); // the retransmission
        assert_eq!(peer.ack(), 8);
    }

    /// `crates/broadcast/src/link.rs`'s rule: an ack waits for a message to ride
    /// on, and a message without changes is never acknowledged.
    #[test]
    fn an_ack_goes_alone_only_after_the_ack_delay_and_a_pure_ack_is_not_acked() {
        let mut peer = Peer::new(TIMING);
        peer.received(0, 7, 0, at(0));
        assert_eq!(peer.ack(), 7);
        assert_eq!(peer.due(0, at(499)), None);
        assert_eq!(peer.due(0, at(500)), Some(Due::Ack));
        peer.sent_ack();
        assert_eq!(peer.due(0, at(10_000)), None);
        peer.received(0, 0, 0, at(10_001)); // the other side's pure ack
        assert_eq!(peer.due(0, at(20_000)), None, "no ack of an ack");
    }

    /// An ack costs no message of its own while changes flow both ways.
    #[test]
    fn an_ack_rides_along_with_changes() {
        let mut peer = Peer::new(TIMING);
        peer.received(0, 7, 0, at(0));
        peer.sent_changes(0, 2, at(10));
        peer.received(0, 0, 2, at(20));
        assert_eq!(peer.due(2, at(600)), None, "the ack went with the changes");
    }

    /// Input from outside never breaks the bookkeeping: an ack of changes never sent
    /// counts only up to what was sent.
    #[test]
    fn an_ack_beyond_what_was_sent_counts_only_up_to_what_was_sent() {
        let mut peer = Peer::new(TIMING);
        peer.sent_changes(0, 3, at(0));
        peer.received(0, 0, 1_000_000, at(1));
        assert_eq!(peer.acked(), 3);
        assert_eq!(
            peer.due(5, at(2)),
            Some(Due::Changes { after: 3 }),
            "4 and 5 still go out"
        );
    }

    /// A change the peer itself sent us is never sent back, and never waited on.
    #[test]
    fn changes_learned_from_the_peer_count_as_acknowledged() {
        let mut peer = Peer::new(TIMING);
        peer.has_through(9);
        assert_eq!(peer.acked(), 9);
        assert_eq!(peer.due(9, at(5000)), None);
    }
}
