//! kafka (maelstrom.md §3.7; Maelstrom `workload/kafka.clj`, jepsen `tests/kafka.clj`):
//! a replicated log per key, written by `send` and read by `poll`.
//!
//! This workload does not fit the one-request-per-op [`Workload`](super::Workload)
//! trait yet: a poll takes two RPCs (`poll`, then `commit_offsets`), a seek-to-beginning
//! assign and a crash take none, and the generator needs the clock (crashes are
//! staggered in time) and feedback (it widens assigns towards keys with unread
//! messages, and the final phase polls until each thread has caught up). So it is
//! written as standalone pure types, driven step by step:
//! - [`KafkaClient`] (`client.rs`): one opened client. `invoke` starts an op and `reply`
//!   hands it what came back; each returns the next [`Step`]: a request body to send, or
//!   the op's outcome.
//! - [`KafkaGenerator`] (`generator.rs`): the main phase's ops for each worker thread,
//!   over the key pool of `keys.rs`; `observe` feeds it completions.
//! - The final phase (`final_phase.rs`): crash, assign every key seen from the beginning,
//!   poll until caught up.
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

use super::Outcome;

/// What a client does next for the op it is executing.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Send this request body (without `msg_id`, which the runner adds) to the node.
    Send(serde_json::Value),
    /// The op is over; record this outcome.
    Done(Outcome),
}

/// The final phase's stagger between one thread's ops, in seconds (jepsen
/// `(gen/stagger 1/5)` around the final polls, maelstrom.md §3.7).
pub const FINAL_STAGGER_S: f64 = 0.2;

/// The final phase's time limit, in seconds: Maelstrom clips it to 10 s (§3.7).
pub const FINAL_TIME_LIMIT_S: u64 = 10;
