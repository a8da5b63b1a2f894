//! One key's log: messages by offset, how new offsets are chosen, and which
//! part of the log a poll may see.
//!
//! Offsets come from a *clock* per key, in the manner of Lamport's logical
//! clocks ("Time, Clocks, and the Ordering of Events in a Distributed System",
//! 1978): a node's clock for a key is the highest offset it has given out or
//! holds for that key, and its next offset is the smallest one above the clock
//! that belongs to it. Offsets are split between nodes by remainder: with `n`
//! nodes, the node at position `i` of Maelstrom's node list owns the offsets
//! `≡ i (mod n)`. So two nodes never give out the same offset, and no node needs
//! to ask another before answering a `send`. On one node that is 0, 1, 2, …; on
//! two, a key written from both sides gets 0, 1, 2, 3 and a key written from one
//! side 0, 2, 4: offsets grow, with gaps, as a Kafka consumer expects (Kafka's own
//! offsets have gaps too, after compaction or around transaction markers).
//!
//! The price of choosing offsets without asking is that a message may later
//! arrive from a peer with an offset *below* one this node already holds. A poll
//! must never show a log with a hole that fills in later: a consumer that read
//! offset 6 would skip the 5 that arrives afterwards. So a poll sees only the
//! log up to a [`Frontier`] below which nothing can arrive any more; `node.rs`
//! says how a node knows where that is.
//!
//! Left out: retention. A log keeps every message; Maelstrom's runs are short.

use std::collections::BTreeMap;
use std::ops::Bound;

/// Which offsets belong to this node: those `≡ index (mod count)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub index: u64,
    pub count: u64,
}

impl Placement {
    /// The only node of a cluster of one: every offset is its own.
    pub const ALONE: Placement = Placement { index: 0, count: 1 };

    /// The smallest offset of this node's above `clock` (or its first offset
    /// when the key has no clock yet).
    pub fn next_offset(self, clock: Option<u64>) -> u64 {
        assert!(
            self.index < self.count,
            "a node's place is inside the cluster"
        );
        let Some(clock) = clock else {
            return self.index;
        };
        let above = clock + 1;
        let behind = (self.index + self.count - above % self.count) % self.count;
        above + behind
    }

    /// Whether this node could have given out `offset`.
    pub fn owns(self, offset: u64) -> bool {
        offset % self.count == self.index
    }
}

/// How far up a key's log a poll may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frontier {
    /// Nothing can arrive below any offset: a node with no peers.
    Everything,
    /// Offsets up to and including this one are final.
    UpTo(u64),
    /// Some peer has promised nothing about this key yet.
    Nothing,
}

/// What happened to a message handed to [`KeyLog::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    New,
    /// The same message was already there (a record sent twice).
    AlreadyThere,
    /// A different message holds that offset: two nodes claimed one offset,
    /// which the placement rules out. The log keeps what it had.
    Conflict {
        held: i64,
    },
}

/// The messages of one key, by offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLog {
    messages: BTreeMap<u64, i64>,
}

impl KeyLog {
    /// Stores `message` at `offset`, unless that offset is taken.
    pub fn insert(&mut self, offset: u64, message: i64) -> Inserted {
        match self.messages.get(&offset) {
            None => {
                self.messages.insert(offset, message);
                Inserted::New
            }
            Some(held) if *held == message => Inserted::AlreadyThere,
            Some(held) => Inserted::Conflict { held: *held },
        }
    }

    /// The messages from offset `from` (or the first one after it) up to the
    /// frontier, in offset order, at most `budget` of them.
    pub fn read(&self, from: u64, frontier: Frontier, budget: usize) -> Vec<(u64, i64)> {
        let upper = match frontier {
            Frontier::Everything => Bound::Unbounded,
            Frontier::UpTo(last) if last >= from => Bound::Included(last),
            Frontier::UpTo(_) | Frontier::Nothing => return Vec::new(),
        };
        self.messages
            .range((Bound::Included(from), upper))
            .take(budget)
            .map(|(offset, message)| (*offset, *message))
            .collect()
    }

    /// How many messages the log holds.
    pub fn len(&self) -> usize {
        self.messages.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_node_numbers_offsets_one_after_another() {
        let mut clock = None;
        let offsets: Vec<u64> = (0..4)
            .map(|_| {
                let offset = Placement::ALONE.next_offset(clock);
                clock = Some(offset);
                offset
            })
            .collect();
        assert_eq!(offsets, [0, 1, 2, 3]);
    }

    #[test]
    fn each_node_takes_the_next_offset_of_its_own_above_the_clock() {
        let first = Placement { index: 0, count: 2 };
        let second = Placement { index: 1, count: 2 };
        assert_eq!(first.next_offset(None), 0);
        assert_eq!(second.next_offset(None), 1);
        assert_eq!(first.next_offset(Some(0)), 2);
        assert_eq!(first.next_offset(Some(1)), 2);
        assert_eq!(second.next_offset(Some(1)), 3);
        assert_eq!(second.next_offset(Some(2)), 3);
        let third_of_three = Placement { index: 2, count: 3 };
        assert_eq!(third_of_three.next_offset(Some(2)), 5);
        assert_eq!(third_of_three.next_offset(Some(5)), 8);
        for clock in 0..50 {
            for index in 0..3 {
                let place = Placement { index, count: 3 };
                let offset = place.next_offset(Some(clock));
                assert!(offset > clock && place.owns(offset));
                assert!(offset - clock <= 3, "the smallest such offset");
            }
        }
    }

    #[test]
    fn a_read_starts_at_the_first_offset_at_or_after_from_and_stops_at_the_frontier() {
        let mut log = KeyLog::default();
        for (offset, message) in [(0, 10), (2, 12), (3, 13), (7, 17)] {
            assert_eq!(log.insert(offset, message), Inserted::New);
        }
        assert_eq!(
            log.read(1, Frontier::Everything, 10),
            [(2, 12), (3, 13), (7, 17)]
        );
        assert_eq!(log.read(1, Frontier::UpTo(6), 10), [(2, 12), (3, 13)]);
        assert_eq!(log.read(1, Frontier::UpTo(6), 1), [(2, 12)]);
        assert_eq!(log.read(8, Frontier::UpTo(6), 10), []);
        assert_eq!(log.read(0, Frontier::Nothing, 10), []);
    }

    #[test]
    fn an_offset_keeps_its_first_message() {
        let mut log = KeyLog::default();
        assert_eq!(log.insert(4, 1), Inserted::New);
        assert_eq!(log.insert(4, 1), Inserted::AlreadyThere);
        assert_eq!(log.insert(4, 2), Inserted::Conflict { held: 1 });
        assert_eq!(log.read(0, Frontier::Everything, 10), [(4, 1)]);
        assert_eq!(log.len(), 1);
    }
}
