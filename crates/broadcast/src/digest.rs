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
//! were never a run) is described exactly up to some value only, `through`;
//! the receiver then says nothing about values above it, and the next round,
//! once the low holes are filled, reaches further. The bound keeps every
//! digest below [`DIGEST_BYTES_MAX`] on the wire.
//!
//! Left out: hashes (Merkle trees, as Dynamo and Cassandra use for arbitrary
//! keys). They would serve values that are not a run; these are.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// Ranges one digest lists at most.
pub const DIGEST_RANGES_MAX: usize = 256;

/// The largest digest on the wire, in bytes: each range is two numbers of at
/// most 20 digits and five characters of punctuation, plus the field names.
pub const DIGEST_BYTES_MAX: usize = DIGEST_RANGES_MAX * (2 * 20 + 5) + 64;

/// The values one node has: exactly, or exactly up to `through`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// Inclusive `[first, last]` runs, ascending and apart (not even adjacent).
    pub ranges: Vec<[u64; 2]>,
    /// `None`: the ranges are the whole set. `Some(w)`: they are the set's values up
    /// to `w` only, and nothing is said about values above `w`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<u64>,
}

impl Digest {
    /// The digest of `values`, cut at [`DIGEST_RANGES_MAX`] ranges.
    pub fn of(values: &BTreeSet<u64>) -> Digest {
        let mut ranges: Vec<[u64; 2]> = Vec::new();
        for &value in values {
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
                    through: Some(value - 1),
                };
            } else {
                ranges.push([value, value]);
            }
        }
        Digest {
            ranges,
            through: None,
        }
    }

    /// Whether the ranges are ascending, each `first ≤ last`, apart from each
    /// other, and within `through`: anything else came from a broken or hostile
    /// sender, and is ignored rather than trusted.
    pub fn is_well_formed(&self) -> bool {
        let ordered = self.ranges.iter().all(|[first, last]| first <= last);
        let apart = self.ranges.windows(2).all(|pair| {
            pair[0][1]
                .checked_add(1)
                .is_some_and(|next| next < pair[1][0])
        });
        let within = match (self.through, self.ranges.last()) {
            (Some(through), Some([_, last])) => *last <= through,
            _ => true,
        };
        ordered && apart && within
    }

    /// Whether the sender has `value`: `None` if the digest says nothing about it.
    pub fn has(&self, value: u64) -> Option<bool> {
        if self.through.is_some_and(|through| value > through) {
            return None;
        }
        // The last range starting at or before `value` is the only one that can hold it.
        let after = self.ranges.partition_point(|[first, _]| *first <= value);
        Some(after > 0 && value <= self.ranges[after - 1][1])
    }

    /// The values of `values` that the sender of this digest surely lacks, in
    /// ascending order, at most `limit` of them.
    pub fn missing_from(&self, values: &BTreeSet<u64>, limit: usize) -> Vec<u64> {
        values
            .iter()
            .copied()
            .take_while(|value| self.through.is_none_or(|through| *value <= through))
            .filter(|value| self.has(*value) == Some(false))
            .take(limit)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(values: impl IntoIterator<Item = u64>) -> BTreeSet<u64> {
        values.into_iter().collect()
    }

    #[test]
    fn a_run_with_holes_is_two_numbers_per_range() {
        let digest = Digest::of(&set((0..=411).chain(413..=980)));
        assert_eq!(digest.ranges, [[0, 411], [413, 980]]);
        assert_eq!(digest.through, None);
        assert!(digest.is_well_formed());
        assert_eq!(Digest::of(&set([])), Digest::default());
        assert_eq!(
            serde_json::to_string(&digest).expect("a digest serializes"),
            r#"{"ranges":[[0,411],[413,980]]}"#
        );
    }

    /// The difference is exact, whatever the two sets are.
    #[test]
    fn missing_values_are_exactly_the_difference() {
        let theirs = set((0..100).filter(|value| value % 7 != 3));
        let ours = set((50..150).filter(|value| value % 5 != 0));
        let digest = Digest::of(&theirs);
        let expected: Vec<u64> = ours.difference(&theirs).copied().collect();
        assert_eq!(digest.missing_from(&ours, usize::MAX), expected);
        assert_eq!(digest.missing_from(&ours, 3), expected[..3]);
        assert_eq!(digest.missing_from(&theirs, usize::MAX), Vec::<u64>::new());
    }

    /// Too many holes: the digest covers a prefix exactly, stays within its
    /// bound, and says nothing about what lies beyond.
    #[test]
    fn a_set_with_too_many_holes_is_described_up_to_a_point() {
        let evens = set((0..10_000).map(|value| value * 2));
        let digest = Digest::of(&evens);
        assert_eq!(digest.ranges.len(), DIGEST_RANGES_MAX);
        let through = digest.through.expect("cut short");
        assert_eq!(through, 2 * DIGEST_RANGES_MAX as u64 - 1);
        assert!(digest.is_well_formed());
        assert_eq!(digest.has(through - 1), Some(true));
        assert_eq!(digest.has(through), Some(false));
        assert_eq!(digest.has(through + 1), None);
        let everything = set(0..20_000);
        let missing = digest.missing_from(&everything, usize::MAX);
        assert_eq!(
            missing.len(),
            DIGEST_RANGES_MAX,
            "only the odd values below `through`"
        );
        let bytes = serde_json::to_string(&Digest::of(&set((0..10_000).map(|v| u64::MAX - 2 * v))))
            .expect("a digest serializes")
            .len();
        assert!(bytes <= DIGEST_BYTES_MAX, "{bytes} > {DIGEST_BYTES_MAX}");
    }

    #[test]
    fn the_largest_values_are_described_without_overflow() {
        let digest = Digest::of(&set([u64::MAX - 1, u64::MAX]));
        assert_eq!(digest.ranges, [[u64::MAX - 1, u64::MAX]]);
        assert_eq!(digest.has(u64::MAX), Some(true));
        assert_eq!(digest.has(0), Some(false));
        assert!(digest.is_well_formed());
    }

    /// Ranges out of order, overlapping, reversed or beyond `through` come from a
    /// broken sender; none of them panics a lookup.
    #[test]
    fn malformed_digests_are_recognised_and_never_panic() {
        let malformed = [
            Digest {
                ranges: vec![[5, 3]],
                through: None,
            },
            Digest {
                ranges: vec![[0, 5], [5, 9]],
                through: None,
            },
            Digest {
                ranges: vec![[0, 5], [6, 9]],
                through: None,
            },
            Digest {
                ranges: vec![[10, 20], [0, 5]],
                through: None,
            },
            Digest {
                ranges: vec![[0, 5]],
                through: Some(4),
            },
            Digest {
                ranges: vec![[0, u64::MAX], [3, 4]],
                through: None,
            },
        ];
        for digest in malformed {
            assert!(!digest.is_well_formed(), "{digest:?}");
            for value in [0, 3, 5, 7, 25, u64::MAX] {
                let _ = digest.has(value);
            }
            let _ = digest.missing_from(&set(0..30), 10);
        }
    }
}
