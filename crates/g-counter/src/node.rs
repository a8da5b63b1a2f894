//! The counter node: batched writes of its own key, periodic fresh reads of
//! the others' keys, reads answered from memory.
//!
//! Two things run on timers, and each has at most one operation in flight:
//! - the *flush* writes this node's new sum when adds are waiting, and answers
//!   them when seq-kv confirms;
//! - the *sync* makes sure this node's seq-kv view is fresh (a write since the
//!   last sync, or a version bump) and then reads every other node's key.
//!   With `--no-freshness-write` ([`crate::options`]) it skips the bump and
//!   reads at once: the node broken on purpose.

use std::collections::BTreeMap;
use std::time::Duration;

use protocol::kv::{self, Kv};
use protocol::{
    Backoff, CallId, Context, Error, ErrorCode, Init, Message, Node, RpcOptions, RpcReply,
};
use serde::{Deserialize, Serialize};

use crate::options::Options;

/// Adds wait at most this long for the write that makes them durable. Longer
/// means fewer writes (more adds per write) and slower `add_ok`s.
pub const WRITE_INTERVAL: Duration = Duration::from_millis(100);

/// How often a node refreshes its view of the other nodes' sums. Reads in
/// between answer from the last view, so they can lag by about this much.
pub const SYNC_INTERVAL: Duration = Duration::from_secs(1);

/// seq-kv is never partitioned and never loses a message (spec §5), so a write
/// is answered; a timeout only means the service was slow. Retrying sends the
/// same version and sum, so applying it twice is harmless.
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
    Flush,
    Sync,
}

/// The write in flight: the entry it writes and the adds it will acknowledge.
#[derive(Debug)]
struct Write {
    call: CallId,
    entry: Entry,
    adds: Vec<Message<Payload>>,
    /// A sync waits for this write before reading.
    sync_after: bool,
}

#[derive(Debug)]
pub struct CounterNode {
    node_id: String,
    peers: Vec<String>,
    /// The last entry seq-kv acknowledged for our key.
    written: Entry,
    /// The highest version ever sent: a write that failed may still have
    /// landed, so the next one must be newer than it, not just than `written`.
    version_sent_max: u64,
    /// Adds received and not yet in a write, with their sum.
    waiting: Vec<Message<Payload>>,
    waiting_sum: i64,
    write: Option<Write>,
    /// A write completed since the last sync read: our view is fresh enough.
    wrote_since_sync: bool,
    /// Reads in flight, by call, for the peer whose key they read.
    reads: BTreeMap<CallId, String>,
    /// The highest-version entry seen for each peer.
    seen: BTreeMap<String, Entry>,
    /// A sync bumps our own key before reading (off only to break the node).
    freshness_write: bool,
}

fn key(node: &str) -> String {
    format!("counter-{node}")
}

impl CounterNode {
    /// The counter as this node knows it: its own durable sum and the latest
    /// sums it has read for the others.
    pub fn value(&self) -> i64 {
        // Wrapping: each node's sum fits, but their total may not; a counter
        // that large is meaningless, and a read must still be answered.
        let sums = self.seen.values().map(|entry| entry.sum);
        sums.fold(self.written.sum, i64::wrapping_add)
    }

    fn accept_add(&mut self, request: Message<Payload>, delta: i64, ctx: &mut Context<Tick>) {
        if delta == 0 {
            // Nothing changes, so nothing needs to become durable.
            ctx.reply(&request, Payload::AddOk);
            return;
        }
        let base = self.latest_entry().sum;
        let waiting_sum = self.waiting_sum.checked_add(delta);
        if waiting_sum
            .and_then(|waiting_sum| base.checked_add(waiting_sum))
            .is_none()
        {
            // A definite error: the client knows the add did not happen.
            let text = format!("adding {delta} would overflow this node's sum");
            ctx.reply_error(&request, &Error::new(ErrorCode::MalformedRequest, text));
            return;
        }
        self.waiting_sum = waiting_sum.expect("checked above");
        self.waiting.push(request);
    }

    /// The next entry for our key: everything acknowledged or in flight, plus
    /// what is waiting, under a new version.
    fn next_entry(&self) -> Entry {
        Entry {
            version: self.version_sent_max + 1,
            sum: self.latest_entry().sum + self.waiting_sum,
        }
    }

    /// The entry in flight if there is one, else the last one acknowledged:
    /// what seq-kv will hold once the current write lands.
    fn latest_entry(&self) -> Entry {
        self.write
            .as_ref()
            .map_or(self.written, |write| write.entry)
    }

    /// Writes what is waiting (or, for a sync, bumps the version), unless a
    /// write is already in flight.
    fn maybe_write(&mut self, sync_after: bool, ctx: &mut Context<Tick>) {
        if self.write.is_some() || (self.waiting.is_empty() && !sync_after) {
            return;
        }
        let entry = self.next_entry();
        self.version_sent_max = entry.version;
        let call = Kv::SEQ
            .with_options(WRITE_OPTIONS)
            .write(ctx, key(&self.node_id), entry);
        self.write = Some(Write {
            call,
            entry,
            adds: std::mem::take(&mut self.waiting),
            sync_after,
        });
        self.waiting_sum = 0;
    }

    fn write_done(&mut self, write: Write, result: Result<(), Error>, ctx: &mut Context<Tick>) {
        match result {
            Ok(()) => {
                assert!(
                    write.entry.version > self.written.version,
                    "versions only grow"
                );
                self.written = write.entry;
                self.wrote_since_sync = true;
                for add in &write.adds {
                    ctx.reply(add, Payload::AddOk);
                }
                if write.sync_after {
                    self.read_peers(ctx);
                }
            }
            Err(error) => {
                // Only a write that ran out of retries ends here. Its adds may or
                // may not be in seq-kv; the next write carries them again with a
                // higher version, so they land exactly once either way.
                ctx.log(format!("write of {:?} failed: {error}", write.entry));
                let mut adds = write.adds;
                adds.append(&mut self.waiting);
                self.waiting = adds;
                self.waiting_sum = self.waiting.iter().map(add_delta).sum();
            }
        }
    }

    /// A sync: read every peer's key, right away if a write has already made
    /// our view fresh, else after a version bump.
    fn sync(&mut self, ctx: &mut Context<Tick>) {
        if !self.reads.is_empty() || self.write.as_ref().is_some_and(|write| write.sync_after) {
            return; // the last sync is still running
        }
        // Without the freshness write, a read goes out on whatever view seq-kv
        // holds for us, however old: the bug `--no-freshness-write` shows.
        if self.wrote_since_sync || !self.freshness_write {
            self.read_peers(ctx);
        } else if let Some(write) = &mut self.write {
            write.sync_after = true; // the write in flight refreshes our view
        } else {
            self.maybe_write(true, ctx);
        }
    }

    fn read_peers(&mut self, ctx: &mut Context<Tick>) {
        self.wrote_since_sync = false;
        for peer in &self.peers {
            let call = Kv::SEQ.read(ctx, key(peer));
            self.reads.insert(call, peer.clone());
        }
    }

    /// Keeps the newer of what we had and what we read: a stale read never
    /// takes a sum backwards.
    fn merge_remote(&mut self, peer: String, entry: Entry) {
        let known = self.seen.entry(peer).or_default();
        if entry.version > known.version {
            *known = entry;
        }
    }
}

fn add_delta(message: &Message<Payload>) -> i64 {
    match message.body.payload {
        Payload::Add { delta } => delta,
        _ => unreachable!("only adds wait for a write"),
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
        ctx.every(WRITE_INTERVAL, Tick::Flush);
        ctx.every(SYNC_INTERVAL, Tick::Sync);
        CounterNode {
            node_id: init.node_id.clone(),
            peers: init.peers().cloned().collect(),
            written: Entry::default(),
            version_sent_max: 0,
            waiting: Vec::new(),
            waiting_sum: 0,
            write: None,
            wrote_since_sync: false,
            reads: BTreeMap::new(),
            seen: BTreeMap::new(),
            freshness_write: options.freshness_write,
        }
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<Tick>) {
        match request.body.payload {
            Payload::Add { delta } => self.accept_add(request, delta, ctx),
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
            Tick::Flush => self.maybe_write(false, ctx),
            Tick::Sync => self.sync(ctx),
        }
    }

    fn on_reply(&mut self, reply: RpcReply, ctx: &mut Context<Tick>) {
        if self
            .write
            .as_ref()
            .is_some_and(|write| write.call == reply.call)
        {
            let write = self.write.take().expect("checked above");
            self.write_done(write, kv::expect_ok(reply), ctx);
            return;
        }
        let Some(peer) = self.reads.remove(&reply.call) else {
            return;
        };
        match kv::read_value::<Entry>(reply) {
            Ok(entry) => self.merge_remote(peer, entry),
            // The peer has not written yet: its sum is 0, which we assume already.
            Err(error) if error.code == ErrorCode::KeyDoesNotExist => {}
            Err(error) => ctx.log(format!("reading {}: {error}", key(&peer))),
        }
    }
}

#[cfg(test)]
mod tests;
