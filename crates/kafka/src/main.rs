//! Challenges 5a–5c, a Kafka-style log: clients `send` messages to keys and
//! get offsets back, `poll` each key from an offset, and commit how far they
//! have read — on one node, then on two, then with few messages between them.
//!
//! The design: every node answers every request from its own memory, at once,
//! and the nodes agree on the logs without ever asking each other first.
//! - **Offsets without coordination** ([`log`]). Each key has a Lamport clock
//!   per node; a node's next offset for a key is the smallest one above its
//!   clock that is *its own*, offsets being split between nodes by remainder
//!   (`n0` even, `n1` odd). No two nodes can pick the same offset.
//! - **Replication in batches** ([`peer`], [`journal`]). Every
//!   [`options::REPLICATE_INTERVAL`] a node sends each peer one message with
//!   its new messages, its clocks and its commits, and acknowledges the
//!   peer's. A lost message is repaired by the next.
//! - **Polls show only what is final** ([`node`]). A peer's clock for a key is
//!   a promise that it will never write at or below it, so below the smallest
//!   of the peers' clocks no message can still arrive: a poll reads up to
//!   there and never shows a log a late message could slip into.
//!
//! Why not the published designs: routing each key to an owner costs two
//! messages per remote send and about 1.4 per operation, and keeping logs in
//! `lin-kv` about 4.7 (maelstrom.md §7, challenge 5c). Here messages between
//! nodes are one per peer per interval whatever the rate, a few hundredths of
//! a message per operation, and every request is answered without waiting,
//! under partitions too. The price: a message becomes pollable only after a
//! round of replication (about two intervals, 100 ms), never during a
//! partition that separates its writer from the reader's node, and offsets
//! have gaps on more than one node. No `lin-kv` or `seq-kv` at all.
//!
//! Left out: durability beyond memory. A node acknowledges a message once it
//! holds it, as Kafka does with `acks=1`; a node that died before replicating
//! would lose it. Maelstrom never crashes nodes. Logs are never truncated.
//!
//! Arguments (after `--` on the runner's command line, [`options`]):
//! `--replicate-ms N` for experiments, and `--break NAME`, four bugs built in
//! on purpose so that the checker can be seen catching each one.
//!
//! Modules: [`node`] (requests and replication), [`log`] (one key's log and
//! its offsets), [`peer`] (the link to one peer), [`journal`] (what peers have
//! not confirmed), [`versioned`] (grow-only maps: clocks and commits),
//! [`options`] (the command line).
//! Run it: `make test-kafka` (maelstrom.md §7, 5a–5c).

mod journal;
mod log;
mod node;
mod options;
mod peer;
mod versioned;

use node::KafkaNode;

/// On stdin/stdout for Maelstrom; `sim ...` runs the simulation instead.
fn main() -> std::process::ExitCode {
    maelstrom_tests::sim::main::<KafkaNode>()
}
