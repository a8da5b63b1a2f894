//! The run core driven by hand: nodes are closures in the test, time is whatever the
//! test says. What the drivers add (processes, engines) is not here; what every run
//! goes through (phases, clients, schedule, muting, setup checks) is.

use clap::Parser;
use maelstrom_checker::{OpType, Process};
use serde_json::{json, Value};

use super::*;
use crate::cli::SimArgs;

fn config(flags: &[&str]) -> TestConfig {
    let words = ["sim"].iter().chain(flags).copied();
    let args = SimArgs::try_parse_from(words).expect("the flags parse").run;
    TestConfig::from_args(&args, std::path::Path::new("/bin/sh")).expect("valid flags")
}

/// A node as a function from a delivered line to the lines it prints.
type TestNode = dyn FnMut(usize, &Value) -> Vec<Value>;

/// Runs `world` to its end (or `limit_ns`), with `node` answering every delivery at once.
fn drive(world: &mut World, node: &mut TestNode, limit_ns: u64) {
    let mut deliveries = Vec::new();
    let mut now_ns = 0;
    loop {
        world.advance(now_ns, &mut deliveries);
        while !deliveries.is_empty() {
            for (index, line) in std::mem::take(&mut deliveries) {
                let message: Value = serde_json::from_str(&line).expect("the world delivers JSON");
                for out in node(index, &message) {
                    world.on_node_line(index, &out.to_string(), now_ns);
                }
            }
            world.advance(now_ns, &mut deliveries);
        }
        match world.next_deadline() {
            Some(next_ns) if next_ns <= limit_ns => now_ns = next_ns,
            _ => return,
        }
    }
}

fn reply(message: &Value, mut body: Value) -> Value {
    body["in_reply_to"] = message["body"]["msg_id"].clone();
    json!({"src": message["dest"], "dest": message["src"], "body": body})
}

/// Answers init, topology and echo as a correct node would.
fn echo_node(_index: usize, message: &Value) -> Vec<Value> {
    match message["body"]["type"].as_str() {
        Some("init") => vec![reply(message, json!({"type": "init_ok"}))],
        Some("topology") => vec![reply(message, json!({"type": "topology_ok"}))],
        Some("echo") => vec![reply(
            message,
            json!({"type": "echo_ok", "echo": message["body"]["echo"]}),
        )],
        _ => Vec::new(),
    }
}

const S: u64 = 1_000_000_000;

/// maelstrom.md §6 "Run lifecycle": init, setup, the main phase for the time limit,
/// then done (echo has no final phase); every op is invoked and completed in order.
#[test]
fn an_echo_run_goes_through_every_phase_and_records_each_op() {
    let mut world = World::new(&config(&[
        "-w",
        "echo",
        "--node-count",
        "2",
        "--time-limit",
        "5",
        "--rate",
        "20",
        "--seed",
        "3",
    ]))
    .expect("a valid world");
    drive(&mut world, &mut echo_node, 60 * S);
    assert!(world.is_over());
    let finished = world.finish();
    assert_eq!(finished.end, End::Completed);
    let invokes = finished
        .history
        .iter()
        .filter(|op| op.op_type == OpType::Invoke)
        .count();
    let oks = finished
        .history
        .iter()
        .filter(|op| op.op_type == OpType::Ok)
        .count();
    assert!(
        (60..=140).contains(&invokes),
        "about 100 ops at rate 20 for 5 s, got {invokes}"
    );
    assert_eq!(invokes, oks, "a correct node answers every echo");
    assert!(
        finished
            .history
            .iter()
            .all(|op| op.time_ns < 5 * S as i64 + 1),
        "ops stop at the time limit"
    );
    // init (2) + init_ok (2) + 2 ops' requests and replies; no server traffic.
    assert_eq!(finished.traffic.clients.send_count, 4 + 2 * invokes as u64);
    assert_eq!(finished.traffic.servers.send_count, 0);
}

/// The same seed gives the same history: the world draws only from its seeds.
#[test]
fn the_same_seed_gives_the_same_history() {
    let history = |seed: &str| {
        let mut world = World::new(&config(&[
            "-w",
            "echo",
            "--node-count",
            "3",
            "--time-limit",
            "3",
            "--rate",
            "50",
            "--concurrency",
            "2n",
            "--seed",
            seed,
        ]))
        .expect("a valid world");
        drive(&mut world, &mut echo_node, 60 * S);
        world.finish().history
    };
    assert_eq!(history("9"), history("9"));
    assert_ne!(history("9"), history("10"));
}

/// maelstrom.md §1.3: a node that never answers init fails the run after 10 s.
#[test]
fn a_node_that_never_answers_init_aborts_the_run_after_ten_seconds() {
    let mut world =
        World::new(&config(&["-w", "echo", "--node-count", "2"])).expect("a valid world");
    let mut silent_n1 = |index: usize, message: &Value| {
        if index == 0 {
            echo_node(index, message)
        } else {
            Vec::new()
        }
    };
    drive(&mut world, &mut silent_n1, 60 * S);
    let finished = world.finish();
    assert_eq!(
        finished.end,
        End::Aborted(Abort {
            message: "init failed: n1 did not answer within 10000 ms".into(),
            node: Some(1)
        })
    );
}

/// maelstrom.md §1.1: a line that is not a valid envelope mutes the node; later lines
/// from it are ignored, and the run goes on.
#[test]
fn a_garbage_line_mutes_the_node_for_the_rest_of_the_run() {
    let mut world = World::new(&config(&[
        "-w",
        "echo",
        "--node-count",
        "1",
        "--time-limit",
        "2",
        "--rate",
        "10",
    ]))
    .expect("a valid world");
    let mut garbage = |index: usize, message: &Value| {
        let mut out = echo_node(index, message);
        if message["body"]["type"] == "echo" {
            out.insert(0, json!({"src": "n0", "dest": "c9", "body": {}})); // c9 is not registered
        }
        out
    };
    drive(&mut world, &mut garbage, 60 * S);
    assert!(world.is_muted(0));
    let finished = world.finish();
    assert_eq!(finished.end, End::Completed);
    assert_eq!(finished.muted.len(), 1);
    assert!(
        finished.muted[0].1.reason.contains("c9"),
        "{:?}",
        finished.muted
    );
    let oks = finished
        .history
        .iter()
        .filter(|op| op.op_type == OpType::Ok)
        .count();
    assert_eq!(oks, 0, "nothing the muted node says is read");
}

/// maelstrom.md §1.2, §3.3: `topology_ok` is checked against its closed schema; an
/// extra key or a non-integer msg_id is a malformed RPC response and aborts the test
/// (Maelstrom `client.clj` `defrpc`; the broadcast client's `setup!` calls `topology!`).
#[test]
fn a_topology_ok_with_an_extra_key_or_a_float_msg_id_aborts_the_run() {
    for bad in [
        json!({"type": "topology_ok", "extra": 1}),
        json!({"type": "topology_ok", "msg_id": 1.5}),
    ] {
        let mut world =
            World::new(&config(&["-w", "broadcast", "--node-count", "1"])).expect("a valid world");
        let answer = bad.clone();
        let mut node = move |index: usize, message: &Value| {
            if message["body"]["type"] == "topology" {
                vec![reply(message, answer.clone())]
            } else {
                echo_node(index, message)
            }
        };
        drive(&mut world, &mut node, 60 * S);
        let End::Aborted(abort) = world.finish().end else {
            panic!("expected an abort for {bad}");
        };
        assert!(
            abort.message.contains("malformed RPC response"),
            "{}",
            abort.message
        );
    }
}

/// jepsen `core.clj` keeps the setup clients open until the test ends: a later message
/// to one is accepted and dropped, and does not mute the node.
#[test]
fn setup_clients_stay_registered_so_a_late_message_to_one_is_harmless() {
    let mut world = World::new(&config(&[
        "-w",
        "broadcast",
        "--node-count",
        "1",
        "--time-limit",
        "2",
        "--rate",
        "10",
    ]))
    .expect("a valid world");
    let mut late = |index: usize, message: &Value| {
        let mut out = echo_node(index, message);
        if message["body"]["type"] == "read" {
            // c0 was the init client (closed); c1 the setup client (still open).
            out.push(json!({"src": "n0", "dest": "c1", "body": {"type": "topology_ok", "in_reply_to": 1}}));
            out.push(reply(message, json!({"type": "read_ok", "messages": []})));
        }
        if message["body"]["type"] == "broadcast" {
            out.push(reply(message, json!({"type": "broadcast_ok"})));
        }
        out
    };
    drive(&mut world, &mut late, 60 * S);
    assert!(!world.is_muted(0));
    assert_eq!(world.finish().end, End::Completed);
}

/// maelstrom.md §3 intro: with `--rate 0` there are no ops; the run lasts its time limit.
#[test]
fn rate_zero_runs_no_ops_for_the_time_limit() {
    let mut world = World::new(&config(&[
        "-w",
        "echo",
        "--node-count",
        "1",
        "--time-limit",
        "4",
        "--rate",
        "0",
    ]))
    .expect("a valid world");
    drive(&mut world, &mut echo_node, 60 * S);
    assert!(world.is_over());
    assert_eq!(world.progress().elapsed_ns, 4 * S);
    assert!(world.finish().history.is_empty());
}

/// maelstrom.md §3 intro, §5.2: after the main phase, the nemesis heals, 10 s pass,
/// then each thread does one final read, flagged `:final? true`.
#[test]
fn the_final_phase_heals_waits_ten_seconds_then_reads_once_per_thread() {
    let flags = [
        "-w",
        "broadcast",
        "--node-count",
        "3",
        "--time-limit",
        "3",
        "--rate",
        "10",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "1",
        "--seed",
        "4",
    ];
    let mut world = World::new(&config(&flags)).expect("a valid world");
    let mut node = |index: usize, message: &Value| match message["body"]["type"].as_str() {
        Some("broadcast") => vec![reply(message, json!({"type": "broadcast_ok"}))],
        Some("read") => vec![reply(message, json!({"type": "read_ok", "messages": []}))],
        _ => echo_node(index, message),
    };
    drive(&mut world, &mut node, 60 * S);
    let history = world.finish().history;
    let heal = history
        .iter()
        .rposition(|op| op.process == Process::Nemesis && op.f == "stop-partition")
        .expect("a final heal");
    let finals: Vec<_> = history.iter().filter(|op| op.is_final()).collect();
    assert_eq!(finals.len(), 6, "three invocations and three completions");
    assert!(finals.iter().all(|op| op.f == "read"));
    let heal_ns = history[heal].time_ns;
    assert!(
        finals
            .iter()
            .all(|op| op.time_ns >= heal_ns + 10 * S as i64),
        "ten quiet seconds first"
    );
    assert!(history[..heal].iter().all(|op| !op.is_final()));
}
