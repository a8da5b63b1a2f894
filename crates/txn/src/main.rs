//! The `txn` binary: challenge 6's node ([`txn::TxnNode`]) on stdin/stdout for
//! Maelstrom, or `txn sim ...` for the simulation. Everything else is in the library.

/// On stdin/stdout for Maelstrom; `sim ...` runs the simulation instead.
fn main() -> std::process::ExitCode {
    maelstrom_tests::sim::main::<txn::TxnNode>()
}
