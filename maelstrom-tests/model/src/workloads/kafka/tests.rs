//! The kafka generator as a whole: op shapes, assign rate and widening, crash stagger,
//! key retirement, and the final phase's termination.

use std::collections::BTreeMap;

use maelstrom_checker::{parse_edn, Edn};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::KafkaGenerator;
use crate::workloads::{Invocation, Outcome, WorkloadOptions};

fn options(concurrency: usize) -> WorkloadOptions {
    WorkloadOptions {
        nodes: vec!["n0".into()],
        topology: "grid".into(),
        key_count: None,
        max_txn_length: 4,
        max_writes_per_key: 16,
        concurrency,
    }
}

fn edn(text: &str) -> Edn {
    parse_edn(text).expect("test values are EDN")
}

fn ok(value: &str) -> Outcome {
    Outcome::Ok { value: edn(value) }
}

/// The key of `[[:send "k" v]]`.
fn send_key(invocation: &Invocation) -> Option<Edn> {
    match &invocation.value {
        Edn::Vector(mops) => match mops.first() {
            Some(Edn::Vector(mop)) if invocation.f == "send" => mop.get(1).cloned(),
            _ => None,
        },
        _ => None,
    }
}

/// Main-phase ops at a fixed time (so only the first is a crash).
fn main_phase(generator: &mut KafkaGenerator, count: usize, seed: u64) -> Vec<Invocation> {
    let rng = &mut StdRng::seed_from_u64(seed);
    (0..count)
        .map(|i| generator.next_invocation(i % 2, 0, rng))
        .collect()
}

/// The reference histories' shapes: `[[:poll]]`, `[[:send "9" 1]]`, `["9"]`, crash nil.
#[test]
fn ops_have_the_shapes_of_maelstrom_histories() {
    let mut generator = KafkaGenerator::new(&options(2));
    let ops = main_phase(&mut generator, 2_000, 1);
    assert_eq!(ops[0], Invocation::new("crash", Edn::Nil));
    for op in &ops[1..] {
        match op.f.as_str() {
            "poll" => assert_eq!(op.value, edn("[[:poll]]")),
            "send" => assert!(matches!(send_key(op), Some(Edn::Str(_))), "{:?}", op.value),
            "assign" => {
                let Edn::Vector(keys) = &op.value else {
                    panic!("an assign lists keys: {:?}", op.value);
                };
                assert!(keys.iter().all(|key| matches!(key, Edn::Str(_))));
            }
            other => panic!("unexpected :{other}"),
        }
        assert!(op.extra.is_empty() && !op.final_read);
    }
}

/// Both reference runs: about 1/8 of main-phase ops are assigns, and an assign names the
/// op that comes out next (here: the next send's key).
#[test]
fn one_op_in_eight_is_an_assign_of_the_next_ops_key() {
    let mut generator = KafkaGenerator::new(&options(2));
    let ops = main_phase(&mut generator, 40_000, 2);
    let assigns = ops.iter().filter(|op| op.f == "assign").count();
    let fraction = assigns as f64 / (ops.len() - 1) as f64;
    assert!((0.115..0.135).contains(&fraction), "{fraction}");
    let sends = ops.iter().filter(|op| op.f == "send").count() as f64;
    let polls = ops.iter().filter(|op| op.f == "poll").count() as f64;
    assert!(
        (sends / polls - 1.0).abs() < 0.05,
        "{sends} sends, {polls} polls"
    );
    for pair in ops.windows(2) {
        if let [assign, send] = pair {
            if assign.f == "assign" && send.f == "send" {
                assert_eq!(
                    assign.value,
                    Edn::Vector(vec![send_key(send).expect("a key")])
                );
            }
        }
    }
}

/// maelstrom.md §3.7: with probability 1/3 an assign also names every key with
/// acknowledged but unpolled messages, those first; a key polled up to its last send is
/// no longer named.
#[test]
fn a_third_of_assigns_reach_for_keys_with_unpolled_messages() {
    let mut generator = KafkaGenerator::new(&options(2));
    let send = Invocation::new("send", edn(r#"[[:send "99" 1]]"#));
    generator.observe(0, &send, &ok(r#"[[:send "99" [4 1]]]"#));
    let ops = main_phase(&mut generator, 30_000, 3);
    let assigns: Vec<&Invocation> = ops.iter().filter(|op| op.f == "assign").collect();
    let widened = assigns
        .iter()
        .filter(|op| matches!(&op.value, Edn::Vector(keys) if keys.len() == 2))
        .count();
    let fraction = widened as f64 / assigns.len() as f64;
    assert!((0.29..0.38).contains(&fraction), "{fraction}");
    for op in &assigns {
        if let Edn::Vector(keys) = &op.value {
            if keys.len() == 2 {
                assert_eq!(keys[0], Edn::Str("99".into()));
            }
        }
    }
    let poll = Invocation::new("poll", edn("[[:poll]]"));
    generator.observe(1, &poll, &ok(r#"[[:poll {"99" [[4 1]]}]]"#));
    let later = main_phase(&mut generator, 10_000, 4);
    assert!(later
        .iter()
        .filter(|op| op.f == "assign")
        .all(|op| matches!(&op.value, Edn::Vector(keys) if keys.len() == 1)));
}

/// maelstrom.md §3.7: crashes are staggered with a mean of 30 s / concurrency, the
/// first one at once.
#[test]
fn each_client_crashes_about_every_thirty_seconds() {
    let concurrency = 4;
    let mut generator = KafkaGenerator::new(&options(concurrency));
    let rng = &mut StdRng::seed_from_u64(5);
    let step_ns = 10_000_000;
    let duration_s = 3_000;
    let crashes: Vec<u64> = (0..duration_s * 1_000_000_000 / step_ns)
        .map(|i| i * step_ns)
        .filter(|now_ns| generator.next_invocation(0, *now_ns, rng).f == "crash")
        .collect();
    assert_eq!(crashes[0], 0);
    let expected = (duration_s * concurrency as u64 / 30) as f64;
    let tolerance = 5.0 * expected.sqrt();
    assert!(
        (crashes.len() as f64 - expected).abs() < tolerance,
        "{} crashes, expected {expected}",
        crashes.len()
    );
}

/// maelstrom.md §3.7: values per key are 1..16; then the key retires and fresh keys
/// (10, 11, …) take its place.
#[test]
fn keys_take_sixteen_values_and_then_retire() {
    let mut generator = KafkaGenerator::new(&options(2));
    let ops = main_phase(&mut generator, 20_000, 6);
    let mut values: BTreeMap<u64, Vec<i64>> = BTreeMap::new();
    for op in ops.iter().filter(|op| op.f == "send") {
        let Edn::Vector(mops) = &op.value else {
            unreachable!("checked by the shape test")
        };
        let Some(Edn::Vector(mop)) = mops.first() else {
            unreachable!("one micro-op")
        };
        let (Some(Edn::Str(key)), Some(Edn::Int(value))) = (mop.get(1), mop.get(2)) else {
            panic!("[:send k v]: {mop:?}");
        };
        values
            .entry(key.parse().expect("numeric keys"))
            .or_default()
            .push(*value);
    }
    assert!(values.len() > 100, "{} keys", values.len());
    for (key, written) in &values {
        let expected: Vec<i64> = (1..=written.len() as i64).collect();
        assert_eq!(written, &expected, "key {key}");
        assert!(written.len() <= 16);
    }
    // Fresh keys are numbered on from 10, one per retired key. A fresh key that lands on
    // a cold position may never be written (key 423 in one reference run).
    let retired = values
        .values()
        .filter(|written| written.len() == 16)
        .count() as u64;
    let newest = *values.keys().last().expect("keys were written");
    assert!(
        retired > 50 && newest < 10 + retired,
        "{retired} retired, newest {newest}"
    );
}

/// maelstrom.md §3.7 "Final": each thread crashes, assigns every key seen (integers,
/// from the beginning), and polls until its own polls reached every key's highest offset.
#[test]
fn the_final_phase_polls_until_this_thread_has_caught_up() {
    let mut generator = KafkaGenerator::new(&options(2));
    let rng = &mut StdRng::seed_from_u64(8);
    let send = Invocation::new("send", edn(r#"[[:send "1" 3]]"#));
    generator.observe(0, &send, &ok(r#"[[:send "1" [2 3]]]"#));
    let poll = Invocation::new("poll", edn("[[:poll]]"));
    generator.observe(1, &poll, &ok(r#"[[:poll {"0" [[0 1]], "2" []}]]"#));

    let crash = generator.final_invocation(0, rng).expect("a crash");
    assert_eq!(crash, Invocation::new("crash", Edn::Nil));
    let assign = generator.final_invocation(0, rng).expect("an assign");
    assert_eq!(assign.value, edn("[0 1 2]"));
    assert_eq!(assign.extra("seek-to-beginning?"), Some(&Edn::Bool(true)));
    let poll = generator.final_invocation(0, rng).expect("a poll");
    assert_eq!(poll.value, edn("[[:poll]]"));
    assert_eq!(poll.extra("poll-ms"), Some(&Edn::Int(1_000)));

    generator.observe(
        0,
        &poll,
        &ok(r#"[[:poll {"0" [[0 1]], "1" [[0 1] [1 2]]}]]"#),
    );
    let again = generator
        .final_invocation(0, rng)
        .expect("key 1 is not caught up");
    assert_eq!(again.f, "poll");
    // Another thread's progress does not count for this one.
    assert_eq!(
        generator.final_invocation(1, rng).map(|op| op.f),
        Some("crash".into())
    );
    generator.observe(0, &again, &ok(r#"[[:poll {"1" [[2 3]]}]]"#));
    assert_eq!(generator.final_invocation(0, rng), None);
    assert_eq!(generator.final_invocation(0, rng), None);
}

/// A final poll that ends :info leaves the thread with a fresh, unassigned client, so it
/// assigns again before polling on.
#[test]
fn a_final_poll_lost_to_a_crash_is_followed_by_a_new_assign() {
    let mut generator = KafkaGenerator::new(&options(2));
    let rng = &mut StdRng::seed_from_u64(9);
    let send = Invocation::new("send", edn(r#"[[:send "0" 1]]"#));
    generator.observe(0, &send, &ok(r#"[[:send "0" [0 1]]]"#));
    for expected in ["crash", "assign", "poll"] {
        let op = generator.final_invocation(0, rng).expect("an op");
        assert_eq!(op.f, expected);
        if expected == "poll" {
            let lost = Outcome::Info {
                value: op.value.clone(),
                error: Edn::keyword("net-timeout"),
                exception: None,
            };
            generator.observe(0, &op, &lost);
        }
    }
    let op = generator.final_invocation(0, rng).expect("an assign");
    assert_eq!(op.f, "assign");
}

/// A single-node log kept in memory: what a correct kafka node answers. With
/// `drop_every` set, it acknowledges every n-th send without storing it.
#[derive(Default)]
struct InMemoryLog {
    logs: BTreeMap<String, Vec<serde_json::Value>>,
    committed: BTreeMap<String, i64>,
    sends: usize,
    drop_every: Option<usize>,
}

impl InMemoryLog {
    fn handle(&mut self, request: &serde_json::Value) -> serde_json::Value {
        use serde_json::json;
        match request["type"].as_str() {
            Some("send") => {
                let key = request["key"].as_str().expect("string keys").to_string();
                let log = self.logs.entry(key).or_default();
                self.sends += 1;
                let offset = log.len();
                if self.drop_every.is_none_or(|n| self.sends % n != 0) {
                    log.push(request["msg"].clone());
                }
                json!({"type": "send_ok", "offset": offset})
            }
            Some("poll") => {
                let mut msgs = serde_json::Map::new();
                for (key, from) in request["offsets"].as_object().expect("offsets") {
                    let from = from.as_u64().expect("an offset") as usize;
                    let log = self.logs.get(key).map_or(&[][..], Vec::as_slice);
                    let pairs: Vec<_> = log
                        .iter()
                        .enumerate()
                        .skip(from)
                        .map(|(offset, msg)| json!([offset, msg]))
                        .collect();
                    msgs.insert(key.clone(), json!(pairs));
                }
                json!({"type": "poll_ok", "msgs": msgs})
            }
            Some("commit_offsets") => {
                for (key, offset) in request["offsets"].as_object().expect("offsets") {
                    self.committed
                        .insert(key.clone(), offset.as_i64().expect("an offset"));
                }
                json!({"type": "commit_offsets_ok"})
            }
            Some("list_committed_offsets") => {
                let offsets: BTreeMap<&String, i64> = self
                    .committed
                    .iter()
                    .filter(|(key, _)| {
                        request["keys"]
                            .as_array()
                            .is_some_and(|keys| keys.iter().any(|k| k == *key))
                    })
                    .map(|(key, offset)| (key, *offset))
                    .collect();
                json!({"type": "list_committed_offsets_ok", "offsets": offsets})
            }
            other => panic!("no such request {other:?}"),
        }
    }
}

/// Runs generator and clients against `node` on two threads, one op at a time, then the
/// final phase, and returns the history.
fn run_against(node: &mut InMemoryLog, ops: usize, seed: u64) -> Vec<maelstrom_checker::Op> {
    use super::KafkaClient;
    use crate::workloads::Reply;
    use crate::workloads::Step;
    use maelstrom_checker::{Op, OpType, Process};

    let concurrency = 2;
    let mut generator = KafkaGenerator::new(&options(concurrency));
    let rng = &mut StdRng::seed_from_u64(seed);
    let mut clients: Vec<KafkaClient> = (0..concurrency).map(|_| KafkaClient::new()).collect();
    let mut processes: Vec<u64> = (0..concurrency as u64).collect();
    let mut history: Vec<Op> = Vec::new();
    let mut now_ns: u64 = 0;
    let mut record =
        |history: &mut Vec<Op>, process, op_type, invocation: &Invocation, value, error| {
            now_ns += 1_000_000;
            let mut extra = invocation.extra.clone();
            if let Some(error) = error {
                extra.push(("error".to_string(), error));
            }
            history.push(Op {
                index: history.len() as u64,
                time_ns: now_ns as i64,
                op_type,
                process: Process::Client(process),
                f: invocation.f.clone(),
                value,
                extra,
            });
            now_ns
        };
    let mut run_op = |thread: usize,
                      invocation: Invocation,
                      generator: &mut KafkaGenerator,
                      history: &mut Vec<Op>| {
        let process = processes[thread];
        record(
            history,
            process,
            OpType::Invoke,
            &invocation,
            invocation.value.clone(),
            None,
        );
        let mut step = clients[thread].invoke(&invocation);
        let outcome = loop {
            match step {
                Step::Send(body) => {
                    let reply = node.handle(&body);
                    step = clients[thread].reply(&invocation, Reply::Body(reply));
                }
                Step::Done(outcome) => break outcome,
            }
        };
        let (op_type, value, error) = match &outcome {
            Outcome::Ok { value } => (OpType::Ok, value.clone(), None),
            Outcome::Fail { value, error } => (OpType::Fail, value.clone(), Some(error.clone())),
            Outcome::Info { value, .. } => (OpType::Info, value.clone(), None),
        };
        record(history, process, op_type, &invocation, value, error);
        generator.observe(thread, &invocation, &outcome);
        if op_type == OpType::Info {
            processes[thread] += concurrency as u64;
            clients[thread] = KafkaClient::new();
        }
    };
    for i in 0..ops {
        let thread = i % concurrency;
        let invocation = generator.next_invocation(thread, i as u64 * 5_000_000, rng);
        run_op(thread, invocation, &mut generator, &mut history);
    }
    // The runner's time limit, counted in staggered ops: 10 s / 0.2 s.
    let final_ops_max = (super::FINAL_TIME_LIMIT_S as f64 / super::FINAL_STAGGER_S) as usize;
    for thread in 0..concurrency {
        for _ in 0..final_ops_max {
            let Some(invocation) = generator.final_invocation(thread, rng) else {
                break;
            };
            run_op(thread, invocation, &mut generator, &mut history);
        }
    }
    history
}

fn kafka_verdict(history: &[maelstrom_checker::Op]) -> (maelstrom_checker::Validity, Edn) {
    let options = maelstrom_checker::CheckOptions {
        workload: "kafka".into(),
        availability: None,
        consistency_models: Vec::new(),
    };
    let results = maelstrom_checker::check(&options, history, None).expect("checks");
    let workload = results
        .edn
        .get("workload")
        .cloned()
        .expect("a workload section");
    (results.valid, workload)
}

/// The generator, the client and the checker agree: a correct single-node log, driven
/// through the main and final phases, is judged valid (maelstrom.md §3.7).
#[test]
fn a_correct_log_driven_by_generator_and_client_is_valid() {
    let history = run_against(&mut InMemoryLog::default(), 3_000, 11);
    let (valid, workload) = kafka_verdict(&history);
    assert_eq!(valid, maelstrom_checker::Validity::True, "{workload}");
    let final_assigns = history
        .iter()
        .filter(|op| op.f == "assign" && op.extra.iter().any(|(k, _)| k == "seek-to-beginning?"))
        .count();
    assert_eq!(
        final_assigns, 4,
        "one invocation and one completion per thread"
    );
}

/// The same run against a node that acknowledges every seventh send without storing it:
/// the checker finds lost and unseen messages (maelstrom.md §3.7).
#[test]
fn a_log_that_drops_acknowledged_sends_is_caught() {
    let mut node = InMemoryLog {
        drop_every: Some(7),
        ..InMemoryLog::default()
    };
    let history = run_against(&mut node, 3_000, 11);
    let (valid, workload) = kafka_verdict(&history);
    assert_eq!(valid, maelstrom_checker::Validity::False);
    let bad = workload
        .get("bad-error-types")
        .map(Edn::to_string)
        .unwrap_or_default();
    assert!(bad.contains(":unseen"), "{bad}");
}
