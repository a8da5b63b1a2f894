//! Challenge 6, a totally available transactional key-value store (6a–6c):
//! transactions of reads and writes over integer registers, answered on every node
//! during partitions, read committed, on replicas that converge.
//!
//! Each node is a full replica. A transaction runs and commits on the node that
//! received it and is answered at once ([`node`]): no other node is consulted, so
//! a partition can neither delay nor refuse it (`--availability total`; an abort,
//! error 30, would be a definite `:fail`, maelstrom.md §1.4, §5.4). Read committed
//! (maelstrom.md §3.8) then comes from two rules:
//! - a transaction's writes stay in a private buffer until it commits, and only
//!   each key's last write is committed ([`transaction`]): nobody reads an
//!   intermediate write (G1b), and nothing aborts (G1a);
//! - every commit is stamped with a Lamport time, and every replica keeps each
//!   key's highest-stamped write ([`store`]): replicas agree on one order of
//!   concurrent writes, and every dependency runs from a lower stamp to a higher
//!   one, so none can form a cycle (G0, G1c).
//!
//! Replicas exchange changed registers every 100 ms, batched, with cumulative acks
//! and retransmission ([`peer`]), and pass on what they learn, so after the last
//! partition heals every replica holds the same value for every key. Maelstrom's
//! checker cannot see that: txn-rw-register has no final heal and no final reads
//! (maelstrom.md §3), and read committed allows any read to be stale. So the crate
//! shows it itself: `tests/convergence.rs` runs the challenge under partitions,
//! keeps the nodes running healed for a few virtual seconds, and compares replicas.
//!
//! Left out on purpose: anything stronger than read committed. A transaction may
//! see part of another (fractured reads) and replicas accept conflicting
//! read-modify-writes (lost updates); both are allowed at this level and would
//! need coordination, which total availability rules out. Nothing is persisted:
//! Maelstrom never restarts a node.
//!
//! Two flags break the node on purpose ([`options`]): `--commit-first-write`
//! (G1b, which the checker names) and `--apply-in-arrival-order` (replicas that
//! diverge, which only the convergence test sees).
//!
//! Modules: [`micro_op`] (the wire's `["r", k, v]`), [`transaction`] (running one),
//! [`store`] (a replica's registers, stamps and change numbers), [`peer`] (when
//! to send a peer what), [`node`] (the handlers), [`options`] (the command line).
//! Run it: `make test-txn`.

pub mod micro_op;
pub mod node;
pub mod options;
pub mod peer;
pub mod store;
pub mod transaction;

pub use node::TxnNode;
