//! The replication link to one peer: the `replicate` message, and what each
//! side has confirmed of the other's.
//!
//! One message type carries two streams, each confirmed cumulatively:
//! - **records**: the messages this node appended as leader
//!   ([`crate::journal`]), a suffix starting right after the last one the peer
//!   confirmed, so the peer's copy of every key this node leads grows in order;
//! - **commits**: committed offsets that changed since the peer last confirmed
//!   ([`crate::versioned`]), merged by taking the larger.
//!
//! Every message also acknowledges what this node holds of the peer's two
//! streams ([`Progress`]). A lost message costs nothing to repair: the next one
//! carries everything still unconfirmed (the idea of `crates/broadcast`'s
//! link). A reordered one is harmless: records already held are skipped, and
//! commits and acknowledgements are maxima.
//!
//! When to speak ([`Peer::due`]): when the peer is owed an acknowledgement,
//! when there is something new since the last message, or when something is
//! still unconfirmed after [`RETRANSMIT_AFTER`] of silence (a partition ate it).
//! A message that brings the receiver nothing new earns no acknowledgement, so
//! two idle nodes fall silent after one exchange.
//!
//! Bounds: at most [`RECORDS_PER_MESSAGE_MAX`] records and
//! [`KEYS_PER_MESSAGE_MAX`] commits per message; the rest goes in the next.

use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;

use protocol::Instant;
use serde::{Deserialize, Serialize};

use crate::journal::{Journal, Record};
use crate::versioned::VersionedMax;

/// At most this many records ride on one message (about 20 bytes each).
pub const RECORDS_PER_MESSAGE_MAX: usize = 1024;

/// At most this many committed offsets ride on one message.
pub const KEYS_PER_MESSAGE_MAX: usize = 1024;

/// Something unconfirmed is sent again after this much silence towards the
/// peer. Longer than a replication interval plus a round trip at Maelstrom's
/// usual latencies, so a healthy link never resends.
pub const RETRANSMIT_AFTER: Duration = Duration::from_millis(500);

/// How far one side holds the other's streams: the records by sequence number,
/// the commits by version. Each only grows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub records: u64,
    pub commits: u64,
}

impl Progress {
    fn max(self, other: Progress) -> Progress {
        Progress {
            records: self.records.max(other.records),
            commits: self.commits.max(other.commits),
        }
    }

    fn min(self, other: Progress) -> Progress {
        Progress {
            records: self.records.min(other.records),
            commits: self.commits.min(other.commits),
        }
    }
}

/// The message between nodes: `{"type": "replicate", "records_from": 3,
/// "records": [["9", 4, 17]], "commits": {"9": 2}, "commits_version": 3,
/// "ack": {"records": 7, "commits": 3}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replicate {
    /// The sequence number of `records[0]`.
    pub records_from: u64,
    pub records: Vec<Record>,
    pub commits: BTreeMap<String, u64>,
    /// The receiver holds every commit change up to this version once it has
    /// merged `commits`.
    pub commits_version: u64,
    /// What the sender holds of the receiver's streams.
    pub ack: Progress,
}

/// This node's two streams, as a message is built from them.
#[derive(Clone, Copy, Debug)]
pub struct Streams<'a> {
    pub journal: &'a Journal,
    pub commits: &'a VersionedMax,
}

impl Streams<'_> {
    /// How far each stream has gone.
    pub fn progress(&self) -> Progress {
        Progress {
            records: self.journal.latest_seq(),
            commits: self.commits.version(),
        }
    }
}

/// One peer, from this node's side.
#[derive(Debug, Default)]
pub struct Peer {
    /// What the peer holds of ours.
    confirmed: Progress,
    /// What we hold of the peer's: what we acknowledge.
    received: Progress,
    /// When we last sent, and how far our streams had gone then.
    last_sent: Option<(Instant, Progress)>,
    /// The peer sent something new that we have not acknowledged yet.
    ack_owed: bool,
}

impl Peer {
    /// How many of our records the peer holds.
    pub fn records_confirmed(&self) -> u64 {
        self.confirmed.records
    }

    /// Whether a message to this peer is due now.
    pub fn due(&self, ours: Progress, now: Instant) -> bool {
        if self.ack_owed {
            return true;
        }
        if self.confirmed == ours {
            return false; // the peer holds everything we have
        }
        match self.last_sent {
            None => true,
            // New since the last message, or the last one may have been lost.
            Some((at, then)) => then != ours || now - at >= RETRANSMIT_AFTER,
        }
    }

    /// The next message: everything the peer has not confirmed (within the
    /// bounds), and our acknowledgement.
    pub fn message(&mut self, ours: Streams<'_>, now: Instant) -> Replicate {
        let suffix = ours
            .journal
            .after(self.confirmed.records, RECORDS_PER_MESSAGE_MAX);
        let commits = ours
            .commits
            .changes_since(self.confirmed.commits, KEYS_PER_MESSAGE_MAX);
        self.last_sent = Some((now, ours.progress()));
        self.ack_owed = false;
        Replicate {
            records_from: suffix.from_seq,
            records: suffix.records,
            commits: commits.values,
            commits_version: commits.version,
            ack: self.received,
        }
    }

    /// Takes in a message from the peer: its acknowledgement (never beyond
    /// what we have sent: `ours`), and how far its streams reach.
    /// Returns which of its records are new to us; the caller stores exactly
    /// those.
    pub fn receive(&mut self, message: &Replicate, ours: Progress) -> Range<usize> {
        self.confirmed = self.confirmed.max(message.ack.min(ours));
        let new_records = self.new_records(message);
        let reach = Progress {
            records: self.received.records + new_records.len() as u64,
            commits: message.commits_version,
        };
        if self.received.max(reach) != self.received {
            self.ack_owed = true;
            self.received = self.received.max(reach);
        }
        new_records
    }

    /// The records of `message` we do not hold yet: those after the last one
    /// we hold. A suffix that starts beyond it cannot happen (the peer sends
    /// from the last one we acknowledged, and we never un-hold a record), so
    /// such a message gives us nothing rather than a hole.
    fn new_records(&self, message: &Replicate) -> Range<usize> {
        let next_seq = self.received.records + 1;
        if message.records_from > next_seq {
            return 0..0;
        }
        let held = usize::try_from(next_seq - message.records_from).unwrap_or(usize::MAX);
        held.min(message.records.len())..message.records.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(offset: u64) -> Record {
        Record {
            key: "k".to_string(),
            offset,
            message: offset as i64,
        }
    }

    /// One side of a link with its own streams.
    #[derive(Default)]
    struct Side {
        journal: Journal,
        commits: VersionedMax,
        peer: Peer,
    }

    impl Side {
        fn append(&mut self, offset: u64) {
            self.journal.push(record(offset)).expect("room");
        }

        fn progress(&self) -> Progress {
            self.streams().progress()
        }

        fn streams(&self) -> Streams<'_> {
            Streams {
                journal: &self.journal,
                commits: &self.commits,
            }
        }

        fn due(&self, now: Instant) -> bool {
            self.peer.due(self.progress(), now)
        }

        fn send(&mut self, now: Instant) -> Replicate {
            let streams = Streams {
                journal: &self.journal,
                commits: &self.commits,
            };
            self.peer.message(streams, now)
        }

        fn take(&mut self, message: &Replicate) -> Vec<Record> {
            let range = self.peer.receive(message, self.progress());
            message.records[range].to_vec()
        }
    }

    #[test]
    fn the_wire_form_names_both_streams_and_the_acknowledgement() {
        let mut side = Side::default();
        side.append(4);
        side.commits.raise("k", 2);
        let json = serde_json::to_value(side.send(Instant::ZERO)).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({
                "records_from": 1, "records": [["k", 4, 4]],
                "commits": {"k": 2}, "commits_version": 1,
                "ack": {"records": 0, "commits": 0}
            })
        );
    }

    #[test]
    fn a_record_travels_until_confirmed_and_a_repeat_is_not_new() {
        let (mut a, mut b) = (Side::default(), Side::default());
        a.append(0);
        a.append(1);
        let first = a.send(Instant::ZERO);
        assert_eq!(b.take(&first), [record(0), record(1)]);
        assert_eq!(b.take(&first), [], "a duplicate delivery brings nothing");
        assert!(b.due(Instant::ZERO), "b owes an ack");
        let ack = b.send(Instant::ZERO);
        assert_eq!(ack.ack.records, 2);
        assert!(ack.records.is_empty());
        a.take(&ack);
        assert_eq!(a.peer.records_confirmed(), 2);
        let later = Instant::ZERO + Duration::from_secs(60);
        assert!(!a.due(later), "everything confirmed and nothing owed");
        assert!(!b.due(later), "a pure ack earns no ack: silence");
    }

    #[test]
    fn an_unconfirmed_message_is_sent_again_after_silence() {
        let mut a = Side::default();
        a.append(0);
        let start = Instant::ZERO;
        assert!(a.due(start));
        a.send(start); // lost in a partition
        assert!(!a.due(start + (RETRANSMIT_AFTER - Duration::from_millis(1))));
        assert!(a.due(start + RETRANSMIT_AFTER));
        let again = a.send(start + RETRANSMIT_AFTER);
        assert_eq!(again.records, [record(0)], "the same record, again");
    }

    #[test]
    fn new_content_goes_out_at_the_next_chance_without_waiting_for_silence() {
        let mut a = Side::default();
        a.append(0);
        a.send(Instant::ZERO);
        a.append(1);
        assert!(a.due(Instant::ZERO));
        let next = a.send(Instant::ZERO);
        assert_eq!(next.records, [record(0), record(1)]);
        assert_eq!(next.records_from, 1);
    }

    #[test]
    fn a_long_suffix_goes_out_in_bounded_messages() {
        let (mut a, mut b) = (Side::default(), Side::default());
        for offset in 0..RECORDS_PER_MESSAGE_MAX as u64 + 5 {
            a.append(offset);
        }
        let first = a.send(Instant::ZERO);
        assert_eq!(first.records.len(), RECORDS_PER_MESSAGE_MAX);
        assert_eq!(b.take(&first).len(), RECORDS_PER_MESSAGE_MAX);
        a.take(&b.send(Instant::ZERO));
        let rest = a.send(Instant::ZERO);
        assert_eq!(rest.records_from, RECORDS_PER_MESSAGE_MAX as u64 + 1);
        assert_eq!(b.take(&rest).len(), 5);
    }

    #[test]
    fn commits_travel_and_are_confirmed_by_version() {
        let (mut a, mut b) = (Side::default(), Side::default());
        a.commits.raise("x", 3);
        let message = a.send(Instant::ZERO);
        assert_eq!(message.commits, BTreeMap::from([("x".to_string(), 3)]));
        b.take(&message);
        a.take(&b.send(Instant::ZERO));
        assert!(!a.due(Instant::ZERO + Duration::from_secs(60)));
        a.commits.raise("x", 5);
        assert!(a.due(Instant::ZERO + Duration::from_secs(60)));
        let next = a.send(Instant::ZERO + Duration::from_secs(60));
        assert_eq!(next.commits, BTreeMap::from([("x".to_string(), 5)]));
    }

    #[test]
    fn reordered_messages_keep_the_larger_of_everything() {
        let (mut a, mut b) = (Side::default(), Side::default());
        a.append(0);
        let older = a.send(Instant::ZERO);
        a.append(1);
        let newer = a.send(Instant::ZERO);
        assert_eq!(b.take(&newer), [record(0), record(1)]);
        assert_eq!(b.take(&older), []);
        assert_eq!(b.peer.received.records, 2);
    }

    #[test]
    fn an_acknowledgement_beyond_what_was_sent_is_not_believed() {
        let mut a = Side::default();
        a.append(0);
        let mut bogus = Side::default().send(Instant::ZERO);
        bogus.ack = Progress {
            records: 99,
            commits: 99,
        };
        a.take(&bogus);
        assert_eq!(a.peer.records_confirmed(), 1);
        assert_eq!(a.peer.confirmed, a.progress());
    }

    #[test]
    fn a_suffix_starting_beyond_what_we_hold_is_ignored() {
        let mut b = Side::default();
        let gap = Replicate {
            records_from: 3,
            records: vec![record(4)],
            commits: BTreeMap::new(),
            commits_version: 0,
            ack: Progress::default(),
        };
        assert_eq!(b.take(&gap), []);
        assert_eq!(b.peer.received.records, 0);
    }
}
