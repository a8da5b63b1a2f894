//! Challenge 4, grow-only counter (and Maelstrom's `pn-counter`): a counter
//! that every node can add to and read, kept in `seq-kv`, exact under partitions.
//!
//! Each node owns one key, `counter-<node>`, and is its only writer. The value
//! is `{"version": v, "sum": s}`: the sum of every add this node has accepted,
//! and a version that grows by one with every write. The counter is the sum
//! of all nodes' sums. Because each key has one writer, no write can conflict,
//! so there is no cas and no retry loop: a node batches the adds it receives
//! for [`node::WRITE_INTERVAL`], writes its new sum, and answers `add_ok` to
//! every add in the batch once seq-kv says `write_ok`. An acknowledged add is
//! durable in seq-kv.
//!
//! `seq-kv` is sequentially consistent (maelstrom.md §4): a read may return
//! any state not older than the last one *this node* observed, so reading
//! other nodes' keys can return old sums for a long time. Two things make the
//! node reach the true value anyway:
//! - a *write* always lands on the newest state and moves this node's view up
//!   to it; so after a `write_ok`, every read sees at least every write that
//!   completed before ours. A node that has nothing to write, once a second,
//!   writes its own value again with the version bumped (every version is new,
//!   so the write is never mistaken for "nothing changed", which seq-kv would
//!   not apply: spec §4's equal-value quirk), and only then reads;
//! - a node keeps, per key, the value with the highest version it has ever
//!   seen, so a stale read can never take the counter backwards.
//!
//! Partitions cut nodes off from each other, never from seq-kv (spec §5.2),
//! and the nodes never talk to each other at all, so partitions cost nothing.
//! The final reads come 10 s after the heal, by when every node has synced
//! after every other node's last write.
//!
//! Left out: a node that restarted would write version 1 over its old key;
//! Maelstrom never restarts nodes, and reading the key back at start-up would
//! need its own freshness dance.
//!
//! `--no-freshness-write` (after `--` on the runner's command line) breaks
//! the node on purpose: syncs read without the version bump, and stale reads
//! can keep a node's final read short of the true sum.
//!
//! Modules: [`node`] (the counter), [`options`] (the command line).
//! Run it: `make test-counter`.

mod node;
mod options;

use node::CounterNode;

/// On stdin/stdout for Maelstrom; `sim ...` runs the simulation instead.
fn main() -> std::process::ExitCode {
    maelstrom_tests::sim::main::<CounterNode>()
}
