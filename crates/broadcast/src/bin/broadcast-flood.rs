//! The `broadcast-flood` binary: the flood reference node ([`broadcast::flood`]),
//! which every 200 ms sends everything it knows to every other node. It is here to be
//! measured against `broadcast`, not to be used: `make bench-broadcast` runs both.

fn main() -> std::process::ExitCode {
    maelstrom_tests::sim::main::<broadcast::FloodNode>()
}
