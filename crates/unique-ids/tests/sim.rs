//! Challenge 2 in the simulation (`unique-ids sim ...`): IDs stay unique and every
//! request is answered under partitions, over many seeds; the same seed gives the same
//! run, byte for byte (maelstrom.md §3.2, §7).

use std::path::Path;

use maelstrom_driver::{assert_replays_byte_for_byte, run_sim};

/// Challenge 2's command, but for its `--time-limit 30`.
const CHALLENGE_2: [&str; 10] = [
    "-w",
    "unique-ids",
    "--rate",
    "1000",
    "--node-count",
    "3",
    "--availability",
    "total",
    "--nemesis",
    "partition",
];

fn unique_ids() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_unique-ids"))
}

/// Challenge 2's exact command under partitions passes on every seed of a sweep.
#[test]
fn challenge_two_passes_on_twenty_seeds() {
    let run = run_sim(
        unique_ids(),
        &[
            &CHALLENGE_2[..],
            &["--time-limit", "30", "--seeds", "0..20", "--check", "2"],
        ]
        .concat(),
    );
    run.assert_every_seed_valid(20);
}

/// The same command and seed give byte-identical history.edn and results.edn; the
/// IDs themselves come from each node's seeded RNG.
#[test]
fn the_same_seed_replays_byte_for_byte() {
    let args = [&CHALLENGE_2[..], &["--time-limit", "5", "--seed", "9"]].concat();
    assert_replays_byte_for_byte(unique_ids(), &args).assert_valid();
}
