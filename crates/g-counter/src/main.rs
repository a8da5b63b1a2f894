//! Challenge 4, grow-only counter (and Maelstrom's `pn-counter`): a counter
//! that every node can add to and read, kept in `seq-kv`, exact under partitions.
//!
//! Each node owns one key, `counter-<node>`, and is its only writer. The value
//! is `{"version": v, "sum": s}`: the sum of every add this node has accepted,
//! and a version that grows by one with every write. The counter is the sum
//! of all nodes' sums. Because each key has one writer, no write can conflict,
//! so there is no cas and no retry loop.
//!
//! **An add is acknowledged at once, from memory, and reaches seq-kv within
//! one sync interval** ([`options::SYNC_INTERVAL_MS_DEFAULT`], 1 s). That is
//! a durability choice, made for Maelstrom's fault model (maelstrom.md §5.2):
//! nodes are never killed or paused, seq-kv never loses an acknowledged
//! write, and partitions cut nodes from each other but never from seq-kv. In
//! that model nothing can destroy an add that a node holds in memory, so an
//! `add_ok` sent before the write promises nothing false. Waiting for the
//! write instead costs either a write round trip (two messages) per add,
//! about one message per operation on pn-counter, whose ops are half adds, or
//! a batching window every add's client waits out: with 100 ms batches this
//! crate made 1.24 messages per operation on pn-counter, and let only ~1,650
//! (g-counter) and ~1,270 (pn-counter) of the ~2,000 operations the generator
//! offers happen in 20 s. What the choice gives up:
//! a node that crashed would lose up to one interval of acknowledged adds. A
//! deployment where nodes crash would have to wait for the write (or keep a
//! local log) and pay that price.
//!
//! `seq-kv` is sequentially consistent (maelstrom.md §4): a read may return
//! any state not older than the last one *this node* observed, so reading
//! other nodes' keys can return old sums for a long time. Two things make the
//! node reach the true value anyway:
//! - every sync first *writes* this node's key, which always lands on the
//!   newest state and moves this node's view up to it; so the reads that
//!   follow see every write that completed before. When the sum has not
//!   changed, the version still has (every version is new, so the write is
//!   never mistaken for "nothing changed", which seq-kv would not apply);
//! - a node keeps, per key, the value with the highest version it has ever
//!   seen, so a stale read can never take the counter backwards.
//!
//! A sync costs six messages per node (a write and one read per peer, with
//! their replies), whatever the load: about 0.3 messages per operation on the
//! challenge's command. Partitions cut nodes off from each other, never from
//! seq-kv, and the nodes never talk to each other at all, so partitions cost
//! nothing. The final reads come 10 s after the heal: by then every node has
//! written its last adds, and every other node has synced since.
//!
//! Left out: a node that restarted would write version 1 over its old key
//! and forget its sum; Maelstrom never restarts nodes.
//!
//! `--no-freshness-write` (after `--` on the runner's command line) breaks
//! the node on purpose: a sync with nothing new to write reads without the
//! version bump. `--sync-interval-ms` tunes the interval; slowed down, it
//! turns that latent bug into failing final reads ([`options`]).
//!
//! Modules: [`node`] (the counter), [`options`] (the command line).
//! Run it: `make test-counter`, or `target/release/g-counter sim -w
//! pn-counter --node-count 3 --rate 100 --time-limit 20 --nemesis partition`.

mod node;
mod options;

use node::CounterNode;

/// On stdin/stdout for Maelstrom; `sim ...` runs the simulation instead.
fn main() -> std::process::ExitCode {
    maelstrom_tests::sim::main::<CounterNode>()
}
