//! The transaction node: every transaction runs and commits on the replica that
//! received it, and is answered at once; replicas then exchange what changed.
//!
//! - A `txn` runs against the local [`Store`] ([`crate::transaction`]), and
//!   `txn_ok` goes back in the same handler. No other node is asked anything, so
//!   a partition cannot delay or refuse a transaction: that is total availability.
//! - Every [`SYNC_INTERVAL`], each peer that is due something ([`crate::peer`])
//!   gets one `replicate` with every register changed since it last acknowledged,
//!   and our ack of its changes. One message per peer per tick, however many
//!   transactions ran: at Maelstrom's rate of 1000 that is a few hundredths of a
//!   message per transaction.
//! - A `replicate` is merged by stamp ([`crate::store`]) and acknowledged on our
//!   next message to that peer. What we learned from one peer is passed on to the
//!   others (not back), so replicas converge even when two of them can't reach
//!   each other directly, as in a majorities-ring partition (maelstrom.md §5.2).
//!
//! Only the nodes Maelstrom named in `init` are peers. A `replicate` from anyone
//! else is logged and ignored: merging it would let a client write around the
//! transaction path, and answering it would send to an address nobody reads.

use std::collections::BTreeMap;
use std::time::Duration;

use protocol::{Context, Error, ErrorCode, Init, Message, Node};
use serde::{Deserialize, Serialize};

use crate::micro_op::{Key, MicroOp, Value};
use crate::options::Options;
use crate::peer::{Due, Peer, Replicate, Timing};
use crate::store::Store;
use crate::transaction::{self, CommitRule};

/// How often a node looks at its peers and sends what is due. Replication lags by
/// about this much; every tick costs at most one message per peer.
pub const SYNC_INTERVAL: Duration = Duration::from_millis(100);

/// The most entries one `replicate` carries (about 30 bytes each on the wire), so
/// a message stays far below a line's limit however large the backlog.
pub const ENTRIES_PER_MESSAGE_MAX: usize = 4096;

/// Changes are resent after a second without an ack: ten ticks, far more than a
/// round trip plus the ack delay, so a healthy link never resends. An ack that
/// finds no changes to ride on waits half a second for one.
const TIMING: Timing = Timing {
    retransmit: Duration::from_millis(1000),
    ack_delay: Duration::from_millis(500),
};

/// The messages of the txn-rw-register workload (maelstrom.md §3.8), and ours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    Txn { txn: Vec<MicroOp> },
    TxnOk { txn: Vec<MicroOp> },
    Replicate(Replicate),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Send each peer what it is due.
    Sync,
}

#[derive(Debug)]
pub struct TxnNode {
    store: Store,
    /// Every other node, by id.
    peers: BTreeMap<String, Peer>,
    commit_rule: CommitRule,
    /// `--abort-after-commit`: broken on purpose (see `options.rs`).
    abort_after_commit: bool,
    /// Transactions with a write run so far, to pick which ones that flag refuses.
    writing_txns: u64,
}

/// With `--abort-after-commit`, one in this many writing transactions is refused
/// after it committed.
const ABORT_AFTER_COMMIT_EVERY: u64 = 8;

impl TxnNode {
    /// Every register this replica holds, in key order.
    pub fn values(&self) -> BTreeMap<Key, Value> {
        self.store.values()
    }

    fn run_txn(&mut self, request: &Message<Payload>, txn: Vec<MicroOp>, ctx: &mut Context<Tick>) {
        let writes = txn.iter().any(|op| matches!(op, MicroOp::Write { .. }));
        let txn = transaction::execute(&mut self.store, txn, self.commit_rule);
        if writes && self.abort_after_commit {
            self.writing_txns += 1;
            if self.writing_txns % ABORT_AFTER_COMMIT_EVERY == 0 {
                // Broken on purpose: the writes stay in the store and replicate, yet
                // the client is told, definitely, that the transaction didn't happen.
                let text = "aborted after it committed (broken on purpose)";
                ctx.reply_error(request, &Error::new(ErrorCode::TxnConflict, text));
                return;
            }
        }
        ctx.reply(request, Payload::TxnOk { txn });
    }

    /// Sends each peer what it is due: its changes, or an ack alone.
    fn sync(&mut self, ctx: &mut Context<Tick>) {
        let now = ctx.now();
        let latest = self.store.latest_change();
        for (peer_id, peer) in &mut self.peers {
            let mut due = peer.due(latest, now);
            if let Some(Due::Changes { after }) = due {
                let (entries, through) =
                    self.store
                        .changes_after(after, peer_id, ENTRIES_PER_MESSAGE_MAX);
                if entries.is_empty() && after == peer.acked() {
                    // Every change since its ack came from the peer itself.
                    peer.has_through(through);
                    due = peer.due(latest, now);
                } else {
                    // Even without entries, the range moves the peer's ack along.
                    let ack = peer.ack();
                    let message = Replicate {
                        entries,
                        after,
                        through,
                        ack,
                    };
                    ctx.send(peer_id, Payload::Replicate(message));
                    peer.sent_changes(after, through, now);
                    continue;
                }
            }
            if due == Some(Due::Ack) {
                let message = Replicate::ack_only(peer.ack());
                ctx.send(peer_id, Payload::Replicate(message));
                peer.sent_ack();
            }
        }
    }

    fn merge_replicate(&mut self, from: &str, replicate: Replicate, ctx: &mut Context<Tick>) {
        let Some(peer) = self.peers.get_mut(from) else {
            ctx.log(format!(
                "ignoring replicate from {from}, which is not a peer"
            ));
            return;
        };
        let Replicate {
            entries,
            after,
            through,
            ack,
        } = replicate;
        let merged = self.store.merge(from, entries);
        if merged.refused > 0 {
            ctx.log(format!(
                "refused {} entries from {from}: Lamport time beyond the bound",
                merged.refused
            ));
        }
        peer.received(after, through, ack, ctx.now());
    }
}

impl Node for TxnNode {
    type Payload = Payload;
    type Tick = Tick;

    fn from_init(init: &Init, ctx: &mut Context<Tick>) -> TxnNode {
        let (options, warnings) = Options::parse(ctx.args());
        for line in warnings.iter().map(String::as_str).chain(options.broken()) {
            ctx.log(line);
        }
        let peers: BTreeMap<String, Peer> = init
            .peers()
            .map(|peer| (peer.clone(), Peer::new(TIMING)))
            .collect();
        if !peers.is_empty() {
            ctx.every(SYNC_INTERVAL, Tick::Sync);
        }
        TxnNode {
            store: Store::new(&init.node_id, options.merge_rule),
            peers,
            commit_rule: options.commit_rule,
            abort_after_commit: options.abort_after_commit,
            writing_txns: 0,
        }
    }

    fn on_message(&mut self, mut message: Message<Payload>, ctx: &mut Context<Tick>) {
        // The payload is taken out (not cloned) and the envelope kept for the reply.
        match &mut message.body.payload {
            Payload::Txn { txn } => {
                let txn = std::mem::take(txn);
                self.run_txn(&message, txn, ctx);
            }
            Payload::Replicate(replicate) => {
                let replicate = std::mem::take(replicate);
                self.merge_replicate(&message.src, replicate, ctx);
            }
            // A reply to a request we never send: nothing to do.
            Payload::TxnOk { .. } => {}
        }
    }

    fn on_tick(&mut self, tick: Tick, ctx: &mut Context<Tick>) {
        match tick {
            Tick::Sync => self.sync(ctx),
        }
    }
}

#[cfg(test)]
mod tests;
