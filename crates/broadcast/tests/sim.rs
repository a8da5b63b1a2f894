//! The broadcast node in the simulation (`broadcast sim ...`): whole runs of the
//! challenge commands (maelstrom.md §7) under the partition nemesis (§5.2), over
//! many seeds, in seconds; and one run per mechanism, against the same node with
//! that mechanism switched off, to show it is what makes the difference.
//!
//! Figures (msgs-per-op, latencies) are `make bench-broadcast`'s business; these
//! tests only assert what must always hold, with margins wide enough that a
//! retuned constant does not break them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use maelstrom_driver::{run_sim, Run};

fn broadcast() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_broadcast"))
}

/// The 3c command (maelstrom.md §7).
const CHALLENGE_3C: [&str; 11] = [
    "-w",
    "broadcast",
    "--node-count",
    "5",
    "--time-limit",
    "20",
    "--rate",
    "10",
    "--nemesis",
    "partition",
    "--check",
];

/// The 3d command (maelstrom.md §7), under partitions: 3d must stay correct there.
const CHALLENGE_3D_PARTITIONED: [&str; 12] = [
    "-w",
    "broadcast",
    "--node-count",
    "25",
    "--time-limit",
    "20",
    "--rate",
    "100",
    "--latency",
    "100",
    "--nemesis",
    "partition",
];

fn sim(args: &[&[&str]]) -> Run {
    run_sim(broadcast(), &args.concat())
}

/// A figure of a finished run, as a number.
fn figure(run: &Run, path: &[&str]) -> f64 {
    run.figure(path)
        .and_then(|value| value.as_f64())
        .unwrap_or_else(|| panic!("no {path:?} in the results:\n{}", run.output))
}

/// maelstrom.md §3.3 (set-full: nothing acknowledged is lost) under §5.2's
/// partitions: the 3c command is valid on every seed of a sweep.
#[test]
fn challenge_3c_is_valid_on_every_seed_under_partitions() {
    let run = sim(&[&CHALLENGE_3C, &["3c", "--seeds", "0..200"]]);
    run.assert_every_seed_valid(200);
}

/// maelstrom.md §7: 3d "must stay correct with `--nemesis partition`"; every
/// seed of a sweep is valid, whatever mix of the four partition shapes it draws.
#[test]
fn challenge_3d_is_valid_on_every_seed_under_partitions() {
    let run = sim(&[
        &CHALLENGE_3D_PARTITIONED,
        &["--check", "3c", "--seeds", "0..24"],
    ]);
    run.assert_every_seed_valid(24);
}

/// Routing around a lost hub, where it matters most: seed 1 draws one
/// `majorities-ring` partition (maelstrom.md §5.2) from the start to 14.9 s, in
/// which about half the leaves can't reach the hub but every node reaches a
/// majority. Relayed, every value is everywhere within a second; without
/// rerouting, the cut-off leaves' values wait for the heal (maelstrom.md §3.3
/// stable latency: up to the last read that missed a value).
#[test]
fn leaves_cut_off_from_the_hub_route_around_it() {
    let ring = [&CHALLENGE_3D_PARTITIONED[..], &["--seed", "1"]].concat();
    let rerouted = sim(&[&ring]);
    rerouted.assert_valid();
    let waited = sim(&[&ring, &["--", "--no-reroute"]]);
    waited.assert_valid();
    let max = |run: &Run| figure(run, &["workload", "stable-latencies", "1"]);
    assert!(max(&rerouted) < 1_000.0, "rerouted: {}", rerouted.output);
    assert!(
        max(&waited) > 5_000.0,
        "waited for the heal: {}",
        waited.output
    );
}

/// A side of a partition without the hub: seed 6 draws a `majority` split
/// (maelstrom.md §5.2) from the start to 18 s. On the side cut off from the hub,
/// the lowest node stands in for it, so a value broadcast there is in every
/// read on that side within two seconds, long before the heal. Without
/// rerouting it is in none of them.
#[test]
fn a_side_cut_off_from_the_hub_spreads_its_values_among_itself() {
    let split = [&CHALLENGE_3D_PARTITIONED[..], &["--seed", "6"]].concat();
    let rerouted = sim(&[&split]);
    rerouted.assert_valid();
    let history = History::of(&rerouted);
    let (cut_side, heal_ms) = history.side_without_the_hub();
    assert!(
        cut_side.len() >= 12 && heal_ms > 15_000,
        "{cut_side:?} until {heal_ms} ms"
    );
    let (seen, missed) = history.reads_on_the_side(&cut_side, 2_000, heal_ms);
    assert!(seen > 1_000, "reads that should see side values: {seen}");
    assert_eq!(
        missed, 0,
        "reads on the cut side that missed a value of that side"
    );

    let waited = sim(&[&split, &["--", "--no-reroute"]]);
    let history = History::of(&waited);
    let (seen, missed) = history.reads_on_the_side(&cut_side, 2_000, heal_ms);
    assert!(
        missed * 2 > seen,
        "without rerouting most miss: {missed} of {seen}"
    );
}

/// The bounded links under load: at three times the 3d rate, the hub's queue
/// for each leaf on the far side of an 18-second split overflows its 1,024
/// values, and those leaves catch up by digest after the heal (the log says
/// when one falls behind). Nothing is lost.
#[test]
fn leaves_that_fall_behind_the_hub_catch_up_by_digest() {
    let mut three_times_the_rate = CHALLENGE_3D_PARTITIONED;
    assert_eq!(three_times_the_rate[6], "--rate");
    three_times_the_rate[7] = "300";
    let run = sim(&[&three_times_the_rate, &["--seed", "6", "--check", "3c"]]);
    run.assert_valid();
    let hub_log = run
        .stored("node-logs/n0.log")
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let behind = hub_log
        .lines()
        .filter(|line| line.contains("it catches up by digest"))
        .count();
    assert!(behind >= 10, "the hub's log:\n{hub_log}");
}

/// The node broken on purpose (`--no-retransmit`: each value rides on one
/// message, and nothing is caught up) is found by a sweep: the set-full
/// checker sees acknowledged values lost (maelstrom.md §3.3), and the sweep
/// prints the replay command of each seed it failed on.
#[test]
fn a_sweep_finds_the_node_that_does_not_retransmit() {
    let run = sim(&[
        &CHALLENGE_3C,
        &["3c", "--seeds", "0..20", "--", "--no-retransmit"],
    ]);
    assert_eq!(run.exit_code, 1, "{}", run.output);
    assert!(run.output.contains(" lost"), "{}", run.output);
    let replays = run.replays();
    assert!(
        replays.len() >= 10,
        "most seeds lose values: {}",
        run.output
    );
    assert!(replays
        .iter()
        .all(|replay| replay.contains("--no-retransmit")));
}

/// The parts of a stored `history.edn` these tests need: one op per line,
/// `{:index 3, :time 0, :type :ok, :process 0, :f :broadcast, :value 0}`.
struct History {
    ops: Vec<HistoryOp>,
    node_count: u64,
}

struct HistoryOp {
    time_ms: u64,
    ok: bool,
    process: Option<u64>,
    f: String,
    /// The rest of the line from `:value `.
    value: String,
}

impl History {
    fn of(run: &Run) -> History {
        let text = run
            .stored("history.edn")
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_else(|| panic!("no history.edn:\n{}", run.output));
        let field = |line: &str, key: &str| -> Option<String> {
            let start = line.find(key)? + key.len();
            let rest = &line[start..];
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            Some(rest[..end].trim().to_string())
        };
        let ops = text
            .lines()
            .filter_map(|line| {
                Some(HistoryOp {
                    time_ms: field(line, ":time ")?.parse::<u64>().ok()? / 1_000_000,
                    ok: field(line, ":type ")? == ":ok",
                    process: field(line, ":process ")?.parse().ok(),
                    f: field(line, ":f ")?,
                    value: line[line.find(":value ")? + 7..].to_string(),
                })
            })
            .collect();
        let node_count = 25;
        History { ops, node_count }
    }

    /// The nodes the first partition cut off from `n0`, and when it healed, from
    /// the nemesis's `[:isolated {"n0" #{"n3" ...}, ...}]`.
    fn side_without_the_hub(&self) -> (BTreeSet<String>, u64) {
        let start = self
            .ops
            .iter()
            .find(|op| op.f == ":start-partition" && op.value.starts_with("[:isolated"))
            .expect("a partition");
        let hub_grudge = &start.value[start.value.find("\"n0\" #{").expect("n0's grudge") + 7..];
        let side = hub_grudge[..hub_grudge.find('}').expect("a set")]
            .split_whitespace()
            .map(|node| node.trim_matches('"').to_string())
            .collect();
        let heal = self
            .ops
            .iter()
            .find(|op| op.f == ":stop-partition" && op.time_ms > start.time_ms)
            .expect("a heal");
        (side, heal.time_ms)
    }

    fn node(&self, op: &HistoryOp) -> Option<String> {
        op.process
            .map(|process| format!("n{}", process % self.node_count))
    }

    /// Over the reads on `side` before `until_ms`: how many should contain a value
    /// broadcast on another node of `side` at least `after_ms` earlier, and how
    /// many of those do not.
    fn reads_on_the_side(
        &self,
        side: &BTreeSet<String>,
        after_ms: u64,
        until_ms: u64,
    ) -> (usize, usize) {
        let on_side = |op: &HistoryOp| self.node(op).is_some_and(|node| side.contains(&node));
        // Each value broadcast on the side, with when and where it was acknowledged.
        let broadcasts: BTreeMap<u64, (u64, String)> = self
            .ops
            .iter()
            .filter(|op| op.ok && op.f == ":broadcast" && on_side(op))
            .filter_map(|op| {
                let value = op.value.trim_end_matches('}').trim().parse().ok()?;
                Some((value, (op.time_ms, self.node(op)?)))
            })
            .collect();
        let (mut seen, mut missed) = (0, 0);
        for read in self
            .ops
            .iter()
            .filter(|op| op.ok && op.f == ":read" && on_side(op))
        {
            if read.time_ms >= until_ms {
                continue;
            }
            let reader = self.node(read).expect("a client read");
            let values: BTreeSet<u64> = read
                .value
                .trim_start_matches(['[', '#', '{'])
                .split([' ', ']', '}'])
                .filter_map(|value| value.parse().ok())
                .collect();
            for (value, (acked_ms, origin)) in &broadcasts {
                if *origin != reader && acked_ms + after_ms <= read.time_ms {
                    seen += 1;
                    missed += usize::from(!values.contains(value));
                }
            }
        }
        (seen, missed)
    }
}
