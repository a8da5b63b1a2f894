//! Replicas really replicate: after the last partition heals, every node holds the
//! same value for every key.
//!
//! Maelstrom's txn-rw-register cannot check this (maelstrom.md §3: it has no final
//! heal and no final reads, and read committed lets any read be stale), so this file
//! checks it itself. It runs challenge 6c's command in the simulation, under the
//! partition nemesis, takes the engines the run hands back (`Simulated::engines`),
//! and keeps them running for a few more virtual seconds with every node-to-node
//! message delivered at once and no partition: the heal Maelstrom never does. Then
//! it compares each replica's key → value map.
//!
//! The same check on the node broken with `--apply-in-arrival-order` (replicas keep
//! whichever write of a key arrives last) finds replicas that never agree, while
//! Maelstrom's checker calls those runs valid.

use std::collections::BTreeMap;

use clap::Parser;
use maelstrom_tests::cli::{SimArgs, TestConfig};
use maelstrom_tests::run::report::judge;
use maelstrom_tests::run::{End, World};
use maelstrom_tests::sim::simulate;
use protocol::{Engine, Instant, Output};
use txn::micro_op::{Key, Value};
use txn::TxnNode;

/// Challenge 6c's command (maelstrom.md §7), less its seed.
const CHALLENGE_6C: [&str; 17] = [
    "-w",
    "txn-rw-register",
    "--node-count",
    "2",
    "--concurrency",
    "2n",
    "--time-limit",
    "20",
    "--rate",
    "1000",
    "--consistency-models",
    "read-committed",
    "--availability",
    "total",
    "--nemesis",
    "partition",
    "--",
];

/// Virtual time the healed cluster runs for: several retransmit periods (1 s each).
const HEALED_NS: u64 = 5_000_000_000;

/// Messages delivered while the healed cluster runs, at most: a bound on the loop,
/// far above the ~10 per node per second the nodes send.
const HEALED_MESSAGES_MAX: usize = 1_000_000;

/// One simulated run of the 6c command with `seed` and node arguments `node_args`:
/// whether the checker called it valid, when it ended, and the engines.
fn simulate_6c(seed: u64, node_args: &[&str]) -> (bool, u64, Vec<Engine<TxnNode>>) {
    let seed = seed.to_string();
    let flags = ["sim", "--seed", &seed]
        .into_iter()
        .chain(CHALLENGE_6C)
        .chain(node_args.iter().copied());
    let args = SimArgs::try_parse_from(flags).expect("the flags parse").run;
    let executable = std::env::current_exe().expect("the test knows its path");
    let config = TestConfig::from_args(&args, &executable).expect("valid flags");
    let world = World::new(&config).expect("a valid world");
    let simulated = simulate::<TxnNode>(&config, world, "(replay)", false);
    assert_eq!(simulated.finished.end, End::Completed);
    let verdict =
        judge(&config, &simulated.finished, &[], &|_| String::new()).expect("the run is judged");
    (
        verdict.is_valid(),
        simulated.finished.end_ns,
        simulated.engines,
    )
}

/// Runs `engines` from `start_ns` for [`HEALED_NS`]: timers fire when due, and every
/// line a node prints to another node is delivered at that same instant (lines to
/// clients are dropped: there are none left). Returns the messages delivered.
fn run_healed(engines: &mut [Engine<TxnNode>], start_ns: u64) -> usize {
    let ids: Vec<String> = engines
        .iter()
        .map(|engine| engine.node_id().expect("initialised").to_string())
        .collect();
    let end = Instant::from_nanos(start_ns + HEALED_NS);
    let mut now = Instant::from_nanos(start_ns);
    let mut output = Output::default();
    let mut delivered = 0;
    loop {
        let Some(next) = engines.iter().filter_map(Engine::next_deadline).min() else {
            return delivered;
        };
        if next > end {
            return delivered;
        }
        now = now.max(next);
        let mut inbox: Vec<(usize, String)> = Vec::new();
        for (index, engine) in engines.iter_mut().enumerate() {
            if engine.next_deadline().is_some_and(|due| due <= now) {
                engine.handle_deadlines(now, &mut output);
                inbox.extend(output.lines.drain(..).map(|line| (index, line)));
            }
        }
        while !inbox.is_empty() {
            for (_, line) in std::mem::take(&mut inbox) {
                let message: serde_json::Value = serde_json::from_str(&line).expect("JSON lines");
                let dest = message["dest"].as_str().expect("a dest");
                let Some(to) = ids.iter().position(|id| id == dest) else {
                    continue; // to a client
                };
                delivered += 1;
                assert!(delivered <= HEALED_MESSAGES_MAX, "the nodes never go quiet");
                engines[to].handle_line(&line, now, &mut output);
                inbox.extend(output.lines.drain(..).map(|out| (to, out)));
            }
        }
    }
}

fn replicas(engines: &[Engine<TxnNode>]) -> Vec<BTreeMap<Key, Value>> {
    engines
        .iter()
        .map(|engine| engine.node().expect("initialised").values())
        .collect()
}

/// The keys on which two replicas disagree (present on one only, or different).
fn disagreements(a: &BTreeMap<Key, Value>, b: &BTreeMap<Key, Value>) -> usize {
    let keys: std::collections::BTreeSet<&Key> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|key| a.get(key) != b.get(key))
        .count()
}

/// After challenge 6c's run under partitions, a few healed seconds leave every
/// replica with the same value for every key, on every seed tried.
#[test]
fn after_the_heal_every_replica_holds_the_same_value_for_every_key() {
    for seed in 0..4 {
        let (valid, end_ns, mut engines) = simulate_6c(seed, &[]);
        assert!(valid, "seed {seed}: the checker's verdict");
        let before = replicas(&engines);
        let healed_messages = run_healed(&mut engines, end_ns);
        let after = replicas(&engines);
        println!(
            "seed {seed}: {} keys; {} disagreed when the run ended; {healed_messages} messages while healed",
            after[0].len(),
            disagreements(&before[0], &before[1]),
        );
        assert!(after[0].len() > 100, "seed {seed}: the run wrote keys");
        assert_eq!(after[0], after[1], "seed {seed}: the replicas differ");
    }
}

/// The node broken on purpose with `--apply-in-arrival-order`: Maelstrom's checker
/// finds nothing, yet replicas that swapped concurrent writes never agree again.
#[test]
fn replicas_that_apply_writes_in_arrival_order_never_agree() {
    let (valid, end_ns, mut engines) = simulate_6c(0, &["--apply-in-arrival-order"]);
    assert!(valid, "the checker cannot see divergence");
    run_healed(&mut engines, end_ns);
    let after = replicas(&engines);
    let apart = disagreements(&after[0], &after[1]);
    println!("--apply-in-arrival-order: {apart} keys differ after the heal");
    assert!(apart > 0, "the replicas should disagree");
}
