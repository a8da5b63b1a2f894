//! kafka (maelstrom.md §3.7; Maelstrom `workload/kafka.clj`, jepsen `tests/kafka.clj`):
//! a replicated log per key, written by `send` and read by `poll`.
//!
//! Its ops don't fit one request each: a poll takes two RPCs (`poll`, then
//! `commit_offsets`), a seek-to-beginning assign and a crash take none, and the generator
//! needs the clock (crashes are staggered in time) and feedback (it widens assigns
//! towards keys with unread messages, and the final phase polls until each thread has
//! caught up). So [`Kafka`] overrides the [`Workload`] trait's `invoke`/`reply` steps and
//! keeps one client per worker thread:
//! - [`KafkaClient`] (`client.rs`): one opened client. `invoke` starts an op and `reply`
//!   hands it what came back; each returns the next [`Step`]: a request body to send, or
//!   the op's outcome. A crash opens a fresh one, with empty local offsets.
//! - [`KafkaGenerator`] (`generator.rs`): the main phase's ops for each worker thread,
//!   over the key pool of `keys.rs`; `observe` feeds it completions.
//! - The final phase (`final_phase.rs`): crash, assign every key seen from the beginning,
//!   poll until caught up, under a stagger of [`FINAL_STAGGER_S`] and a limit of
//!   [`FINAL_TIME_LIMIT_S`].
//!
//! Keys are strings in the history and on the wire (`"9"`), except in the final phase's
//! assign, whose keys are integers (`[0 1 2 …]`), exactly as in Maelstrom's histories.

mod client;
mod final_phase;
mod generator;
mod keys;
#[cfg(test)]
mod tests;

pub use client::KafkaClient;
pub use generator::KafkaGenerator;

use rand::rngs::StdRng;
use serde_json::Value;

use super::{Invocation, Outcome, Reply, Step, Workload, WorkloadOptions};

/// The final phase's stagger between one thread's ops, in seconds (jepsen
/// `(gen/stagger 1/5)` around the final polls, maelstrom.md §3.7).
pub const FINAL_STAGGER_S: f64 = 0.2;

/// The final phase's time limit, in seconds: Maelstrom clips it to 10 s (§3.7).
pub const FINAL_TIME_LIMIT_S: u64 = 10;

/// The kafka workload: the generator, and each worker thread's current client.
#[derive(Debug)]
pub struct Kafka {
    generator: KafkaGenerator,
    clients: Vec<KafkaClient>,
}

impl Kafka {
    pub fn new(options: &WorkloadOptions) -> Kafka {
        Kafka {
            generator: KafkaGenerator::new(options),
            clients: (0..options.concurrency)
                .map(|_| KafkaClient::new())
                .collect(),
        }
    }
}

impl Workload for Kafka {
    fn name(&self) -> &'static str {
        "kafka"
    }

    fn setup_body(&self, _node: &str) -> Option<Value> {
        None
    }

    fn next_invocation(&mut self, thread: usize, now_ns: u64, rng: &mut StdRng) -> Invocation {
        self.generator.next_invocation(thread, now_ns, rng)
    }

    fn observe(&mut self, thread: usize, invocation: &Invocation, outcome: &Outcome) {
        self.generator.observe(thread, invocation, outcome);
    }

    fn has_final_phase(&self) -> bool {
        true
    }

    fn final_invocation(&mut self, thread: usize, rng: &mut StdRng) -> Option<Invocation> {
        self.generator.final_invocation(thread, rng)
    }

    fn final_schedule(&self) -> Option<(f64, u64)> {
        Some((FINAL_STAGGER_S, FINAL_TIME_LIMIT_S))
    }

    fn client_opened(&mut self, thread: usize) {
        self.clients[thread] = KafkaClient::new();
    }

    fn invoke(&mut self, thread: usize, invocation: &Invocation) -> Step {
        self.clients[thread].invoke(invocation)
    }

    fn reply(&mut self, thread: usize, invocation: &Invocation, reply: Reply) -> Step {
        self.clients[thread].reply(invocation, reply)
    }
}
