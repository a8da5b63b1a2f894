//! The runtime, driven in-process over an in-memory transport under tokio's
//! paused clock: init, replies, bad input, RPC timeouts and retries, timers.

use std::time::Duration;

use protocol::{
    Backoff, Context, ErrorCode, Init, Message, Node, Peer, RpcOptions, RpcReply, Transport,
};
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

fn start<N>() -> (Peer, tokio::task::JoinHandle<anyhow::Result<()>>)
where
    N: Node + Send + 'static,
    N::Tick: Send,
{
    let (transport, peer) = Transport::in_memory();
    let task = tokio::spawn(protocol::run::<N>(transport));
    (peer, task)
}

async fn send(peer: &Peer, line: &str) {
    peer.to_node
        .send(line.to_string())
        .await
        .expect("node is running");
}

async fn next(peer: &mut Peer) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(30), peer.from_node.recv())
        .await
        .expect("the node answers within 30 s")
        .expect("the node's output is open");
    serde_json::from_str(&line)
        .unwrap_or_else(|error| panic!("stdout line is not JSON ({error}): {line}"))
}

async fn initialized<N>() -> (Peer, tokio::task::JoinHandle<anyhow::Result<()>>)
where
    N: Node + Send + 'static,
    N::Tick: Send,
{
    let (mut peer, task) = start::<N>();
    send(&peer, INIT).await;
    let init_ok = next(&mut peer).await;
    assert_eq!(
        init_ok["body"],
        json!({"type": "init_ok", "in_reply_to": 1})
    );
    assert_eq!(init_ok["dest"], "c0");
    (peer, task)
}

/// maelstrom-spec §1.3: the runtime answers init_ok to the init's sender and
/// builds the node with the ids it was given.
#[tokio::test(start_paused = true)]
async fn init_is_answered_and_the_node_learns_every_id() {
    let (mut peer, _task) = initialized::<TestNode>().await;
    let ready = next(&mut peer).await;
    assert_eq!(ready["src"], "n0");
    assert_eq!(ready["body"]["node_ids"], json!(["n0", "n1"]));
}

/// maelstrom-spec §1.2: a reply names the request in in_reply_to and carries a fresh msg_id.
#[tokio::test(start_paused = true)]
async fn a_request_gets_one_reply_addressed_to_its_sender() {
    let (mut peer, _task) = initialized::<TestNode>().await;
    next(&mut peer).await; // ready
    send(
        &peer,
        r#"{"id":4,"src":"c1","dest":"n0","body":{"type":"echo","msg_id":9,"echo":"hi"}}"#,
    )
    .await;
    let reply = next(&mut peer).await;
    assert_eq!(reply["dest"], "c1");
    assert_eq!(reply["body"]["type"], "echo_ok");
    assert_eq!(reply["body"]["in_reply_to"], 9);
    assert_eq!(reply["body"]["echo"], "hi");
    assert!(reply["body"]["msg_id"].as_u64().is_some_and(|id| id >= 1));
}

/// maelstrom-spec §1.4: error 10 for an unknown type, 12 for a known type with bad
/// fields or no type at all; lines that are not messages are skipped; the node goes on.
#[tokio::test(start_paused = true)]
async fn bad_requests_get_typed_errors_and_garbage_is_skipped() {
    let (mut peer, _task) = initialized::<TestNode>().await;
    next(&mut peer).await; // ready

    send(&peer, "this is not json").await;
    send(&peer, r#"{"src":"c1","body":{}}"#).await;
    send(
        &peer,
        r#"{"src":"c1","dest":"n0","body":{"type":"teleport","msg_id":2}}"#,
    )
    .await;
    let unknown = next(&mut peer).await;
    assert_eq!(unknown["body"]["type"], "error");
    assert_eq!(unknown["body"]["code"], 10);
    assert_eq!(unknown["body"]["in_reply_to"], 2);

    send(
        &peer,
        r#"{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":3}}"#,
    )
    .await;
    let malformed = next(&mut peer).await;
    assert_eq!(malformed["body"]["code"], 12);
    assert_eq!(malformed["body"]["in_reply_to"], 3);

    send(&peer, r#"{"src":"c1","dest":"n0","body":{"msg_id":4}}"#).await;
    assert_eq!(next(&mut peer).await["body"]["code"], 12);

    // Without a msg_id there is nobody to answer: nothing is written.
    send(
        &peer,
        r#"{"src":"c1","dest":"n0","body":{"type":"teleport"}}"#,
    )
    .await;
    send(
        &peer,
        r#"{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":5,"echo":1}}"#,
    )
    .await;
    let after = next(&mut peer).await;
    assert_eq!(
        after["body"]["in_reply_to"], 5,
        "the next output answers the next good request"
    );
}

/// An RPC that gets no reply completes once with error 0 (timeout) after its
/// timeout, and a reply that arrives later no longer matches any call.
#[tokio::test(start_paused = true)]
async fn an_unanswered_rpc_times_out_once_and_a_late_reply_is_not_a_reply() {
    let (mut peer, _task) = initialized::<TestNode>().await;
    next(&mut peer).await; // ready
    send(
        &peer,
        r#"{"src":"c1","dest":"n0","body":{"type":"ask","dest":"n1","retry":false}}"#,
    )
    .await;
    let ping = next(&mut peer).await;
    assert_eq!(ping["dest"], "n1");
    assert_eq!(ping["body"]["type"], "ping");
    let ping_id = ping["body"]["msg_id"]
        .as_u64()
        .expect("an RPC carries a msg_id");

    let outcome = next(&mut peer).await;
    assert_eq!(outcome["body"]["type"], "outcome");
    assert_eq!(outcome["body"]["error"], ErrorCode::Timeout.code());

    let late =
        format!(r#"{{"src":"n1","dest":"n0","body":{{"type":"pong","in_reply_to":{ping_id}}}}}"#);
    send(&peer, &late).await;
    let stray = next(&mut peer).await;
    assert_eq!(
        stray["body"]["type"], "stray",
        "the late reply reaches on_message, not on_reply"
    );
}

/// rpc.rs: each retry is a new attempt with a new msg_id; a reply to an earlier
/// attempt still completes the call, exactly once.
#[tokio::test(start_paused = true)]
async fn a_retried_rpc_completes_once_from_a_reply_to_any_attempt() {
    let (mut peer, _task) = initialized::<TestNode>().await;
    next(&mut peer).await; // ready
    send(
        &peer,
        r#"{"src":"c1","dest":"n0","body":{"type":"ask","dest":"n1","retry":true}}"#,
    )
    .await;
    let first = next(&mut peer).await;
    let second = next(&mut peer).await;
    assert_eq!(
        second["body"]["type"], "ping",
        "a second attempt after timeout + backoff"
    );
    assert_ne!(first["body"]["msg_id"], second["body"]["msg_id"]);

    let reply = format!(
        r#"{{"src":"n1","dest":"n0","body":{{"type":"pong","in_reply_to":{}}}}}"#,
        first["body"]["msg_id"]
    );
    send(&peer, &reply).await;
    let outcome = next(&mut peer).await;
    assert_eq!(outcome["body"]["ok"]["type"], "pong");

    // The call is over: no third attempt, and a second reply is a stray.
    let again = format!(
        r#"{{"src":"n1","dest":"n0","body":{{"type":"pong","in_reply_to":{}}}}}"#,
        second["body"]["msg_id"]
    );
    send(&peer, &again).await;
    assert_eq!(next(&mut peer).await["body"]["type"], "stray");
}

/// rpc.rs: with attempts_max = 3 the call gives up after the third timeout.
#[tokio::test(start_paused = true)]
async fn a_retried_rpc_gives_up_after_its_last_attempt() {
    let (mut peer, _task) = initialized::<TestNode>().await;
    next(&mut peer).await; // ready
    send(
        &peer,
        r#"{"src":"c1","dest":"n0","body":{"type":"ask","dest":"n1","retry":true}}"#,
    )
    .await;
    for _ in 0..3 {
        assert_eq!(next(&mut peer).await["body"]["type"], "ping");
    }
    let outcome = next(&mut peer).await;
    assert_eq!(outcome["body"]["error"], 0);
}

/// An error reply completes the call with the typed error.
#[tokio::test(start_paused = true)]
async fn an_error_reply_completes_the_call_with_its_code() {
    let (mut peer, _task) = initialized::<TestNode>().await;
    next(&mut peer).await; // ready
    send(
        &peer,
        r#"{"src":"c1","dest":"n0","body":{"type":"ask","dest":"seq-kv","retry":false}}"#,
    )
    .await;
    let request = next(&mut peer).await;
    let error = format!(
        r#"{{"src":"seq-kv","dest":"n0","body":{{"type":"error","code":20,"text":"key does not exist","in_reply_to":{}}}}}"#,
        request["body"]["msg_id"]
    );
    send(&peer, &error).await;
    assert_eq!(next(&mut peer).await["body"]["error"], 20);
}

/// Timers: a 100 ms periodic timer fires ten times in a second of (paused) time.
#[tokio::test(start_paused = true)]
async fn a_periodic_timer_fires_on_its_period() {
    let started = tokio::time::Instant::now();
    let (mut peer, _task) = initialized::<TickingNode>().await;
    for _ in 0..10 {
        assert_eq!(next(&mut peer).await["body"]["tick"], "Beat");
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1000) && elapsed < Duration::from_millis(1100),
        "ten ticks took {elapsed:?}"
    );
}

/// Messages before init are refused with error 11 rather than lost silently.
#[tokio::test(start_paused = true)]
async fn a_request_before_init_is_refused_as_temporarily_unavailable() {
    let (mut peer, _task) = start::<TestNode>();
    send(
        &peer,
        r#"{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":1,"echo":1}}"#,
    )
    .await;
    let refused = next(&mut peer).await;
    assert_eq!(refused["body"]["code"], 11);
    send(&peer, INIT).await;
    assert_eq!(next(&mut peer).await["body"]["type"], "init_ok");
}

/// Closing the input ends the runtime cleanly.
#[tokio::test(start_paused = true)]
async fn closing_the_input_ends_the_node() {
    let (peer, task) = initialized::<TestNode>().await;
    drop(peer.to_node);
    task.await.expect("no panic").expect("clean exit");
}
