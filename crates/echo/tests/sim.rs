//! Challenge 1 in the simulation (`echo sim ...`): the exact command passes, and the
//! same seed gives the same run, byte for byte (maelstrom.md §3.1, §7).

use std::path::Path;

use maelstrom_driver::{assert_replays_byte_for_byte, run_sim};

const CHALLENGE_1: [&str; 6] = ["-w", "echo", "--node-count", "1", "--time-limit", "10"];

fn echo() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_echo"))
}

/// Challenge 1's command passes in the simulation, judged by its criteria.
#[test]
fn challenge_one_passes_in_the_simulation() {
    let run = run_sim(
        echo(),
        &[&CHALLENGE_1[..], &["--seed", "1", "--check", "1"]].concat(),
    );
    run.assert_valid();
    assert!(
        run.output.contains("Everything looks good!"),
        "{}",
        run.output
    );
}

/// Echo touches no other node, so partitions change nothing: every seed of a sweep
/// under the partition nemesis is valid.
#[test]
fn partitions_change_nothing_for_echo_over_twenty_seeds() {
    let args = [
        &CHALLENGE_1[..],
        &["--nemesis", "partition", "--seeds", "0..20", "--check", "1"],
    ]
    .concat();
    let run = run_sim(echo(), &args);
    run.assert_every_seed_valid(20);
}

/// The same command and seed give byte-identical history.edn and results.edn.
#[test]
fn the_same_seed_replays_byte_for_byte() {
    let run = assert_replays_byte_for_byte(echo(), &[&CHALLENGE_1[..], &["--seed", "42"]].concat());
    run.assert_valid();
}
