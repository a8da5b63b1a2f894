//! The `broadcast` binary: the node of challenges 3a–3e ([`broadcast::BroadcastNode`]).
//! On stdin/stdout for Maelstrom; `broadcast sim ...` runs the simulation instead.

fn main() -> std::process::ExitCode {
    maelstrom_tests::sim::main::<broadcast::BroadcastNode>()
}
