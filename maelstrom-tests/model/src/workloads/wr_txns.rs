//! Elle's `wr-txns` generator: random read/write transactions over a sliding pool of
//! integer keys (maelstrom.md §3.8, §3.7 "Keys"; elle `txn.clj` `wr-txns`, `rand-key`).
//!
//! - A transaction has a length drawn uniformly from `1..=max_txn_length`; each of its
//!   micro-ops is a read or a write with probability 1/2.
//! - Keys come from `key_count` *active* keys, initially `0..key_count`. The key at
//!   position `i` of the active vector is picked with probability `2^i / (2^n − 1)`, so
//!   the last position takes about half the traffic. (Elle's docstring says the first;
//!   its arithmetic says the last, and this follows the arithmetic.)
//! - Writes to a key carry 1, 2, 3, …: every value is written once, which is what lets
//!   a checker tell from a read which write it saw. After `max_writes_per_key` writes the
//!   key retires and its position goes to a fresh key, one more than the largest active
//!   one, so new keys tend to sit at the hot positions.
//!
//! Elle draws the position as `⌊log2(U[0, 2(2^n − 1)) + 2)⌋ − 1` over doubles. Here it is
//! `⌊log2(u + 1)⌋` for an integer `u` uniform in `[0, 2^n − 1)`: exactly the same
//! distribution, with no rounding, for `n` up to [`KEY_COUNT_MAX`].
//!
//! kafka (§3.7) and txn-list-append (§3.9) build on the same generator; only
//! txn-rw-register uses it so far.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::Rng;

/// The most active keys the integer key draw supports (`2^n − 1` must fit in a `u64`).
pub const KEY_COUNT_MAX: u64 = 63;

/// One micro-op of a generated transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MicroOp {
    Read { key: i64 },
    Write { key: i64, value: i64 },
}

/// The generator's state: the active keys and the next value for each.
#[derive(Debug)]
pub struct WrTxns {
    max_txn_length: u64,
    max_writes_per_key: i64,
    /// Position `i` is picked with probability `2^i / (2^n − 1)`.
    active_keys: Vec<i64>,
    /// The next value to write, per active key that has been written (else 1). A
    /// retired key's entry is removed, so this holds at most `key_count` entries.
    next_value: BTreeMap<i64, i64>,
}

impl WrTxns {
    /// A generator over `key_count` keys; errors name the option that is out of range.
    pub fn new(
        key_count: u64,
        max_txn_length: u64,
        max_writes_per_key: u64,
    ) -> Result<WrTxns, String> {
        if !(1..=KEY_COUNT_MAX).contains(&key_count) {
            return Err(format!(
                "--key-count must be between 1 and {KEY_COUNT_MAX}, not {key_count}"
            ));
        }
        if max_txn_length == 0 {
            return Err("--max-txn-length must be at least 1".into());
        }
        let max_writes_per_key = i64::try_from(max_writes_per_key)
            .ok()
            .filter(|&max| max >= 1)
            .ok_or_else(|| {
                format!("--max-writes-per-key must be at least 1, not {max_writes_per_key}")
            })?;
        Ok(WrTxns {
            max_txn_length,
            max_writes_per_key,
            active_keys: (0..key_count as i64).collect(),
            next_value: BTreeMap::new(),
        })
    }

    /// The next transaction.
    pub fn next_txn(&mut self, rng: &mut StdRng) -> Vec<MicroOp> {
        let length = rng.gen_range(1..=self.max_txn_length);
        (0..length).map(|_| self.next_micro_op(rng)).collect()
    }

    fn next_micro_op(&mut self, rng: &mut StdRng) -> MicroOp {
        let position = self.key_position(rng);
        let key = self.active_keys[position];
        if rng.gen_bool(0.5) {
            return MicroOp::Read { key };
        }
        let value = self.next_value.get(&key).copied().unwrap_or(1);
        if value >= self.max_writes_per_key {
            self.retire(position);
        } else {
            self.next_value.insert(key, value + 1);
        }
        MicroOp::Write { key, value }
    }

    /// elle `rand-key`: position `i` with probability `2^i / (2^n − 1)`.
    fn key_position(&self, rng: &mut StdRng) -> usize {
        let n = self.active_keys.len() as u32;
        let draw: u64 = rng.gen_range(0..(1u64 << n) - 1);
        // ⌊log2(draw + 1)⌋: 2^i of the 2^n − 1 draws land on position i.
        (u64::BITS - 1 - (draw + 1).leading_zeros()) as usize
    }

    /// The key at `position` has had its last write: a fresh key takes its place.
    fn retire(&mut self, position: usize) {
        let retired = self.active_keys[position];
        let fresh = self
            .active_keys
            .iter()
            .max()
            .expect("there is at least one active key")
            + 1;
        self.next_value.remove(&retired);
        self.active_keys[position] = fresh;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn generate(txn_count: usize, seed: u64) -> Vec<Vec<MicroOp>> {
        let mut generator = WrTxns::new(10, 4, 16).expect("Maelstrom's defaults");
        let rng = &mut StdRng::seed_from_u64(seed);
        (0..txn_count).map(|_| generator.next_txn(rng)).collect()
    }

    /// maelstrom.md §3.8: lengths are uniform in 1..=4, and micro-ops are half reads.
    #[test]
    fn lengths_are_uniform_and_half_the_micro_ops_are_reads() {
        let txns = generate(40_000, 1);
        for length in 1..=4 {
            let share = txns.iter().filter(|t| t.len() == length).count() as f64 / 40_000.0;
            assert!((share - 0.25).abs() < 0.01, "length {length}: {share}");
        }
        let mops: Vec<&MicroOp> = txns.iter().flatten().collect();
        let reads = mops
            .iter()
            .filter(|m| matches!(m, MicroOp::Read { .. }))
            .count();
        let share = reads as f64 / mops.len() as f64;
        assert!((share - 0.5).abs() < 0.01, "reads: {share}");
    }

    /// maelstrom.md §3.7 "Keys": position i gets 2^i / (2^n − 1) of the picks, here
    /// measured on the first micro-op of fresh generators, before any key retires.
    #[test]
    fn key_positions_follow_the_exponential_weighting() {
        let generator = WrTxns::new(10, 4, 16).expect("valid options");
        let rng = &mut StdRng::seed_from_u64(2);
        let draws = 1_023_000;
        let mut counts = [0u64; 10];
        for _ in 0..draws {
            counts[generator.key_position(rng)] += 1;
        }
        for (position, count) in counts.iter().enumerate() {
            let expected = draws as f64 * (1u64 << position) as f64 / 1023.0;
            let error = (*count as f64 - expected).abs() / expected;
            assert!(
                error < 0.05,
                "position {position}: {count} vs {expected:.0}"
            );
        }
        assert!(
            counts[9] > draws / 2 - draws / 100,
            "the last position takes about half"
        );
    }

    /// elle `wr-txns`: each key is written 1, 2, …, max exactly once each, then retires
    /// and is replaced by one more than the largest active key.
    #[test]
    fn each_key_gets_values_one_to_max_once_then_retires() {
        let txns = generate(20_000, 3);
        let mut written: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for mop in txns.iter().flatten() {
            if let MicroOp::Write { key, value } = *mop {
                written.entry(key).or_default().push(value);
            }
        }
        let last_key = *written.keys().last().expect("some writes");
        assert!(last_key > 100, "keys retire and new ones come: {last_key}");
        for (key, values) in &written {
            let expected: Vec<i64> = (1..=values.len() as i64).collect();
            assert_eq!(values, &expected, "key {key}");
            assert!(values.len() <= 16, "key {key}");
        }
        // Every key but the last few active ones reached its last write.
        let finished = written.values().filter(|v| v.len() == 16).count();
        assert!(
            finished >= written.len() - 10,
            "{finished} of {}",
            written.len()
        );
    }

    /// Options out of range are refused with the option's name.
    #[test]
    fn out_of_range_options_are_refused() {
        assert!(WrTxns::new(0, 4, 16)
            .expect_err("no keys")
            .contains("--key-count"));
        assert!(WrTxns::new(64, 4, 16).is_err());
        assert!(WrTxns::new(63, 4, 16).is_ok());
        assert!(WrTxns::new(10, 0, 16)
            .expect_err("empty txns")
            .contains("--max-txn-length"));
        assert!(WrTxns::new(10, 4, 0)
            .expect_err("no writes")
            .contains("--max-writes-per-key"));
    }
}
