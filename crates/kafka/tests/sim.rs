//! Challenges 5a–5c in the simulation (`kafka sim ...`): each command is valid on
//! 20 seeds, 5b also under partitions; one run of each command is quiet (no error
//! type at all, not even an allowed one); 5c meets this node's efficiency targets on
//! every seed; and the same seed gives the same run, byte for byte (maelstrom.md
//! §3.7, §5.2, §7).

mod support;

use std::thread;

use maelstrom_driver::{assert_replays_byte_for_byte, run_sim, Run};
use serde_json::Value;
use support::{kafka, with, COMMAND_5A, COMMAND_5B, MSGS_PER_OP_MAX, OK_FRACTION_MIN};

/// Twenty seeds, one line each, in the simulation's own sweep.
fn sweep_is_valid(command: &[&str], extra: &[&str]) {
    let args = with(&with(command, extra), &["--seeds", "0..20"]);
    let run = run_sim(kafka(), &args);
    run.assert_every_seed_valid(20);
}

/// maelstrom.md §7, 5a: a single-node log.
#[test]
fn challenge_5a_is_valid_on_twenty_seeds() {
    sweep_is_valid(&COMMAND_5A, &["--check", "5a"]);
}

/// maelstrom.md §7, 5b: a multi-node log.
#[test]
fn challenge_5b_is_valid_on_twenty_seeds() {
    sweep_is_valid(&COMMAND_5B, &["--check", "5b"]);
}

/// maelstrom.md §5.2: 5b with the partition nemesis, judged as 5b. Nodes cut off
/// from each other keep answering; nothing acknowledged is lost or skipped.
#[test]
fn challenge_5b_under_partitions_is_valid_on_twenty_seeds() {
    sweep_is_valid(&COMMAND_5B, &["--nemesis", "partition", "--check", "5b"]);
}

/// The workload checker's own verdict: its error types, allowed ones included.
fn error_types(run: &Run) -> Vec<String> {
    let types = run
        .figure(&["workload", "error-types"])
        .and_then(Value::as_array);
    types.map_or_else(Vec::new, |types| {
        types
            .iter()
            .filter_map(|name| Some(name.as_str()?.to_string()))
            .collect()
    })
}

/// maelstrom.md §3.7: a correct node leaves the kafka checker with nothing to
/// say, on each challenge command: no error type, not even an allowed one.
#[test]
fn each_challenge_command_passes_quietly() {
    for (challenge, command) in [("5a", COMMAND_5A), ("5b", COMMAND_5B), ("5c", COMMAND_5B)] {
        let run = run_sim(
            kafka(),
            &with(&command, &["--seed", "1", "--check", challenge]),
        );
        run.assert_valid();
        assert!(
            run.output.contains("Everything looks good!"),
            "{}",
            run.output
        );
        assert_eq!(
            error_types(&run),
            Vec::<String>::new(),
            "{challenge}: {}",
            run.output
        );
        let unseen = run.figure(&["workload", "unseen"]);
        assert_eq!(
            unseen, None,
            "{challenge}: every acknowledged message was polled"
        );
    }
}

/// maelstrom.md §7, 5c (same command as 5b, judged on efficiency): on every one of
/// 20 seeds, at most one server message per operation and at least 99.9% of
/// operations ok. Crashes are the only operations that are not ok.
#[test]
fn challenge_5c_meets_its_targets_on_twenty_seeds() {
    let seeds: Vec<u64> = (0..20).collect();
    let figures: Vec<(u64, f64, f64)> = thread::scope(|scope| {
        let halves: Vec<_> = seeds
            .chunks(seeds.len() / 2)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|seed| efficiency(*seed))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves
            .into_iter()
            .flat_map(|half| half.join().expect("a seed ran"))
            .collect()
    });
    assert_eq!(figures.len(), 20);
    for (seed, msgs_per_op, ok_fraction) in figures {
        assert!(
            msgs_per_op <= MSGS_PER_OP_MAX,
            "seed {seed}: {msgs_per_op} msgs/op"
        );
        assert!(
            ok_fraction >= OK_FRACTION_MIN,
            "seed {seed}: ok-fraction {ok_fraction}"
        );
    }
}

/// One 5c run: (seed, servers msgs-per-op, ok-fraction), valid or it panics.
fn efficiency(seed: u64) -> (u64, f64, f64) {
    let seed_text = seed.to_string();
    let run = run_sim(
        kafka(),
        &with(&COMMAND_5B, &["--seed", &seed_text, "--check", "5c"]),
    );
    run.assert_valid();
    let number = |path: &[&str]| run.figure(path).and_then(Value::as_f64).expect("a figure");
    (
        seed,
        number(&["net", "servers", "msgs-per-op"]),
        number(&["availability", "ok-fraction"]),
    )
}

/// The same command and seed give byte-identical history.edn and results.edn,
/// partitions, replication timers and all.
#[test]
fn the_same_seed_replays_byte_for_byte() {
    let args = with(&COMMAND_5B, &["--nemesis", "partition", "--seed", "7"]);
    assert_replays_byte_for_byte(kafka(), &args);
}
