//! The messages this node appended as leader that some peer does not hold
//! yet, in the order it appended them.
//!
//! Each appended message becomes a [`Record`] with the next sequence number
//! (1, 2, 3, …). A peer confirms records by the highest sequence number it
//! holds, cumulatively, so "what this peer still needs" is always a suffix of
//! the journal, and a record every peer has confirmed can be forgotten (the
//! log keeps the message; the journal only remembers what to send). Sending a
//! suffix, never a subset, is also what keeps every copy of a key a prefix of
//! its leader's log: a peer that holds record `s` holds every record before it.
//!
//! The journal is bounded ([`JOURNAL_RECORDS_MAX`]). A peer cut off for long
//! enough fills it; then this node refuses new sends with error 11
//! (temporarily-unavailable), which tells the producer the message was not
//! stored, as a Kafka leader refuses writes it cannot replicate. Maelstrom's
//! partitions heal long before that.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// At most this many records wait for peers to confirm them. At challenge 5's
/// rate (about 450 sends a second, half of them led here) that is more than
/// seven minutes of sends.
pub const JOURNAL_RECORDS_MAX: usize = 100_000;

/// A message this node appended: on the wire `["9", 4, 17]` (key, offset, msg).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(String, u64, i64)", into = "(String, u64, i64)")]
pub struct Record {
    pub key: String,
    pub offset: u64,
    pub message: i64,
}

impl From<(String, u64, i64)> for Record {
    fn from((key, offset, message): (String, u64, i64)) -> Record {
        Record {
            key,
            offset,
            message,
        }
    }
}

impl From<Record> for (String, u64, i64) {
    fn from(record: Record) -> (String, u64, i64) {
        (record.key, record.offset, record.message)
    }
}

/// The journal was full: the record was not added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

/// A suffix of the journal, as [`Journal::after`] hands it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suffix {
    /// The sequence number of the first record.
    pub from_seq: u64,
    pub records: Vec<Record>,
    /// Whether the records reach the newest one (the batch was not cut short).
    pub complete: bool,
}

/// Records some peer has not confirmed, by sequence number.
#[derive(Debug)]
pub struct Journal {
    /// The sequence number of `records[0]` (of the next record, when empty).
    first_seq: u64,
    records: VecDeque<Record>,
}

impl Default for Journal {
    fn default() -> Journal {
        Journal {
            first_seq: 1,
            records: VecDeque::new(),
        }
    }
}

impl Journal {
    /// Appends `record`; returns its sequence number.
    pub fn push(&mut self, record: Record) -> Result<u64, Full> {
        if self.records.len() >= JOURNAL_RECORDS_MAX {
            return Err(Full);
        }
        self.records.push_back(record);
        Ok(self.latest_seq())
    }

    /// Whether the next [`Journal::push`] would be refused.
    pub fn is_full(&self) -> bool {
        self.records.len() >= JOURNAL_RECORDS_MAX
    }

    /// The sequence number of the newest record ever added; 0 before any.
    pub fn latest_seq(&self) -> u64 {
        self.first_seq + self.records.len() as u64 - 1
    }

    /// The records after sequence number `seq`, at most `max` of them.
    pub fn after(&self, seq: u64, max: usize) -> Suffix {
        assert!(
            seq + 1 >= self.first_seq,
            "record {} was forgotten before a peer confirmed it (it confirmed {seq})",
            seq + 1
        );
        let skip = usize::try_from(seq + 1 - self.first_seq).unwrap_or(usize::MAX);
        let records: Vec<Record> = self.records.iter().skip(skip).take(max).cloned().collect();
        let complete = skip.saturating_add(records.len()) >= self.records.len();
        Suffix {
            from_seq: seq + 1,
            records,
            complete,
        }
    }

    /// Forgets every record up to and including `seq`: every peer holds them.
    pub fn forget_through(&mut self, seq: u64) {
        while self.first_seq <= seq && self.records.pop_front().is_some() {
            self.first_seq += 1;
        }
    }

    /// How many records are waiting.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.records.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(offset: u64) -> Record {
        Record {
            key: "k".to_string(),
            offset,
            message: offset as i64 * 10,
        }
    }

    #[test]
    fn a_record_is_three_values_on_the_wire() {
        let json = serde_json::to_string(&record(4)).expect("serializable");
        assert_eq!(json, r#"["k",4,40]"#);
        let back: Record = serde_json::from_str(&json).expect("readable");
        assert_eq!(back, record(4));
        assert!(serde_json::from_str::<Record>(r#"["k",-1,40]"#).is_err());
        assert!(serde_json::from_str::<Record>(r#"["k",4]"#).is_err());
    }

    #[test]
    fn a_peer_gets_every_record_after_the_one_it_confirmed() {
        let mut journal = Journal::default();
        assert_eq!(journal.latest_seq(), 0);
        for offset in 0..5 {
            journal.push(record(offset)).expect("room");
        }
        assert_eq!(journal.latest_seq(), 5);
        let suffix = journal.after(2, 10);
        assert_eq!(suffix.from_seq, 3);
        assert_eq!(suffix.records, [record(2), record(3), record(4)]);
        assert!(suffix.complete);
        let cut = journal.after(0, 2);
        assert_eq!(cut.records, [record(0), record(1)]);
        assert!(!cut.complete);
        assert!(journal.after(5, 10).records.is_empty());
    }

    #[test]
    fn records_every_peer_holds_are_forgotten_and_numbering_goes_on() {
        let mut journal = Journal::default();
        for offset in 0..3 {
            journal.push(record(offset)).expect("room");
        }
        journal.forget_through(2);
        assert_eq!(journal.len(), 1);
        assert_eq!(journal.after(2, 10).records, [record(2)]);
        journal.forget_through(3);
        assert_eq!(journal.len(), 0);
        assert_eq!(journal.push(record(3)), Ok(4));
        journal.forget_through(1); // already forgotten: nothing happens
        assert_eq!(journal.len(), 1);
    }

    #[test]
    fn a_full_journal_refuses_records() {
        let mut journal = Journal::default();
        for offset in 0..JOURNAL_RECORDS_MAX as u64 {
            journal.push(record(offset)).expect("room");
        }
        assert!(journal.is_full());
        assert_eq!(journal.push(record(0)), Err(Full));
        journal.forget_through(1);
        assert!(!journal.is_full());
    }
}
