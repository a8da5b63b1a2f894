//! Challenges 5a–5c, a Kafka-style log: clients `send` messages to keys and
//! get offsets back, `poll` each key from an offset, and commit how far they
//! have read — on one node, then on two, then with few messages between them.
//!
//! The design is Kafka's own, with a key in the role of a partition:
//! - **One leader per key** ([`leader`]), fixed by a hash of the key's name.
//!   Only the leader hands out the key's offsets, 0, 1, 2, …, in the order
//!   sends arrive ([`log`]), so offsets grow with every acknowledged message,
//!   whichever client sent it. A node that gets a send for a key it does not
//!   lead forwards it to the leader: two messages, the only per-operation cost.
//! - **Followers copy in batches** ([`peer`], [`journal`]). Every
//!   [`options::REPLICATE_INTERVAL`] a node sends each peer one message with
//!   the records it appended as leader since the peer last confirmed, and the
//!   commits that changed. A lost message is repaired by the next.
//! - **Polls and commits are answered where they arrive** ([`node`]). A copy
//!   is a prefix of its leader's log, so a poll can show all of it, as Kafka
//!   lets consumers fetch from followers (KIP-392). Committed offsets are a
//!   grow-only map ([`versioned`]): any node takes a commit, and every node
//!   learns of it.
//!
//! Why: challenge 5c asks for far fewer messages per operation than 5b's
//! first solutions (maelstrom.md §7). Published solutions route every
//! operation on a key to its owner (about 1.4 messages per operation) or keep
//! the logs in `lin-kv` (about 4.7). Here only sends for a remote key cost
//! messages, two each; polls, commits and assigns cost none; and replication
//! is one message per peer per interval, whatever the rate: about half a
//! message per operation on two nodes. The price is that a poll may lag the
//! leader by about one interval (50 ms), and that during a partition a send
//! for a key led across it fails — the first after a second, with error 0
//! (the leader may have it), the rest at once, with error 11 ([`reach`]) —
//! while everything else is answered. No `lin-kv` or `seq-kv` at all.
//!
//! The alternative not taken, though it is cheaper still: every node hands out
//! offsets for every key (per-key Lamport clocks, offsets split between nodes
//! by remainder), and polls show only what every peer has promised not to
//! write below. It costs a few hundredths of a message per operation and
//! passes the checker, which judges offsets per producer; but a send
//! acknowledged on one node can get a smaller offset than one acknowledged
//! earlier on the other, and no Kafka user would call that a log. A leader is
//! what orders a key.
//!
//! Left out: durability beyond memory and leader failover. A leader answers a
//! send once it holds the message, as Kafka does with `acks=1`; Maelstrom
//! never crashes nodes, so nothing is lost, and leaders never move. Logs are
//! never truncated.
//!
//! Arguments (after `--` on the runner's command line, [`options`]):
//! `--replicate-ms N` for experiments, and `--break NAME`, four bugs built in
//! on purpose so that the checker can be seen catching each one.
//!
//! Modules: [`node`] (requests, forwarding, replication), [`leader`] (who
//! leads a key), [`log`] (one key's log), [`peer`] (the link to one peer),
//! [`journal`] (what peers have not confirmed), [`reach`] (which leaders
//! answer), [`versioned`] (the committed offsets), [`options`] (the command
//! line).
//! Run it: `make test-kafka` (maelstrom.md §7, 5a–5c).

mod journal;
mod leader;
mod log;
mod node;
mod options;
mod peer;
mod reach;
mod versioned;

use node::KafkaNode;

/// On stdin/stdout for Maelstrom; `sim ...` runs the simulation instead.
fn main() -> std::process::ExitCode {
    maelstrom_tests::sim::main::<KafkaNode>()
}
