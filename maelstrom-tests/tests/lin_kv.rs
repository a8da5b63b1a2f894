//! The lin-kv workload end to end (maelstrom.md §3.6): the command line refuses a
//! concurrency the generator can't group; the run core, driven in-process by nodes
//! written here, records Maelstrom's history shapes (`[key value]` tuples, errors 20
//! and 22 as `:fail`, timed-out writes as `:info` with a new process) and moves a group
//! to a fresh key after its 21st process; and the two fixture nodes, run as processes,
//! get the checker's verdicts: `lin-kv-proxy` (the lin-kv service behind every node) is
//! valid, `lin-kv-local` (one map per node) is not, with the failing key listed.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use clap::Parser;
use maelstrom_checker::{parse_edn, Edn, Op, OpType, Process};
use maelstrom_tests::cli::{SimArgs, TestConfig};
use maelstrom_tests::run::{End, World};
use serde_json::{json, Value};
use support::{fixture, harness};

const VALID: i32 = 0;
const INVALID: i32 = 1;
const BAD_ARGUMENTS: i32 = 254;

/// A 5 s run with no final phase, plus start-up and the last RPC timeout.
const SHORT_RUN: Duration = Duration::from_secs(30);

const NS_PER_S: u64 = 1_000_000_000;

/// Three nodes, `--concurrency 2n`, 5 s at 50 ops/s: one group of six threads on key 0.
const RUN: [&str; 10] = [
    "--node-count",
    "3",
    "--concurrency",
    "2n",
    "--time-limit",
    "5",
    "--rate",
    "50",
    "--seed",
    "7",
];

fn process_run(bin: &str) -> support::Outcome {
    let bin = fixture(bin);
    let mut args = vec!["test", "-w", "lin-kv", "--bin", &bin];
    args.extend_from_slice(&RUN);
    let outcome = harness(&args, SHORT_RUN);
    println!("{}", outcome.output);
    outcome
}

/// maelstrom.md §3.6, §8.13: each key runs on 2n threads, so `--concurrency 4` with
/// three nodes is refused before anything starts: one line naming `--concurrency`,
/// exit 254, no store directory.
#[test]
fn a_concurrency_that_is_not_a_multiple_of_two_n_is_refused_before_anything_starts() {
    let bin = fixture("lin-kv-proxy");
    for concurrency in ["4", "1n"] {
        let args = [
            "test",
            "-w",
            "lin-kv",
            "--bin",
            &bin,
            "--node-count",
            "3",
            "--concurrency",
            concurrency,
        ];
        let outcome = harness(&args, SHORT_RUN);
        assert_eq!(outcome.exit_code, BAD_ARGUMENTS, "{}", outcome.output);
        assert!(
            outcome.output.starts_with("error: --concurrency: "),
            "{}",
            outcome.output
        );
        assert!(
            outcome.output.contains("multiple of 6"),
            "{}",
            outcome.output
        );
        assert_eq!(outcome.output.lines().count(), 1, "{}", outcome.output);
        assert!(!outcome.store.join("latest").exists(), "nothing started");
    }
}

/// maelstrom.md §3.6: a node that forwards to the linearizable lin-kv service passes
/// the per-key linearizability checker.
#[test]
fn a_node_backed_by_the_lin_kv_service_is_valid() {
    let outcome = process_run("lin-kv-proxy");
    assert_eq!(outcome.exit_code, VALID, "{}", outcome.output);
    assert!(outcome.output.contains("Everything looks good!"));
}

/// maelstrom.md §3.6: one map per node makes reads on one node miss writes made on
/// another; the checker finds key 0 not linearizable and lists it in `:failures`.
#[test]
fn a_node_with_its_own_map_is_not_linearizable_and_the_key_is_listed() {
    let outcome = process_run("lin-kv-local");
    assert_eq!(outcome.exit_code, INVALID, "{}", outcome.output);
    let results = std::fs::read_to_string(outcome.store.join("latest/results.json"))
        .expect("results.json is stored");
    let results: Value = serde_json::from_str(&results).expect("results.json is JSON");
    let workload = &results["workload"];
    assert_eq!(workload["valid?"], json!(false), "{workload}");
    let failures = workload["failures"]
        .as_array()
        .expect(":failures is a list");
    assert!(failures.contains(&json!(0)), "key 0 fails: {workload}");
    assert_eq!(
        workload["results"]["0"]["valid?"],
        json!(false),
        "{workload}"
    );
}

// The run core in-process: what the client and generator record, without a checker.

fn config(flags: &[&str]) -> TestConfig {
    let words = ["sim", "-w", "lin-kv"].iter().chain(flags).copied();
    let args = SimArgs::try_parse_from(words).expect("the flags parse").run;
    let executable = std::env::current_exe().expect("the test knows its path");
    TestConfig::from_args(&args, &executable).expect("valid flags")
}

/// A node as a function from a delivered message to the bodies it answers with.
type TestNode = dyn FnMut(&Value) -> Option<Value>;

/// Runs a world to its end on a virtual clock, `node` answering each delivery at once.
fn run(flags: &[&str], node: &mut TestNode) -> Vec<Op> {
    let mut world = World::new(&config(flags)).expect("a valid world");
    let mut deliveries = Vec::new();
    let mut now_ns = 0;
    loop {
        world.advance(now_ns, &mut deliveries);
        while !deliveries.is_empty() {
            for (index, line) in std::mem::take(&mut deliveries) {
                let message: Value = serde_json::from_str(&line).expect("the world sends JSON");
                let body = match message["body"]["type"].as_str() {
                    Some("init") => Some(json!({"type": "init_ok"})),
                    _ => node(&message),
                };
                if let Some(mut body) = body {
                    body["in_reply_to"] = message["body"]["msg_id"].clone();
                    let out = json!({"src": message["dest"], "dest": message["src"], "body": body});
                    world.on_node_line(index, &out.to_string(), now_ns);
                }
            }
            world.advance(now_ns, &mut deliveries);
        }
        match world.next_deadline() {
            Some(next_ns) if next_ns <= 600 * NS_PER_S => now_ns = next_ns,
            _ => break,
        }
    }
    assert!(world.is_over(), "the run ends");
    let finished = world.finish();
    assert_eq!(finished.end, End::Completed);
    finished.history
}

/// One register map shared by every node: each request takes effect at once, so this
/// store is linearizable. `answers(body)` may drop a request (no reply: a timeout).
fn shared_store(answers: fn(&Value) -> bool) -> impl FnMut(&Value) -> Option<Value> {
    let mut registers: BTreeMap<String, Value> = BTreeMap::new();
    move |message| {
        let body = &message["body"];
        if !answers(body) {
            return None;
        }
        let key = body["key"].to_string();
        let missing = json!({"type": "error", "code": 20, "text": "key does not exist"});
        Some(match body["type"].as_str() {
            Some("read") => match registers.get(&key) {
                Some(value) => json!({"type": "read_ok", "value": value}),
                None => missing,
            },
            Some("write") => {
                registers.insert(key, body["value"].clone());
                json!({"type": "write_ok"})
            }
            Some("cas") => match registers.get_mut(&key) {
                None => missing,
                Some(current) if *current != body["from"] => {
                    json!({"type": "error", "code": 22, "text": "precondition failed"})
                }
                Some(current) => {
                    *current = body["to"].clone();
                    json!({"type": "cas_ok"})
                }
            },
            other => panic!("lin-kv sends read, write and cas, not {other:?}"),
        })
    }
}

fn client(op: &Op) -> u64 {
    match op.process {
        Process::Client(process) => process,
        Process::Nemesis => panic!("lin-kv runs no nemesis here"),
    }
}

fn key(op: &Op) -> &Edn {
    match &op.value {
        Edn::Vector(tuple) if tuple.len() == 2 => &tuple[0],
        other => panic!("a lin-kv value is [key value], not {other}"),
    }
}

fn edn(text: &str) -> Edn {
    parse_edn(text).expect("valid EDN")
}

/// maelstrom.md §3.6, §1.4: against a correct store, 6 threads on 3 nodes work key 0;
/// processes 0‥2 read and 3‥5 write and cas, every value a `[0 …]` tuple as in real
/// histories; reads invoke `[0 nil]` and complete with the value read; a missing key
/// and a failed cas are `:fail` with `[:key-does-not-exist …]` and
/// `[:precondition-failed …]`.
#[test]
fn a_run_records_key_value_tuples_and_definite_errors_as_fail() {
    let history = run(&RUN, &mut shared_store(|_| true));
    let invokes: Vec<&Op> = history
        .iter()
        .filter(|op| op.op_type == OpType::Invoke)
        .collect();
    assert!(
        (150..=350).contains(&invokes.len()),
        "about 250 ops at 50/s for 5 s, got {}",
        invokes.len()
    );
    for op in &history {
        assert_eq!(
            key(op),
            &Edn::Int(0),
            "one group, one key: {}",
            op.to_edn_line()
        );
        let reader = client(op) < 3;
        assert_eq!(op.f == "read", reader, "{}", op.to_edn_line());
    }
    for op in invokes.iter().filter(|op| op.f == "read") {
        assert_eq!(op.value, edn("[0 nil]"));
    }
    let completions: Vec<&Op> = history
        .iter()
        .filter(|op| op.op_type != OpType::Invoke)
        .collect();
    assert!(
        completions.iter().all(|op| op.op_type != OpType::Info),
        "a store that always answers leaves nothing indefinite"
    );
    let errors: Vec<&Edn> = completions
        .iter()
        .filter(|op| op.op_type == OpType::Fail)
        .map(|op| op.extra("error").expect(":fail carries :error"))
        .collect();
    assert!(errors.contains(&&edn("[:precondition-failed \"precondition failed\"]")));
    let first_read = completions
        .iter()
        .find(|op| op.f == "read")
        .expect("a read");
    assert_eq!(
        first_read.extra("error"),
        Some(&edn("[:key-does-not-exist \"key does not exist\"]")),
        "key 0 is not written before the first read returns"
    );
    let read_values: Vec<&Edn> = completions
        .iter()
        .filter(|op| op.f == "read" && op.op_type == OpType::Ok)
        .map(|op| &op.value)
        .collect();
    assert!(!read_values.is_empty());
    assert!(read_values.iter().all(|value| matches!(
        value,
        Edn::Vector(tuple) if matches!(tuple[..], [Edn::Int(0), Edn::Int(0..=4)])
    )));
}

/// maelstrom.md §1.4, §1.5, §3.6: a store that never answers writes or cas leaves each
/// `:info` with `:net-timeout` after 1 s and moves its thread to process + concurrency.
/// With one node and 2 threads, key 0 has seen 2 + 18 processes after 18 `:info`s; the
/// 19th makes 21, so the next op goes to key 1.
#[test]
fn timed_out_writes_are_info_and_the_21st_process_moves_the_group_to_key_1() {
    let flags = [
        "--node-count",
        "1",
        "--concurrency",
        "2n",
        "--time-limit",
        "30",
        "--rate",
        "5",
        "--seed",
        "3",
    ];
    let history = run(&flags, &mut shared_store(|body| body["type"] == "read"));
    let infos: Vec<&Op> = history
        .iter()
        .filter(|op| op.op_type == OpType::Info)
        .collect();
    assert!(
        infos.len() > 19,
        "a write or cas every ~1 s: {}",
        infos.len()
    );
    for (index, info) in infos.iter().enumerate() {
        assert_eq!(info.extra("error"), Some(&Edn::keyword("net-timeout")));
        assert_eq!(client(info), 1 + 2 * index as u64, "process grows by 2");
    }
    let nineteenth_info = infos[18].index;
    for op in history.iter().filter(|op| op.op_type == OpType::Invoke) {
        let expected = if op.index < nineteenth_info { 0 } else { 1 };
        assert_eq!(key(op), &Edn::Int(expected), "{}", op.to_edn_line());
    }
    let processes_on_key_0: std::collections::BTreeSet<u64> = history
        .iter()
        .filter(|op| key(op) == &Edn::Int(0))
        .map(client)
        .collect();
    assert!(processes_on_key_0.len() <= 20, "{processes_on_key_0:?}");
}
