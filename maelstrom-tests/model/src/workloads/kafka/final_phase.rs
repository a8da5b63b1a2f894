//! The kafka final phase: every thread reads every log from the beginning
//! (maelstrom.md §3.7 "Final"; jepsen `tests/kafka.clj` `final-polls`).
//!
//! After the main phase, the heal and 10 s of quiet, each worker thread on its own:
//! 1. crashes its client, so that a fresh one, with no offsets, does the reading;
//! 2. assigns *every key ever seen* with `:seek-to-beginning? true` (no RPC);
//! 3. polls (`{:f :poll, :value [[:poll]], :poll-ms 1000}`), staggered about 0.2 s apart,
//!    until *this thread's* polls have reached, in every key, the highest offset any
//!    `:ok` send or poll showed by the end of the main phase.
//!
//! As in Maelstrom's histories, the assign lists the keys as integers in ascending order
//! (`[0 1 2 …]`), while main-phase ops name them as strings; jepsen's final generator
//! is not the stringified one. Maelstrom 0.2.3 made no `:debug-topic-partitions` op, and
//! neither do we. If a final poll ends `:info`, the runner opens a fresh client, so the
//! thread assigns again before polling on. The time limit is the runner's
//! ([`super::FINAL_TIME_LIMIT_S`]).

use std::collections::BTreeMap;

use maelstrom_checker::Edn;

use super::super::{Invocation, Outcome};
use super::generator::polled_offsets;

/// `:poll-ms` of a final poll: how long a real Kafka consumer would wait for messages.
const FINAL_POLL_MS: i64 = 1_000;

/// Where one thread is in the final phase.
#[derive(Debug)]
enum Stage {
    Crash,
    Assign,
    /// Polling; the highest offset this thread's final polls returned, per key.
    Poll {
        reached: BTreeMap<u64, i64>,
    },
    Done,
}

#[derive(Debug)]
pub struct FinalPhase {
    /// The highest offset seen per key by the end of the main phase.
    targets: BTreeMap<u64, i64>,
    threads: BTreeMap<usize, Stage>,
}

impl FinalPhase {
    pub fn new(targets: BTreeMap<u64, i64>) -> FinalPhase {
        FinalPhase {
            targets,
            threads: BTreeMap::new(),
        }
    }

    /// The thread's next final op, or `None` once it has caught up.
    pub fn next_invocation(&mut self, thread: usize) -> Option<Invocation> {
        let stage = self.threads.entry(thread).or_insert(Stage::Crash);
        match stage {
            Stage::Crash => {
                *stage = Stage::Assign;
                Some(Invocation::new("crash", Edn::Nil))
            }
            Stage::Assign => {
                *stage = Stage::Poll {
                    reached: BTreeMap::new(),
                };
                let keys = self
                    .targets
                    .keys()
                    .map(|key| Edn::Int(*key as i64))
                    .collect();
                Some(
                    Invocation::new("assign", Edn::Vector(keys))
                        .with_extra("seek-to-beginning?", Edn::Bool(true)),
                )
            }
            Stage::Poll { reached } => {
                let caught_up = self.targets.iter().all(|(key, target)| {
                    *target < 0 || reached.get(key).is_some_and(|offset| offset >= target)
                });
                if caught_up {
                    *stage = Stage::Done;
                    return None;
                }
                let poll = Edn::Vector(vec![Edn::Vector(vec![Edn::keyword("poll")])]);
                Some(Invocation::new("poll", poll).with_extra("poll-ms", Edn::Int(FINAL_POLL_MS)))
            }
            Stage::Done => None,
        }
    }

    /// A final op's completion: polls advance the thread; an `:info` poll means a fresh
    /// client, which must be assigned again.
    pub fn observe(&mut self, thread: usize, invocation: &Invocation, outcome: &Outcome) {
        let Some(Stage::Poll { reached }) = self.threads.get_mut(&thread) else {
            return;
        };
        if invocation.f != "poll" {
            return;
        }
        match outcome {
            Outcome::Ok { value } => {
                for (key, highest) in polled_offsets(value) {
                    if let Some(offset) = highest {
                        let entry = reached.entry(key).or_insert(offset);
                        *entry = (*entry).max(offset);
                    }
                }
            }
            Outcome::Info { .. } => {
                self.threads.insert(thread, Stage::Assign);
            }
            Outcome::Fail { .. } => {}
        }
    }
}
