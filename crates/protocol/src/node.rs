//! The contract between node logic and the engine.
//!
//! A node is a state machine. The engine hands it events — a message, a timer
//! tick, the outcome of an RPC it started — and the node answers by recording
//! effects on a [`Context`]: messages to send, RPCs to start, timers to arm,
//! lines to log. The node never touches stdin, stdout or stderr, never reads a
//! clock and never draws entropy by itself: the time ([`Context::now`]), the
//! randomness ([`Context::rng`]) and the command line ([`Context::args`]) all
//! come from the engine. That is what lets the same node run as a binary under
//! Maelstrom, in-process in a unit test, where a test builds a [`Context`],
//! calls the handler and looks at what came out (see [`Context::for_test`]),
//! and in a simulator that replays a whole cluster from one seed.
//!
//! The alternative, handlers that `await` their RPCs, reads more like
//! straight-line code but hides the node's real state in suspended futures;
//! here every in-flight operation is a field the node owns and a test can see.

use std::time::Duration;

use rand::rngs::SmallRng;
use rand::SeedableRng;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, ErrorCode, ErrorPayload};
use crate::message::{Body, Init, Message};
use crate::rpc::RpcOptions;
use crate::time::Instant;

/// The seed of every [`Context::for_test`]: a unit test draws the same numbers
/// on every run.
const TEST_SEED: u64 = 0;

/// Node logic: what a challenge binary implements.
pub trait Node: Sized {
    /// Every message this node can receive: client requests and peer messages.
    /// An enum with `#[serde(tag = "type", rename_all = "snake_case")]`.
    type Payload: DeserializeOwned;
    /// The node's timer names, handed back in [`Node::on_tick`].
    type Tick: Clone + std::fmt::Debug;

    /// Builds the node once `init` has arrived. The engine has already
    /// answered `init_ok`. Arm periodic timers and read [`Context::args`] here.
    fn from_init(init: &Init, ctx: &mut Context<Self::Tick>) -> Self;

    /// A request from a client or a message from a peer.
    fn on_message(&mut self, message: Message<Self::Payload>, ctx: &mut Context<Self::Tick>);

    /// A timer armed with [`Context::every`] or [`Context::after`] fired.
    fn on_tick(&mut self, tick: Self::Tick, ctx: &mut Context<Self::Tick>) {
        let _ = (tick, ctx);
    }

    /// An RPC started with [`Context::rpc`] completed: with the reply, with
    /// the error the callee sent, or with a timeout.
    fn on_reply(&mut self, reply: RpcReply, ctx: &mut Context<Self::Tick>) {
        let _ = (reply, ctx);
    }
}

/// Names one RPC for the node that started it. Retries of the same call keep
/// the same `CallId` even though each attempt has a fresh `msg_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

/// The outcome of an RPC.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcReply {
    pub call: CallId,
    /// The reply body (`type` and all) or the error that ended the call.
    pub result: Result<serde_json::Value, Error>,
}

impl RpcReply {
    /// Decodes a successful reply into `T` (usually a payload enum). A reply
    /// that doesn't parse is reported as a malformed-request error, so callers
    /// handle one error type.
    pub fn decode<T: DeserializeOwned>(self) -> Result<T, Error> {
        let body = self.result?;
        // serde would read a numeric tag as a variant's position; a reply's
        // `type` is a string or the reply is malformed (maelstrom.md §1.2).
        if !body.get("type").is_some_and(serde_json::Value::is_string) {
            return Err(Error::new(
                ErrorCode::MalformedRequest,
                "unexpected reply: the body has no string \"type\"",
            ));
        }
        serde_json::from_value(body).map_err(|error| {
            Error::new(
                ErrorCode::MalformedRequest,
                format!("unexpected reply: {error}"),
            )
        })
    }
}

/// What a handler asks the engine to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect<T> {
    /// A complete JSON line for stdout (without the newline).
    Send(String),
    /// Start an RPC; its outcome comes back through [`Node::on_reply`].
    Rpc {
        call: CallId,
        dest: String,
        body: serde_json::Value,
        options: RpcOptions,
    },
    /// Fire `tick` after `delay`, and then every `period` if there is one.
    Timer {
        delay: Duration,
        period: Option<Duration>,
        tick: T,
    },
    /// A line for stderr (without the node-id prefix the engine adds).
    Log(String),
}

/// The node's view of the world during one event: who it is, what time it is,
/// its command line, its source of randomness, and a place to put the effects
/// it wants.
#[derive(Debug)]
pub struct Context<T> {
    node_id: String,
    node_ids: Vec<String>,
    now: Instant,
    next_msg_id: u64,
    next_call_id: u64,
    effects: Vec<Effect<T>>,
    /// The engine's one seeded RNG: retry jitter and node code draw from it
    /// in event order, so a seed replays both.
    rng: SmallRng,
    args: Vec<String>,
}

impl<T> Context<T> {
    pub(crate) fn new(init: &Init, now: Instant, rng: SmallRng, args: Vec<String>) -> Context<T> {
        Context {
            node_id: init.node_id.clone(),
            node_ids: init.node_ids.clone(),
            now,
            // Message ids start at 1, as Maelstrom's own clients do: some
            // libraries read `in_reply_to: 0` as "not a reply" (spec §8.2).
            next_msg_id: 1,
            next_call_id: 1,
            effects: Vec::new(),
            rng,
            args,
        }
    }

    /// A context for unit tests of node logic: no engine, time frozen at
    /// [`Instant::ZERO`] (see [`Context::advance_for_test`]), a fixed seed, no
    /// arguments.
    pub fn for_test(node_id: &str, node_ids: &[&str]) -> Context<T> {
        Context::for_test_with_args(node_id, node_ids, &[])
    }

    /// [`Context::for_test`] for a node started with `args` on its command line.
    pub fn for_test_with_args(node_id: &str, node_ids: &[&str], args: &[&str]) -> Context<T> {
        let init = Init {
            node_id: node_id.to_string(),
            node_ids: node_ids.iter().map(|id| id.to_string()).collect(),
        };
        let args = args.iter().map(|arg| arg.to_string()).collect();
        Context::new(
            &init,
            Instant::ZERO,
            SmallRng::seed_from_u64(TEST_SEED),
            args,
        )
    }

    /// This node's id (`n0`).
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// Every node's id, this one included, as Maelstrom listed them.
    pub fn node_ids(&self) -> &[String] {
        &self.node_ids
    }

    /// The time of the event being handled, exactly as the engine's driver
    /// handed it in. Reading it twice in one handler gives the same answer.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The node binary's arguments: under Maelstrom, the positional arguments
    /// of `maelstrom test` (maelstrom.md §2); under the stdio loop, everything
    /// after the program name.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The engine's seeded source of randomness. Draw from nothing else:
    /// a run is only replayable if every random choice comes from here.
    pub fn rng(&mut self) -> &mut SmallRng {
        &mut self.rng
    }

    /// Records a line for stderr, where Maelstrom keeps each node's log. The
    /// engine prefixes it with the node id, as it does its own lines.
    pub fn log(&mut self, text: impl Into<String>) {
        self.effects.push(Effect::Log(text.into()));
    }

    pub(crate) fn set_now(&mut self, now: Instant) {
        self.now = now;
    }

    /// Moves the clock of a test context forward.
    pub fn advance_for_test(&mut self, by: Duration) {
        self.now += by;
    }

    /// Answers `request` with `payload`.
    pub fn reply<P, R: Serialize>(&mut self, request: &Message<P>, payload: R) {
        let in_reply_to = request.body.msg_id;
        self.push_message(&request.src, in_reply_to, payload);
    }

    /// Answers `request` with a Maelstrom error body.
    pub fn reply_error<P>(&mut self, request: &Message<P>, error: &Error) {
        self.reply(request, error.to_payload());
    }

    /// Sends `payload` to `dest` without expecting a reply.
    pub fn send<R: Serialize>(&mut self, dest: &str, payload: R) {
        self.push_message(dest, None, payload);
    }

    /// Starts an RPC with the default options (one attempt, 1 s timeout).
    pub fn rpc<R: Serialize>(&mut self, dest: &str, payload: R) -> CallId {
        self.rpc_with(dest, payload, RpcOptions::default())
    }

    /// Starts an RPC with a timeout and retry policy of the caller's choosing.
    pub fn rpc_with<R: Serialize>(
        &mut self,
        dest: &str,
        payload: R,
        options: RpcOptions,
    ) -> CallId {
        let call = CallId(self.next_call_id);
        self.next_call_id += 1;
        let body = serde_json::to_value(payload).expect("payload types serialize to JSON objects");
        assert!(body.is_object(), "an RPC payload must be a JSON object");
        self.effects.push(Effect::Rpc {
            call,
            dest: dest.to_string(),
            body,
            options,
        });
        call
    }

    /// Fires `tick` every `period`, starting one period from now.
    pub fn every(&mut self, period: Duration, tick: T) {
        assert!(
            !period.is_zero(),
            "a periodic timer needs a non-zero period"
        );
        self.effects.push(Effect::Timer {
            delay: period,
            period: Some(period),
            tick,
        });
    }

    /// Fires `tick` once, `delay` from now.
    pub fn after(&mut self, delay: Duration, tick: T) {
        self.effects.push(Effect::Timer {
            delay,
            period: None,
            tick,
        });
    }

    /// Takes the effects recorded so far (a test, or a driver of its own, does this).
    pub fn take_effects(&mut self) -> Vec<Effect<T>> {
        std::mem::take(&mut self.effects)
    }

    /// Moves the effects recorded so far to the end of `into`, keeping this
    /// context's buffer: the engine's way, with no allocation per event.
    pub(crate) fn move_effects_to(&mut self, into: &mut Vec<Effect<T>>) {
        into.append(&mut self.effects);
    }

    /// Test helper: the messages sent so far (replies and sends, not RPCs),
    /// decoded, and removed from the context.
    pub fn take_sent<P: DeserializeOwned>(&mut self) -> Vec<Message<P>> {
        let mut sent = Vec::new();
        self.effects.retain(|effect| match effect {
            Effect::Send(line) => {
                let message =
                    serde_json::from_str(line).expect("a context only records valid messages");
                sent.push(message);
                false
            }
            _ => true,
        });
        sent
    }

    /// Test helper: the lines logged so far, removed from the context.
    pub fn take_logs(&mut self) -> Vec<String> {
        let mut logs = Vec::new();
        self.effects.retain_mut(|effect| match effect {
            Effect::Log(text) => {
                logs.push(std::mem::take(text));
                false
            }
            _ => true,
        });
        logs
    }

    /// Allocates the next message id: unique per node, starting at 1.
    pub(crate) fn next_msg_id(&mut self) -> u64 {
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        id
    }

    /// Encodes one outgoing message with a fresh `msg_id`.
    pub(crate) fn encode<R: Serialize>(
        &mut self,
        dest: &str,
        in_reply_to: Option<u64>,
        payload: R,
    ) -> String {
        let msg_id = self.next_msg_id();
        let message = Outgoing {
            src: &self.node_id,
            dest,
            body: Body {
                msg_id: Some(msg_id),
                in_reply_to,
                payload,
            },
        };
        serde_json::to_string(&message).expect("payload types serialize to JSON")
    }

    fn push_message<R: Serialize>(&mut self, dest: &str, in_reply_to: Option<u64>, payload: R) {
        let line = self.encode(dest, in_reply_to, payload);
        self.effects.push(Effect::Send(line));
    }
}

/// A [`Message`] that borrows its addresses: encoding a reply costs one
/// String (the line), not three.
#[derive(Serialize)]
pub(crate) struct Outgoing<'a, P> {
    pub src: &'a str,
    pub dest: &'a str,
    pub body: P,
}

/// Decodes an error reply body into a typed [`Error`], if it is one.
pub(crate) fn as_error(body: &serde_json::Value) -> Option<Error> {
    if body.get("type").and_then(|kind| kind.as_str()) != Some("error") {
        return None;
    }
    match serde_json::from_value::<ErrorPayload>(body.clone()) {
        Ok(payload) => Some(payload.into()),
        Err(error) => Some(Error::new(
            ErrorCode::MalformedRequest,
            format!("unreadable error reply: {error}"),
        )),
    }
}
