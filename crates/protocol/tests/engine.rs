//! The engine, driven directly: lines in at explicit instants, lines out.
//! Init, replies, bad input, RPC timeouts and retries, timers, and the
//! engine's promise that one seed and one sequence of events give one output.
//! (That stdin ending ends the process is the stdio loop's part; the echo
//! binary's tests show it.)

use std::time::Duration;

use protocol::{
    Backoff, Context, Engine, EngineConfig, ErrorCode, Init, Instant, Message, Node, Output,
    RpcOptions, RpcReply,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Payload {
    Echo {
        echo: Value,
    },
    EchoOk {
        echo: Value,
    },
    /// Ask the node to RPC `dest` (with retries when `retry` is set).
    Ask {
        dest: String,
        retry: bool,
    },
    /// Sent by peers; the node answers with `pong`.
    Ping,
    Pong,
    /// Ask the node for a random number, its arguments, and a log line.
    Introspect,
}

#[derive(Clone, Debug)]
enum Tick {
    Beat,
}

/// A node that echoes, answers pings, starts RPCs on request and reports
/// every RPC outcome and timer tick to `c-observer`.
#[derive(Debug)]
struct TestNode;

impl Node for TestNode {
    type Payload = Payload;
    type Tick = Tick;

    fn from_init(init: &Init, ctx: &mut Context<Tick>) -> TestNode {
        ctx.send(
            "c-observer",
            json!({"type": "ready", "node_ids": init.node_ids}),
        );
        TestNode
    }

    fn on_message(&mut self, message: Message<Payload>, ctx: &mut Context<Tick>) {
        match &message.body.payload {
            Payload::Echo { echo } => {
                let echo = echo.clone();
                ctx.reply(&message, Payload::EchoOk { echo });
            }
            Payload::Ask { dest, retry } => {
                let options = if *retry {
                    RpcOptions::retrying(
                        Duration::from_millis(100),
                        Backoff {
                            delay_base: Duration::from_millis(50),
                            delay_max: Duration::from_millis(50),
                            jitter: 0.0,
                            attempts_max: 3,
                        },
                    )
                } else {
                    RpcOptions::with_timeout(Duration::from_millis(100))
                };
                ctx.rpc_with(dest, Payload::Ping, options);
            }
            Payload::Ping => ctx.reply(&message, Payload::Pong),
            Payload::Introspect => {
                let drawn: u64 = ctx.rng().gen();
                let args = ctx.args().to_vec();
                ctx.log(format!("introspected by {}", message.src));
                ctx.reply(
                    &message,
                    json!({"type": "introspect_ok", "drawn": drawn, "args": args}),
                );
            }
            Payload::EchoOk { .. } | Payload::Pong => {
                ctx.send(
                    "c-observer",
                    json!({"type": "stray", "in_reply_to": message.body.in_reply_to}),
                );
            }
        }
    }

    fn on_tick(&mut self, tick: Tick, ctx: &mut Context<Tick>) {
        ctx.send(
            "c-observer",
            json!({"type": "tick", "tick": format!("{tick:?}")}),
        );
    }

    fn on_reply(&mut self, reply: RpcReply, ctx: &mut Context<Tick>) {
        let outcome = match reply.result {
            Ok(body) => json!({"type": "outcome", "ok": body}),
            Err(error) => json!({"type": "outcome", "error": error.code.code()}),
        };
        ctx.send("c-observer", outcome);
    }
}

/// A node whose `init` arms a 100 ms periodic timer.
#[derive(Debug)]
struct TickingNode;

impl Node for TickingNode {
    type Payload = Payload;
    type Tick = Tick;

    fn from_init(_init: &Init, ctx: &mut Context<Tick>) -> TickingNode {
        ctx.every(Duration::from_millis(100), Tick::Beat);
        TickingNode
    }

    fn on_message(&mut self, _message: Message<Payload>, _ctx: &mut Context<Tick>) {}

    fn on_tick(&mut self, tick: Tick, ctx: &mut Context<Tick>) {
        TestNode.on_tick(tick, ctx);
    }
}

const INIT: &str = r#"{"src":"c0","dest":"n0","body":{"type":"init","msg_id":1,"node_id":"n0","node_ids":["n0","n1"]}}"#;

/// An engine, the time it has reached, and what it has written.
struct Driver<N: Node> {
    engine: Engine<N>,
    now: Instant,
    out: Output,
}

impl<N: Node> Driver<N> {
    fn new(seed: u64) -> Driver<N> {
        Driver::with_args(seed, &[])
    }

    fn with_args(seed: u64, args: &[&str]) -> Driver<N> {
        let args = args.iter().map(|arg| arg.to_string()).collect();
        Driver {
            engine: Engine::new(EngineConfig { seed, args }),
            now: Instant::ZERO,
            out: Output::default(),
        }
    }

    /// A driver whose engine has answered `init` (checked) at time zero.
    fn initialized(seed: u64) -> Driver<N> {
        let mut driver = Driver::new(seed);
        let init_ok = driver.send(INIT).remove(0);
        assert_eq!(
            init_ok["body"],
            json!({"type": "init_ok", "in_reply_to": 1})
        );
        assert_eq!(init_ok["dest"], "c0");
        driver
    }

    /// Hands the engine one line now; returns the messages it wrote.
    fn send(&mut self, line: &str) -> Vec<Value> {
        self.engine.handle_line(line, self.now, &mut self.out);
        self.take_lines()
    }

    /// Moves time forward by `by`, firing each deadline at its own instant,
    /// as a driver that sleeps until the next deadline would; returns the
    /// messages written meanwhile.
    fn advance(&mut self, by: Duration) -> Vec<Value> {
        let until = self.now + by;
        while let Some(at) = self.engine.next_deadline().filter(|at| *at <= until) {
            self.now = self.now.max(at);
            self.engine.handle_deadlines(self.now, &mut self.out);
        }
        self.now = until;
        self.take_lines()
    }

    fn take_lines(&mut self) -> Vec<Value> {
        self.out
            .lines
            .drain(..)
            .map(|line| {
                serde_json::from_str(&line)
                    .unwrap_or_else(|error| panic!("stdout line is not JSON ({error}): {line}"))
            })
            .collect()
    }

    fn take_logs(&mut self) -> Vec<String> {
        std::mem::take(&mut self.out.logs)
    }
}

/// No messages: what an assertion expects when nothing may be written.
const NOTHING: Vec<Value> = Vec::new();

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// The one message in `lines`.
fn only(mut lines: Vec<Value>) -> Value {
    assert_eq!(lines.len(), 1, "expected one message: {lines:?}");
    lines.remove(0)
}

fn reply_to(src: &str, kind: &str, in_reply_to: &Value) -> String {
    format!(
        r#"{{"src":"{src}","dest":"n0","body":{{"type":"{kind}","in_reply_to":{in_reply_to}}}}}"#
    )
}

/// maelstrom.md §1.3: the engine answers init_ok to the init's sender and
/// builds the node with the ids it was given.
#[test]
fn init_is_answered_and_the_node_learns_every_id() {
    let mut driver = Driver::<TestNode>::new(1);
    let out = driver.send(INIT);
    assert_eq!(out.len(), 2, "init_ok, then what from_init sent: {out:?}");
    assert_eq!(out[0]["body"]["type"], "init_ok");
    assert_eq!(out[1]["src"], "n0");
    assert_eq!(out[1]["body"]["node_ids"], json!(["n0", "n1"]));
    assert_eq!(driver.engine.node_id(), Some("n0"));
    assert!(driver.engine.node().is_some());
}

/// maelstrom.md §1.2: a reply names the request in in_reply_to and carries a fresh msg_id.
#[test]
fn a_request_gets_one_reply_addressed_to_its_sender() {
    let mut driver = Driver::<TestNode>::initialized(1);
    let reply =
        only(driver.send(
            r#"{"id":4,"src":"c1","dest":"n0","body":{"type":"echo","msg_id":9,"echo":"hi"}}"#,
        ));
    assert_eq!(reply["dest"], "c1");
    assert_eq!(reply["body"]["type"], "echo_ok");
    assert_eq!(reply["body"]["in_reply_to"], 9);
    assert_eq!(reply["body"]["echo"], "hi");
    assert!(reply["body"]["msg_id"].as_u64().is_some_and(|id| id >= 1));
}

/// maelstrom.md §1.4: error 10 for an unknown type, 12 for a known type with bad
/// fields or no type at all; lines that are not messages are skipped and
/// logged; the node goes on.
#[test]
fn bad_requests_get_typed_errors_and_garbage_is_skipped() {
    let mut driver = Driver::<TestNode>::initialized(1);
    driver.take_logs();

    assert_eq!(driver.send("this is not json"), NOTHING);
    assert_eq!(driver.send(r#"{"src":"c1","body":{}}"#), NOTHING);
    let logs = driver.take_logs();
    assert_eq!(logs.len(), 2, "each skipped line is logged: {logs:?}");
    assert!(logs[0].starts_with("[n0] skipping a line that is not a message"));

    let unknown =
        only(driver.send(r#"{"src":"c1","dest":"n0","body":{"type":"teleport","msg_id":2}}"#));
    assert_eq!(unknown["body"]["type"], "error");
    assert_eq!(unknown["body"]["code"], 10);
    assert_eq!(unknown["body"]["in_reply_to"], 2);

    let malformed =
        only(driver.send(r#"{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":3}}"#));
    assert_eq!(malformed["body"]["code"], 12);
    assert_eq!(malformed["body"]["in_reply_to"], 3);

    let untyped = only(driver.send(r#"{"src":"c1","dest":"n0","body":{"msg_id":4}}"#));
    assert_eq!(untyped["body"]["code"], 12);

    // Without a msg_id there is nobody to answer: nothing is written.
    assert_eq!(
        driver.send(r#"{"src":"c1","dest":"n0","body":{"type":"teleport"}}"#),
        NOTHING
    );
    let after =
        only(driver.send(r#"{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":5,"echo":1}}"#));
    assert_eq!(after["body"]["in_reply_to"], 5);
}

/// maelstrom.md §1.2: `type` is a string. serde would read a number as the
/// position of a variant (0 is `echo` here, and would be echoed); it is
/// error 12, and it never reaches the node.
#[test]
fn a_numeric_type_is_malformed_not_the_variant_at_that_position() {
    let mut driver = Driver::<TestNode>::initialized(1);
    // 2 would be `ask`, which starts an RPC: nothing of the sort may happen.
    for kind in ["0", "1", "2", "4", "null", "true", "[\"echo\"]"] {
        let line = format!(
            r#"{{"src":"c1","dest":"n0","body":{{"type":{kind},"msg_id":7,"echo":"x","dest":"n1","retry":false}}}}"#
        );
        let reply = only(driver.send(&line));
        assert_eq!(reply["body"]["type"], "error", "type {kind}: {reply}");
        assert_eq!(reply["body"]["code"], 12, "type {kind}");
        assert_eq!(reply["body"]["in_reply_to"], 7);
    }
}

/// An RPC that gets no reply completes once with error 0 (timeout) exactly
/// when its timeout is up, and a reply that arrives later no longer matches
/// any call.
#[test]
fn an_unanswered_rpc_times_out_once_and_a_late_reply_is_not_a_reply() {
    let mut driver = Driver::<TestNode>::initialized(1);
    let ping = only(
        driver.send(r#"{"src":"c1","dest":"n0","body":{"type":"ask","dest":"n1","retry":false}}"#),
    );
    assert_eq!(ping["dest"], "n1");
    assert_eq!(ping["body"]["type"], "ping");
    assert_eq!(driver.engine.next_deadline(), Some(Instant::ZERO + ms(100)));

    assert_eq!(driver.advance(ms(99)), NOTHING, "the timeout is 100 ms");
    let outcome = only(driver.advance(ms(1)));
    assert_eq!(outcome["body"]["type"], "outcome");
    assert_eq!(outcome["body"]["error"], ErrorCode::Timeout.code());
    assert_eq!(driver.advance(ms(10_000)), NOTHING, "a call completes once");

    let stray = only(driver.send(&reply_to("n1", "pong", &ping["body"]["msg_id"])));
    assert_eq!(
        stray["body"]["type"], "stray",
        "the late reply reaches on_message, not on_reply"
    );
}

/// rpc.rs: each retry is a new attempt with a new msg_id, sent after the
/// timeout plus the backoff; a reply to an earlier attempt still completes
/// the call, exactly once.
#[test]
fn a_retried_rpc_completes_once_from_a_reply_to_any_attempt() {
    let mut driver = Driver::<TestNode>::initialized(1);
    let first = only(
        driver.send(r#"{"src":"c1","dest":"n0","body":{"type":"ask","dest":"n1","retry":true}}"#),
    );
    assert_eq!(
        driver.advance(ms(149)),
        NOTHING,
        "100 ms timeout + 50 ms backoff"
    );
    let second = only(driver.advance(ms(1)));
    assert_eq!(second["body"]["type"], "ping", "a second attempt");
    assert_ne!(first["body"]["msg_id"], second["body"]["msg_id"]);

    let outcome = only(driver.send(&reply_to("n1", "pong", &first["body"]["msg_id"])));
    assert_eq!(outcome["body"]["ok"]["type"], "pong");

    // The call is over: no third attempt, and a second reply is a stray.
    assert_eq!(driver.advance(ms(10_000)), NOTHING);
    let again = only(driver.send(&reply_to("n1", "pong", &second["body"]["msg_id"])));
    assert_eq!(again["body"]["type"], "stray");
}

/// rpc.rs: with attempts_max = 3 the call gives up after the third timeout.
#[test]
fn a_retried_rpc_gives_up_after_its_last_attempt() {
    let mut driver = Driver::<TestNode>::initialized(1);
    let mut out =
        driver.send(r#"{"src":"c1","dest":"n0","body":{"type":"ask","dest":"n1","retry":true}}"#);
    out.extend(driver.advance(ms(10_000)));
    let kinds: Vec<&Value> = out.iter().map(|message| &message["body"]["type"]).collect();
    assert_eq!(kinds, ["ping", "ping", "ping", "outcome"]);
    assert_eq!(out[3]["body"]["error"], 0);
}

/// An error reply completes the call with the typed error.
#[test]
fn an_error_reply_completes_the_call_with_its_code() {
    let mut driver = Driver::<TestNode>::initialized(1);
    let request =
        only(driver.send(
            r#"{"src":"c1","dest":"n0","body":{"type":"ask","dest":"seq-kv","retry":false}}"#,
        ));
    let error = format!(
        r#"{{"src":"seq-kv","dest":"n0","body":{{"type":"error","code":20,"text":"key does not exist","in_reply_to":{}}}}}"#,
        request["body"]["msg_id"]
    );
    assert_eq!(only(driver.send(&error))["body"]["error"], 20);
}

/// Timers: a 100 ms periodic timer fires ten times in a second, on its beat.
#[test]
fn a_periodic_timer_fires_on_its_period() {
    let mut driver = Driver::<TickingNode>::initialized(1);
    for beat in 1..=10 {
        assert_eq!(
            driver.engine.next_deadline(),
            Some(Instant::ZERO + ms(100 * beat))
        );
        assert_eq!(only(driver.advance(ms(100)))["body"]["tick"], "Beat");
    }
}

/// engine.rs: after a stall longer than its period (a driver that could not call in
/// time), a periodic timer fires once and takes up its period from then: the
/// missed beats are skipped, not fired in a burst.
#[test]
fn a_periodic_timer_after_a_stall_skips_the_missed_beats() {
    let mut driver = Driver::<TickingNode>::initialized(1);
    let stalled = Instant::ZERO + ms(350);
    driver.engine.handle_deadlines(stalled, &mut driver.out);
    assert_eq!(driver.take_lines().len(), 1, "one tick, not three");
    assert_eq!(driver.engine.next_deadline(), Some(stalled + ms(100)));
}

/// A node that re-arms a zero-delay timer from its own tick.
#[derive(Debug)]
struct RearmingNode;

impl Node for RearmingNode {
    type Payload = Payload;
    type Tick = Tick;

    fn from_init(_init: &Init, ctx: &mut Context<Tick>) -> RearmingNode {
        ctx.after(Duration::ZERO, Tick::Beat);
        RearmingNode
    }

    fn on_message(&mut self, _message: Message<Payload>, _ctx: &mut Context<Tick>) {}

    fn on_tick(&mut self, tick: Tick, ctx: &mut Context<Tick>) {
        TestNode.on_tick(tick.clone(), ctx);
        ctx.after(Duration::ZERO, tick);
    }
}

/// engine.rs: one call fires what was due when it began; a timer armed during the call
/// for "now" waits for the next call. So a node that re-arms itself with no delay can't
/// keep a call from returning: each call fires it once, and the deadline stays due.
#[test]
fn a_timer_re_armed_with_no_delay_fires_once_per_call() {
    let mut driver = Driver::<RearmingNode>::initialized(1);
    for _call in 0..3 {
        assert_eq!(driver.engine.next_deadline(), Some(Instant::ZERO));
        driver
            .engine
            .handle_deadlines(Instant::ZERO, &mut driver.out);
        assert_eq!(driver.take_lines().len(), 1, "one tick per call");
    }
}

/// Messages before init are refused with error 11 rather than lost silently.
#[test]
fn a_request_before_init_is_refused_as_temporarily_unavailable() {
    let mut driver = Driver::<TestNode>::new(1);
    let refused =
        only(driver.send(r#"{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":1,"echo":1}}"#));
    assert_eq!(refused["body"]["code"], 11);
    assert_eq!(refused["body"]["in_reply_to"], 1);
    assert_eq!(driver.engine.node_id(), None);
    assert_eq!(driver.send(INIT)[0]["body"]["type"], "init_ok");
}

/// engine.rs: the node's arguments, randomness and log lines all come through the
/// engine: `args` as configured, `rng` seeded by the configured seed, logs
/// prefixed with the node id.
#[test]
fn args_rng_and_log_lines_reach_the_node_through_the_engine() {
    let introspect = r#"{"src":"c1","dest":"n0","body":{"type":"introspect","msg_id":2}}"#;
    let drawn = |seed: u64| {
        let mut driver = Driver::<TestNode>::with_args(seed, &["--flag", "7"]);
        driver.send(INIT);
        let reply = only(driver.send(introspect));
        assert_eq!(reply["body"]["args"], json!(["--flag", "7"]));
        assert_eq!(driver.take_logs(), ["[n0] introspected by c1"]);
        reply["body"]["drawn"].clone()
    };
    assert_eq!(drawn(5), drawn(5), "one seed, one draw");
    assert_ne!(drawn(5), drawn(6));
}

/// engine.rs, the engine's promise to a simulator: the same seed and the same events at
/// the same instants give the same lines, retry jitter included.
#[test]
fn one_seed_and_one_sequence_of_events_give_one_output() {
    let run = |seed: u64| {
        let mut driver = Driver::<JitteryNode>::initialized(seed);
        let mut out = driver.send(r#"{"src":"c1","dest":"n0","body":{"type":"ping","msg_id":3}}"#);
        let mut times = Vec::new();
        for _ in 0..100 {
            let sent = driver.advance(ms(10));
            if !sent.is_empty() {
                times.push(driver.now.as_nanos());
            }
            out.extend(sent);
        }
        (out, times)
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9).1, run(10).1, "jitter depends on the seed");
}

/// engine.rs: `now` never decreases from one call to the next; a driver that
/// says otherwise is broken, and the engine stops it on the spot.
#[test]
#[should_panic(expected = "time runs backwards")]
fn time_handed_in_never_runs_backwards() {
    let mut driver = Driver::<TestNode>::initialized(1);
    let mut out = Output::default();
    driver
        .engine
        .handle_deadlines(Instant::ZERO + ms(5), &mut out);
    driver
        .engine
        .handle_deadlines(Instant::ZERO + ms(4), &mut out);
}

/// A node whose `ping` starts an RPC to n1 retried with jittered backoff.
#[derive(Debug)]
struct JitteryNode;

impl Node for JitteryNode {
    type Payload = Payload;
    type Tick = Tick;

    fn from_init(_init: &Init, _ctx: &mut Context<Tick>) -> JitteryNode {
        JitteryNode
    }

    fn on_message(&mut self, message: Message<Payload>, ctx: &mut Context<Tick>) {
        if let Payload::Ping = message.body.payload {
            let backoff = Backoff {
                delay_base: ms(50),
                delay_max: ms(200),
                jitter: 0.5,
                attempts_max: 5,
            };
            ctx.rpc_with("n1", Payload::Ping, RpcOptions::retrying(ms(20), backoff));
        }
    }
}
