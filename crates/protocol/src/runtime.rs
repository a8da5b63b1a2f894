//! The event loop that turns a [`Node`] into a Maelstrom process.
//!
//! It does every piece of I/O the node doesn't: it answers `init`, reads
//! lines, decides what each line is (a reply to one of our RPCs, a request, or
//! garbage), calls the node, and carries out the effects the node recorded:
//! writing messages, sending RPC attempts, arming timers. One loop, one task:
//! the node is never called concurrently with itself, so it needs no locks.
//!
//! Time comes from `tokio::time`, so under `#[tokio::test(start_paused = true)]`
//! a test can run seconds of timers and timeouts instantly and deterministically.
//!
//! Bad input never stops the loop (maelstrom-spec §1.1, §1.4): a line that isn't
//! a JSON envelope is logged to stderr and skipped; a request whose body doesn't
//! parse gets error 12 (malformed-request), or 10 (not-supported) when its
//! `type` is one the node doesn't know; a reply nobody is waiting for is logged.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::SeedableRng;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::error::{Error, ErrorCode};
use crate::message::{Body, Header, Init, InitPayload, Message, RawMessage};
use crate::node::{as_error, CallId, Context, Effect, Node, RpcReply};
use crate::rpc::RpcOptions;
use crate::transport::Transport;

/// How many queued lines to handle before looking at timers again. Bounds how
/// late a timer can fire when input floods in.
const LINES_PER_TURN_MAX: usize = 256;

/// Runs `N` on stdin/stdout until stdin closes. What a challenge's `main` calls.
pub fn run_stdio<N: Node>() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    runtime.block_on(run::<N>(Transport::stdio()))
}

/// Runs `N` on any transport until its input closes.
pub async fn run<N: Node>(mut transport: Transport) -> anyhow::Result<()> {
    let Some(init) = await_init(&mut transport).await else {
        return Ok(());
    };
    let mut ctx = Context::new(&init, Instant::now());
    let node = N::from_init(&init, &mut ctx);
    let mut runtime = Runtime {
        node,
        ctx,
        out: transport.outgoing.clone(),
        calls: BTreeMap::new(),
        attempts: HashMap::new(),
        deadlines: BTreeMap::new(),
        deadline_seq: 0,
        rng: SmallRng::from_entropy(),
    };
    runtime.apply_effects();
    runtime.serve(&mut transport).await;
    drop(runtime);
    drop(transport.outgoing);
    if let Some(writer) = transport.writer.take() {
        writer
            .join()
            .map_err(|_| anyhow::anyhow!("the stdout writer thread panicked"))?;
    }
    Ok(())
}

/// Reads until `init` arrives and answers it. Anything before it is answered
/// with error 11 (temporarily-unavailable) if it expects a reply.
async fn await_init(transport: &mut Transport) -> Option<Init> {
    while let Some(line) = transport.incoming.recv().await {
        match serde_json::from_str::<Message<InitPayload>>(&line) {
            Ok(Message {
                src,
                dest,
                body:
                    Body {
                        msg_id,
                        payload: InitPayload::Init { node_id, node_ids },
                        ..
                    },
            }) => {
                let reply = Message {
                    src: node_id.clone(),
                    dest: src,
                    body: Body {
                        msg_id: None,
                        in_reply_to: msg_id,
                        payload: InitPayload::InitOk,
                    },
                };
                if dest != node_id {
                    log(
                        &node_id,
                        &format!("init addressed to {dest}; answering as {node_id}"),
                    );
                }
                let line = serde_json::to_string(&reply).expect("init_ok serializes");
                let _ = transport.outgoing.send(line);
                return Some(Init { node_id, node_ids });
            }
            _ => refuse_before_init(transport, &line),
        }
    }
    None
}

fn refuse_before_init(transport: &Transport, line: &str) {
    let Ok(raw) = serde_json::from_str::<RawMessage>(line) else {
        log(
            "?",
            &format!("skipping a line that is not a message: {}", clip(line)),
        );
        return;
    };
    let header = header_of(&raw);
    let Some(msg_id) = header.msg_id.filter(|_| header.in_reply_to.is_none()) else {
        log(&raw.dest, "dropping a message that arrived before init");
        return;
    };
    let error = Error::new(ErrorCode::TemporarilyUnavailable, "not initialized yet");
    let reply = Message {
        src: raw.dest,
        dest: raw.src,
        body: Body {
            msg_id: None,
            in_reply_to: Some(msg_id),
            payload: error.to_payload(),
        },
    };
    let line = serde_json::to_string(&reply).expect("error bodies serialize");
    let _ = transport.outgoing.send(line);
}

/// Something due at an instant.
#[derive(Debug)]
enum Deadline<T> {
    Tick {
        tick: T,
        period: Option<Duration>,
    },
    /// Attempt number `attempt` of `call` has waited long enough.
    AttemptTimeout {
        call: CallId,
        attempt: u32,
    },
    /// Time to send the next attempt of `call`.
    Resend {
        call: CallId,
    },
}

/// An RPC in flight.
#[derive(Debug)]
struct PendingCall {
    dest: String,
    body: serde_json::Value,
    options: RpcOptions,
    attempts_made: u32,
    /// Every attempt's msg_id: a late reply to any of them completes the call.
    msg_ids: Vec<u64>,
}

struct Runtime<N: Node> {
    node: N,
    ctx: Context<N::Tick>,
    out: tokio::sync::mpsc::UnboundedSender<String>,
    calls: BTreeMap<CallId, PendingCall>,
    /// msg_id of an attempt → its call.
    attempts: HashMap<u64, CallId>,
    /// Timers, timeouts and resends in due order; the sequence number breaks ties
    /// in arming order.
    deadlines: BTreeMap<(Instant, u64), Deadline<N::Tick>>,
    deadline_seq: u64,
    rng: SmallRng,
}

impl<N: Node> Runtime<N> {
    async fn serve(&mut self, transport: &mut Transport) {
        loop {
            let next_deadline = self.deadlines.keys().next().map(|(at, _)| *at);
            tokio::select! {
                biased;
                line = transport.incoming.recv() => {
                    let Some(line) = line else { return };
                    self.handle_line(&line);
                    for _ in 1..LINES_PER_TURN_MAX {
                        match transport.incoming.try_recv() {
                            Ok(line) => self.handle_line(&line),
                            Err(_) => break,
                        }
                    }
                }
                () = sleep_until_or_forever(next_deadline) => self.fire_due(),
            }
        }
    }

    fn handle_line(&mut self, line: &str) {
        self.ctx.set_now(Instant::now());
        // The common case in one parse: a request or peer message of a known type.
        if let Ok(message) = serde_json::from_str::<Message<N::Payload>>(line) {
            if message.body.in_reply_to.is_none() {
                self.node.on_message(message, &mut self.ctx);
                self.apply_effects();
                return;
            }
        }
        self.handle_unusual_line(line);
        self.apply_effects();
    }

    /// Replies, and everything that didn't parse as a payload.
    fn handle_unusual_line(&mut self, line: &str) {
        let raw = match serde_json::from_str::<RawMessage>(line) {
            Ok(raw) => raw,
            Err(error) => {
                self.warn(&format!(
                    "skipping a line that is not a message ({error}): {}",
                    clip(line)
                ));
                return;
            }
        };
        let header = header_of(&raw);
        if let Some(in_reply_to) = header.in_reply_to {
            if let Some(call) = self.attempts.get(&in_reply_to).copied() {
                let body = serde_json::Value::Object(raw.body);
                let result = match as_error(&body) {
                    Some(error) => Err(error),
                    None => Ok(body),
                };
                self.complete_call(call, result);
                return;
            }
            // Not ours (a late reply after a timeout, or an ack the node
            // handles itself): give it to the node if it can read it.
            if let Ok(message) = serde_json::from_str::<Message<N::Payload>>(line) {
                self.node.on_message(message, &mut self.ctx);
            } else {
                self.warn(&format!(
                    "dropping a reply nobody waits for: {}",
                    clip(line)
                ));
            }
            return;
        }
        let Some(msg_id) = header.msg_id else {
            self.warn(&format!(
                "dropping an unreadable message without msg_id: {}",
                clip(line)
            ));
            return;
        };
        let error = classify_bad_request::<N::Payload>(&header, &raw, line);
        self.warn(&format!("answering {} to: {}", error, clip(line)));
        let reply = self.ctx.encode(&raw.src, Some(msg_id), error.to_payload());
        self.write(reply);
    }

    fn fire_due(&mut self) {
        let now = Instant::now();
        self.ctx.set_now(now);
        while let Some(entry) = self.deadlines.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let ((due, _), deadline) = entry.remove_entry();
            match deadline {
                Deadline::Tick { tick, period } => {
                    if let Some(period) = period {
                        // Keep the beat; after a stall, skip the missed beats.
                        let next = (due + period).max(now);
                        self.schedule(
                            next,
                            Deadline::Tick {
                                tick: tick.clone(),
                                period: Some(period),
                            },
                        );
                    }
                    self.node.on_tick(tick, &mut self.ctx);
                }
                Deadline::AttemptTimeout { call, attempt } => self.attempt_timed_out(call, attempt),
                Deadline::Resend { call } => self.send_attempt(call),
            }
            self.apply_effects();
        }
    }

    fn attempt_timed_out(&mut self, call: CallId, attempt: u32) {
        let Some(pending) = self.calls.get(&call) else {
            return; // Completed already.
        };
        if pending.attempts_made != attempt {
            return; // A newer attempt is in flight.
        }
        match pending.options.retry {
            Some(backoff) if backoff.allows(pending.attempts_made) => {
                let delay = backoff.delay(pending.attempts_made, &mut self.rng);
                self.schedule(Instant::now() + delay, Deadline::Resend { call });
            }
            _ => {
                let text = format!(
                    "no reply from {} after {} attempt(s)",
                    pending.dest, pending.attempts_made
                );
                self.complete_call(call, Err(Error::timeout(text)));
            }
        }
    }

    /// Carries out what the node asked for.
    fn apply_effects(&mut self) {
        for effect in self.ctx.take_effects() {
            match effect {
                Effect::Send(line) => self.write(line),
                Effect::Rpc {
                    call,
                    dest,
                    body,
                    options,
                } => {
                    let pending = PendingCall {
                        dest,
                        body,
                        options,
                        attempts_made: 0,
                        msg_ids: Vec::new(),
                    };
                    let previous = self.calls.insert(call, pending);
                    assert!(previous.is_none(), "call ids are never reused");
                    self.send_attempt(call);
                }
                Effect::Timer {
                    delay,
                    period,
                    tick,
                } => self.schedule(Instant::now() + delay, Deadline::Tick { tick, period }),
            }
        }
    }

    fn send_attempt(&mut self, call: CallId) {
        let msg_id = self.ctx.next_msg_id();
        let Some(pending) = self.calls.get_mut(&call) else {
            return;
        };
        pending.attempts_made += 1;
        pending.msg_ids.push(msg_id);
        let mut body = pending.body.clone();
        body["msg_id"] = msg_id.into();
        let message = serde_json::json!({
            "src": self.ctx.node_id(),
            "dest": pending.dest,
            "body": body,
        });
        let attempt = pending.attempts_made;
        let timeout = pending.options.timeout;
        self.attempts.insert(msg_id, call);
        self.write(message.to_string());
        self.schedule(
            Instant::now() + timeout,
            Deadline::AttemptTimeout { call, attempt },
        );
    }

    /// Ends a call: forgets every attempt, then tells the node.
    fn complete_call(&mut self, call: CallId, result: Result<serde_json::Value, Error>) {
        let pending = self
            .calls
            .remove(&call)
            .expect("complete_call is only called for pending calls");
        for msg_id in &pending.msg_ids {
            self.attempts.remove(msg_id);
        }
        self.node.on_reply(RpcReply { call, result }, &mut self.ctx);
    }

    fn schedule(&mut self, at: Instant, deadline: Deadline<N::Tick>) {
        self.deadline_seq += 1;
        self.deadlines.insert((at, self.deadline_seq), deadline);
    }

    fn write(&mut self, line: String) {
        // The receiver only goes away at shutdown; nothing useful to do then.
        let _ = self.out.send(line);
    }

    fn warn(&self, text: &str) {
        log(self.ctx.node_id(), text);
    }
}

impl<N: Node> std::fmt::Debug for Runtime<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("node_id", &self.ctx.node_id())
            .field("calls_pending", &self.calls.len())
            .field("deadlines", &self.deadlines.len())
            .finish()
    }
}

async fn sleep_until_or_forever(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn header_of(raw: &RawMessage) -> Header {
    let number = |key: &str| raw.body.get(key).and_then(serde_json::Value::as_u64);
    Header {
        msg_id: number("msg_id"),
        in_reply_to: number("in_reply_to"),
        kind: raw
            .body
            .get("type")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string),
    }
}

/// Error 10 for a `type` the node doesn't know, 12 for anything else wrong.
fn classify_bad_request<P: DeserializeOwned>(
    header: &Header,
    raw: &RawMessage,
    line: &str,
) -> Error {
    let Some(kind) = &header.kind else {
        return Error::new(
            ErrorCode::MalformedRequest,
            "the body has no string \"type\"",
        );
    };
    if !crate::probe::is_known_type::<P>(kind) {
        return Error::new(
            ErrorCode::NotSupported,
            format!("unsupported message type {kind:?}"),
        );
    }
    let reason = match serde_json::from_str::<Message<P>>(line) {
        Err(error) => error.to_string(),
        Ok(_) => format!(
            "unexpected fields in {}",
            serde_json::Value::Object(raw.body.clone())
        ),
    };
    Error::new(
        ErrorCode::MalformedRequest,
        format!("malformed {kind:?}: {reason}"),
    )
}

pub(crate) fn log(node_id: &str, text: &str) {
    eprintln!("[{node_id}] {text}");
}

/// Keeps log lines readable when the input is huge.
fn clip(line: &str) -> String {
    const SHOWN_CHARS_MAX: usize = 200;
    if line.chars().count() <= SHOWN_CHARS_MAX {
        line.to_string()
    } else {
        let shown: String = line.chars().take(SHOWN_CHARS_MAX).collect();
        format!("{shown}…")
    }
}
