//! The `maelstrom-tests` binary: a drop-in for `maelstrom test` / `analyze`, plus `bench`.
//! Everything lives in the library so integration tests can reach it.

fn main() {
    std::process::exit(maelstrom_tests::main_with_args(std::env::args().collect()));
}
