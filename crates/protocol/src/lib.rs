//! `protocol`: Maelstrom's wire format and the runtime every challenge node runs on.
//!
//! A node here is a state machine ([`Node`]): it takes events — a request, a
//! peer's message, a timer tick, an RPC's outcome — and records the messages it
//! wants sent on a [`Context`]. The runtime ([`run`], [`run_stdio`]) does all the
//! I/O: the `init` handshake, reading and classifying lines, writing replies,
//! RPC timeouts and retries, timers. Keeping the two apart is what lets the same
//! node run under Maelstrom, in-process in a unit test, and under a simulated
//! clock; it follows the "engine emits commands, runtime performs them" design of
//! raft-rs, at the scale of a learning project.
//!
//! Left out on purpose: no persistence (Maelstrom never restarts a node), no
//! handler concurrency (one event at a time; nodes need no locks), no
//! `async` handlers (in-flight work is explicit state a test can see).
//!
//! Modules:
//! - [`message`]: envelopes and bodies as they look on the wire.
//! - [`error`]: the Maelstrom error table, definite vs indefinite.
//! - [`node`]: the `Node` trait, `Context`, effects and RPC outcomes.
//! - [`rpc`]: timeouts and retry with backoff and jitter.
//! - [`kv`]: clients for the `seq-kv`, `lin-kv`, `lww-kv` and `lin-tso` services.
//! - [`transport`]: stdio, or in-memory channels for tests.
//! - `runtime`: the event loop.

pub mod error;
pub mod kv;
pub mod message;
pub mod node;
mod probe;
pub mod rpc;
mod runtime;
pub mod transport;

pub use error::{Error, ErrorCode};
pub use message::{Body, Init, Message};
pub use node::{CallId, Context, Effect, Node, RpcReply};
pub use rpc::{Backoff, RpcOptions};
pub use runtime::{run, run_stdio};
pub use transport::{Peer, Transport};
