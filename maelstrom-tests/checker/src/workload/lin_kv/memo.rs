//! The search's memory: which configurations have been explored already (Lowe's
//! memoization for the Wing & Gong search, `super::search`), extended so that a
//! configuration is skipped when one at least as capable has been seen.
//!
//! A configuration is the set of ops linearized so far and the register's value. Two with
//! the same value and the same *completed* ops linearized differ only in which uncertain
//! ops (`:info`, never completed) they have used up. Uncertain ops have no deadline, so
//! the one that has used fewer of them can do everything the other can: whatever order
//! finishes the history from the second also finishes it from the first. Storing, for
//! each (completed set, value), the uncertain sets seen, and skipping a configuration when
//! a subset of its uncertain set is stored, is therefore still exact (an order that is
//! found from the larger set is found from the smaller one), and it stops the search from
//! trying every combination of timed-out writes that lead to the same value.
//!
//! Subsets of uncertain ops compare as counts because the search uses interchangeable
//! uncertain ops (same call) in invocation order only.

use std::collections::HashMap;

use super::history::Value;

/// Explored configurations, grouped by (completed ops linearized, register value).
#[derive(Debug)]
pub struct Memo {
    /// Each op's bit: in the completed set or the uncertain set, and its place there.
    slot: Vec<(bool, usize)>,
    /// The completed ops linearized now, then the register value in the last word: the
    /// key of a group.
    completed: Vec<u64>,
    /// The uncertain ops linearized now.
    uncertain: Vec<u64>,
    seen: HashMap<Vec<u64>, Vec<Vec<u64>>>,
    explored: usize,
}

impl Memo {
    /// A memo for ops that are uncertain where `uncertain` says so.
    pub fn new(uncertain: impl Iterator<Item = bool>) -> Memo {
        let (mut completed_count, mut uncertain_count) = (0, 0);
        let slot = uncertain
            .map(|is_uncertain| {
                let counter = if is_uncertain {
                    &mut uncertain_count
                } else {
                    &mut completed_count
                };
                *counter += 1;
                (is_uncertain, *counter - 1)
            })
            .collect();
        Memo {
            slot,
            completed: vec![0; completed_count.div_ceil(64) + 1],
            uncertain: vec![0; uncertain_count.div_ceil(64)],
            seen: HashMap::new(),
            explored: 0,
        }
    }

    fn bits(&mut self, op: usize) -> (&mut u64, u64) {
        let (is_uncertain, place) = self.slot[op];
        let words = if is_uncertain {
            &mut self.uncertain
        } else {
            &mut self.completed
        };
        (&mut words[place / 64], 1 << (place % 64))
    }

    /// Marks `op` linearized.
    pub fn add(&mut self, op: usize) {
        let (word, bit) = self.bits(op);
        *word |= bit;
    }

    /// Marks `op` not linearized.
    pub fn remove(&mut self, op: usize) {
        let (word, bit) = self.bits(op);
        *word &= !bit;
    }

    /// Records the current set with register `value`; `false` when it, or a
    /// configuration at least as capable, has been explored before.
    pub fn visit(&mut self, value: Value) -> bool {
        let last = self.completed.len() - 1;
        self.completed[last] = u64::from(value);
        let uncertain = &self.uncertain;
        if let Some(group) = self.seen.get_mut(self.completed.as_slice()) {
            let covered = group.iter().any(|stored| {
                stored
                    .iter()
                    .zip(uncertain)
                    .all(|(stored, now)| stored & !now == 0)
            });
            if covered {
                return false;
            }
            group.push(uncertain.clone());
        } else {
            self.seen
                .insert(self.completed.clone(), vec![uncertain.clone()]);
        }
        self.explored += 1;
        true
    }

    /// How many configurations have been recorded.
    pub fn explored(&self) -> usize {
        self.explored
    }
}
