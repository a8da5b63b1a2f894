//! The counter node: adds acknowledged from memory, one sync per interval
//! that writes this node's key and then reads the others', reads answered
//! from memory.
//!
//! A sync is a small state machine, [`SyncPhase`], with at most one in flight:
//! - *writing*: this node's key gets its current sum under a new version. A
//!   write is sent even when the sum has not changed (a *freshness write*),
//!   because a write is what moves this node's seq-kv view to the newest
//!   state (maelstrom.md §4); with `--no-freshness-write`
//!   ([`crate::options`]) an unchanged sum is not written: the node broken on
//!   purpose;
//! - *reading*: once seq-kv has confirmed the write, every other node's key
//!   is read; each answer that is newer than what we had is kept.

use std::collections::BTreeMap;
use std::time::Duration;

use protocol::kv::{self, Kv};
use protocol::{
    Backoff, CallId, Context, Error, ErrorCode, Init, Message, Node, RpcOptions, RpcReply,
};
use serde::{Deserialize, Serialize};

use crate::options::Options;

/// seq-kv is never partitioned and never loses a message (maelstrom.md §5),
/// so a write is answered; a timeout only means the service was slow.
/// Retrying sends the same version and sum, so applying it twice is harmless.
const WRITE_OPTIONS: RpcOptions = RpcOptions {
    timeout: Duration::from_secs(1),
    retry: Some(Backoff {
        delay_base: Duration::from_millis(100),
        delay_max: Duration::from_secs(1),
        jitter: 0.2,
        attempts_max: u32::MAX,
    }),
};

/// The messages of the g-counter and pn-counter workloads (maelstrom.md §3.5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    Add { delta: i64 },
    AddOk,
    Read,
    ReadOk { value: i64 },
}

/// What a node's key holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub version: u64,
    pub sum: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tick {
    Sync,
}

/// Where the current sync is. Each state has its calls in flight, so a reply
/// that belongs to no state is a late one and is dropped.
#[derive(Debug, PartialEq, Eq)]
enum SyncPhase {
    Idle,
    /// Our key is being written with `entry`; the reads follow its `write_ok`.
    Writing {
        call: CallId,
        entry: Entry,
    },
    /// The peers' keys are being read: the calls not yet answered, and whose
    /// key each one reads. At most one per peer.
    Reading {
        calls: BTreeMap<CallId, String>,
    },
}

#[derive(Debug)]
pub struct CounterNode {
    node_id: String,
    peers: Vec<String>,
    /// Every add this node has acknowledged: the sum its key must come to hold.
    sum: i64,
    /// The highest version ever sent: a write that failed may still have
    /// landed, so the next one must be newer than it.
    version_sent_max: u64,
    /// The sum seq-kv last confirmed for our key.
    written_sum: i64,
    sync: SyncPhase,
    /// The highest-version entry seen for each peer.
    seen: BTreeMap<String, Entry>,
    options: Options,
}

fn key(node: &str) -> String {
    format!("counter-{node}")
}

impl CounterNode {
    /// The counter as this node knows it: every add it acknowledged itself and
    /// the latest sums it has read for the others.
    pub fn value(&self) -> i64 {
        // Wrapping: each node's sum fits, but their total may not; a counter
        // that large is meaningless, and a read must still be answered.
        let sums = self.seen.values().map(|entry| entry.sum);
        sums.fold(self.sum, i64::wrapping_add)
    }

    /// Counts the add and acknowledges it at once: it reaches seq-kv with the
    /// next sync (the crate's `//!` says why that is enough here).
    fn accept_add(&mut self, request: &Message<Payload>, delta: i64, ctx: &mut Context<Tick>) {
        match self.sum.checked_add(delta) {
            Some(sum) => {
                self.sum = sum;
                ctx.reply(request, Payload::AddOk);
            }
            None => {
                // A definite error: the client knows the add did not happen.
                let text = format!("adding {delta} would overflow this node's sum");
                ctx.reply_error(request, &Error::new(ErrorCode::MalformedRequest, text));
            }
        }
    }

    /// Starts a sync unless the last one is still running: the write (or, with
    /// nothing new and no freshness write, the reads at once).
    fn sync_tick(&mut self, ctx: &mut Context<Tick>) {
        if self.sync != SyncPhase::Idle {
            return; // the last sync is still running; it is never more than one
        }
        if self.sum == self.written_sum && !self.options.freshness_write {
            // The bug `--no-freshness-write` shows: these reads go out on
            // whatever view seq-kv holds for us, however old.
            self.read_peers(ctx);
            return;
        }
        // Every version is new, so the write is never an "equal value" that
        // seq-kv would not apply (maelstrom.md §4).
        let entry = Entry {
            version: self.version_sent_max + 1,
            sum: self.sum,
        };
        self.version_sent_max = entry.version;
        let call = Kv::SEQ
            .with_options(WRITE_OPTIONS)
            .write(ctx, key(&self.node_id), entry);
        self.sync = SyncPhase::Writing { call, entry };
    }

    fn write_done(&mut self, entry: Entry, result: Result<(), Error>, ctx: &mut Context<Tick>) {
        match result {
            Ok(()) => {
                // Our view is now at least the state our write created, so
                // every read below sees every write that completed before it.
                self.written_sum = entry.sum;
                self.read_peers(ctx);
            }
            Err(error) => {
                // Only a write that ran out of retries ends here. It may or may
                // not have landed; the next sync writes a higher version, whose
                // sum includes this one's, so nothing is lost or counted twice.
                ctx.log(format!("write of {entry:?} failed: {error}"));
                self.sync = SyncPhase::Idle;
            }
        }
    }

    fn read_peers(&mut self, ctx: &mut Context<Tick>) {
        let calls: BTreeMap<CallId, String> = self
            .peers
            .iter()
            .map(|peer| (Kv::SEQ.read(ctx, key(peer)), peer.clone()))
            .collect();
        self.sync = if calls.is_empty() {
            SyncPhase::Idle // a single node has no one to read
        } else {
            SyncPhase::Reading { calls }
        };
    }

    /// Keeps the newer of what we had and what we read: a stale read never
    /// takes a sum backwards.
    fn merge_remote(&mut self, peer: String, entry: Entry) {
        let known = self.seen.entry(peer).or_default();
        if entry.version > known.version {
            *known = entry;
        }
    }

    fn read_done(&mut self, peer: String, reply: RpcReply, ctx: &mut Context<Tick>) {
        match kv::read_value::<Entry>(reply) {
            Ok(entry) => self.merge_remote(peer, entry),
            // The peer has not written yet (or this read saw a state from
            // before it did): its sum counts as 0 until a read says otherwise.
            Err(error) if error.code == ErrorCode::KeyDoesNotExist => {}
            Err(error) => ctx.log(format!("reading {}: {error}", key(&peer))),
        }
    }
}

impl Node for CounterNode {
    type Payload = Payload;
    type Tick = Tick;

    fn from_init(init: &Init, ctx: &mut Context<Tick>) -> CounterNode {
        let (options, warnings) = Options::parse(ctx.args());
        for warning in warnings {
            ctx.log(warning);
        }
        if !options.freshness_write {
            ctx.log("--no-freshness-write: syncs may read stale sums (broken on purpose)");
        }
        ctx.every(options.sync_interval, Tick::Sync);
        CounterNode {
            node_id: init.node_id.clone(),
            peers: init.peers().cloned().collect(),
            sum: 0,
            version_sent_max: 0,
            written_sum: 0,
            sync: SyncPhase::Idle,
            seen: BTreeMap::new(),
            options,
        }
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<Tick>) {
        match request.body.payload {
            Payload::Add { delta } => self.accept_add(&request, delta, ctx),
            Payload::Read => {
                let value = self.value();
                ctx.reply(&request, Payload::ReadOk { value });
            }
            // Replies to requests we never send: nothing to do.
            Payload::AddOk | Payload::ReadOk { .. } => {}
        }
    }

    fn on_tick(&mut self, tick: Tick, ctx: &mut Context<Tick>) {
        match tick {
            Tick::Sync => self.sync_tick(ctx),
        }
    }

    fn on_reply(&mut self, reply: RpcReply, ctx: &mut Context<Tick>) {
        match &mut self.sync {
            SyncPhase::Writing { call, entry } if *call == reply.call => {
                let entry = *entry;
                self.write_done(entry, kv::expect_ok(reply), ctx);
            }
            SyncPhase::Reading { calls } => {
                let Some(peer) = calls.remove(&reply.call) else {
                    return; // not one of this sync's reads
                };
                if calls.is_empty() {
                    self.sync = SyncPhase::Idle;
                }
                self.read_done(peer, reply, ctx);
            }
            _ => {} // a reply that belongs to no sync in flight
        }
    }
}

#[cfg(test)]
mod tests;
