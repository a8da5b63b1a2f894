//! Challenges 3a–3e, broadcast: every value any client broadcasts reaches
//! every node, whatever the network does; on a healthy network in about two
//! link latencies and for about two messages per operation, and under
//! partitions within a small factor of what the partitions themselves allow.
//!
//! The design is a star around a hub, with reliable links:
//! - a node that receives a `broadcast` answers at once and sends the value to
//!   the hub (`n0`) straight away: one message, one 100 ms hop;
//! - the hub collects values and, every [`node::FLUSH_INTERVAL`], sends each other
//!   node one `gossip` carrying everything new: the second hop. The fan-out
//!   costs 24 messages per flush however many values it carries, where
//!   flooding the mesh costs 24 per value and Maelstrom's grid needs 8 hops;
//! - every link is reliable by itself ([`link`]): each message carries the
//!   values the peer has not acknowledged, and a cumulative ack. The queue is
//!   bounded; a peer that falls further behind catches up by [`digest`].
//!
//! A star's weakness is its centre: a partition that cuts leaves off from the
//! hub would leave their values waiting for the heal, although those leaves can
//! still reach each other, and under `majorities-ring` (maelstrom.md §5.2) a
//! majority. So a leaf watches its upstream by its acks (timeouts measured per
//! link, [`rtt`]), and when they stop it asks every node for a route
//! ([`route`]): it relays through the first node one hop from the hub, or, on
//! a side of a split with no hub at all, through the side's lowest node, which
//! stands in for the hub. Relays only make values arrive sooner: every leaf's
//! link to the hub and the hub's link to every leaf never give up, so
//! everything converges after the heal whatever the relays did ([`node`]).
//!
//! The trade-offs: detection takes a round trip and a timeout (the first
//! message to the hub is answered at once, so a leaf cut off from the start
//! knows within a quarter second), and an election costs about two messages
//! per node that hears it; a healthy network pays for none of it, beyond one
//! handshake per leaf. Left out: a hub that crashes (Maelstrom's nemesis never
//! kills nodes; the stand-in rule would cover it, but nothing tests it), and
//! relaying around a stand-in that is itself cut off from part of its side.
//!
//! Arguments (after `--` on the runner's command line, [`options`]):
//! `--flush-ms N`, `--no-reroute` (the plain star, the baseline) and
//! `--no-retransmit` (broken on purpose: values lost in a partition stay lost).
//!
//! Modules: [`node`] (the node: where values go), [`route`] (upstream choice
//! and elections), [`link`] (one reliable, bounded link), [`digest`] (set
//! summaries for catching up), [`rtt`] (timeouts from round trips),
//! [`payload`] (the wire messages), [`flood`] (the reference node the
//! benchmark measures against, `broadcast-flood`).
//! Run it: `make test-broadcast` (maelstrom.md §7, 3a–3e); measure it:
//! `make bench-broadcast`.

pub mod digest;
pub mod flood;
pub mod link;
pub mod node;
pub mod options;
pub mod payload;
pub mod route;
pub mod rtt;

pub use flood::FloodNode;
pub use node::BroadcastNode;
