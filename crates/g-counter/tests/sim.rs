//! Challenge 4 in the simulation (`g-counter sim ...`): g-counter and
//! pn-counter stay exact under partitions over many seeds, the same seed gives
//! the same run byte for byte, and a seed sweep finds the node broken on
//! purpose and replays what it found (maelstrom.md §3.5, §4, §7).
//!
//! The broken node is `--no-freshness-write --sync-interval-ms 3000`: a
//! learner saving messages twice over. Each half alone is harmless on the
//! challenge's command, and a test below shows it for each; together they
//! lose the final reads on some seeds.

use std::path::{Path, PathBuf};

use maelstrom_driver::{run_sim, Run};

/// Challenge 4's command (maelstrom.md §7), with `-w` left to the test.
const CHALLENGE_4: [&str; 8] = [
    "--node-count",
    "3",
    "--rate",
    "100",
    "--time-limit",
    "20",
    "--nemesis",
    "partition",
];

/// The node arguments of the counter broken on purpose.
const BROKEN: [&str; 3] = ["--no-freshness-write", "--sync-interval-ms", "3000"];

fn counter() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_g-counter"))
}

/// `sim -w <workload>` on challenge 4's command, then `extra`.
fn sim(workload: &str, extra: &[&str]) -> Run {
    run_sim(
        counter(),
        &[&["-w", workload], &CHALLENGE_4[..], extra].concat(),
    )
}

/// How many seeds of a sweep were valid, from its summary line.
fn valid_seeds(sweep: &Run) -> usize {
    let summary = sweep
        .output
        .lines()
        .find(|line| line.contains(" seed(s) valid"))
        .unwrap_or_else(|| panic!("no summary line:\n{}", sweep.output));
    let count = summary.split(' ').next().and_then(|word| word.parse().ok());
    count.unwrap_or_else(|| panic!("no count in {summary:?}"))
}

/// Challenge 4 (maelstrom.md §7): every final read is the exact sum, on 25
/// seeds of each workload, and `--check 4` finds every pass criterion met.
#[test]
fn both_counters_are_exact_under_partitions_on_twenty_five_seeds() {
    for workload in ["g-counter", "pn-counter"] {
        let sweep = sim(workload, &["--seeds", "0..25", "--check", "4"]);
        sweep.assert_valid();
        assert_eq!(valid_seeds(&sweep), 25, "{workload}:\n{}", sweep.output);
    }
}

/// The same command and seed give byte-identical history.edn and results.edn:
/// seq-kv's stale picks, the nemesis and the client schedule all come from it.
#[test]
fn the_same_seed_replays_byte_for_byte() {
    for workload in ["g-counter", "pn-counter"] {
        let args = ["--seed", "7"];
        let (first, second) = (sim(workload, &args), sim(workload, &args));
        for file in ["history.edn", "results.edn"] {
            let (a, b) = (first.stored(file), second.stored(file));
            assert!(
                a.is_some(),
                "{workload}: {file} is stored:\n{}",
                first.output
            );
            assert_eq!(
                a, b,
                "{workload}: {file} differs between two runs of seed 7"
            );
        }
    }
}

/// Why the freshness write's absence alone goes unseen (maelstrom.md §4): a
/// sync with nothing to write reads on its old view, but each read picks a
/// state uniformly between that view and the newest and moves the view there,
/// so a gap of a few states closes within a few reads. The quiet 10 s before
/// the final reads hold about nine syncs, eighteen reads per node: every seed
/// converges.
#[test]
fn without_the_freshness_write_the_many_quiet_syncs_still_converge() {
    let sweep = sim(
        "g-counter",
        &["--seeds", "0..100", "--", "--no-freshness-write"],
    );
    sweep.assert_valid();
    assert_eq!(valid_seeds(&sweep), 100, "{}", sweep.output);
}

/// The other half of the broken node alone: with the freshness write, a sync
/// every 3 s is still exact, because one sync after the others' last writes is
/// enough when its reads follow a write of its own (maelstrom.md §4).
#[test]
fn with_the_freshness_write_a_slow_sync_is_still_exact() {
    let sweep = sim(
        "g-counter",
        &["--seeds", "0..100", "--", "--sync-interval-ms", "3000"],
    );
    sweep.assert_valid();
    assert_eq!(valid_seeds(&sweep), 100, "{}", sweep.output);
}

/// The break, found by a sweep (maelstrom.md §3.5 checker, §4 stale reads):
/// with syncs every 3 s and no freshness write, the quiet 10 s hold two
/// syncs, four reads per node, and a node that wrote its last adds just
/// before another did can keep reading the state before that write. Some
/// seeds lose a final read and others don't; the printed `Replay:` command
/// gives the same failure again, to the byte.
#[test]
fn a_sweep_finds_the_broken_counter_and_its_replay_fails_the_same_way() {
    let sweep = sim(
        "g-counter",
        &[&["--seeds", "0..100", "--"][..], &BROKEN].concat(),
    );
    assert_eq!(sweep.exit_code, 1, "{}", sweep.output);
    let valid = valid_seeds(&sweep);
    assert!(
        (1..100).contains(&valid),
        "some seeds fail and some pass:\n{}",
        sweep.output
    );
    let replays = sweep.replays();
    assert_eq!(replays.len(), 100 - valid, "one replay per failing seed");
    let replay = shell_words(&replays[0]);
    let seed = word_after(&replay, "--seed").expect("the replay names its seed");
    let swept_dir = stored_dir(&sweep, &seed);

    let rerun = run_sim(counter(), &without_program_and_store(&replay));
    assert_eq!(
        rerun.exit_code, 1,
        "the replay fails too:\n{}",
        rerun.output
    );
    let final_reads = |results: Option<&serde_json::Value>| {
        results.and_then(|results| results.pointer("/workload/final-reads").cloned())
    };
    let swept_results = std::fs::read_to_string(swept_dir.join("results.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    assert!(final_reads(swept_results.as_ref()).is_some());
    assert_eq!(
        final_reads(rerun.results.as_ref()),
        final_reads(swept_results.as_ref()),
        "seed {seed}: the same final reads"
    );
    let swept_history = std::fs::read(swept_dir.join("history.edn")).ok();
    assert!(swept_history.is_some(), "the sweep stored seed {seed}");
    assert_eq!(
        rerun.stored("history.edn"),
        swept_history,
        "seed {seed}: the same history, byte for byte"
    );
}

/// The store directory the sweep printed for `seed` (`seed N: ...; stored in DIR`).
fn stored_dir(sweep: &Run, seed: &str) -> PathBuf {
    let prefix = format!("seed {seed}: ");
    let line = sweep.output.lines().find(|line| line.starts_with(&prefix));
    let dir = line.and_then(|line| line.rsplit_once("; stored in "));
    let dir = dir.unwrap_or_else(|| panic!("seed {seed} was not stored:\n{}", sweep.output));
    let dir = Path::new(dir.1);
    std::env::current_dir()
        .expect("a working directory")
        .join(dir)
}

fn word_after(words: &[String], flag: &str) -> Option<String> {
    let at = words.iter().position(|word| word == flag)?;
    words.get(at + 1).cloned()
}

/// The replay's arguments for [`run_sim`], which names the program, `sim` and
/// a fresh `--store` itself.
fn without_program_and_store(replay: &[String]) -> Vec<&str> {
    let start = replay
        .iter()
        .position(|word| word == "sim")
        .map_or(0, |at| at + 1);
    let mut args = Vec::new();
    let mut words = replay[start..].iter();
    while let Some(word) = words.next() {
        if word == "--store" {
            words.next();
        } else {
            args.push(word.as_str());
        }
    }
    args
}

/// Splits a command line the way a POSIX shell does for the quoting the
/// harness prints: plain words, `'...'` and `\'`.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' => words.extend(word.take()),
            '\'' => {
                let quoted = word.get_or_insert_with(String::new);
                quoted.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            _ => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}
