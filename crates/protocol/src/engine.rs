//! The engine: everything a node process decides, as a pure state machine.
//!
//! Two kinds of event go in: a line that arrived ([`Engine::handle_line`]) and
//! the passing of time ([`Engine::handle_deadlines`]). Lines come out, in an
//! [`Output`]: messages for stdout and log lines for stderr. In between, the
//! engine answers `init`, decides what each line is (a reply to one of our
//! RPCs, a request, or garbage), calls the node, and carries out the effects
//! the node recorded: messages to write, RPC attempts to send, timers to arm.
//!
//! It does no I/O, reads no clock and draws no entropy. The time is whatever
//! the caller says, with every event; the randomness (retry jitter, and
//! whatever node code draws through [`Context::rng`]) comes from one RNG seeded
//! with [`EngineConfig::seed`]. So the same seed and the same events in the
//! same order give the same output, byte for byte: that is what lets a
//! simulator step many engines on a virtual clock and replay a failing run. The
//! stdio loop (`stdio.rs`) is the other driver: it feeds real lines at real
//! times and does the reading and writing. This is the "engine emits commands,
//! runtime performs them" split of raft-rs and openraft.
//!
//! Bad input never stops the engine (maelstrom.md §1.1, §1.4): a line that
//! isn't a JSON envelope is logged and skipped; a request whose body doesn't
//! parse gets error 12 (malformed-request), or 10 (not-supported) when its
//! `type` is one the node doesn't know; a reply nobody is waiting for is
//! handed to the node if it can read it, else logged. Before `init`, a request
//! gets error 11 (temporarily-unavailable).
//!
//! Left out on purpose: no handler concurrency (one event at a time, so nodes
//! need no locks), and nothing survives the process (Maelstrom never restarts
//! a node).

use std::collections::BTreeMap;
use std::time::Duration;

use rand::rngs::SmallRng;
use rand::SeedableRng;

use crate::classify::{classify_bad_request, clip, header_of};
use crate::error::{Error, ErrorCode};
use crate::message::{Body, Init, InitPayload, Message, RawMessage};
use crate::node::{as_error, CallId, Context, Effect, Node, Outgoing, RpcReply};
use crate::rpc::RpcOptions;
use crate::time::Instant;

/// What an engine is built with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngineConfig {
    /// Seeds the engine's one RNG: retry jitter and [`Context::rng`].
    pub seed: u64,
    /// The node binary's arguments, handed to the node as [`Context::args`].
    pub args: Vec<String>,
}

/// What the engine produced while handling events. The driver takes the
/// lines out (and may keep the vectors, to reuse their capacity).
#[derive(Debug, Default)]
pub struct Output {
    /// Complete JSON messages for stdout, without the newline.
    pub lines: Vec<String>,
    /// Lines for stderr, without the newline, each prefixed `[<node id>] `.
    pub logs: Vec<String>,
}

/// One node's engine. See the module documentation.
pub struct Engine<N: Node> {
    state: State<N>,
    /// The latest time handed in: time never runs backwards.
    now: Instant,
}

enum State<N: Node> {
    /// No `init` yet: what the node's context will be built with.
    AwaitingInit {
        rng: SmallRng,
        args: Vec<String>,
    },
    Running(Box<Running<N>>),
}

impl<N: Node> Engine<N> {
    pub fn new(config: EngineConfig) -> Engine<N> {
        Engine {
            state: State::AwaitingInit {
                rng: SmallRng::seed_from_u64(config.seed),
                args: config.args,
            },
            now: Instant::ZERO,
        }
    }

    /// One input line (no trailing newline) arriving at `now`.
    pub fn handle_line(&mut self, line: &str, now: Instant, out: &mut Output) {
        self.advance_to(now);
        match &mut self.state {
            State::Running(running) => running.handle_line(line, now, out),
            State::AwaitingInit { rng, args } => {
                if let Some(init) = answer_init(line, out) {
                    let running = Running::start(&init, now, rng.clone(), args.clone(), out);
                    self.state = State::Running(Box::new(running));
                }
            }
        }
    }

    /// Fires every timer, RPC timeout and resend due at or before `now`.
    pub fn handle_deadlines(&mut self, now: Instant, out: &mut Output) {
        self.advance_to(now);
        if let State::Running(running) = &mut self.state {
            running.fire_due(now, out);
        }
    }

    /// When `handle_deadlines` next has something to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        match &self.state {
            State::Running(running) => running.deadlines.keys().next().map(|(at, _)| *at),
            State::AwaitingInit { .. } => None,
        }
    }

    /// The node, once `init` has built it (for tests and the simulator's final checks).
    pub fn node(&self) -> Option<&N> {
        match &self.state {
            State::Running(running) => Some(&running.node),
            State::AwaitingInit { .. } => None,
        }
    }

    /// This node's id once initialised.
    pub fn node_id(&self) -> Option<&str> {
        match &self.state {
            State::Running(running) => Some(running.ctx.node_id()),
            State::AwaitingInit { .. } => None,
        }
    }

    fn advance_to(&mut self, now: Instant) {
        assert!(
            now >= self.now,
            "time runs backwards: an event at {now:?} after one at {:?}",
            self.now
        );
        self.now = now;
    }
}

impl<N: Node> std::fmt::Debug for Engine<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("Engine");
        debug.field("now", &self.now);
        match &self.state {
            State::AwaitingInit { .. } => debug.field("state", &"awaiting init"),
            State::Running(running) => debug
                .field("node_id", &running.ctx.node_id())
                .field("calls_pending", &running.calls.len())
                .field("deadlines", &running.deadlines.len()),
        };
        debug.finish()
    }
}

/// Answers `line` if it is `init` and returns what it says; anything else
/// before init is refused with error 11 (temporarily-unavailable) if it
/// expects a reply (maelstrom.md §1.3: init comes first).
fn answer_init(line: &str, out: &mut Output) -> Option<Init> {
    let Ok(Message {
        src,
        dest,
        body:
            Body {
                msg_id,
                payload: InitPayload::Init { node_id, node_ids },
                ..
            },
    }) = serde_json::from_str::<Message<InitPayload>>(line)
    else {
        refuse_before_init(line, out);
        return None;
    };
    let reply = Outgoing {
        src: &node_id,
        dest: &src,
        body: Body {
            msg_id: None,
            in_reply_to: msg_id,
            payload: InitPayload::InitOk,
        },
    };
    if dest != node_id {
        out.logs.push(format!(
            "[{node_id}] init addressed to {dest}; answering as {node_id}"
        ));
    }
    out.lines
        .push(serde_json::to_string(&reply).expect("init_ok serializes"));
    Some(Init { node_id, node_ids })
}

fn refuse_before_init(line: &str, out: &mut Output) {
    let Ok(raw) = serde_json::from_str::<RawMessage>(line) else {
        out.logs.push(format!(
            "[?] skipping a line that is not a message: {}",
            clip(line)
        ));
        return;
    };
    let header = header_of(&raw);
    let Some(msg_id) = header.msg_id.filter(|_| header.in_reply_to.is_none()) else {
        out.logs.push(format!(
            "[{}] dropping a message that arrived before init",
            raw.dest
        ));
        return;
    };
    let error = Error::new(ErrorCode::TemporarilyUnavailable, "not initialized yet");
    let reply = Outgoing {
        src: &raw.dest,
        dest: &raw.src,
        body: Body {
            msg_id: None,
            in_reply_to: Some(msg_id),
            payload: error.to_payload(),
        },
    };
    out.lines
        .push(serde_json::to_string(&reply).expect("error bodies serialize"));
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

/// The engine once `init` has built the node.
struct Running<N: Node> {
    node: N,
    ctx: Context<N::Tick>,
    calls: BTreeMap<CallId, PendingCall>,
    /// msg_id of an attempt → its call.
    attempts: BTreeMap<u64, CallId>,
    /// Timers, timeouts and resends in due order; the sequence number breaks
    /// ties in arming order, so equal instants fire in a reproducible order.
    deadlines: BTreeMap<(Instant, u64), Deadline<N::Tick>>,
    deadline_seq: u64,
    /// Where effects wait while they are carried out; kept to reuse its
    /// capacity (no allocation per event).
    effects: Vec<Effect<N::Tick>>,
}

impl<N: Node> Running<N> {
    fn start(
        init: &Init,
        now: Instant,
        rng: SmallRng,
        args: Vec<String>,
        out: &mut Output,
    ) -> Running<N> {
        let mut ctx = Context::new(init, now, rng, args);
        let node = N::from_init(init, &mut ctx);
        let mut running = Running {
            node,
            ctx,
            calls: BTreeMap::new(),
            attempts: BTreeMap::new(),
            deadlines: BTreeMap::new(),
            deadline_seq: 0,
            effects: Vec::new(),
        };
        running.apply_effects(out);
        running
    }

    fn handle_line(&mut self, line: &str, now: Instant, out: &mut Output) {
        self.ctx.set_now(now);
        // The common case in one parse: a request or peer message of a known type.
        if let Ok(message) = serde_json::from_str::<Message<N::Payload>>(line) {
            if message.body.in_reply_to.is_none() {
                self.node.on_message(message, &mut self.ctx);
                self.apply_effects(out);
                return;
            }
        }
        self.handle_unusual_line(line, out);
        self.apply_effects(out);
    }

    /// Replies, and everything that didn't parse as a payload. Rare enough
    /// that parsing the line again costs nothing that matters.
    fn handle_unusual_line(&mut self, line: &str, out: &mut Output) {
        let raw = match serde_json::from_str::<RawMessage>(line) {
            Ok(raw) => raw,
            Err(error) => {
                self.warn(
                    out,
                    &format!(
                        "skipping a line that is not a message ({error}): {}",
                        clip(line)
                    ),
                );
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
                self.warn(
                    out,
                    &format!("dropping a reply nobody waits for: {}", clip(line)),
                );
            }
            return;
        }
        let Some(msg_id) = header.msg_id else {
            self.warn(
                out,
                &format!(
                    "dropping an unreadable message without msg_id: {}",
                    clip(line)
                ),
            );
            return;
        };
        let error = classify_bad_request::<N::Payload>(&header, &raw, line);
        self.warn(out, &format!("answering {} to: {}", error, clip(line)));
        let reply = self.ctx.encode(&raw.src, Some(msg_id), error.to_payload());
        out.lines.push(reply);
    }

    /// Fires what was due when the call began. A timer armed meanwhile for "now" (an
    /// `after(Duration::ZERO)`) waits for the next call, so one call always ends, even
    /// for a node that re-arms itself with no delay forever; the driver then sees a
    /// deadline that is already due, and decides what to do about it.
    fn fire_due(&mut self, now: Instant, out: &mut Output) {
        self.ctx.set_now(now);
        let armed_before = self.deadline_seq;
        while let Some(entry) = self.deadlines.first_entry() {
            let (due, seq) = *entry.key();
            if due > now || seq > armed_before {
                break;
            }
            let ((due, _), deadline) = entry.remove_entry();
            match deadline {
                Deadline::Tick { tick, period } => {
                    if let Some(period) = period {
                        let next = next_beat(due, period, now);
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
                Deadline::Resend { call } => self.send_attempt(call, out),
            }
            self.apply_effects(out);
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
                let delay = backoff.delay(pending.attempts_made, self.ctx.rng());
                self.schedule(self.ctx.now() + delay, Deadline::Resend { call });
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

    /// Carries out what the node asked for, in the order it asked.
    fn apply_effects(&mut self, out: &mut Output) {
        let mut effects = std::mem::take(&mut self.effects);
        self.ctx.move_effects_to(&mut effects);
        for effect in effects.drain(..) {
            match effect {
                Effect::Send(line) => out.lines.push(line),
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
                    self.send_attempt(call, out);
                }
                Effect::Timer {
                    delay,
                    period,
                    tick,
                } => self.schedule(self.ctx.now() + delay, Deadline::Tick { tick, period }),
                Effect::Log(text) => self.warn(out, &text),
            }
        }
        self.effects = effects;
    }

    fn send_attempt(&mut self, call: CallId, out: &mut Output) {
        let msg_id = self.ctx.next_msg_id();
        let Some(pending) = self.calls.get_mut(&call) else {
            return;
        };
        pending.attempts_made += 1;
        pending.msg_ids.push(msg_id);
        let mut body = pending.body.clone();
        body["msg_id"] = msg_id.into();
        let message = Outgoing {
            src: self.ctx.node_id(),
            dest: &pending.dest,
            body,
        };
        out.lines
            .push(serde_json::to_string(&message).expect("JSON values serialize"));
        let attempt = pending.attempts_made;
        let timeout = pending.options.timeout;
        self.attempts.insert(msg_id, call);
        self.schedule(
            self.ctx.now() + timeout,
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

    fn warn(&self, out: &mut Output, text: &str) {
        out.logs.push(format!("[{}] {text}", self.ctx.node_id()));
    }
}

/// When a periodic timer that was due at `due` and fired at `now` fires next.
/// It keeps the beat (`due + period`, not `now + period`, so that handling time
/// does not add up into drift); after a stall longer than a period it skips the
/// missed beats rather than firing them in a burst.
fn next_beat(due: Instant, period: Duration, now: Instant) -> Instant {
    let next = due + period;
    if next > now {
        next
    } else {
        now + period
    }
}
