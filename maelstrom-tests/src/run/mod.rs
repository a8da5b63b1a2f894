//! One run of a workload, start to finish, as a pure state machine (maelstrom.md §6 "Run
//! lifecycle"): services → `init` (10 s) → client setup (5 s) → main phase (workers
//! under one global stagger, plus the nemesis) → wait for in-flight ops → [heal, 10 s of
//! quiet, final ops] → done. The checkers and the store come after ([`report`]).
//!
//! [`World`] holds everything Maelstrom holds *except the nodes*: the network, the
//! services, the clients, the generator, the nemesis and the history. It reads no clock
//! and does no I/O. A driver hands it the lines nodes print ([`World::on_node_line`])
//! and the time ([`World::advance`]), and writes the lines it gets back to the nodes.
//! There are two drivers: `process` runs nodes as child processes in real time (the
//! Maelstrom experience), `sim` runs node engines in-process on a virtual clock (a run
//! in a second, replayable from its seed). Everything in this module is shared.
//!
//! Files: [`seeds`] (one stream per subsystem), [`history`] (the recorder),
//! [`nemesis`], `services`, `calls` (client requests awaiting replies), `workers`
//! (the schedule and the worker threads), [`report`] (checkers, store, verdict).

mod calls;
pub mod history;
pub mod nemesis;
pub mod report;
pub mod seeds;
mod services;
mod workers;

use maelstrom_checker::Op;
use maelstrom_model::network::{self, Class, EndpointId, Journal, Network, Traffic};
use maelstrom_model::{Latency, LatencyDist, Workload, WorkloadOptions};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::cli::TestConfig;
use calls::{Calls, Purpose};
use history::Recorder;
use nemesis::Nemesis;
use seeds::Seeds;
use services::Services;
use workers::Workers;

/// Maelstrom's init timeout (maelstrom.md §1.3).
pub const INIT_TIMEOUT_MS: u64 = 10_000;
/// The default RPC timeout, used for client setup such as `topology` (maelstrom.md §1.5).
pub const SETUP_TIMEOUT_MS: u64 = 5_000;
/// The quiet period between the final heal and the final ops (maelstrom.md §3 intro).
pub const RECOVERY_MS: u64 = 10_000;

const NS_PER_MS: u64 = 1_000_000;
const NS_PER_S: u64 = 1_000_000_000;

/// Why a run stopped before its checkers: reported with the node's last lines, exit 255.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Abort {
    pub message: String,
    /// The node to blame, by index, when there is one.
    pub node: Option<usize>,
}

/// A node that printed a line Maelstrom refuses: it is never read again (maelstrom.md §1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Muted {
    pub line: String,
    pub reason: String,
}

/// A line for the console, as the run goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    /// Warnings go to stderr, progress to stdout.
    pub warning: bool,
}

/// What a driver can show while the run goes (the progress line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub phase: &'static str,
    /// ns into the main phase (0 before it starts).
    pub elapsed_ns: u64,
    pub time_limit_ns: u64,
    pub invocations: usize,
    pub messages: u64,
    pub partitioned: bool,
}

/// How the run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// Every phase ran; the history is ready for the checkers.
    Completed,
    /// A node crashed, hung or failed init or setup.
    Aborted(Abort),
    /// The harness was told to stop (SIGINT or SIGTERM, named here).
    Interrupted(String),
}

/// Everything a finished run leaves behind for the checkers and the store.
#[derive(Debug)]
pub struct Finished {
    pub history: Vec<Op>,
    pub traffic: Traffic,
    pub journal: Journal,
    /// ns from the start of the run to the history's time zero (the main phase).
    pub origin_ns: u64,
    /// ns from the start of the run to its end.
    pub end_ns: u64,
    pub muted: Vec<(String, Muted)>,
    pub end: End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Init {
        pending: usize,
    },
    Setup {
        pending: usize,
    },
    Main {
        end_ns: u64,
    },
    /// The time limit passed: no new ops, waiting for the ones in flight.
    MainDrain,
    Recovery {
        until_ns: u64,
    },
    Final {
        end_ns: Option<u64>,
    },
    FinalDrain,
    Done,
    Stopped,
}

/// What an id on the network is to the run.
#[derive(Clone, Copy, Debug)]
enum Role {
    Node(usize),
    Client,
    Service(usize),
}

#[derive(Debug)]
struct NodeSlot {
    name: String,
    endpoint: EndpointId,
    muted: Option<Muted>,
}

/// One run: network, services, clients, generator, nemesis and history (see the module doc).
pub struct World {
    config: TestConfig,
    seeds: Seeds,
    net: Network,
    roles: Vec<Role>,
    nodes: Vec<NodeSlot>,
    services: Services,
    workload: Box<dyn Workload>,
    workers: Workers,
    calls: Calls,
    nemesis: Option<Nemesis>,
    recorder: Recorder,
    phase: Phase,
    end: End,
    now_ns: u64,
    /// The history's time zero: when the main phase began.
    origin_ns: u64,
    notices: Vec<Notice>,
    /// The reply type client setup expects (`topology_ok`).
    setup_reply_type: Option<String>,
}

impl std::fmt::Debug for World {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("World")
            .field("phase", &self.phase)
            .field("now_ns", &self.now_ns)
            .finish_non_exhaustive()
    }
}

/// The only keys a node may print (Maelstrom's closed `Message` schema, maelstrom.md §1.1).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutgoingEnvelope<'a> {
    #[serde(borrow)]
    src: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    dest: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    body: &'a RawValue,
    /// Validated (an integer when present, not even null), then ignored, as Maelstrom does.
    #[serde(default)]
    #[allow(dead_code)] // Only its validation matters.
    id: IntegerId,
}

/// An optional `"id"` that must be an integer if present (`(optional-key :id) Int`).
#[derive(Default)]
struct IntegerId;

impl<'de> Deserialize<'de> for IntegerId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer).map(|_| IntegerId)
    }
}

impl World {
    /// Builds the run's world at time 0 and sends every node its `init`. An error is a
    /// bad argument (a workload, topology or latency Maelstrom would refuse).
    pub fn new(config: &TestConfig) -> Result<World, String> {
        let workload = build_workload(config)?;
        let dist = config
            .latency_dist
            .parse::<LatencyDist>()
            .map_err(|problem| format!("error: --latency-dist: {problem}"))?;
        let latency = Latency::new(config.latency_ms, dist)
            .map_err(|problem| format!("error: --latency-dist: {problem}"))?;
        let seeds = Seeds::derive(config.seed);
        let mut net = Network::new(latency, StdRng::seed_from_u64(seeds.latency));
        let mut roles = Vec::new();
        // Services start before the nodes (maelstrom.md §2).
        let services = Services::start(&mut net, seeds.services);
        for index in 0..services.len() {
            roles.push(Role::Service(index));
        }
        let nodes: Vec<NodeSlot> = config
            .nodes
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let endpoint = net.register(name, Class::Node);
                roles.push(Role::Node(index));
                NodeSlot {
                    name: name.clone(),
                    endpoint,
                    muted: None,
                }
            })
            .collect();
        let workers = Workers::new(config, &seeds);
        let mut world = World {
            config: config.clone(),
            seeds,
            net,
            roles,
            nodes,
            services,
            workload,
            workers,
            calls: Calls::default(),
            nemesis: None,
            recorder: Recorder::default(),
            phase: Phase::Init { pending: 0 },
            end: End::Completed,
            now_ns: 0,
            origin_ns: 0,
            notices: Vec::new(),
            setup_reply_type: None,
        };
        world.begin_init();
        Ok(world)
    }

    /// The node names, in index order.
    pub fn node_names(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|node| node.name.as_str())
    }

    /// The seeds the run derived from `--seed`.
    pub fn seeds(&self) -> &Seeds {
        &self.seeds
    }

    pub fn config(&self) -> &TestConfig {
        &self.config
    }

    /// True once the run needs nothing more from the driver.
    pub fn is_over(&self) -> bool {
        matches!(self.phase, Phase::Done | Phase::Stopped)
    }

    pub fn is_muted(&self, node: usize) -> bool {
        self.nodes[node].muted.is_some()
    }

    /// The console lines produced since the last call.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// One line node `node` printed on stdout at `now_ns`. A line that is not a valid
    /// envelope, or that names an id the network doesn't know, mutes the node for the
    /// rest of the run, as Maelstrom does (maelstrom.md §1.1).
    pub fn on_node_line(&mut self, node: usize, line: &str, now_ns: u64) {
        self.set_now(now_ns);
        if self.nodes[node].muted.is_some() || self.is_over() {
            return;
        }
        let reason = match serde_json::from_str::<OutgoingEnvelope>(line) {
            Ok(envelope) => match self.net.send(
                &envelope.src,
                &envelope.dest,
                envelope.body.to_owned(),
                now_ns,
            ) {
                Ok(_) => return,
                Err(error) => error.to_string(),
            },
            Err(error) => error.to_string(),
        };
        let offending = line.trim_end().to_string();
        let name = &self.nodes[node].name;
        self.notices.push(Notice {
            text: format!("WARN {name} stdout {offending} Error! {reason}"),
            warning: true,
        });
        self.nodes[node].muted = Some(Muted {
            line: offending,
            reason,
        });
    }

    /// Runs everything due at or before `now_ns`; lines for nodes go to `to_nodes` as
    /// (node index, envelope line without its newline).
    pub fn advance(&mut self, now_ns: u64, to_nodes: &mut Vec<(usize, String)>) {
        self.set_now(now_ns);
        loop {
            let mut progressed = false;
            while let Some(message) = self.net.deliver(now_ns) {
                progressed = true;
                self.route(message, to_nodes);
            }
            while let Some((client, purpose)) = self.calls.take_timed_out(now_ns) {
                progressed = true;
                self.timed_out(client, purpose);
            }
            progressed |= self.step_phase(now_ns);
            if !progressed || self.is_over() {
                return;
            }
        }
    }

    /// When [`World::advance`] next has something to do; `None` once the run is over.
    pub fn next_deadline(&mut self) -> Option<u64> {
        if self.is_over() {
            return None;
        }
        let mut next = earliest(self.net.next_delivery_ns(), self.calls.next_timeout_ns());
        match self.phase {
            Phase::Main { end_ns } => {
                next = earliest(next, Some(end_ns));
                if let Some(nemesis) = &self.nemesis {
                    if nemesis.next_ns() < end_ns {
                        next = earliest(next, Some(nemesis.next_ns()));
                    }
                }
                next = earliest(next, self.workers.next_main_op_ns());
            }
            Phase::Recovery { until_ns } => next = earliest(next, Some(until_ns)),
            Phase::Final { end_ns } => {
                next = earliest(next, end_ns);
                next = earliest(next, self.workers.next_final_op_ns());
            }
            _ => {}
        }
        next
    }

    /// Ends the run early (a node crashed or hung); the checkers won't run.
    pub fn abort(&mut self, abort: Abort) {
        if self.is_over() {
            return;
        }
        self.end = End::Aborted(abort);
        self.phase = Phase::Stopped;
    }

    /// Ends the run early because the harness was told to stop; what was recorded is kept.
    pub fn interrupt(&mut self, signal: &str) {
        if self.is_over() {
            return;
        }
        self.end = End::Interrupted(signal.to_string());
        self.phase = Phase::Stopped;
    }

    pub fn progress(&self) -> Progress {
        let started = !matches!(self.phase, Phase::Init { .. } | Phase::Setup { .. });
        Progress {
            phase: match self.phase {
                Phase::Init { .. } => "init",
                Phase::Setup { .. } => "setup",
                Phase::Main { .. } | Phase::MainDrain => "main",
                Phase::Recovery { .. } => "recovery",
                Phase::Final { .. } | Phase::FinalDrain => "final",
                Phase::Done | Phase::Stopped => "done",
            },
            elapsed_ns: if started {
                self.now_ns - self.origin_ns
            } else {
                0
            },
            time_limit_ns: self.config.time_limit_s.saturating_mul(NS_PER_S),
            invocations: self.recorder.invocation_count(),
            messages: self.net.messages_sent(),
            partitioned: self.nemesis.as_ref().is_some_and(Nemesis::is_partitioned),
        }
    }

    /// What the checkers and the store need.
    pub fn finish(self) -> Finished {
        let muted = self
            .nodes
            .iter()
            .filter_map(|node| node.muted.clone().map(|muted| (node.name.clone(), muted)))
            .collect();
        Finished {
            traffic: self.net.traffic(),
            journal: self.net.journal().clone(),
            origin_ns: self.origin_ns,
            end_ns: self.now_ns,
            history: self.recorder.into_ops(),
            muted,
            end: self.end,
        }
    }

    fn set_now(&mut self, now_ns: u64) {
        assert!(
            now_ns >= self.now_ns,
            "time goes forward: {now_ns} ns after {} ns",
            self.now_ns
        );
        self.now_ns = now_ns;
    }

    /// One temporary client per node sends `init`, all at once (maelstrom.md §1.3).
    fn begin_init(&mut self) {
        self.notices.push(Notice {
            text: format!("Initialising {} node(s)...", self.nodes.len()),
            warning: false,
        });
        let node_ids: Vec<String> = self.nodes.iter().map(|node| node.name.clone()).collect();
        for index in 0..self.nodes.len() {
            let client = self.open_client();
            let body =
                json!({"type": "init", "node_id": self.nodes[index].name, "node_ids": node_ids});
            let dest = self.nodes[index].endpoint;
            self.calls.send(
                &mut self.net,
                client,
                dest,
                body,
                Purpose::Init(index),
                INIT_TIMEOUT_MS,
                self.now_ns,
            );
        }
        self.phase = Phase::Init {
            pending: self.nodes.len(),
        };
    }

    /// One setup client per node, which stays registered until the run ends, as jepsen's
    /// core keeps it; the workload's setup request if it has one (maelstrom.md §3.3).
    fn begin_setup(&mut self) {
        let mut pending = 0;
        for index in 0..self.nodes.len() {
            let client = self.open_client();
            if let Some(body) = self.workload.setup_body(&self.nodes[index].name) {
                self.setup_reply_type = body["type"].as_str().map(|kind| format!("{kind}_ok"));
                let dest = self.nodes[index].endpoint;
                self.calls.send(
                    &mut self.net,
                    client,
                    dest,
                    body,
                    Purpose::Setup(index),
                    SETUP_TIMEOUT_MS,
                    self.now_ns,
                );
                pending += 1;
            }
        }
        self.phase = Phase::Setup { pending };
        if pending == 0 {
            self.begin_main();
        }
    }

    fn begin_main(&mut self) {
        self.origin_ns = self.now_ns;
        self.notices.push(Notice {
            text: format!(
                "Running {} for {} s...",
                self.config.workload, self.config.time_limit_s
            ),
            warning: false,
        });
        let node_endpoints: Vec<EndpointId> = self.nodes.iter().map(|node| node.endpoint).collect();
        // Opened here, in thread order, so worker client ids are predictable.
        for thread in 0..self.workers.len() {
            let client = self.open_client();
            self.workers.start(
                thread,
                client,
                node_endpoints[thread % node_endpoints.len()],
                self.now_ns,
            );
            self.workload.client_opened(thread);
        }
        if self.config.nemesis {
            self.nemesis = Some(Nemesis::new(
                self.seeds.nemesis,
                self.config.nemesis_interval_s,
                self.now_ns,
            ));
        }
        let end_ns = self
            .now_ns
            .saturating_add(self.config.time_limit_s.saturating_mul(NS_PER_S));
        self.phase = Phase::Main { end_ns };
    }

    /// Moves the phases along at `now_ns`; true if anything happened.
    fn step_phase(&mut self, now_ns: u64) -> bool {
        match self.phase {
            Phase::Init { .. } | Phase::Setup { .. } | Phase::Done | Phase::Stopped => false,
            Phase::Main { end_ns } => {
                let mut progressed = false;
                while let Some(nemesis) = self.nemesis.as_mut() {
                    if nemesis.next_ns() > now_ns || nemesis.next_ns() >= end_ns {
                        break;
                    }
                    let nodes = &self.config.nodes;
                    nemesis.step(nodes, &mut self.net, &mut self.recorder, self.origin_ns);
                    progressed = true;
                }
                if now_ns >= end_ns {
                    self.phase = Phase::MainDrain;
                    return true;
                }
                progressed | self.issue_main_ops(now_ns, end_ns)
            }
            Phase::MainDrain => {
                if !self.workers.all_idle() {
                    return false;
                }
                if !self.workload.has_final_phase() {
                    self.phase = Phase::Done;
                    return true;
                }
                if let Some(nemesis) = self.nemesis.as_mut() {
                    nemesis.final_heal(&mut self.net, &mut self.recorder, now_ns - self.origin_ns);
                }
                self.notices.push(Notice {
                    text: "Waiting for recovery...".into(),
                    warning: false,
                });
                self.phase = Phase::Recovery {
                    until_ns: now_ns + RECOVERY_MS * NS_PER_MS,
                };
                true
            }
            Phase::Recovery { until_ns } => {
                if now_ns < until_ns {
                    return false;
                }
                let schedule = self.workload.final_schedule();
                self.workers
                    .begin_final(now_ns, schedule.map(|(stagger_s, _)| stagger_s));
                self.phase = Phase::Final {
                    end_ns: schedule.map(|(_, limit_s)| now_ns + limit_s * NS_PER_S),
                };
                true
            }
            Phase::Final { end_ns } => {
                if end_ns.is_some_and(|end_ns| now_ns >= end_ns) {
                    self.phase = Phase::FinalDrain;
                    return true;
                }
                let issued = self.issue_final_ops(now_ns);
                if self.workers.all_finished() && self.workers.all_idle() {
                    self.phase = Phase::Done;
                    return true;
                }
                issued
            }
            Phase::FinalDrain => {
                if self.workers.all_idle() {
                    self.phase = Phase::Done;
                    return true;
                }
                false
            }
        }
    }

    /// A delivered message reaches its destination: a node's stdin, a client, a service.
    fn route(&mut self, message: network::Message, to_nodes: &mut Vec<(usize, String)>) {
        match self.roles[message.dest.0 as usize] {
            Role::Node(index) => {
                let line = envelope_line(
                    message.id,
                    self.net.name(message.src),
                    self.net.name(message.dest),
                    &message.body,
                );
                to_nodes.push((index, line));
            }
            Role::Service(index) => {
                self.services
                    .handle(index, message, &mut self.net, self.now_ns);
            }
            Role::Client => {
                if let Some((purpose, body)) = self.calls.on_delivery(message.dest, &message.body) {
                    self.replied(message.dest, purpose, body);
                }
            }
        }
    }

    fn replied(&mut self, client: EndpointId, purpose: Purpose, body: Value) {
        match purpose {
            Purpose::Init(node) => {
                // A plain RPC: the type is checked, extra keys are fine (maelstrom.md §1.3).
                if body["type"] != "init_ok" {
                    let name = &self.nodes[node].name;
                    return self.abort(Abort {
                        message: format!("init failed: {name} answered with {body}"),
                        node: Some(node),
                    });
                }
                // The temporary init client is closed at once: a late init_ok mutes the node.
                self.close_client(client);
                if let Phase::Init { pending } = &mut self.phase {
                    *pending -= 1;
                    if *pending == 0 {
                        self.begin_setup();
                    }
                }
            }
            Purpose::Setup(node) => {
                let expected = self.setup_reply_type.clone().unwrap_or_default();
                if let Err(problem) = check_setup_reply(&body, &expected) {
                    let name = &self.nodes[node].name;
                    return self.abort(Abort {
                        message: format!("client setup failed: {name} {problem}"),
                        node: Some(node),
                    });
                }
                if let Phase::Setup { pending } = &mut self.phase {
                    *pending -= 1;
                    if *pending == 0 {
                        self.begin_main();
                    }
                }
            }
            Purpose::Op(thread) => self.op_replied(thread, maelstrom_model::Reply::Body(body)),
        }
    }

    fn timed_out(&mut self, _client: EndpointId, purpose: Purpose) {
        match purpose {
            Purpose::Init(node) => {
                let name = &self.nodes[node].name;
                self.abort(Abort {
                    message: format!(
                        "init failed: {name} did not answer within {INIT_TIMEOUT_MS} ms"
                    ),
                    node: Some(node),
                });
            }
            Purpose::Setup(node) => {
                let name = &self.nodes[node].name;
                self.abort(Abort {
                    message: format!(
                        "client setup failed: {name} did not answer within {SETUP_TIMEOUT_MS} ms"
                    ),
                    node: Some(node),
                });
            }
            Purpose::Op(thread) => self.op_replied(thread, maelstrom_model::Reply::Timeout),
        }
    }

    fn open_client(&mut self) -> EndpointId {
        let client = self.net.open_client();
        debug_assert_eq!(
            client.0 as usize,
            self.roles.len(),
            "roles follow registration order"
        );
        self.roles.push(Role::Client);
        self.calls.open(client);
        client
    }

    fn close_client(&mut self, client: EndpointId) {
        self.calls.close(client);
        self.net.unregister(client);
    }
}

/// The setup reply must be the expected type and match its closed schema: `type`,
/// `in_reply_to`, an optional integer `msg_id`, nothing else (maelstrom.md §1.2; the
/// topology RPC is a `defrpc` with an empty reply schema). An error reply fails too
/// (maelstrom.md §3.3: a failed topology aborts the test).
fn check_setup_reply(body: &Value, expected_type: &str) -> Result<(), String> {
    let Some(entries) = body.as_object() else {
        return Err(format!("answered with {body}, which is not an object"));
    };
    if body["type"] == "error" {
        return Err(format!("answered with an error: {body}"));
    }
    if body["type"] != expected_type {
        return Err(format!(
            "answered with {body}, expected type {expected_type:?}"
        ));
    }
    if let Some(extra) = entries
        .keys()
        .find(|key| !matches!(key.as_str(), "type" | "in_reply_to" | "msg_id"))
    {
        return Err(format!(
            "answered with a malformed RPC response {body}: disallowed key {extra:?}"
        ));
    }
    if entries.get("msg_id").is_some_and(|id| !id.is_i64()) {
        return Err(format!(
            "answered with a malformed RPC response {body}: msg_id is not an integer"
        ));
    }
    Ok(())
}

fn build_workload(config: &TestConfig) -> Result<Box<dyn Workload>, String> {
    maelstrom_model::topology(&config.topology, &config.nodes)
        .map_err(|problem| format!("error: --topology: {problem}"))?;
    let options = WorkloadOptions {
        nodes: config.nodes.clone(),
        topology: config.topology.clone(),
        key_count: config.key_count,
        max_txn_length: config.max_txn_length,
        max_writes_per_key: config.max_writes_per_key,
        concurrency: config.concurrency,
    };
    maelstrom_model::workload(&config.workload, &options)
        .map_err(|problem| format!("error: --workload: {problem}"))
}

fn earliest(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `{"id":N,"src":..,"dest":..,"body":..}`, the body's bytes copied as they are
/// (maelstrom.md §1.1: what a node reads).
pub fn envelope_line(id: u64, src: &str, dest: &str, body: &RawValue) -> String {
    use std::fmt::Write;
    let mut line = String::with_capacity(48 + src.len() + dest.len() + body.get().len());
    // Writing to a String cannot fail.
    let _ = write!(line, "{{\"id\":{id}");
    line.push_str(",\"src\":");
    push_json_string(&mut line, src);
    line.push_str(",\"dest\":");
    push_json_string(&mut line, dest);
    line.push_str(",\"body\":");
    line.push_str(body.get());
    line.push('}');
    line
}

/// `text` as a JSON string; ids (`n0`, `c12`, `lin-kv`) need no escaping, which is
/// checked rather than assumed.
fn push_json_string(line: &mut String, text: &str) {
    let plain = text
        .bytes()
        .all(|byte| byte.is_ascii_graphic() && byte != b'"' && byte != b'\\');
    if plain {
        line.push('"');
        line.push_str(text);
        line.push('"');
    } else {
        line.push_str(&serde_json::to_string(text).expect("strings serialize"));
    }
}

#[cfg(test)]
mod tests;
