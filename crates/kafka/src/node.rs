//! The kafka node: each key's leader appends its sends, every node answers
//! polls from its own copy, and a replication timer keeps the copies in step.
//!
//! - `send` for a key this node leads ([`crate::leader`]) is appended and
//!   answered at once, and the record joins the journal for the peers. A `send`
//!   for a key another node leads is forwarded to that leader as the same
//!   `send`, and the leader's answer, offset or error, is passed back. That
//!   RPC, two messages, is the only cost an operation ever has in messages.
//! - `poll` reads each requested key from this node's copy, from the given
//!   offset, within [`POLL_MESSAGES_MAX`]. A copy may be behind its leader (by
//!   about one replication interval), never different: it is a prefix.
//! - `commit_offsets` raises the committed offsets (never lowers them) on the
//!   node that gets it, and `list_committed_offsets` reads them there; the
//!   replication timer spreads them to every node.
//!
//! Under a partition, polls and commits still answer from what is here. A
//! send whose leader is out of reach gets error 0 (timeout) after
//! [`FORWARD_TIMEOUT`]: indefinite, because the leader may have appended it
//! and only the answer was lost. After that, [`crate::reach`] refuses further
//! sends for that leader at once, with a definite error 11, while one probe
//! finds out whether it is back.

use std::collections::BTreeMap;
use std::time::Duration;

use protocol::{CallId, Context, Error, ErrorCode, Init, Message, Node, RpcOptions, RpcReply};
use serde::{Deserialize, Serialize};

use crate::journal::{Journal, Record};
use crate::leader::leader_index;
use crate::log::{Inserted, KeyLog};
use crate::options::{Break, Options};
use crate::peer::{Peer, Replicate, Streams};
use crate::reach::{Permit, Reach};
use crate::versioned::VersionedMax;

/// At most this many messages, over all keys, answer one poll (Kafka's
/// `max.poll.records` defaults to 500). The consumer polls again for the rest.
pub const POLL_MESSAGES_MAX: usize = 1000;

/// A forwarded send gets this long for the leader's answer. Shorter than a
/// Maelstrom client's 5 s (maelstrom.md §1.5), so the client hears why.
pub const FORWARD_TIMEOUT: Duration = Duration::from_secs(1);

/// At most this many forwarded sends wait for their leaders; beyond that a
/// send is refused with error 11. Maelstrom's clients have one request each in
/// flight, so a test never comes near it.
pub const FORWARDS_IN_FLIGHT_MAX: usize = 10_000;

/// One attempt, never a retry: a retried send the leader had already appended
/// would be appended twice, at two offsets (the checker's `:duplicate`).
const FORWARD_OPTIONS: RpcOptions = RpcOptions {
    timeout: FORWARD_TIMEOUT,
    retry: None,
};

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
    node_id: String,
    /// The nodes that share the keys, in Maelstrom's order: a key's leader is
    /// an index into it. Just this node with `--break local-log`.
    node_ids: Vec<String>,
    logs: BTreeMap<String, KeyLog>,
    /// Per key, the highest offset any consumer committed, as far as we know.
    committed: VersionedMax,
    /// What this node appended as leader that some peer does not hold yet.
    journal: Journal,
    peers: BTreeMap<String, Peer>,
    /// Sends forwarded to their key's leader, by call: the request to answer,
    /// and the leader.
    forwarded: BTreeMap<CallId, (Message<Payload>, String)>,
    /// Which leaders answer forwarded sends.
    reach: Reach,
    broken: Option<Break>,
    /// Sends appended so far (`--break drop-sends` counts them).
    sends: u64,
}

impl KafkaNode {
    /// The node that leads `key`.
    pub fn leader_of(&self, key: &str) -> &str {
        &self.node_ids[leader_index(key, self.node_ids.len())]
    }

    /// The messages of `key` this node holds.
    #[cfg(test)]
    pub fn held(&self, key: &str) -> Vec<(u64, i64)> {
        self.logs
            .get(key)
            .map_or_else(Vec::new, |log| log.read(0, usize::MAX))
    }

    /// The committed offset of `key`, as this node knows it.
    #[cfg(test)]
    pub fn committed(&self, key: &str) -> Option<u64> {
        self.committed.get(key)
    }

    fn accept_send(
        &mut self,
        request: Message<Payload>,
        key: &str,
        msg: i64,
        ctx: &mut Context<Tick>,
    ) {
        let leader = self.leader_of(key).to_string();
        if leader == self.node_id {
            self.append(&request, key, msg, ctx);
        } else if self.node_ids.contains(&request.src) {
            // A peer forwarded a key it thinks we lead: our node lists differ,
            // which Maelstrom never does. Refusing is safe; forwarding could loop.
            let text = format!("{} does not lead {key:?}; {leader} does", self.node_id);
            refuse(&request, text, ctx);
        } else if self.forwarded.len() >= FORWARDS_IN_FLIGHT_MAX {
            let text = "too many sends wait for their leaders; try again later";
            refuse(&request, text.to_string(), ctx);
        } else if self.reach.permit(&leader) == Permit::Refuse {
            let text = format!("{leader}, which leads {key:?}, does not answer; try again later");
            refuse(&request, text, ctx);
        } else {
            let forward = Payload::Send {
                key: key.to_string(),
                msg,
            };
            let call = ctx.rpc_with(&leader, forward, FORWARD_OPTIONS);
            self.forwarded.insert(call, (request, leader));
        }
    }

    /// The leader's part of a send: the next offset, the record for the peers,
    /// and the answer.
    fn append(&mut self, request: &Message<Payload>, key: &str, msg: i64, ctx: &mut Context<Tick>) {
        if !self.peers.is_empty() && self.journal.is_full() {
            let text = "too many messages wait for a peer to confirm them; try again later";
            ctx.reply_error(
                request,
                &Error::new(ErrorCode::TemporarilyUnavailable, text),
            );
            return;
        }
        self.sends += 1;
        let log = self.logs.entry(key.to_string()).or_default();
        let offset = match self.broken {
            Some(Break::DropSends) if self.sends % DROP_EVERY == 0 => {
                // Broken on purpose: acknowledged, never stored.
                ctx.reply(
                    request,
                    Payload::SendOk {
                        offset: log.reserve(),
                    },
                );
                return;
            }
            Some(Break::CountdownOffsets) => {
                // Broken on purpose: each message lands before the last one.
                let offset = COUNTDOWN_FROM.saturating_sub(log.len() as u64);
                log.insert(offset, msg);
                offset
            }
            _ => log.append(msg),
        };
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

    /// The leader answered a forwarded send (or it timed out): tell the client.
    fn forward_done(&mut self, reply: RpcReply, ctx: &mut Context<Tick>) {
        let Some((request, leader)) = self.forwarded.remove(&reply.call) else {
            return;
        };
        let body = match reply.result {
            Err(error) => {
                // A timeout: it may have appended the message, and only the
                // answer was lost. Any other error is the leader's own: it did not.
                if error.code == ErrorCode::Timeout {
                    self.reach.timed_out(&leader);
                } else {
                    self.reach.heard_from(&leader);
                }
                ctx.reply_error(&request, &error);
                return;
            }
            Ok(body) => body,
        };
        self.reach.heard_from(&leader);
        match serde_json::from_value::<Payload>(body.clone()) {
            Ok(Payload::SendOk { offset }) => ctx.reply(&request, Payload::SendOk { offset }),
            _ => {
                // Indefinite: whatever the leader did, we can't tell.
                let text = format!("the leader answered {body}");
                ctx.reply_error(&request, &Error::new(ErrorCode::Crash, text));
            }
        }
    }

    /// Each requested key from its offset, within [`POLL_MESSAGES_MAX`]; keys
    /// with nothing to show are left out.
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
            let mut found = log.read(*from, budget);
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
        let ours = Streams {
            journal: &self.journal,
            commits: &self.committed,
        }
        .progress();
        let Some(peer) = self.peers.get_mut(from) else {
            ctx.log(format!(
                "ignoring replicate from {from}, which is not a peer"
            ));
            return;
        };
        let new_records = peer.receive(message, ours);
        self.reach.heard_from(from);
        for record in &message.records[new_records] {
            self.store_replica(from, record, ctx);
        }
        for (key, offset) in &message.commits {
            self.committed.raise(key, *offset);
        }
        let everyone_holds = self.peers.values().map(Peer::records_confirmed).min();
        self.journal.forget_through(everyone_holds.unwrap_or(0));
    }

    /// A leader's record, copied. A record for a key its sender does not lead
    /// would make two logs for one key; it is logged and left out.
    fn store_replica(&mut self, from: &str, record: &Record, ctx: &mut Context<Tick>) {
        if self.leader_of(&record.key) != from {
            ctx.log(format!(
                "{from} sent a record of {:?}, which it does not lead; leaving it out",
                record.key
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
    }

    fn replicate(&mut self, ctx: &mut Context<Tick>) {
        let streams = Streams {
            journal: &self.journal,
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

/// Answers `request` with error 11 (temporarily-unavailable): definite, for
/// sends this node neither appended nor forwarded.
fn refuse(request: &Message<Payload>, text: String, ctx: &mut Context<Tick>) {
    ctx.reply_error(
        request,
        &Error::new(ErrorCode::TemporarilyUnavailable, text),
    );
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
        let listed = init.node_ids.contains(&init.node_id);
        if !listed {
            ctx.log("init does not list this node among node_ids; running alone");
        }
        let alone = !listed || options.broken == Some(Break::LocalLog);
        let (node_ids, peers) = if alone {
            (vec![init.node_id.clone()], BTreeMap::new())
        } else {
            let peers = init.peers().map(|id| (id.clone(), Peer::default()));
            (init.node_ids.clone(), peers.collect())
        };
        if !peers.is_empty() {
            ctx.every(options.replicate_interval, Tick::Replicate);
        }
        KafkaNode {
            node_id: init.node_id.clone(),
            node_ids,
            logs: BTreeMap::new(),
            committed: VersionedMax::default(),
            journal: Journal::default(),
            peers,
            forwarded: BTreeMap::new(),
            reach: Reach::default(),
            broken: options.broken,
            sends: 0,
        }
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<Tick>) {
        match &request.body.payload {
            Payload::Send { key, msg } => {
                if self.peers.contains_key(&request.src) {
                    self.reach.heard_from(&request.src);
                }
                let (key, msg) = (key.clone(), *msg);
                self.accept_send(request, &key, msg, ctx);
            }
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
            // Replies to requests we never send, or late ones the engine no
            // longer waits for: nothing to do.
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

    fn on_reply(&mut self, reply: RpcReply, ctx: &mut Context<Tick>) {
        self.forward_done(reply, ctx);
    }
}

#[cfg(test)]
mod tests;
