//! A reliable link to one peer, built from messages that flow anyway.
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
//!
//! Messages that carry no values (pure acks) have seq 0 and are never acked,
//! so acks never ping-pong.
//!
//! A link can also be built broken on purpose ([`Timing::retransmit`] `None`,
//! the node's `--no-retransmit`): each value then rides on exactly one
//! message and is forgotten, so a message lost in a partition loses its values
//! for good. That is the bug the reliable version exists to prevent, kept
//! runnable so that a checker can be seen catching it.
//!
//! Left out: a bound on the pending values. A peer cut off for good would make
//! every message to it grow without end; Maelstrom's partitions always heal,
//! and a real system would fall back to anti-entropy (compare digests, send
//! the difference) for a peer that has been silent too long.

use std::time::Duration;

use protocol::Instant;
use serde::{Deserialize, Serialize};

/// The gossip message on the wire: `{"type": "gossip", "seq": 3, "values": [..], "ack": 7}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gossip {
    pub seq: u64,
    pub values: Vec<u64>,
    pub ack: u64,
}

/// When a link speaks up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// New values wait at most this long, so that one message carries many.
    pub batch: Duration,
    /// Unacknowledged values are sent again after this much silence. `None`:
    /// never; a value is forgotten once sent (broken on purpose).
    pub retransmit: Option<Duration>,
    /// Values received are acknowledged by themselves after this long, if no
    /// message to the peer has carried the ack by then.
    pub ack_delay: Duration,
}

#[derive(Debug)]
pub struct Link {
    timing: Timing,
    /// Seq of the next message that carries values (from 1).
    next_seq: u64,
    /// Values the peer has not acknowledged, with the seq of the first
    /// message that carries (or will carry) them.
    pending: Vec<(u64, u64)>,
    /// Values were added since the last message.
    fresh: bool,
    last_sent_at: Option<Instant>,
    /// Highest seq received from the peer: what we acknowledge.
    received_seq_max: u64,
    /// Since when we owe the peer an ack (it sent values we haven't acked).
    ack_owed_since: Option<Instant>,
}

impl Link {
    pub fn new(timing: Timing) -> Link {
        Link {
            timing,
            next_seq: 1,
            pending: Vec::new(),
            fresh: false,
            last_sent_at: None,
            received_seq_max: 0,
            ack_owed_since: None,
        }
    }

    /// Queues a value for the peer.
    pub fn push(&mut self, value: u64) {
        self.pending.push((self.next_seq, value));
        self.fresh = true;
    }

    /// Values the peer has not acknowledged yet.
    #[cfg(test)]
    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// Takes in the peer's message: forgets what it acknowledges, and notes the
    /// ack we now owe if it carried values.
    pub fn receive(&mut self, gossip: &Gossip, now: Instant) {
        self.pending
            .retain(|(first_seq, _)| *first_seq > gossip.ack);
        if gossip.seq > 0 {
            self.received_seq_max = self.received_seq_max.max(gossip.seq);
            self.ack_owed_since.get_or_insert(now);
        }
    }

    /// The message to send now, if any: new values whose batch window has
    /// passed, values due for retransmission, or an ack that has waited long enough.
    pub fn poll(&mut self, now: Instant) -> Option<Gossip> {
        let since_sent = self.last_sent_at.map_or(Duration::MAX, |at| now - at);
        let batch_due = self.fresh && since_sent >= self.timing.batch;
        let retransmit_due = self
            .timing
            .retransmit
            .is_some_and(|after| !self.pending.is_empty() && since_sent >= after);
        let ack_due = self
            .ack_owed_since
            .is_some_and(|since| now - since >= self.timing.ack_delay);
        if batch_due || retransmit_due || ack_due {
            Some(self.message(now))
        } else {
            None
        }
    }

    /// The next message, unconditionally: every pending value and our ack.
    pub fn message(&mut self, now: Instant) -> Gossip {
        let seq = if self.pending.is_empty() {
            0
        } else {
            let seq = self.next_seq;
            self.next_seq += 1;
            seq
        };
        self.fresh = false;
        self.last_sent_at = Some(now);
        self.ack_owed_since = None;
        let values = self.pending.iter().map(|(_, value)| *value).collect();
        if self.timing.retransmit.is_none() {
            self.pending.clear(); // Sent once: forgotten, acknowledged or not.
        }
        Gossip {
            seq,
            values,
            ack: self.received_seq_max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMING: Timing = Timing {
        batch: Duration::from_millis(100),
        retransmit: Some(Duration::from_millis(1000)),
        ack_delay: Duration::from_millis(500),
    };

    fn at(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    #[test]
    fn new_values_wait_for_the_batch_window_then_go_out_together() {
        let start = Instant::ZERO;
        let mut link = Link::new(TIMING);
        link.push(1);
        let first = link.poll(start).expect("nothing sent yet: send at once");
        assert_eq!(first.values, [1]);
        link.push(2);
        link.push(3);
        assert_eq!(link.poll(at(start, 50)), None, "inside the batch window");
        let second = link.poll(at(start, 100)).expect("window passed");
        assert_eq!(second.values, [1, 2, 3], "unacked values ride along");
        assert_eq!(second.seq, first.seq + 1);
    }

    #[test]
    fn an_ack_removes_exactly_what_the_acked_message_carried() {
        let start = Instant::ZERO;
        let mut link = Link::new(TIMING);
        link.push(1);
        let first = link.message(start);
        link.push(2);
        link.receive(
            &Gossip {
                seq: 0,
                values: vec![],
                ack: first.seq,
            },
            at(start, 10),
        );
        assert_eq!(link.pending_count(), 1, "value 2 was not in message 1");
        let second = link.message(at(start, 20));
        assert_eq!(second.values, [2]);
        link.receive(
            &Gossip {
                seq: 0,
                values: vec![],
                ack: second.seq,
            },
            at(start, 30),
        );
        assert_eq!(link.pending_count(), 0);
        assert_eq!(
            link.poll(at(start, 5000)),
            None,
            "nothing pending, nothing owed: silence"
        );
    }

    #[test]
    fn lost_messages_are_repaired_by_retransmission_after_silence() {
        let start = Instant::ZERO;
        let mut link = Link::new(TIMING);
        link.push(7);
        link.message(start); // lost in a partition
        assert_eq!(link.poll(at(start, 999)), None);
        let again = link.poll(at(start, 1000)).expect("retransmit");
        assert_eq!(again.values, [7]);
    }

    #[test]
    fn without_retransmission_a_value_rides_on_one_message_only() {
        let start = Instant::ZERO;
        let mut link = Link::new(Timing {
            retransmit: None,
            ..TIMING
        });
        link.push(7);
        assert_eq!(link.message(start).values, [7]); // lost in a partition
        assert_eq!(link.poll(at(start, 60_000)), None, "never sent again");
        link.push(8);
        let next = link.poll(at(start, 60_001)).expect("a new value");
        assert_eq!(next.values, [8], "7 is gone for good");
    }

    #[test]
    fn values_received_are_acked_alone_only_after_the_ack_delay() {
        let start = Instant::ZERO;
        let mut link = Link::new(TIMING);
        link.receive(
            &Gossip {
                seq: 4,
                values: vec![9],
                ack: 0,
            },
            start,
        );
        assert_eq!(link.poll(at(start, 499)), None);
        let ack = link.poll(at(start, 500)).expect("delayed ack");
        assert_eq!(
            ack,
            Gossip {
                seq: 0,
                values: vec![],
                ack: 4
            }
        );
        // A pure ack is not acked back.
        let mut peer = Link::new(TIMING);
        peer.receive(&ack, start);
        assert_eq!(peer.poll(at(start, 10_000)), None);
    }

    #[test]
    fn an_ack_rides_along_with_values_for_free() {
        let start = Instant::ZERO;
        let mut link = Link::new(TIMING);
        link.receive(
            &Gossip {
                seq: 2,
                values: vec![5],
                ack: 0,
            },
            start,
        );
        link.push(6);
        let message = link.poll(at(start, 1)).expect("new value");
        assert_eq!(message.ack, 2);
        assert_eq!(
            link.poll(at(start, 600)),
            None,
            "the ack was already delivered"
        );
    }
}
