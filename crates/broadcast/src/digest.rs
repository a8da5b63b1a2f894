//! A digest: what one node has, summed up small enough to send, so that two
//! nodes can find their difference without sending their histories.
//!
//! The broadcast workload's values are the integers 0, 1, 2, … in the order
//! clients generate them (maelstrom.md §3.3), so a node's set is nearly one
//! long run with a few holes: the values that have not reached it yet. A list
//! of inclusive ranges describes it exactly and costs two numbers per hole:
//! `{"ranges": [[0, 411], [413, 980]]}` says "everything up to 980 but 412".
//! The receiver compares it with its own set and knows exactly what the sender
//! lacks, so catching up costs bytes in proportion to the difference, not to
//! the history (anti-entropy, as in Demers et al.'s epidemic algorithms).
//!
//! A set with more than [`DIGEST_RANGES_MAX`] ranges (many holes, or values that
//! were never a run) is described exactly up to some value only, `through`,
//! and the next round asks for the digest of the values above that point
//! (`after`): each round reaches further, even past holes that neither side
//! can fill (values that only a third node has yet). The bound keeps every
//! digest below [`DIGEST_BYTES_MAX`] on the wire.
//!
//! Left out: hashes (Merkle trees, as Dynamo and Cassandra use for arbitrary
//! keys). They would serve values that are not a run; these are.

use std::collections::BTreeSet;
use std::ops::Bound;

use serde::{Deserialize, Serialize};

/// Ranges one digest lists at most.
pub const DIGEST_RANGES_MAX: usize = 256;

/// The largest digest on the wire, in bytes: each range is two numbers of at
/// most 20 digits and five characters of punctuation, plus the field names.
pub const DIGEST_BYTES_MAX: usize = DIGEST_RANGES_MAX * (2 * 20 + 5) + 96;

/// The values one node has within a window: exactly, above `after` and up to
/// `through`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// Inclusive `[first, last]` runs, ascending and apart (not even adjacent).
    pub ranges: Vec<[u64; 2]>,
    /// `None`: the window starts at the first value. `Some(a)`: nothing is said
    /// about values up to `a` (the asker knows those are settled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// `None`: the window has no end. `Some(w)`: nothing is said about values
    /// above `w` (the digest was cut at [`DIGEST_RANGES_MAX`] ranges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<u64>,
}

impl Digest {
    /// The digest of all of `values`, cut at [`DIGEST_RANGES_MAX`] ranges.
    pub fn of(values: &BTreeSet<u64>) -> Digest {
        Digest::above(values, None)
    }

    /// The digest of the values above `after` (all of them if `None`), cut at
    /// [`DIGEST_RANGES_MAX`] ranges: a catch-up that settled everything up to
    /// the end of one digest asks for the next one from there.
    pub fn above(values: &BTreeSet<u64>, after: Option<u64>) -> Digest {
        let mut ranges: Vec<[u64; 2]> = Vec::new();
        for &value in window(values, after) {
            let extends = ranges
                .last()
                .is_some_and(|[_, last]| last.checked_add(1) == Some(value));
            if extends {
                let last = ranges.len() - 1;
                ranges[last][1] = value;
            } else if ranges.len() == DIGEST_RANGES_MAX {
                // The next range would be one too many: describe the set up to
                // just below this value, which would start it.
                return Digest {
                    ranges,
                    after,
                    through: Some(value - 1),
                };
            } else {
                ranges.push([value, value]);
            }
        }
        Digest {
            ranges,
            after,
            through: None,
        }
    }

    /// Whether the ranges are ascending, each `first ≤ last`, apart from each
    /// other, and within the window: anything else came from a broken or
    /// hostile sender, and is ignored rather than trusted.
    pub fn is_well_formed(&self) -> bool {
        let ordered = self.ranges.iter().all(|[first, last]| first <= last);
        let apart = self.ranges.windows(2).all(|pair| {
            pair[0][1]
                .checked_add(1)
                .is_some_and(|next| next < pair[1][0])
        });
        let starts_inside = match (self.after, self.ranges.first()) {
            (Some(after), Some([first, _])) => *first > after,
            _ => true,
        };
        let ends_inside = match (self.through, self.ranges.last()) {
            (Some(through), Some([_, last])) => *last <= through,
            _ => true,
        };
        let window = match (self.after, self.through) {
            (Some(after), Some(through)) => after < through,
            _ => true,
        };
        ordered && apart && starts_inside && ends_inside && window
    }

    /// Whether `value` lies in the window this digest describes.
    pub fn covers(&self, value: u64) -> bool {
        self.after.is_none_or(|after| value > after)
            && self.through.is_none_or(|through| value <= through)
    }

    /// Whether the sender has `value`: `None` if the digest says nothing about it.
    pub fn has(&self, value: u64) -> Option<bool> {
        if !self.covers(value) {
            return None;
        }
        // The last range starting at or before `value` is the only one that can hold it.
        let after = self.ranges.partition_point(|[first, _]| *first <= value);
        Some(after > 0 && value <= self.ranges[after - 1][1])
    }

    /// The values of `values` that the sender of this digest surely lacks, in
    /// ascending order, at most `limit` of them.
    pub fn missing_from(&self, values: &BTreeSet<u64>, limit: usize) -> Vec<u64> {
        window(values, self.after)
            .copied()
            .take_while(|value| self.through.is_none_or(|through| *value <= through))
            .filter(|value| self.has(*value) == Some(false))
            .take(limit)
            .collect()
    }
}

/// The values above `after`, or all of them.
fn window(
    values: &BTreeSet<u64>,
    after: Option<u64>,
) -> std::collections::btree_set::Range<'_, u64> {
    match after {
        Some(after) => values.range((Bound::Excluded(after), Bound::Unbounded)),
        None => values.range(..),
    }
}

#[cfg(test)]
mod tests;
