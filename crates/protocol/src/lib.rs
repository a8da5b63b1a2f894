//! `protocol`: Maelstrom's wire format, and the engine every challenge node runs on.
//!
//! A node here is a state machine ([`Node`]): it takes events — a request, a
//! peer's message, a timer tick, an RPC's outcome — and records what it wants
//! done on a [`Context`]. Around it sits the [`Engine`], itself a state
//! machine one level up: events in (a line that arrived, the time now), lines
//! out (messages for stdout, logs for stderr). The engine does the `init`
//! handshake, decides what each line is, answers bad input with Maelstrom's
//! errors, and keeps the books for RPC timeouts, retries and timers. It never
//! reads a clock, draws entropy or touches a file descriptor: the time comes in
//! with every event, and randomness from one RNG seeded at construction.
//!
//! So an engine can be driven in two ways, and the node can't tell which:
//! - [`run_stdio`], the stdio loop every `main` calls: real stdin and stdout,
//!   real time, a seed from the OS, fast and with bounded memory;
//! - a simulator that runs many engines in one process on a virtual clock and
//!   delivers their lines itself, so one seed replays a whole cluster's run.
//!
//! Unit tests drive the node alone, with a [`Context::for_test`]. This is the
//! "engine emits commands, runtime performs them" design of raft-rs and
//! openraft, at the scale of a learning project.
//!
//! Left out on purpose: no persistence (Maelstrom never restarts a node), no
//! handler concurrency (one event at a time; nodes need no locks), no
//! `async` handlers (in-flight work is explicit state a test can see).
//!
//! Modules:
//! - [`message`]: envelopes and bodies as they look on the wire.
//! - [`error`]: the Maelstrom error table, definite vs indefinite.
//! - [`node`]: the `Node` trait, `Context`, effects and RPC outcomes.
//! - [`engine`]: the engine; `classify` and `probe` tell bad requests apart.
//! - [`rpc`]: timeouts and retry with backoff and jitter.
//! - [`time`]: the engine's [`Instant`], a number the driver hands in.
//! - [`kv`]: clients for the `seq-kv`, `lin-kv`, `lww-kv` and `lin-tso` services.
//! - `stdio`: the stdio loop, with its reader thread and output buffer.

pub mod args;
mod classify;
pub mod engine;
pub mod error;
pub mod kv;
pub mod message;
pub mod node;
mod probe;
pub mod rpc;
mod stdio;
pub mod time;

pub use engine::{Engine, EngineConfig, Output};
pub use error::{Error, ErrorCode};
pub use message::{Body, Init, Message};
pub use node::{CallId, Context, Effect, Node, RpcReply};
pub use rpc::{Backoff, RpcOptions};
pub use stdio::{run_stdio, LINE_BYTES_MAX};
pub use time::Instant;
