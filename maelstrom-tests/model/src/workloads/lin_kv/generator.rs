//! lin-kv's generator: worker threads in groups of 2n, each group on one key until
//! more than 20 processes have worked it (maelstrom.md §3.6; jepsen
//! `jepsen/src/jepsen/independent.clj` `concurrent-generator`,
//! `jepsen/src/jepsen/tests/linearizable_register.clj`, `jepsen/src/jepsen/generator.clj`
//! `reserve` and `process-limit`).
//!
//! Jepsen builds it from three pieces, and each leaves a trace in the history:
//! - `concurrent-generator (* 2 n) (range) …` splits the threads into contiguous groups
//!   of 2n (threads 0‥2n−1, 2n‥4n−1, …). Group *g* starts on key *g*; a group whose key
//!   is retired takes the next key nobody has had yet, so keys go 0, 1, 2, … in the order
//!   groups finish with theirs.
//! - `gen/reserve n r (gen/mix [w cas cas])` gives reads to the threads numbered
//!   0‥n−1, and write, cas or cas (one draw in three each) to every other thread.
//!   Reserve counts *absolute* thread numbers, not positions in the group, so only the
//!   first group has readers: with `--concurrency 4n` the second key is only ever
//!   written and cas'ed. Real histories show exactly this; §3.6's "n of them only read"
//!   holds for the first group alone. Values are `rand-int 5`.
//! - `gen/process-limit 20` remembers every process it has seen in the group whenever
//!   it is asked for an op, whether or not that process then works on the key; once that
//!   set exceeds [`PROCESS_LIMIT`], the key is done. A group starts with 2n processes, and
//!   each `:info` brings one more (the worker's process grows by the concurrency, §1.4),
//!   so a key is retired at the first op the group asks for after its (21 − 2n)th `:info`.
//!
//! The generator learns of `:info`s from [`KeyGenerator::process_crashed`]; it follows
//! the runner's rule for process numbers rather than being told them. Left out:
//! `:per-key-limit` (Maelstrom never sets one) and any end to the key sequence
//! (`(range)` is infinite).

use std::collections::BTreeSet;

use rand::rngs::StdRng;
use rand::Rng;

/// `gen/process-limit`'s default in `linearizable_register.clj`: more distinct processes
/// than this in a group retire its key.
pub const PROCESS_LIMIT: usize = 20;

/// Written values and cas `from`/`to` are drawn from `0..VALUE_BOUND` (`rand-int 5`).
pub const VALUE_BOUND: i64 = 5;

/// One op on a key, before `independent` wraps its value in `[key value]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOp {
    Read,
    Write { value: i64 },
    Cas { from: i64, to: i64 },
}

/// Why a concurrency or node count can't be grouped (maelstrom.md §8.13).
pub fn check_grouping(concurrency: usize, node_count: usize) -> Result<(), String> {
    let group_size = 2 * node_count;
    if concurrency == 0 || concurrency % group_size != 0 {
        return Err(format!(
            "lin-kv runs each key on 2n = {group_size} threads, so the concurrency must be a \
             multiple of {group_size} (try --concurrency 2n), got {concurrency}"
        ));
    }
    // Jepsen would hand out keys forever, each retired before its first op: a group
    // that starts with more processes than the limit never gets to work.
    if group_size > PROCESS_LIMIT {
        return Err(format!(
            "lin-kv runs each key on 2n = {group_size} threads, more than the {PROCESS_LIMIT} \
             processes a key may have, so no key would ever get an op: use at most {} nodes",
            PROCESS_LIMIT / 2
        ));
    }
    Ok(())
}

/// One group of threads and the key it works on.
#[derive(Debug)]
struct Group {
    key: u64,
    /// Every process `process-limit` has seen on this key.
    seen: BTreeSet<u64>,
}

/// The generator's state: each thread's process, each group's key, the next fresh key.
#[derive(Debug)]
pub struct KeyGenerator {
    node_count: usize,
    group_size: usize,
    /// The current process of each worker thread.
    processes: Vec<u64>,
    groups: Vec<Group>,
    next_key: u64,
}

impl KeyGenerator {
    /// Groups `concurrency` threads by 2 × `node_count`; see [`check_grouping`].
    pub fn new(concurrency: usize, node_count: usize) -> Result<KeyGenerator, String> {
        check_grouping(concurrency, node_count)?;
        let group_size = 2 * node_count;
        let processes: Vec<u64> = (0..concurrency as u64).collect();
        let groups: Vec<Group> = processes
            .chunks(group_size)
            .zip(0..)
            .map(|(members, key)| Group {
                key,
                seen: members.iter().copied().collect(),
            })
            .collect();
        Ok(KeyGenerator {
            node_count,
            group_size,
            next_key: groups.len() as u64,
            processes,
            groups,
        })
    }

    /// The next op for `thread`, with its key.
    pub fn next_op(&mut self, thread: usize, rng: &mut StdRng) -> (u64, KeyOp) {
        let group = thread / self.group_size;
        self.maybe_retire_key(group);
        let op = if thread < self.node_count {
            KeyOp::Read
        } else if rng.gen_range(0..3) == 0 {
            KeyOp::Write {
                value: rng.gen_range(0..VALUE_BOUND),
            }
        } else {
            KeyOp::Cas {
                from: rng.gen_range(0..VALUE_BOUND),
                to: rng.gen_range(0..VALUE_BOUND),
            }
        };
        (self.groups[group].key, op)
    }

    /// `thread`'s op completed `:info`: its worker moves on to a new process (§1.4).
    pub fn process_crashed(&mut self, thread: usize) {
        self.processes[thread] += self.processes.len() as u64;
    }

    /// `process-limit`: adds the group's current processes to those its key has seen,
    /// and gives the group a fresh key once there are more than [`PROCESS_LIMIT`].
    fn maybe_retire_key(&mut self, group: usize) {
        let members = &self.processes[group * self.group_size..(group + 1) * self.group_size];
        let state = &mut self.groups[group];
        state.seen.extend(members.iter().copied());
        if state.seen.len() > PROCESS_LIMIT {
            state.key = self.next_key;
            self.next_key += 1;
            state.seen = members.iter().copied().collect();
        }
        assert!(
            state.seen.len() <= PROCESS_LIMIT,
            "a fresh key starts with the group's {} processes, within the limit",
            self.group_size
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn ops(generator: &mut KeyGenerator, thread: usize, count: usize) -> Vec<(u64, KeyOp)> {
        let rng = &mut StdRng::seed_from_u64(thread as u64);
        (0..count).map(|_| generator.next_op(thread, rng)).collect()
    }

    /// maelstrom.md §3.6: with 3 nodes and `--concurrency 2n`, one group of 6 threads
    /// works key 0; threads 0‥2 only read, threads 3‥5 only write and cas.
    #[test]
    fn one_group_of_two_n_threads_shares_a_key_half_reading_half_writing() {
        let mut generator = KeyGenerator::new(6, 3).expect("6 is 2n");
        for thread in 0..6 {
            let drawn = ops(&mut generator, thread, 200);
            assert!(drawn.iter().all(|(key, _)| *key == 0), "thread {thread}");
            let reads = drawn.iter().filter(|(_, op)| *op == KeyOp::Read).count();
            if thread < 3 {
                assert_eq!(reads, 200, "thread {thread} is a reader");
            } else {
                assert_eq!(reads, 0, "thread {thread} writes and cas'es");
            }
        }
    }

    /// maelstrom.md §3.6: `mix [w cas cas]`: a third writes, two thirds cas; every value
    /// is in [0, 5), and all five occur.
    #[test]
    fn writers_draw_write_or_cas_with_values_below_five() {
        let mut generator = KeyGenerator::new(2, 1).expect("2 is 2n");
        let drawn = ops(&mut generator, 1, 3000);
        let mut values = BTreeSet::new();
        let mut writes = 0;
        for (_, op) in &drawn {
            match *op {
                KeyOp::Write { value } => {
                    writes += 1;
                    values.insert(value);
                }
                KeyOp::Cas { from, to } => {
                    values.insert(from);
                    values.insert(to);
                }
                KeyOp::Read => panic!("thread 1 of one node is a writer"),
            }
        }
        assert_eq!(values, (0..VALUE_BOUND).collect());
        assert!((900..1100).contains(&writes), "{writes} writes of 3000");
    }

    /// maelstrom.md §3.6, as real histories show it: `reserve` counts absolute thread
    /// numbers, so with `--concurrency 4n` the second group (threads 2n‥4n−1) works key
    /// 1 and never reads.
    #[test]
    fn each_group_starts_on_its_own_key_and_only_the_first_group_reads() {
        let mut generator = KeyGenerator::new(12, 3).expect("12 is 4n");
        for thread in 0..12 {
            let drawn = ops(&mut generator, thread, 50);
            let expected_key = (thread / 6) as u64;
            assert!(drawn.iter().all(|(key, _)| *key == expected_key));
            let reads = drawn.iter().any(|(_, op)| *op == KeyOp::Read);
            assert_eq!(reads, thread < 3, "thread {thread}");
        }
    }

    /// maelstrom.md §3.6: a key is retired once more than 20 processes have been seen
    /// in its group; with 6 threads that is the 15th `:info`, and the group moves to
    /// the next fresh key, after those other groups already hold.
    #[test]
    fn a_key_is_retired_once_more_than_twenty_processes_have_worked_it() {
        let mut generator = KeyGenerator::new(12, 3).expect("12 is 4n");
        let rng = &mut StdRng::seed_from_u64(1);
        for crash in 1..=15 {
            generator.process_crashed(crash % 6);
            let (key, _) = generator.next_op(0, rng);
            let expected = if crash < 15 { 0 } else { 2 };
            assert_eq!(
                key, expected,
                "after {crash} crashes, 6 + {crash} processes"
            );
        }
        assert_eq!(
            generator.next_op(7, rng).0,
            1,
            "the other group keeps key 1"
        );
        for crash in 0..14 {
            generator.process_crashed(crash % 6);
            assert_eq!(generator.next_op(0, rng).0, 2);
        }
        generator.process_crashed(0);
        assert_eq!(
            generator.next_op(5, rng).0,
            3,
            "keys are handed out in order"
        );
    }

    /// maelstrom.md §3.6: the limit counts the processes of a key's own group: the
    /// other group's crashes move only that group on.
    #[test]
    fn crashes_in_another_group_do_not_count_against_a_key() {
        let mut generator = KeyGenerator::new(4, 1).expect("4 is 4n");
        let rng = &mut StdRng::seed_from_u64(2);
        for _ in 0..18 {
            generator.process_crashed(3);
            assert_eq!(generator.next_op(3, rng).0, 1, "2 + 18 processes at most");
        }
        generator.process_crashed(3);
        assert_eq!(
            generator.next_op(3, rng).0,
            2,
            "the 21st process retires key 1"
        );
        assert_eq!(generator.next_op(0, rng).0, 0, "group 0 keeps its key");
    }

    /// maelstrom.md §3 intro: the generator draws only from the RNG it is handed.
    #[test]
    fn the_same_seed_draws_the_same_ops() {
        let run = |seed| {
            let mut generator = KeyGenerator::new(6, 3).expect("6 is 2n");
            let rng = &mut StdRng::seed_from_u64(seed);
            (0..300)
                .map(|i| {
                    if i % 7 == 0 {
                        generator.process_crashed(i % 6);
                    }
                    generator.next_op(i % 6, rng)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
    }

    /// maelstrom.md §8.13: a concurrency that is not a multiple of 2n is refused; so is
    /// a group larger than the process limit, which would never get an op.
    #[test]
    fn a_concurrency_that_is_not_a_multiple_of_two_n_is_refused() {
        assert!(check_grouping(6, 3).is_ok());
        assert!(check_grouping(18, 3).is_ok());
        for (concurrency, nodes) in [(3, 3), (4, 3), (9, 3), (0, 1), (1, 1)] {
            let error = check_grouping(concurrency, nodes).expect_err("refused");
            assert!(error.contains("multiple of"), "{error}");
        }
        assert!(check_grouping(20, 10).is_ok());
        assert!(check_grouping(22, 11).is_err());
    }
}
