//! Property tests: whatever lines arrive, the engine neither panics nor goes
//! silent, and every line it writes is one JSON message (maelstrom.md §1.1:
//! "nothing but one JSON message per line ever reaches stdout").

use std::time::Duration;

use proptest::prelude::*;
use protocol::{Context, Engine, EngineConfig, Init, Instant, Message, Node, Output};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Payload {
    Echo { echo: Value },
    EchoOk { echo: Value },
    Add { delta: i64 },
}

#[derive(Debug)]
struct EchoNode;

impl Node for EchoNode {
    type Payload = Payload;
    type Tick = ();

    fn from_init(_init: &Init, _ctx: &mut Context<()>) -> EchoNode {
        EchoNode
    }

    fn on_message(&mut self, message: Message<Payload>, ctx: &mut Context<()>) {
        if let Payload::Echo { echo } = &message.body.payload {
            let echo = echo.clone();
            ctx.reply(&message, Payload::EchoOk { echo });
        }
    }
}

/// Runs the node over `lines`, one millisecond apart, then one good echo
/// request, and returns everything the engine wrote.
fn run_over(lines: Vec<String>) -> Vec<String> {
    let mut engine = Engine::<EchoNode>::new(EngineConfig::default());
    let mut out = Output::default();
    let mut now = Instant::ZERO;
    let init = r#"{"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0"]}}"#;
    engine.handle_line(init, now, &mut out);
    for line in lines {
        now += Duration::from_millis(1);
        engine.handle_line(&line, now, &mut out);
        engine.handle_deadlines(now, &mut out);
    }
    let probe =
        r#"{"src":"c9","dest":"n0","body":{"type":"echo","msg_id":424242,"echo":"still here"}}"#;
    engine.handle_line(probe, now, &mut out);
    out.lines
}

fn assert_well_formed(out: &[String]) {
    for line in out {
        assert!(!line.contains('\n'), "one message per line: {line:?}");
        let message: Value = serde_json::from_str(line).expect("every output line is JSON");
        let object = message.as_object().expect("every output line is an object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["body", "dest", "src"], "only envelope keys: {line}");
        assert!(
            message["body"]["type"].is_string(),
            "every body has a type: {line}"
        );
    }
    let last: Value = serde_json::from_str(out.last().expect("some output")).expect("JSON");
    assert_eq!(
        last["body"]["in_reply_to"], 424242,
        "the good request after the bad input was answered"
    );
    assert_eq!(last["body"]["echo"], "still here");
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("echo"),
            Just("add"),
            Just("type"),
            Just("msg_id"),
            Just("in_reply_to")
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_string()),
                    Just("msg_id".to_string()),
                    Just("in_reply_to".to_string()),
                    Just("echo".to_string()),
                    Just("delta".to_string()),
                    ".{0,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random text lines: skipped or answered, never a crash.
    #[test]
    fn random_text_never_breaks_the_node(lines in prop::collection::vec(".{0,80}", 0..8)) {
        assert_well_formed(&run_over(lines));
    }

    /// Random JSON as a whole line, and random JSON as the body of a real envelope.
    #[test]
    fn random_json_never_breaks_the_node(
        values in prop::collection::vec(json_value(), 0..6),
        bodies in prop::collection::vec(json_value(), 0..6),
    ) {
        let mut lines: Vec<String> = values.iter().map(Value::to_string).collect();
        for body in bodies {
            lines.push(json!({"src": "c1", "dest": "n0", "body": body}).to_string());
        }
        assert_well_formed(&run_over(lines));
    }

    /// An echo always gets exactly one answer, an unknown type exactly one error 10,
    /// and nothing is ever answered twice.
    #[test]
    fn no_request_is_answered_twice_and_echo_and_unknown_types_always_are(
        kind in prop_oneof![Just("echo"), Just("add"), Just("nope"), Just("echo_ok")],
        field in json_value(),
        msg_id in 1u64..1000,
    ) {
        let body = json!({"type": kind, "msg_id": msg_id, "echo": field.clone(), "delta": field});
        let out = run_over(vec![json!({"src": "c1", "dest": "n0", "body": body}).to_string()]);
        assert_well_formed(&out);
        let answers: Vec<Value> = out
            .iter()
            .map(|line| serde_json::from_str::<Value>(line).expect("JSON"))
            // The init handshake (from c0) is answered too; only c1's request counts.
            .filter(|message| message["dest"] == "c1" && message["body"]["in_reply_to"] == msg_id)
            .collect();
        // echo_ok and add are understood but this node only answers echo; an
        // add with a well-typed delta is accepted silently by design.
        let expected = match kind {
            "echo" | "nope" => 1,
            _ => answers.len().min(1),
        };
        prop_assert_eq!(answers.len(), expected, "answers to msg_id {}: {:?}", msg_id, answers);
        if kind == "nope" {
            prop_assert_eq!(&answers[0]["body"]["code"], &json!(10));
        }
    }
}
