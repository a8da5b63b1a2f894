//! One key's log: messages by offset, appended by the key's leader and copied,
//! in the same order, by every other node.
//!
//! On the leader, [`KeyLog::append`] hands out offsets 0, 1, 2, … in the order
//! sends arrive, so a message acknowledged before another was sent always has
//! the smaller offset, whichever clients sent them. Elsewhere, [`KeyLog::insert`]
//! stores what the leader replicated. The leader sends its records in the order
//! it appended them ([`crate::journal`]), so a copy is always a prefix of the
//! leader's log: a poll on any node can show everything the node holds, and no
//! message can later appear below one a poll has shown.
//!
//! Left out: retention. A log keeps every message; Maelstrom's runs are short.

use std::collections::BTreeMap;
use std::ops::Bound;

/// What happened to a message handed to [`KeyLog::insert`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    New,
    /// The same message was already there (a record sent twice).
    AlreadyThere,
    /// A different message holds that offset; the log keeps what it had.
    Conflict {
        held: i64,
    },
}

/// The messages of one key, by offset, and the next offset to hand out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLog {
    messages: BTreeMap<u64, i64>,
    /// The offset [`KeyLog::append`] hands out next (used on the leader only).
    next_offset: u64,
}

impl KeyLog {
    /// The leader's append: the next offset, with the message stored there.
    pub fn append(&mut self, message: i64) -> u64 {
        let offset = self.reserve();
        let inserted = self.insert(offset, message);
        assert_eq!(inserted, Inserted::New, "the next offset is always free");
        offset
    }

    /// Hands out the next offset without storing anything there: only
    /// `--break drop-sends` does this.
    pub fn reserve(&mut self) -> u64 {
        let offset = self.next_offset;
        self.next_offset += 1;
        offset
    }

    /// Stores `message` at `offset`, unless that offset is taken.
    pub fn insert(&mut self, offset: u64, message: i64) -> Inserted {
        match self.messages.get(&offset) {
            None => {
                self.messages.insert(offset, message);
                self.next_offset = self.next_offset.max(offset + 1);
                Inserted::New
            }
            Some(held) if *held == message => Inserted::AlreadyThere,
            Some(held) => Inserted::Conflict { held: *held },
        }
    }

    /// The messages from offset `from` (or the first one after it), in offset
    /// order, at most `budget` of them.
    pub fn read(&self, from: u64, budget: usize) -> Vec<(u64, i64)> {
        self.messages
            .range((Bound::Included(from), Bound::Unbounded))
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
    fn a_leader_appends_at_zero_one_two() {
        let mut log = KeyLog::default();
        assert_eq!(log.append(10), 0);
        assert_eq!(log.append(11), 1);
        assert_eq!(log.reserve(), 2);
        assert_eq!(log.append(13), 3);
        assert_eq!(log.read(0, 10), [(0, 10), (1, 11), (3, 13)]);
        assert_eq!(log.len(), 3);
    }

    #[test]
    fn a_read_starts_at_the_first_offset_at_or_after_from_within_its_budget() {
        let mut log = KeyLog::default();
        for (offset, message) in [(0, 10), (2, 12), (3, 13), (7, 17)] {
            assert_eq!(log.insert(offset, message), Inserted::New);
        }
        assert_eq!(log.read(1, 10), [(2, 12), (3, 13), (7, 17)]);
        assert_eq!(log.read(1, 1), [(2, 12)]);
        assert_eq!(log.read(8, 10), []);
    }

    #[test]
    fn an_offset_keeps_its_first_message() {
        let mut log = KeyLog::default();
        assert_eq!(log.insert(4, 1), Inserted::New);
        assert_eq!(log.insert(4, 1), Inserted::AlreadyThere);
        assert_eq!(log.insert(4, 2), Inserted::Conflict { held: 1 });
        assert_eq!(log.read(0, 10), [(4, 1)]);
        assert_eq!(log.append(5), 5, "appends go after what was copied");
    }
}
