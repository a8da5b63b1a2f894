//! The pool of active keys the kafka generator draws from (maelstrom.md §3.7
//! "Generator"; elle `txn.clj` `wr-txns`, `rand-key`).
//!
//! There are always `key_count` active keys (10 by default), held in a vector. A draw
//! picks a *position* in that vector with probability 2^i / (2^n − 1), so the last
//! position gets about half the traffic and the first almost none: elle computes
//! `i = ⌊log2(x + 2) − 1⌋` for `x` uniform in `[0, 2(2^n − 1))`, and we do the same.
//! Each key is written the values 1, 2, … up to `max_writes_per_key` (16 by default);
//! the draw that takes the last value retires the key, and a fresh key (the largest so
//! far plus one) takes its position. Fresh keys therefore tend to land on the busy
//! positions, and the log of each key stays short.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::Rng;

/// How many keys are active when `--key-count` is not given.
pub const DEFAULT_KEY_COUNT: usize = 10;

/// A position in `0..key_count`, weighted 2^i / (2^n − 1) (elle `rand-key`, base 2).
pub fn draw_position(rng: &mut StdRng, key_count: usize) -> usize {
    assert!(key_count > 0, "there is always at least one active key");
    let scale = 2.0 * ((key_count as f64).exp2() - 1.0);
    let x = rng.gen_range(0.0..scale);
    let position = ((x + 2.0).log2() - 1.0).floor() as usize;
    // Rounding can land exactly on n for x just below the scale.
    position.min(key_count - 1)
}

/// The active keys and how many values each has been given.
#[derive(Debug)]
pub struct KeyPool {
    active: Vec<u64>,
    next_key: u64,
    written: BTreeMap<u64, u64>,
    max_writes_per_key: u64,
}

impl KeyPool {
    pub fn new(key_count: usize, max_writes_per_key: u64) -> KeyPool {
        assert!(key_count > 0, "--key-count must be at least 1");
        assert!(
            max_writes_per_key > 0,
            "--max-writes-per-key must be at least 1"
        );
        KeyPool {
            active: (0..key_count as u64).collect(),
            next_key: key_count as u64,
            written: BTreeMap::new(),
            max_writes_per_key,
        }
    }

    /// A key to read: any active key, by the position weights.
    pub fn draw_key(&self, rng: &mut StdRng) -> u64 {
        self.active[draw_position(rng, self.active.len())]
    }

    /// A key and the next value to write to it, retiring the key if that value is its
    /// last.
    pub fn draw_write(&mut self, rng: &mut StdRng) -> (u64, u64) {
        let position = draw_position(rng, self.active.len());
        let key = self.active[position];
        let value = self.written.get(&key).copied().unwrap_or(0) + 1;
        self.written.insert(key, value);
        if value == self.max_writes_per_key {
            self.active[position] = self.next_key;
            self.next_key += 1;
            self.written.remove(&key);
        }
        (key, value)
    }

    #[cfg(test)]
    pub fn active(&self) -> &[u64] {
        &self.active
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// maelstrom.md §3.7 (elle `rand-key`): position i has probability 2^i / (2^n − 1).
    #[test]
    fn positions_are_weighted_by_powers_of_two() {
        let rng = &mut StdRng::seed_from_u64(7);
        let draws = 200_000;
        let mut counts = [0usize; DEFAULT_KEY_COUNT];
        for _ in 0..draws {
            counts[draw_position(rng, DEFAULT_KEY_COUNT)] += 1;
        }
        let total_weight = (1u64 << DEFAULT_KEY_COUNT) - 1;
        for (position, count) in counts.iter().enumerate() {
            let expected = draws as f64 * (1u64 << position) as f64 / total_weight as f64;
            let tolerance = 5.0 * expected.sqrt() + 1.0;
            assert!(
                (*count as f64 - expected).abs() < tolerance,
                "position {position}: {count} draws, expected {expected:.0}"
            );
        }
    }

    /// maelstrom.md §3.7: values per key run 1..max, then the key retires and max+1 takes
    /// its position.
    #[test]
    fn a_key_written_its_last_value_is_replaced_by_a_fresh_key() {
        let rng = &mut StdRng::seed_from_u64(3);
        let mut pool = KeyPool::new(3, 4);
        let mut values: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        for _ in 0..200 {
            let (key, value) = pool.draw_write(rng);
            values.entry(key).or_default().push(value);
        }
        let mut retired = 0;
        for (key, written) in &values {
            let expected: Vec<u64> = (1..=written.len() as u64).collect();
            assert_eq!(written, &expected, "key {key}");
            let is_retired = !pool.active().contains(key);
            assert_eq!(is_retired, written.len() == 4, "key {key}: {written:?}");
            retired += u64::from(is_retired);
        }
        assert!(retired > 0, "200 writes over 3 keys retire some");
        // Each retirement brought in exactly one fresh key, numbered after all others.
        assert_eq!(pool.next_key, 3 + retired);
        assert_eq!(pool.active().len(), 3);
        assert!(pool.active().iter().all(|key| *key < pool.next_key));
    }
}
