//! The kafka node: every client request answered from memory at once, and a
//! replication timer that keeps the peers' logs in step.
//!
//! - `send` takes the key's next offset of this node's own ([`crate::log`]),
//!   stores the message, puts it in the journal for the peers, and answers.
//! - `poll` reads each requested key from the given offset up to its
//!   frontier: the highest offset *every peer* has promised not to write at or
//!   below. A peer's promise for a key is its clock for that key, sent with the
//!   records it covers ([`crate::peer`]), so below the frontier this node
//!   already holds every message any node will ever hold. That is Lamport's
//!   condition for a message to be *stable*: every process has a clock past it
//!   (1978, the mutual-exclusion algorithm's rule). A poll therefore never shows
//!   a log a later message could slip into.
//! - `commit_offsets` raises the committed offsets (never lowers them) and
//!   `list_committed_offsets` reads them; both are replicated like clocks.
//!
//! How a message becomes pollable on two nodes: `n0` accepts it at offset 4
//! and answers at once; within one [`crate::options::REPLICATE_INTERVAL`] it
//! reaches `n1`, which stores it, raises its clock for the key to at least 4,
//! and can show it straight away (`n0`'s clock, which came with it, is 4 or
//! more). `n1`'s next message carries its new clock back to `n0`, and then
//! `n0` shows it too. Under a partition nothing crosses, so each side's
//! frontier stops where it was: polls answer, with nothing new, until the heal.

use std::collections::BTreeMap;

use protocol::{Context, Error, ErrorCode, Init, Message, Node};
use serde::{Deserialize, Serialize};

use crate::journal::{Journal, Record};
use crate::log::{Frontier, Inserted, KeyLog, Placement};
use crate::options::{Break, Options};
use crate::peer::{Peer, Replicate, Streams};
use crate::versioned::VersionedMax;

/// At most this many messages, over all keys, answer one poll (Kafka's
/// `max.poll.records` defaults to 500). The consumer polls again for the rest.
pub const POLL_MESSAGES_MAX: usize = 1000;

/// `--break drop-sends` acknowledges and throws away every this-many-th send.
const DROP_EVERY: u64 = 7;

/// `--break countdown-offsets` hands out a key's offsets downwards from here.
const COUNTDOWN_FROM: u64 = 1_000_000;

/// The messages of the kafka workload (maelstrom.md §3.7), and our replication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    Send {
        key: String,
        msg: i64,
    },
    SendOk {
        offset: u64,
    },
    Poll {
        offsets: BTreeMap<String, u64>,
    },
    PollOk {
        msgs: BTreeMap<String, Vec<(u64, i64)>>,
    },
    CommitOffsets {
        offsets: BTreeMap<String, u64>,
    },
    CommitOffsetsOk,
    ListCommittedOffsets {
        keys: Vec<String>,
    },
    ListCommittedOffsetsOk {
        offsets: BTreeMap<String, u64>,
    },
    Replicate(Replicate),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Send each peer what is due.
    Replicate,
}

#[derive(Debug)]
pub struct KafkaNode {
    /// The offsets this node hands out.
    placement: Placement,
    logs: BTreeMap<String, KeyLog>,
    /// Per key, the highest offset this node has handed out or holds.
    clocks: VersionedMax,
    /// Per key, the highest offset any consumer committed, as far as we know.
    committed: VersionedMax,
    /// Our accepted messages that some peer does not hold yet.
    journal: Journal,
    /// Every other node (none with `--break local-log`).
    peers: BTreeMap<String, Peer>,
    broken: Option<Break>,
    /// Sends accepted so far (`--break drop-sends` counts them).
    sends: u64,
}

impl KafkaNode {
    /// The highest offset of `key` that a poll may see.
    pub fn frontier(&self, key: &str) -> Frontier {
        let mut frontier = Frontier::Everything;
        for peer in self.peers.values() {
            frontier = match (frontier, peer.clock(key)) {
                (_, None) => return Frontier::Nothing,
                (Frontier::UpTo(low), Some(clock)) => Frontier::UpTo(low.min(clock)),
                (_, Some(clock)) => Frontier::UpTo(clock),
            };
        }
        frontier
    }

    /// The messages of `key` this node holds, visible or not.
    #[cfg(test)]
    pub fn held(&self, key: &str) -> Vec<(u64, i64)> {
        self.logs.get(key).map_or_else(Vec::new, |log| {
            log.read(0, Frontier::Everything, usize::MAX)
        })
    }

    /// The committed offset of `key`, as this node knows it.
    #[cfg(test)]
    pub fn committed(&self, key: &str) -> Option<u64> {
        self.committed.get(key)
    }

    fn streams(&self) -> Streams<'_> {
        Streams {
            journal: &self.journal,
            clocks: &self.clocks,
            commits: &self.committed,
        }
    }

    fn accept_send(
        &mut self,
        request: &Message<Payload>,
        key: &str,
        msg: i64,
        ctx: &mut Context<Tick>,
    ) {
        if !self.peers.is_empty() && self.journal.is_full() {
            let text = "too many messages wait for a peer to confirm them; try again later";
            ctx.reply_error(
                request,
                &Error::new(ErrorCode::TemporarilyUnavailable, text),
            );
            return;
        }
        let offset = self.next_offset(key);
        self.clocks.raise(key, offset);
        self.sends += 1;
        if self.broken == Some(Break::DropSends) && self.sends % DROP_EVERY == 0 {
            // Broken on purpose: acknowledged, never stored.
            ctx.reply(request, Payload::SendOk { offset });
            return;
        }
        let inserted = self
            .logs
            .entry(key.to_string())
            .or_default()
            .insert(offset, msg);
        assert_eq!(inserted, Inserted::New, "a fresh offset of {key} is free");
        if !self.peers.is_empty() {
            let record = Record {
                key: key.to_string(),
                offset,
                message: msg,
            };
            self.journal.push(record).expect("checked above: not full");
        }
        ctx.reply(request, Payload::SendOk { offset });
    }

    fn next_offset(&self, key: &str) -> u64 {
        if self.broken == Some(Break::CountdownOffsets) {
            let held = self.logs.get(key).map_or(0, KeyLog::len) as u64;
            return COUNTDOWN_FROM.saturating_sub(held);
        }
        self.placement.next_offset(self.clocks.get(key))
    }

    /// Each requested key from its offset up to its frontier, within
    /// [`POLL_MESSAGES_MAX`]; keys with nothing to show are left out.
    fn poll(&self, offsets: &BTreeMap<String, u64>) -> BTreeMap<String, Vec<(u64, i64)>> {
        let mut budget = POLL_MESSAGES_MAX;
        let mut msgs = BTreeMap::new();
        for (key, from) in offsets {
            if budget == 0 {
                break;
            }
            let Some(log) = self.logs.get(key) else {
                continue; // a key nobody wrote: nothing, and no error
            };
            let mut found = log.read(*from, self.frontier(key), budget);
            if found.is_empty() {
                continue;
            }
            budget -= found.len();
            if self.broken == Some(Break::PollGap) && found.len() >= 3 {
                found.remove(1); // broken on purpose: a hole in the middle
            }
            msgs.insert(key.clone(), found);
        }
        msgs
    }

    fn merge_replica(&mut self, from: &str, message: &Replicate, ctx: &mut Context<Tick>) {
        let ours = self.streams().progress();
        let Some(peer) = self.peers.get_mut(from) else {
            ctx.log(format!(
                "ignoring replicate from {from}, which is not a peer"
            ));
            return;
        };
        let new_records = peer.receive(message, ours);
        for record in &message.records[new_records] {
            self.store_replica(from, record, ctx);
        }
        for (key, offset) in &message.commits {
            self.committed.raise(key, *offset);
        }
        let everyone_holds = self.peers.values().map(Peer::records_confirmed).min();
        self.journal.forget_through(everyone_holds.unwrap_or(0));
    }

    /// A peer's message: stored, and our clock for its key raised past it, so
    /// that our next promise covers it. An offset that is not the peer's to
    /// give would break the one rule that keeps offsets unique; it is logged
    /// and left out.
    fn store_replica(&mut self, from: &str, record: &Record, ctx: &mut Context<Tick>) {
        let index = ctx.node_ids().iter().position(|id| id == from);
        let sender = Placement {
            index: index.unwrap_or_default() as u64,
            count: self.placement.count,
        };
        if !sender.owns(record.offset) {
            ctx.log(format!(
                "{from} sent offset {} of {:?}, which is not its own; leaving it out",
                record.offset, record.key
            ));
            return;
        }
        let log = self.logs.entry(record.key.clone()).or_default();
        if let Inserted::Conflict { held } = log.insert(record.offset, record.message) {
            ctx.log(format!(
                "{from} sent {} at offset {} of {:?}, which holds {held}; keeping {held}",
                record.message, record.offset, record.key
            ));
        }
        self.clocks.raise(&record.key, record.offset);
    }

    fn replicate(&mut self, ctx: &mut Context<Tick>) {
        let streams = Streams {
            journal: &self.journal,
            clocks: &self.clocks,
            commits: &self.committed,
        };
        let ours = streams.progress();
        for (id, peer) in &mut self.peers {
            if peer.due(ours, ctx.now()) {
                let message = peer.message(streams, ctx.now());
                ctx.send(id, Payload::Replicate(message));
            }
        }
    }
}

impl Node for KafkaNode {
    type Payload = Payload;
    type Tick = Tick;

    fn from_init(init: &Init, ctx: &mut Context<Tick>) -> KafkaNode {
        let (options, warnings) = Options::parse(ctx.args());
        for warning in warnings {
            ctx.log(warning);
        }
        if let Some(broken) = options.broken {
            ctx.log(format!("--break {}: broken on purpose", broken.name()));
        }
        let position = init.node_ids.iter().position(|id| *id == init.node_id);
        let placement = match position {
            Some(index) if options.broken != Some(Break::LocalLog) => Placement {
                index: index as u64,
                count: init.node_ids.len() as u64,
            },
            Some(_) => Placement::ALONE,
            None => {
                ctx.log("init does not list this node among node_ids; running alone");
                Placement::ALONE
            }
        };
        let peers: BTreeMap<String, Peer> = if placement == Placement::ALONE {
            BTreeMap::new()
        } else {
            init.peers()
                .map(|id| (id.clone(), Peer::default()))
                .collect()
        };
        if !peers.is_empty() {
            ctx.every(options.replicate_interval, Tick::Replicate);
        }
        KafkaNode {
            placement,
            logs: BTreeMap::new(),
            clocks: VersionedMax::default(),
            committed: VersionedMax::default(),
            journal: Journal::default(),
            peers,
            broken: options.broken,
            sends: 0,
        }
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<Tick>) {
        match &request.body.payload {
            Payload::Send { key, msg } => self.accept_send(&request, key, *msg, ctx),
            Payload::Poll { offsets } => {
                let msgs = self.poll(offsets);
                ctx.reply(&request, Payload::PollOk { msgs });
            }
            Payload::CommitOffsets { offsets } => {
                for (key, offset) in offsets {
                    self.committed.raise(key, *offset);
                }
                ctx.reply(&request, Payload::CommitOffsetsOk);
            }
            Payload::ListCommittedOffsets { keys } => {
                let offsets = keys
                    .iter()
                    .filter_map(|key| Some((key.clone(), self.committed.get(key)?)))
                    .collect();
                ctx.reply(&request, Payload::ListCommittedOffsetsOk { offsets });
            }
            Payload::Replicate(message) => self.merge_replica(&request.src, message, ctx),
            // Replies to requests we never send: nothing to do.
            Payload::SendOk { .. }
            | Payload::PollOk { .. }
            | Payload::CommitOffsetsOk
            | Payload::ListCommittedOffsetsOk { .. } => {}
        }
    }

    fn on_tick(&mut self, tick: Tick, ctx: &mut Context<Tick>) {
        match tick {
            Tick::Replicate => self.replicate(ctx),
        }
    }
}

#[cfg(test)]
mod tests;
