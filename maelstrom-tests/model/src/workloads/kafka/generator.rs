//! The kafka generator's main phase (maelstrom.md §3.7 "Generator"; jepsen
//! `tests/kafka.clj` `workload` with `:txn? false :crash-clients? true :sub-via #{:assign}`).
//!
//! One generator serves every worker thread, as jepsen's does. Each op it hands out is:
//! - a `:crash`, when the crash schedule is due: crashes are staggered with a mean of
//!   30 s / concurrency, so each client crashes about every 30 s, and the first one is due
//!   at once (jepsen `crash-client-gen`);
//! - else, with probability 1/8, an `:assign` of the key of the op that is *next in
//!   line*, which stays next in line (jepsen `interleave-subscribes` does not consume
//!   it). With probability 1/3 the assign is widened: every key with acknowledged but
//!   unpolled messages comes first, then the op's own key;
//! - else that op: half `[[:poll]]`, half `[[:send k v]]`, over the key pool of `keys.rs`.
//!   A poll has a key too, the one its read micro-op drew, which is what an assign
//!   before it names.
//!
//! Where the spec digest says 1/64 for the assign rate, Maelstrom's runs say 1/8: both
//! reference histories have 12.6% and 12.3% assigns among main-phase ops (1/8 per draw,
//! repeated until the op itself comes out, makes assigns exactly 1/8 of all ops). The
//! widened assigns in them list the unpolled keys first and the op's key last.
//!
//! [`KafkaGenerator::observe`] tracks, per key, the highest offset acknowledged by a send
//! and the highest returned by a poll, both from `:ok` ops only. Keys are integers here
//! and strings in the history (`"9"`), as Maelstrom stringifies them on the way out.

use std::collections::BTreeMap;

use maelstrom_checker::Edn;
use rand::rngs::StdRng;
use rand::Rng;

use super::super::{Invocation, Outcome, WorkloadOptions};
use super::final_phase::FinalPhase;
use super::keys::{KeyPool, DEFAULT_KEY_COUNT};

/// Probability that an `:assign` is emitted before the op next in line (each time).
const ASSIGN_PROBABILITY: f64 = 1.0 / 8.0;

/// Probability that an `:assign` also names every key with unpolled messages.
const WIDEN_PROBABILITY: f64 = 1.0 / 3.0;

/// Each client crashes about this often: the crash stagger's mean is this over the
/// concurrency (jepsen `:crash-client-interval`).
const CRASH_INTERVAL_PER_CLIENT_NS: u64 = 30_000_000_000;

/// The op next in line, held back while assigns are emitted before it.
#[derive(Debug)]
struct NextOp {
    key: u64,
    invocation: Invocation,
}

/// The kafka generator: active keys, next values, offsets sent and polled, and each
/// thread's final phase.
#[derive(Debug)]
pub struct KafkaGenerator {
    keys: KeyPool,
    next_op: Option<NextOp>,
    crash_stagger_mean_ns: u64,
    next_crash_ns: u64,
    /// Highest offset an `:ok` send got, per key.
    sent: BTreeMap<u64, i64>,
    /// Highest offset an `:ok` poll returned, per key.
    polled: BTreeMap<u64, i64>,
    /// Highest offset seen in any `:ok` send or poll, per key (−1 for a key a poll
    /// returned empty): what the final phase must catch up to.
    seen: BTreeMap<u64, i64>,
    final_phase: Option<FinalPhase>,
}

impl KafkaGenerator {
    pub fn new(options: &WorkloadOptions) -> KafkaGenerator {
        let key_count = options
            .key_count
            .map_or(DEFAULT_KEY_COUNT, |count| count as usize);
        let concurrency = options.concurrency.max(1) as u64;
        KafkaGenerator {
            keys: KeyPool::new(key_count, options.max_writes_per_key),
            next_op: None,
            crash_stagger_mean_ns: CRASH_INTERVAL_PER_CLIENT_NS / concurrency,
            next_crash_ns: 0,
            sent: BTreeMap::new(),
            polled: BTreeMap::new(),
            seen: BTreeMap::new(),
            final_phase: None,
        }
    }

    /// The next main-phase op for worker `thread`; `now_ns` is ns since the main phase
    /// began.
    pub fn next_invocation(&mut self, _thread: usize, now_ns: u64, rng: &mut StdRng) -> Invocation {
        if now_ns >= self.next_crash_ns {
            // jepsen `stagger`: the next one is due a uniform [0, 2·mean) after this one.
            self.next_crash_ns = now_ns + rng.gen_range(0..2 * self.crash_stagger_mean_ns);
            return Invocation::new("crash", Edn::Nil);
        }
        let key = match &self.next_op {
            Some(next) => next.key,
            None => {
                let next = self.draw(rng);
                let key = next.key;
                self.next_op = Some(next);
                key
            }
        };
        if rng.gen_bool(ASSIGN_PROBABILITY) {
            return self.assign(key, rng);
        }
        self.next_op
            .take()
            .expect("an op is next in line")
            .invocation
    }

    /// Feedback: how an op completed. Offsets are tracked from `:ok` sends and polls.
    pub fn observe(&mut self, thread: usize, invocation: &Invocation, outcome: &Outcome) {
        if let Some(final_phase) = &mut self.final_phase {
            final_phase.observe(thread, invocation, outcome);
        }
        let Outcome::Ok { value } = outcome else {
            return;
        };
        match invocation.f.as_str() {
            "send" => {
                if let Some((key, offset)) = sent_offset(value) {
                    raise(&mut self.sent, key, offset);
                    raise(&mut self.seen, key, offset);
                }
            }
            "poll" => {
                for (key, highest) in polled_offsets(value) {
                    if let Some(offset) = highest {
                        raise(&mut self.polled, key, offset);
                    }
                    raise(&mut self.seen, key, highest.unwrap_or(-1));
                }
            }
            _ => {}
        }
    }

    /// The final phase (§3.7 "Final"): crash, assign all keys ever seen with
    /// seek-to-beginning, then polls until THIS thread has polled every key up to the max
    /// offset seen; `None` when the thread is done. The phase draws nothing at random;
    /// the stagger between its ops is the runner's ([`super::FINAL_STAGGER_S`]).
    pub fn final_invocation(&mut self, thread: usize, _rng: &mut StdRng) -> Option<Invocation> {
        let seen = &self.seen;
        self.final_phase
            .get_or_insert_with(|| FinalPhase::new(seen.clone()))
            .next_invocation(thread)
    }

    /// The next op in line: a poll or a send, half each.
    fn draw(&mut self, rng: &mut StdRng) -> NextOp {
        if rng.gen_bool(0.5) {
            let key = self.keys.draw_key(rng);
            let poll = Edn::Vector(vec![Edn::Vector(vec![Edn::keyword("poll")])]);
            return NextOp {
                key,
                invocation: Invocation::new("poll", poll),
            };
        }
        let (key, value) = self.keys.draw_write(rng);
        let send = Edn::Vector(vec![Edn::Vector(vec![
            Edn::keyword("send"),
            history_key(key),
            Edn::Int(value as i64),
        ])]);
        NextOp {
            key,
            invocation: Invocation::new("send", send),
        }
    }

    /// `{:f :assign, :value [keys…]}` for the op next in line, maybe widened.
    fn assign(&self, key: u64, rng: &mut StdRng) -> Invocation {
        let mut keys: Vec<u64> = Vec::new();
        if rng.gen_bool(WIDEN_PROBABILITY) {
            keys.extend(
                self.sent
                    .iter()
                    .filter(|(key, sent)| self.polled.get(key).is_none_or(|polled| polled < sent))
                    .map(|(key, _)| *key),
            );
        }
        if !keys.contains(&key) {
            keys.push(key);
        }
        Invocation::new(
            "assign",
            Edn::Vector(keys.into_iter().map(history_key).collect()),
        )
    }
}

/// A key as main-phase ops carry it: a string.
fn history_key(key: u64) -> Edn {
    Edn::Str(key.to_string())
}

/// Our integer key for a history key (`"9"` or `9`); `None` for keys we never made.
pub(super) fn key_number(key: &Edn) -> Option<u64> {
    match key {
        Edn::Str(text) => text.parse().ok(),
        Edn::Int(number) => u64::try_from(*number).ok(),
        _ => None,
    }
}

fn raise(highest: &mut BTreeMap<u64, i64>, key: u64, offset: i64) {
    let entry = highest.entry(key).or_insert(offset);
    *entry = (*entry).max(offset);
}

/// `[[:send k [offset v]]]` → `(k, offset)`.
fn sent_offset(value: &Edn) -> Option<(u64, i64)> {
    let Edn::Vector(mops) = value else {
        return None;
    };
    let [Edn::Vector(mop)] = mops.as_slice() else {
        return None;
    };
    let [_, key, Edn::Vector(pair)] = mop.as_slice() else {
        return None;
    };
    match pair.as_slice() {
        [Edn::Int(offset), _] => Some((key_number(key)?, *offset)),
        _ => None,
    }
}

/// `[[:poll {k [[offset v] …]}]]` → each key with its highest offset (`None` if empty).
pub(super) fn polled_offsets(value: &Edn) -> Vec<(u64, Option<i64>)> {
    let Edn::Vector(mops) = value else {
        return Vec::new();
    };
    let [Edn::Vector(mop)] = mops.as_slice() else {
        return Vec::new();
    };
    let [_, Edn::Map(by_key)] = mop.as_slice() else {
        return Vec::new();
    };
    by_key
        .iter()
        .filter_map(|(key, pairs)| {
            let Edn::Vector(pairs) = pairs else {
                return None;
            };
            let highest = pairs
                .iter()
                .filter_map(|pair| match pair {
                    Edn::Vector(pair) => match pair.as_slice() {
                        [Edn::Int(offset), _] => Some(*offset),
                        _ => None,
                    },
                    _ => None,
                })
                .max();
            Some((key_number(key)?, highest))
        })
        .collect()
}
