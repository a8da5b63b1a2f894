//! The runner's single door to `maelstrom-model`: latency, nemesis grudges, topologies,
//! services and workloads (maelstrom-spec §3–§5).
//!
//! Every runner module reaches the model through `crate::model`, never through the
//! crate directly, so the boundary between "what Maelstrom decides" (the model, pure and
//! seeded) and "how the run is carried out" (processes, network, clocks) stays in one
//! place.

pub use maelstrom_model::*;
