//! End-to-end runs of the harness against the fixture nodes: correct nodes pass,
//! nodes broken on purpose get the verdict the spec predicts, and misbehaving
//! processes end the run with the right exit code in bounded time.

mod support;

use std::time::Duration;

use support::{fixture, harness, Scratch};

const VALID: i32 = 0;
const INVALID: i32 = 1;
const BAD_ARGUMENTS: i32 = 254;
const CRASH: i32 = 255;

/// A run with no final phase: time limit + slack for start-up and the last op.
const SHORT_RUN: Duration = Duration::from_secs(20);
/// A run with a final phase: + 10 s of recovery (maelstrom.md §3 intro).
const FINAL_PHASE_RUN: Duration = Duration::from_secs(40);

fn test_run(bin: &str, workload: &str, extra: &[&str], deadline: Duration) -> support::Outcome {
    let bin = fixture(bin);
    let mut args = vec!["test", "-w", workload, "--bin", &bin, "--time-limit", "2"];
    args.extend_from_slice(extra);
    let outcome = harness(&args, deadline);
    println!("{}", outcome.output);
    outcome
}

/// maelstrom.md §3.1: a node that echoes what it was sent passes the echo checker.
#[test]
fn a_correct_echo_node_is_valid() {
    let outcome = test_run(
        "echo-plain",
        "echo",
        &["--node-count", "1", "--seed", "1"],
        SHORT_RUN,
    );
    assert_eq!(outcome.exit_code, VALID);
    assert!(outcome.output.contains("Everything looks good!"));
    assert!(
        outcome.store.join("latest/history.edn").exists(),
        "the history is stored"
    );
    assert!(
        outcome.store.join("latest/results.edn").exists(),
        "the results are stored"
    );
}

/// maelstrom.md §3.1: an echo that differs from the request is an error.
#[test]
fn an_echo_node_that_alters_the_text_is_invalid() {
    let outcome = test_run("echo-alter", "echo", &["--node-count", "1"], SHORT_RUN);
    assert_eq!(outcome.exit_code, INVALID);
    assert!(outcome.output.contains("Analysis invalid!"));
    assert!(
        outcome.output.contains("Replay: "),
        "a non-valid run prints its replay command"
    );
}

/// maelstrom.md §3.2: IDs unique across nodes pass the unique-ids checker.
#[test]
fn a_node_with_globally_unique_ids_is_valid() {
    let outcome = test_run(
        "ids-unique",
        "unique-ids",
        &["--node-count", "3", "--rate", "100"],
        SHORT_RUN,
    );
    assert_eq!(outcome.exit_code, VALID);
}

/// maelstrom.md §3.2: a per-node counter repeats IDs across nodes, which the checker reports.
#[test]
fn a_node_whose_ids_repeat_across_nodes_is_invalid() {
    let outcome = test_run(
        "ids-repeat",
        "unique-ids",
        &["--node-count", "3", "--rate", "100"],
        SHORT_RUN,
    );
    assert_eq!(outcome.exit_code, INVALID);
}

/// maelstrom.md §3.3: a gossiping node delivers every value, even across partitions.
#[test]
fn a_gossiping_broadcast_node_survives_partitions() {
    let extra = [
        "--node-count",
        "5",
        "--rate",
        "20",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "0.5",
    ];
    let outcome = test_run("broadcast-gossip", "broadcast", &extra, FINAL_PHASE_RUN);
    assert_eq!(outcome.exit_code, VALID);
    assert!(
        outcome.output.contains("Waiting for recovery..."),
        "broadcast has a final phase"
    );
}

/// maelstrom.md §3.3: values that never leave their node are missing from other nodes'
/// final reads, so set-full reports them lost.
#[test]
fn a_broadcast_node_that_never_gossips_is_invalid() {
    let outcome = test_run(
        "broadcast-no-gossip",
        "broadcast",
        &["--node-count", "5", "--rate", "20"],
        FINAL_PHASE_RUN,
    );
    assert_eq!(outcome.exit_code, INVALID);
}

/// maelstrom.md §3.3, §5.1: forwarding once is enough on a network that never drops.
#[test]
fn forwarding_once_is_valid_without_faults() {
    let outcome = test_run(
        "broadcast-once",
        "broadcast",
        &["--node-count", "5", "--rate", "20"],
        FINAL_PHASE_RUN,
    );
    assert_eq!(outcome.exit_code, VALID);
}

/// maelstrom.md §5.2: partitions drop forwarded copies for good, so some value is lost.
/// Made reliable by the schedule, not by luck: the first partition starts at t≈0 and
/// with a 0.3 s mean interval the network is partitioned about half of the 2 s run, while
/// about 20 broadcasts arrive; every grudge kind cuts some pair of 5 nodes, so some
/// broadcast's copies are dropped. The seed is fixed so the replay is the same run.
#[test]
fn forwarding_once_loses_values_under_partitions() {
    let extra = [
        "--node-count",
        "5",
        "--rate",
        "20",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "0.3",
        "--seed",
        "7",
    ];
    let outcome = test_run("broadcast-once", "broadcast", &extra, FINAL_PHASE_RUN);
    assert_eq!(outcome.exit_code, INVALID);
    let history =
        std::fs::read_to_string(outcome.store.join("latest/history.edn")).expect("history stored");
    assert!(
        history.contains(":f :start-partition, :value [:isolated"),
        "the nemesis ran"
    );
}

/// maelstrom.md §3.5: a counter that only counts its own adds gives final reads that
/// differ from the sum of all adds.
#[test]
fn a_counter_that_never_shares_is_invalid() {
    let outcome = test_run(
        "counter-local",
        "g-counter",
        &["--node-count", "3", "--rate", "20"],
        FINAL_PHASE_RUN,
    );
    assert_eq!(outcome.exit_code, INVALID);
}

/// maelstrom.md §5.3: `--topology line` is a valid choice for broadcast; the setup
/// client sends each node the line, and a gossiping node still delivers every value.
#[test]
fn a_broadcast_run_on_a_line_topology_is_accepted() {
    let extra = ["--node-count", "5", "--rate", "20", "--topology", "line"];
    let outcome = test_run("broadcast-gossip", "broadcast", &extra, FINAL_PHASE_RUN);
    assert_eq!(outcome.exit_code, VALID);
}

/// maelstrom.md §5.3: `--topology tree4` is accepted as well.
#[test]
fn a_broadcast_run_on_a_tree4_topology_is_accepted() {
    let extra = ["--node-count", "5", "--rate", "20", "--topology", "tree4"];
    let outcome = test_run("broadcast-gossip", "broadcast", &extra, FINAL_PHASE_RUN);
    assert_eq!(outcome.exit_code, VALID);
}

/// maelstrom.md §3.4: the g-set workload (`add {element}`, `read` → `value`) is
/// judged by set-full; a node that gossips its set passes under partitions.
#[test]
fn a_gossiping_g_set_node_survives_partitions() {
    let extra = [
        "--node-count",
        "3",
        "--rate",
        "20",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "1",
        "--seed",
        "7",
    ];
    let outcome = test_run("g-set-gossip", "g-set", &extra, FINAL_PHASE_RUN);
    assert_eq!(outcome.exit_code, VALID);
}

/// maelstrom.md §3.4 and §6: arguments after `--` reach the node; with `--local`
/// the g-set node never shares, and set-full reports elements lost.
#[test]
fn a_g_set_node_that_never_shares_is_invalid() {
    let extra = [
        "--node-count",
        "3",
        "--rate",
        "20",
        "--seed",
        "7",
        "--",
        "--local",
    ];
    let outcome = test_run("g-set-gossip", "g-set", &extra, FINAL_PHASE_RUN);
    assert_eq!(outcome.exit_code, INVALID);
    assert!(outcome.output.contains(" lost"), "{}", outcome.output);
}

/// maelstrom.md §3.5: on pn-counter (deltas in [−5, 4]) a node that only counts its
/// own adds still gives final reads that differ from the sum of all adds. The seed is
/// fixed: the run is only valid if every node's own adds happen to sum to zero.
#[test]
fn a_pn_counter_that_never_shares_is_invalid() {
    let extra = ["--node-count", "3", "--rate", "20", "--seed", "11"];
    let outcome = test_run("counter-local", "pn-counter", &extra, FINAL_PHASE_RUN);
    assert_eq!(outcome.exit_code, INVALID);
    let history =
        std::fs::read_to_string(outcome.store.join("latest/history.edn")).expect("history stored");
    assert!(
        history.contains(":f :read, :value nil, :final? true"),
        "pn-counter final reads are flagged"
    );
}

/// maelstrom.md §2: a node that exits mid-run ends the run early with a report that
/// names it, shows its last lines, and exits 255.
#[test]
fn a_node_that_exits_ends_the_run_with_a_report() {
    let outcome = test_run(
        "crash-after-init",
        "echo",
        &["--node-count", "2"],
        SHORT_RUN,
    );
    assert_eq!(outcome.exit_code, CRASH);
    assert!(outcome.output.contains("exited during the run"));
    assert!(
        outcome.output.contains("about to exit on purpose"),
        "the report shows the node's stderr"
    );
    assert!(
        outcome.elapsed < Duration::from_secs(10),
        "the run ended early: {:?}",
        outcome.elapsed
    );
}

/// maelstrom.md §1.3: no `init_ok` within 10 s aborts the test.
#[test]
fn a_node_that_never_answers_init_fails_after_ten_seconds() {
    let outcome = test_run("silent-init", "echo", &["--node-count", "1"], SHORT_RUN);
    assert_eq!(outcome.exit_code, CRASH);
    assert!(outcome
        .output
        .contains("init failed: n0 did not answer within 10000 ms"));
    assert!(
        outcome.elapsed >= Duration::from_secs(10),
        "init waited its full timeout"
    );
}

/// maelstrom.md §1.1: a non-JSON stdout line mutes the node; the run goes on and the
/// end-of-run report names the node and the offending line. Its later replies are never
/// read, so the echo ops time out and the run is invalid.
#[test]
fn a_node_printing_garbage_is_muted_and_reported() {
    let outcome = test_run("garbage-stdout", "echo", &["--node-count", "1"], SHORT_RUN);
    assert_eq!(outcome.exit_code, INVALID);
    assert!(outcome
        .output
        .contains("WARN n0 stdout this is not JSON, n0 says Error!"));
    assert!(outcome.output.contains("node n0 was muted"));
}

/// maelstrom.md §6: bad arguments exit 254 with one line naming the flag.
#[test]
fn bad_arguments_exit_254_naming_the_flag() {
    let echo = fixture("echo-plain");
    let cases: [(&[&str], &str); 13] = [
        (&["--latency-dist", "foo"], "--latency-dist"),
        (&["--rate", "fast"], "--rate"),
        (&["--concurrency", "x"], "--concurrency"),
        (&["--nemesis", "kill"], "--nemesis"),
        (&["--availability", "most"], "--availability"),
        (&["--topology", "star"], "--topology"),
        (&["--time-limit", "18446744073709551615"], "--time-limit"),
        (&["--rate", "1e-300x"], "--rate"),
        (&["--nemesis-interval", "1e300"], "--nemesis-interval"),
        (&["--concurrency", "9223372036854775807n"], "--concurrency"),
        (&["--node-count", "20000"], "--node-count"),
        (&["--check", "9z"], "--check"),
        (&["--latency-dist", "uniform"], "--latency-dist"),
    ];
    for (extra, flag) in cases {
        let mut args = vec!["test", "-w", "echo", "--bin", &echo];
        args.extend_from_slice(extra);
        let outcome = harness(&args, SHORT_RUN);
        assert_eq!(
            outcome.exit_code, BAD_ARGUMENTS,
            "{extra:?}: {}",
            outcome.output
        );
        assert!(
            outcome.output.contains(&format!("error: {flag}")),
            "{extra:?} names {flag}: {}",
            outcome.output
        );
        assert_eq!(
            outcome.output.lines().count(),
            1,
            "one line: {}",
            outcome.output
        );
        assert!(
            outcome.elapsed < Duration::from_secs(2),
            "{extra:?} is refused before anything starts"
        );
        assert!(
            !outcome.store.join("latest").exists(),
            "{extra:?}: no store directory is created"
        );
    }
}

/// A node binary that is missing, not executable or a directory is refused up front,
/// naming `--bin`, before any store directory or process exists; so is a missing `--bin`.
#[test]
fn a_bad_or_missing_node_binary_is_refused_before_anything_starts() {
    let scratch = Scratch::new("maelstrom-bad-bin-");
    let not_executable = scratch.join("not-executable");
    std::fs::write(&not_executable, "#!/bin/sh\n").expect("a temp file");
    let not_executable = not_executable.display().to_string();
    let directory = scratch.display().to_string();
    for bin in [not_executable.as_str(), directory.as_str(), "/no/such/node"] {
        let outcome = harness(&["test", "-w", "echo", "--bin", bin], SHORT_RUN);
        assert_eq!(
            outcome.exit_code, BAD_ARGUMENTS,
            "{bin}: {}",
            outcome.output
        );
        assert!(
            outcome.output.starts_with("error: --bin: "),
            "{bin}: {}",
            outcome.output
        );
        assert!(
            !outcome.store.join("latest").exists(),
            "{bin}: no store directory"
        );
    }
    let missing = harness(&["test", "-w", "echo"], SHORT_RUN);
    assert_eq!(missing.exit_code, BAD_ARGUMENTS);
    assert!(
        missing.output.contains("error: --bin: required"),
        "{}",
        missing.output
    );
}

/// Running the harness with no subcommand prints the whole help, not one unhelpful line.
#[test]
fn no_subcommand_prints_the_help() {
    let outcome = harness(&[], SHORT_RUN);
    assert_eq!(outcome.exit_code, BAD_ARGUMENTS);
    for word in ["Usage:", "test", "analyze", "criteria", "serve"] {
        assert!(
            outcome.output.contains(word),
            "the help names {word}: {}",
            outcome.output
        );
    }
}

/// A run in which no operation was invoked tested nothing: `:valid? :unknown` (exit 2),
/// never "Everything looks good".
#[test]
fn a_run_without_operations_is_unknown_not_good() {
    let echo = fixture("echo-plain");
    for extra in [
        &["--rate", "0", "--time-limit", "1"][..],
        &["--time-limit", "0"][..],
    ] {
        let mut args = vec!["test", "-w", "echo", "--bin", &echo, "--node-count", "1"];
        args.extend_from_slice(extra);
        let outcome = harness(&args, SHORT_RUN);
        assert_eq!(outcome.exit_code, 2, "{extra:?}: {}", outcome.output);
        assert!(
            !outcome.output.contains("Everything looks good"),
            "{}",
            outcome.output
        );
        assert!(
            outcome.output.contains("nothing was tested"),
            "{}",
            outcome.output
        );
    }
}

/// maelstrom.md §7: `--check 1` adds challenge 1's pass criteria to the verdict.
#[test]
fn a_challenge_check_passes_for_a_correct_node() {
    let outcome = test_run(
        "echo-plain",
        "echo",
        &["--node-count", "1", "--check", "1"],
        SHORT_RUN,
    );
    assert_eq!(outcome.exit_code, VALID);
    assert!(outcome
        .output
        .contains("Challenge 1: every pass criterion is met."));
}

/// maelstrom.md §6: an unknown challenge is a bad argument, exit 254 naming `--check`.
#[test]
fn an_unknown_challenge_is_a_bad_argument() {
    let outcome = test_run(
        "echo-plain",
        "echo",
        &["--node-count", "1", "--check", "9z"],
        SHORT_RUN,
    );
    assert_eq!(outcome.exit_code, BAD_ARGUMENTS);
    assert!(outcome.output.contains("error: --check:"));
    assert!(
        !outcome.output.contains("Running"),
        "refused before the run starts"
    );
}

/// maelstrom.md §3 intro: `:index` is dense in recording order, and nemesis ops are
/// recorded `:info` with process `:nemesis` (§5.2), a start followed by its completion.
#[test]
fn the_history_is_dense_and_records_the_nemesis() {
    let extra = [
        "--node-count",
        "3",
        "--rate",
        "50",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "0.5",
    ];
    let outcome = test_run("echo-plain", "echo", &extra, SHORT_RUN);
    let history =
        std::fs::read_to_string(outcome.store.join("latest/history.edn")).expect("history stored");
    for (line_number, line) in history.lines().enumerate() {
        assert!(
            line.starts_with(&format!("{{:index {line_number}, :time ")),
            "dense index: {line}"
        );
    }
    let first_nemesis = history
        .lines()
        .position(|line| line.contains(":process :nemesis"))
        .expect("a nemesis op");
    let lines: Vec<&str> = history.lines().collect();
    assert!(lines[first_nemesis]
        .contains(":type :info, :process :nemesis, :f :start-partition, :value :"));
    let completion = lines[first_nemesis + 1..]
        .iter()
        .find(|line| line.contains(":process :nemesis"))
        .expect("its completion");
    assert!(
        completion.contains(":f :start-partition, :value [:isolated {"),
        "{completion}"
    );
}

/// maelstrom.md §7: `criteria` judges a real Maelstrom `results.edn` against a
/// challenge, which is how `make test-broadcast` judges runs of the real Maelstrom.
/// Two reference runs from the checker's test data: one valid and fast enough
/// for 3d, one invalid with a median stable latency of 20 s.
#[test]
fn criteria_judges_a_real_maelstrom_results_file() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/checker/tests/data/");
    let good = format!("{data}imperfect-fourth+gossip-glomers__broadcast_20250421T101439.202_0530");
    let slow = format!("{data}SuchitraShankar07+flyio-solns__broadcast_20241107T092047.189_0530");
    let passes = harness(&["criteria", &good, "--challenge", "3d"], SHORT_RUN);
    assert_eq!(passes.exit_code, VALID, "{}", passes.output);
    let fails = harness(&["criteria", &slow, "--challenge", "3d"], SHORT_RUN);
    assert_eq!(fails.exit_code, INVALID, "{}", fails.output);
    assert!(
        fails
            .output
            .contains("median stable latency (ms) 20431 is not < 400"),
        "{}",
        fails.output
    );
    let unknown = harness(&["criteria", &good, "--challenge", "9z"], SHORT_RUN);
    assert_eq!(unknown.exit_code, BAD_ARGUMENTS, "{}", unknown.output);
}

/// A reader that goes away (`... | head -1`) ends nothing: the run goes on, stores its
/// history and exits with its verdict, and nothing panics.
#[test]
fn a_run_whose_reader_goes_away_still_ends_with_its_verdict() {
    let scratch = Scratch::new("maelstrom-closed-stdout-");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_maelstrom-tests"))
        .args(["test", "--store"])
        .arg(scratch.path())
        .args(["-w", "echo", "--bin", &fixture("echo-plain")])
        .args(["--node-count", "1", "--time-limit", "2", "--rate", "10"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the harness runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("the harness ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(VALID), "{stderr}");
    assert!(
        scratch.join("latest/history.edn").exists(),
        "history stored"
    );
}
