//! Challenges 3a–3e, broadcast: every value any client broadcasts reaches
//! every node, whatever the network does, in about two link latencies and for
//! about two and a half messages per operation.
//!
//! The design is a star around a hub, with reliable links:
//! - a node that receives a `broadcast` answers at once and sends the value to
//!   the hub (`n0`) straight away: one message, one 100 ms hop;
//! - the hub collects values and, every [`node::FLUSH_INTERVAL`], sends each other
//!   node one `gossip` carrying everything new: the second hop. So a value is
//!   everywhere two hops after it was broadcast, plus at most one flush interval;
//! - every link is reliable by itself ([`link`]): each message carries all the
//!   values the peer has not acknowledged, and a cumulative ack of what we got
//!   from it. A message lost in a partition is repaired by the next one.
//!
//! Why not Maelstrom's topology: on a grid of 25 nodes a value needs up to 8
//! hops (800 ms); flooding the full mesh costs 24 messages per value. A star
//! needs 2 hops, and batching at the hub makes the fan-out cost independent of
//! the rate: 24 messages per flush, however many values it carries. The price
//! is a hub that carries more load than the others, and, under a partition
//! that cuts a node off from the hub, values that wait for the heal (they are
//! never lost; the links resend them). Maelstrom's nemesis never crashes nodes,
//! so the hub never dies; a system where it could would need a fallback.
//!
//! Arguments (after `--` on the runner's command line): `--flush-ms N` sets
//! the hub's flush interval for experiments; `--no-retransmit` breaks the
//! links on purpose, so that values lost in a partition stay lost.
//!
//! Modules: [`link`] (one reliable link to one peer), [`node`] (the star),
//! [`options`] (the command line).
//! Run it: `make test-broadcast` (maelstrom.md §7, 3a–3e).

pub mod digest;
pub mod flood;
pub mod link;
pub mod node;
mod options;
pub mod payload;
pub mod route;
pub mod rtt;

pub use flood::FloodNode;
pub use node::BroadcastNode;
