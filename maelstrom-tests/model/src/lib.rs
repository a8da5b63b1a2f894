//! `maelstrom-model`: the parts of Maelstrom's world that are pure decisions, with no I/O.
//!
//! The runner (`maelstrom-tests`) owns processes, sockets-by-pipe, clocks and the history
//! file; this crate owns *what Maelstrom would decide*: how long a message is delayed
//! (maelstrom.md §5.1), which links a partition cuts (§5.2), what topology a broadcast
//! node is told (§5.3), how the `lin-kv`/`seq-kv`/`lww-kv`/`lin-tso` services answer (§4),
//! and, per workload, which operations a client invokes and how a reply becomes a history
//! outcome (§1.4, §3). Every random choice takes a caller-supplied seeded RNG, so a run
//! replays from its seed.
//!
//! Left out on purpose: the txn-list-append workload (§3.9). It would be one more
//! module under [`workloads`] plus one line in [`workloads::workload`]; nothing else in
//! the crate or the runner would change.
//!
//! Module map:
//! - [`latency`]: `--latency` / `--latency-dist` draws (§5.1).
//! - [`mod@grudge`]: the partition nemesis's four grudge shapes (§5.2).
//! - [`network`]: queues, deadlines, partitions at dequeue, message counts, client ids (§5.1).
//! - [`mod@topology`]: grid, line, total and tree topologies (§5.3).
//! - [`services`]: the four built-in services (§4), one file each.
//! - [`workloads`]: the [`Workload`] trait and one client module per workload (§3).

pub mod grudge;
pub mod latency;
pub mod network;
pub mod services;
pub mod topology;
pub mod workloads;

pub use grudge::{grudge, Grudge, GrudgeKind};
pub use latency::{Latency, LatencyDist};
pub use network::Network;
pub use services::{service, Service, SERVICE_NAMES};
pub use topology::{topology, Topology};
pub use workloads::{workload, Invocation, Outcome, Reply, Step, Workload, WorkloadOptions};
