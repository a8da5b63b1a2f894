//! One `test` run, start to finish (maelstrom-spec §6 "Run lifecycle").
//!
//! services → nodes → `init` (10 s) → client setup (5 s) → main phase (workers under
//! one global stagger, plus the nemesis) → wait for in-flight ops → [heal, 10 s,
//! final ops] → teardown → checkers → store. A node that exits, or a failed init or
//! setup, ends the run at once with a report and exit 255: every phase races the
//! node-exit channel, and teardown runs on every path.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::checking::{self, CheckOptions, Edn, Validity};
use crate::cli::{
    TestConfig, EXIT_BAD_ARGUMENTS, EXIT_CRASH, EXIT_INVALID, EXIT_UNKNOWN, EXIT_VALID,
};
use crate::client::Client;
use crate::history::Recorder;
use crate::model::{self, Invocation, Outcome, Reply, Workload, WorkloadOptions};
use crate::network::Network;
use crate::node::{self, Exited, NodeHandle, NodeLogs, SpawnOptions};
use crate::store;

/// Maelstrom's init timeout (maelstrom-spec §1.3).
const INIT_TIMEOUT_MS: u64 = 10_000;
/// The default RPC timeout, used for client setup such as `topology` (§1.5).
const SETUP_TIMEOUT_MS: u64 = 5_000;
/// The quiet period before final reads (§3 intro).
const RECOVERY: Duration = Duration::from_secs(10);

/// Independent seeds, one per subsystem, so one subsystem's draws never shift another's.
#[derive(Debug)]
struct Seeds {
    generator: u64,
    stagger: u64,
    nemesis: u64,
    latency: u64,
    services: [u64; 4],
}

impl Seeds {
    fn derive(seed: u64) -> Seeds {
        let mut master = StdRng::seed_from_u64(seed);
        Seeds {
            generator: master.gen(),
            stagger: master.gen(),
            nemesis: master.gen(),
            latency: master.gen(),
            services: master.gen(),
        }
    }
}

/// Why a run stopped before its checkers: shown with the node's last lines, exit 255.
#[derive(Debug)]
struct Abort {
    message: String,
    node: Option<String>,
}

/// Everything the phases share.
struct Run {
    config: TestConfig,
    network: Arc<Network>,
    recorder: Arc<Recorder>,
    workload: Mutex<Box<dyn Workload>>,
    rpc_timeout_ms: u64,
    reusable_clients: bool,
    seeds: Seeds,
}

/// Runs one test; returns the process exit code.
pub async fn run_test(config: TestConfig, command_line: Vec<String>) -> anyhow::Result<i32> {
    println!("seed: {}", config.seed);
    let workload = match build_workload(&config) {
        Ok(workload) => workload,
        Err(line) => {
            eprintln!("{line}");
            return Ok(EXIT_BAD_ARGUMENTS);
        }
    };
    let latency = (config.latency_dist.parse::<model::LatencyDist>())
        .map_err(|_| {
            format!(
                "expected constant, uniform or exponential, got {:?}",
                config.latency_dist
            )
        })
        .and_then(|dist| model::Latency::new(config.latency_ms, dist));
    let latency = match latency {
        Ok(latency) => latency,
        Err(problem) => {
            eprintln!("error: --latency-dist: {problem}");
            return Ok(EXIT_BAD_ARGUMENTS);
        }
    };
    let run_dir = store::create_run_dir(&config.store, &config.workload)?;
    let seeds = Seeds::derive(config.seed);
    let zero_latency = config.latency_ms == 0;
    let network = Network::new(latency, zero_latency, StdRng::seed_from_u64(seeds.latency));
    let run = Arc::new(Run {
        rpc_timeout_ms: workload.rpc_timeout_ms(config.latency_ms),
        reusable_clients: workload.reusable_clients(),
        workload: Mutex::new(workload),
        recorder: Arc::new(Recorder::new(Instant::now())),
        network,
        config,
        seeds,
    });
    let services = start_services(&run);
    let (exits_sender, mut exits) = mpsc::unbounded_channel();
    let spawn_options = SpawnOptions {
        bin: run.config.bin.clone(),
        args: run.config.args.clone(),
        log_dir: run_dir.join("node-logs"),
        log_stderr: run.config.log_stderr,
    };
    let mut nodes = Vec::new();
    let mut outcome = Ok(());
    for id in &run.config.nodes {
        match node::spawn(id, &spawn_options, &run.network, exits_sender.clone()) {
            Ok(handle) => nodes.push(handle),
            Err(error) => {
                outcome = Err(Abort {
                    message: format!("{error:#}"),
                    node: None,
                });
                break;
            }
        }
    }
    if outcome.is_ok() {
        outcome = drive(&run, &mut exits).await;
    }
    let logs: Vec<(String, Arc<NodeLogs>)> = nodes
        .iter()
        .map(|node| (node.id.clone(), node.logs.clone()))
        .collect();
    let crashed = teardown(&run, nodes, services).await;
    report_muted(&logs);
    finish(&run, &run_dir, &command_line, outcome, crashed, &logs)
}

/// Everything up to teardown; stops at the first node exit or failed phase.
async fn drive(run: &Arc<Run>, exits: &mut mpsc::UnboundedReceiver<Exited>) -> Result<(), Abort> {
    println!("Initialising {} node(s)...", run.config.nodes.len());
    race(exits, init_nodes(run)).await??;
    race(exits, setup_clients(run)).await??;
    println!(
        "Running {} for {} s...",
        run.config.workload, run.config.time_limit_s
    );
    race(exits, run_phases(run)).await
}

/// `work`, unless a node exits first.
async fn race<T>(
    exits: &mut mpsc::UnboundedReceiver<Exited>,
    work: impl std::future::Future<Output = T>,
) -> Result<T, Abort> {
    tokio::select! {
        output = work => Ok(output),
        Some(exited) = exits.recv() => Err(Abort {
            message: format!("node {} exited during the run ({}); Maelstrom would fail with :node-crashed", exited.node, exited.status),
            node: Some(exited.node),
        }),
    }
}

fn build_workload(config: &TestConfig) -> Result<Box<dyn Workload>, String> {
    model::topology(&config.topology, &config.nodes)
        .map_err(|problem| format!("error: --topology: {problem}"))?;
    let options = WorkloadOptions {
        nodes: config.nodes.clone(),
        topology: config.topology.clone(),
        key_count: config.key_count,
        max_txn_length: config.max_txn_length,
        max_writes_per_key: config.max_writes_per_key,
        concurrency: config.concurrency,
    };
    model::workload(&config.workload, &options)
        .map_err(|problem| format!("error: --workload: {problem}"))
}

/// Starts every service the model provides, before any node (maelstrom-spec §2, §4).
fn start_services(run: &Arc<Run>) -> JoinSet<()> {
    let mut tasks = JoinSet::new();
    for (name, seed) in model::SERVICE_NAMES.iter().zip(run.seeds.services) {
        if let Some(service) = model::service(name, seed) {
            tasks.spawn(serve(run.network.clone(), name, service));
        }
    }
    tasks
}

/// One service answers requests serially on its own task. The reply gets `in_reply_to`
/// = the request's `msg_id` (JSON null without one) and no `msg_id`; an unknown request
/// type gets no reply at all (maelstrom-spec §4).
async fn serve(network: Arc<Network>, name: &'static str, mut service: Box<dyn model::Service>) {
    let (sender, mut inbox) = mpsc::unbounded_channel();
    drop(network.register(name, crate::network::Sink::Channel(sender)));
    while let Some(message) = inbox.recv().await {
        let Ok(body) = serde_json::from_str::<Value>(message.body.get()) else {
            continue;
        };
        let Some(mut reply) = service.handle(&message.src, &body) else {
            continue;
        };
        reply["in_reply_to"] = body.get("msg_id").cloned().unwrap_or(Value::Null);
        let raw = serde_json::value::to_raw_value(&reply).expect("a JSON value always serialises");
        // A reply to a client that has gone away is dropped, as the service's send! would throw.
        let _ = network.send(name, &message.src, raw);
    }
}

/// One temporary client per node sends `init`, all in parallel (maelstrom-spec §1.3).
async fn init_nodes(run: &Arc<Run>) -> Result<(), Abort> {
    let node_ids = run.config.nodes.clone();
    let requests = node_ids
        .iter()
        .map(|node| {
            (
                node.clone(),
                json!({"type": "init", "node_id": node, "node_ids": node_ids}),
            )
        })
        .collect();
    call_every_node(run, requests, "init_ok", INIT_TIMEOUT_MS, "init").await
}

/// One setup client per node; the workload's setup request if it has one (§3.3 topology).
async fn setup_clients(run: &Arc<Run>) -> Result<(), Abort> {
    let requests: Vec<(String, Value)> = {
        let workload = run.workload.lock().expect("workload lock poisoned");
        let body = |node: &String| workload.setup_body(node).unwrap_or(Value::Null);
        run.config
            .nodes
            .iter()
            .map(|node| (node.clone(), body(node)))
            .collect()
    };
    let Some(kind) = requests
        .iter()
        .find_map(|(_, body)| body["type"].as_str().map(String::from))
    else {
        // Maelstrom still opens (and closes) one setup client per node: the ids are used up.
        requests
            .iter()
            .for_each(|_| drop(Client::open(&run.network)));
        return Ok(());
    };
    call_every_node(
        run,
        requests,
        &format!("{kind}_ok"),
        SETUP_TIMEOUT_MS,
        "client setup",
    )
    .await
}

/// Opens one client per request (in node order, so ids are predictable), sends them all
/// at once, and fails on the first error, wrong reply type or timeout.
async fn call_every_node(
    run: &Arc<Run>,
    requests: Vec<(String, Value)>,
    expected_type: &str,
    timeout_ms: u64,
    phase: &str,
) -> Result<(), Abort> {
    let mut calls = JoinSet::new();
    for (node, body) in requests {
        let mut client = Client::open(&run.network);
        let expected_type = expected_type.to_string();
        calls.spawn(async move {
            let problem = match client.rpc(&node, body, timeout_ms).await {
                Ok(Some(reply)) if reply["type"] == expected_type.as_str() => return Ok(()),
                Ok(Some(reply)) => format!("answered with {reply}"),
                Ok(None) => format!("did not answer within {timeout_ms} ms"),
                Err(error) => error.to_string(),
            };
            Err((node, problem))
        });
    }
    while let Some(result) = calls.join_next().await {
        if let Ok(Err((node, problem))) = result {
            let message = format!("{phase} failed: {node} {problem}");
            return Err(Abort {
                message,
                node: Some(node),
            });
        }
    }
    Ok(())
}

/// One op handed to a worker, with its scheduled time.
struct Job {
    invocation: Invocation,
    scheduled: Instant,
}

/// The main phase, the wait for in-flight ops, and the final phase if the workload has one.
async fn run_phases(run: &Arc<Run>) {
    let start = Instant::now();
    run.recorder.restart(start);
    let end = start + Duration::from_secs(run.config.time_limit_s);
    let (free_sender, mut free) = mpsc::unbounded_channel();
    let mut workers = JoinSet::new();
    let mut jobs = Vec::new();
    for thread in 0..run.config.concurrency {
        let (job_sender, job_receiver) = mpsc::channel(1);
        jobs.push(job_sender);
        // Opened here, in thread order, so worker client ids are predictable.
        let client = Client::open(&run.network);
        let channels = (job_receiver, free_sender.clone());
        workers.spawn(worker(run.clone(), thread, client, channels));
        free_sender
            .send(thread)
            .expect("the scheduler holds the receiver");
    }
    // Only workers hold senders now: if they all died, `recv` ends instead of hanging.
    drop(free_sender);
    // In a JoinSet so that an aborted run (a node exited) cancels the nemesis too.
    let mut nemesis = JoinSet::new();
    if run.config.nemesis {
        nemesis.spawn(nemesis_loop(run.clone(), start, end));
    }
    let idle = schedule(run, &jobs, &mut free, start, end).await;
    wait_until_idle(&mut free, idle, run.config.concurrency).await;
    while nemesis.join_next().await.is_some() {}
    let has_final_phase = run
        .workload
        .lock()
        .expect("workload lock poisoned")
        .has_final_phase();
    if has_final_phase {
        if run.config.nemesis {
            stop_partition(run, Instant::now());
        }
        println!("Waiting for recovery...");
        tokio::time::sleep(RECOVERY).await;
        let idle = final_ops(run, &jobs).await;
        wait_until_idle(&mut free, idle, run.config.concurrency).await;
    }
    drop(jobs);
    while workers.join_next().await.is_some() {}
}

/// The global stagger (maelstrom-spec §3 intro, §8.12): an op goes only to a free
/// worker, at max(now, next-time); each op moves next-time by U[0, 2/rate).
/// Returns the workers left idle when time ran out.
async fn schedule(
    run: &Run,
    jobs: &[mpsc::Sender<Job>],
    free: &mut mpsc::UnboundedReceiver<usize>,
    start: Instant,
    end: Instant,
) -> BTreeSet<usize> {
    let mut idle = BTreeSet::new();
    if run.config.rate == 0.0 {
        tokio::time::sleep_until(end).await;
        return idle;
    }
    let mut generator = StdRng::seed_from_u64(run.seeds.generator);
    let mut stagger = StdRng::seed_from_u64(run.seeds.stagger);
    let mut next_time = start;
    loop {
        let thread = tokio::select! {
            thread = free.recv() => thread.expect("workers outlive the scheduler"),
            _ = tokio::time::sleep_until(end) => break,
        };
        let op_time = next_time.max(Instant::now());
        if op_time >= end {
            idle.insert(thread);
            break;
        }
        tokio::time::sleep_until(op_time).await;
        let invocation = run
            .workload
            .lock()
            .expect("workload lock poisoned")
            .next_invocation(thread, &mut generator);
        let job = Job {
            invocation,
            scheduled: op_time,
        };
        jobs[thread]
            .send(job)
            .await
            .expect("a worker lives as long as its job channel");
        next_time =
            op_time + Duration::from_secs_f64(stagger.gen_range(0.0..2.0 / run.config.rate));
    }
    idle
}

/// Waits until every worker has reported itself free (each op is bounded by its RPC timeout).
async fn wait_until_idle(
    free: &mut mpsc::UnboundedReceiver<usize>,
    mut idle: BTreeSet<usize>,
    concurrency: usize,
) {
    while idle.len() < concurrency {
        let thread = free.recv().await.expect("workers outlive the scheduler");
        idle.insert(thread);
    }
}

/// Hands each worker its final op; returns the workers that have none (they stay idle).
async fn final_ops(run: &Run, jobs: &[mpsc::Sender<Job>]) -> BTreeSet<usize> {
    let mut idle = BTreeSet::new();
    for (thread, job_sender) in jobs.iter().enumerate() {
        let invocation = run
            .workload
            .lock()
            .expect("workload lock poisoned")
            .final_invocation(thread);
        let Some(invocation) = invocation else {
            idle.insert(thread);
            continue;
        };
        let job = Job {
            invocation,
            scheduled: Instant::now(),
        };
        job_sender
            .send(job)
            .await
            .expect("a worker lives as long as its job channel");
    }
    idle
}

/// Worker thread `thread`, bound to `nodes[thread mod n]`; its process starts at `thread`
/// and moves on by `concurrency` after every `:info` (maelstrom-spec §1.4).
async fn worker(
    run: Arc<Run>,
    thread: usize,
    client: Client,
    (mut jobs, free): (mpsc::Receiver<Job>, mpsc::UnboundedSender<usize>),
) {
    let node = run.config.nodes[thread % run.config.nodes.len()].clone();
    let mut process = thread as u64;
    let mut client = Some(client);
    while let Some(job) = jobs.recv().await {
        run.recorder.invoke(process, &job.invocation, job.scheduled);
        let connection = client.get_or_insert_with(|| Client::open(&run.network));
        let request = run
            .workload
            .lock()
            .expect("workload lock poisoned")
            .request(&job.invocation);
        let reply = match connection.rpc(&node, request, run.rpc_timeout_ms).await {
            Ok(Some(body)) => Reply::Body(body),
            // A refused send cannot happen while nodes are registered; treat it as silence.
            Ok(None) | Err(_) => Reply::Timeout,
        };
        let outcome = run
            .workload
            .lock()
            .expect("workload lock poisoned")
            .complete(&job.invocation, reply);
        let crashed = matches!(outcome, Outcome::Info { .. });
        run.recorder.complete(process, &job.invocation, outcome);
        if crashed {
            process += run.config.concurrency as u64;
            if !run.reusable_clients {
                client = None;
            }
        }
        let _ = free.send(thread);
    }
}

/// The partition nemesis: flip-flop start/stop under a stagger of `--nemesis-interval`,
/// the first start at t≈0 (maelstrom-spec §5.2).
async fn nemesis_loop(run: Arc<Run>, start: Instant, end: Instant) {
    let mut rng = StdRng::seed_from_u64(run.seeds.nemesis);
    let interval_s = run.config.nemesis_interval_s;
    let mut next = start;
    let mut partitioned = false;
    while next < end {
        tokio::time::sleep_until(next).await;
        if partitioned {
            stop_partition(&run, next);
        } else {
            start_partition(&run, next, &mut rng);
        }
        partitioned = !partitioned;
        next += Duration::from_secs_f64(rng.gen_range(0.0..2.0 * interval_s));
    }
}

fn start_partition(run: &Run, at: Instant, rng: &mut StdRng) {
    let kind = model::GrudgeKind::random(rng);
    run.recorder
        .nemesis(at, "start-partition", Edn::keyword(kind.keyword()));
    let grudge = model::grudge(kind, &run.config.nodes, rng);
    let isolated = Edn::Map(
        grudge
            .iter()
            .map(|(dest, sources)| {
                (
                    Edn::Str(dest.clone()),
                    Edn::Set(sources.iter().map(|src| Edn::Str(src.clone())).collect()),
                )
            })
            .collect(),
    );
    run.network.set_partitions(grudge);
    run.recorder.nemesis(
        Instant::now(),
        "start-partition",
        Edn::Vector(vec![Edn::keyword("isolated"), isolated]),
    );
}

fn stop_partition(run: &Run, at: Instant) {
    run.recorder.nemesis(at, "stop-partition", Edn::Nil);
    run.network.set_partitions(model::Grudge::new());
    run.recorder.nemesis(
        Instant::now(),
        "stop-partition",
        Edn::keyword("network-healed"),
    );
}

/// Kills every node; returns those that had already exited (`:node-crashed`).
async fn teardown(
    run: &Run,
    nodes: Vec<NodeHandle>,
    mut services: JoinSet<()>,
) -> Vec<(String, String, String)> {
    let mut crashed = Vec::new();
    nodes.iter().for_each(NodeHandle::stop_reading);
    for handle in nodes {
        let logs = handle.logs.clone();
        let id = handle.id.clone();
        if let Some(status) = handle.teardown(&run.network).await {
            crashed.push((id.clone(), status, logs.report(&id)));
        }
    }
    services.abort_all();
    crashed
}

type NodeReport = (String, String, String);

/// Reports, checkers, store files, verdict; returns the exit code.
#[allow(clippy::too_many_arguments)] // Each argument is one distinct product of the run.
fn finish(
    run: &Run,
    run_dir: &std::path::Path,
    command_line: &[String],
    outcome: Result<(), Abort>,
    crashed: Vec<NodeReport>,
    logs: &[(String, Arc<NodeLogs>)],
) -> anyhow::Result<i32> {
    let history = run.recorder.ops();
    store::write_history(run_dir, &history)?;
    let net = run.network.stats();
    store::write_test_json(run_dir, &run.config, command_line, &net)?;
    let mut exit_code = None;
    let mut named_node = None;
    if let Err(abort) = outcome {
        named_node = abort.node.clone();
        eprintln!("error: {}", abort.message);
        let node_logs = logs.iter().find(|(id, _)| Some(id) == abort.node.as_ref());
        if let Some((id, node_logs)) = node_logs {
            eprintln!("{}", node_logs.report(id));
        }
        exit_code = Some(EXIT_CRASH);
    }
    // A node the abort already named is not reported twice.
    for (node, status, report) in crashed
        .iter()
        .filter(|(node, _, _)| Some(node) != named_node.as_ref())
    {
        eprintln!(
            "error: node {node} had already exited ({status}) at teardown: :node-crashed\n{report}"
        );
        exit_code = Some(EXIT_CRASH);
    }
    if let Some(code) = exit_code {
        eprintln!(
            "Store: {}\nReplay: {}",
            run_dir.display(),
            replay_command(command_line, run.config.seed)
        );
        return Ok(code);
    }
    let options = CheckOptions {
        workload: run.config.workload.clone(),
        availability: run.config.availability,
        consistency_models: run.config.consistency_models.clone(),
    };
    let results = checking::check(&options, &history, Some(&net))?;
    store::write_results(run_dir, &results)?;
    println!("{}", checking::summary(&results, &options));
    let mut code = verdict(results.valid);
    if let Some(challenge) = &run.config.check {
        code = code.max(check_criteria(challenge, &results)?);
    }
    println!("Store: {}", run_dir.display());
    if code != EXIT_VALID {
        println!("Replay: {}", replay_command(command_line, run.config.seed));
    }
    Ok(code)
}

/// Prints the verdict line and returns its exit code.
pub fn verdict(valid: Validity) -> i32 {
    match valid {
        Validity::True => {
            println!("Everything looks good! ヽ(‘ー`)ノ");
            EXIT_VALID
        }
        Validity::False => {
            println!("Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻");
            EXIT_INVALID
        }
        Validity::Unknown => {
            println!("Errors occurred during analysis, but no anomalies found. ಠ~ಠ");
            EXIT_UNKNOWN
        }
    }
}

pub fn check_criteria(challenge: &str, results: &checking::Results) -> anyhow::Result<i32> {
    let unmet = match checking::criteria(challenge, results) {
        Ok(unmet) => unmet,
        Err(error) => {
            eprintln!("error: --check: {error}");
            return Ok(EXIT_BAD_ARGUMENTS);
        }
    };
    if unmet.is_empty() {
        println!("Challenge {challenge}: every pass criterion is met.");
        return Ok(EXIT_VALID);
    }
    println!(
        "Challenge {challenge}: {} criterion(s) not met:",
        unmet.len()
    );
    unmet.iter().for_each(|line| println!("  - {line}"));
    Ok(EXIT_INVALID)
}

/// A muted node does not end the run, but the end-of-run report names it (§1.1).
fn report_muted(logs: &[(String, Arc<NodeLogs>)]) {
    for (node, logs) in logs {
        let muted = logs.muted.lock().expect("log lock poisoned").clone();
        let Some(muted) = muted else { continue };
        eprintln!(
            "WARN: node {node} was muted: its stdout line {:?} was refused ({}), and Maelstrom reads nothing more from a node after that.\n{}",
            muted.line,
            muted.reason,
            logs.report(node)
        );
    }
}

/// The same command line with `--seed N`, so the run can be replayed.
pub fn replay_command(command_line: &[String], seed: u64) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut skip_next = false;
    for word in command_line {
        if skip_next {
            skip_next = false;
        } else if word == "--seed" {
            skip_next = true;
        } else if !word.starts_with("--seed=") {
            words.push(word.clone());
        }
    }
    let insert_at = words
        .iter()
        .position(|word| word == "test")
        .map_or(words.len(), |i| i + 1);
    words.insert(insert_at, format!("--seed {seed}"));
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A non-valid run prints the command that replays it, with its seed (STYLE §9).
    #[test]
    fn the_replay_command_pins_the_seed() {
        let words: Vec<String> = ["mt", "test", "-w", "echo", "--seed", "3", "--bin", "b"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            replay_command(&words, 42),
            "mt test --seed 42 -w echo --bin b"
        );
    }

    /// A fake service: answers `ping`, ignores everything else.
    struct Pong;

    impl model::Service for Pong {
        fn handle(&mut self, _src: &str, body: &Value) -> Option<Value> {
            (body["type"] == "ping").then(|| json!({"type": "pong"}))
        }
    }

    /// maelstrom-spec §4: a service reply carries `in_reply_to` and no `msg_id`; an unknown
    /// request type is never answered.
    #[tokio::test]
    async fn services_reply_with_in_reply_to_and_ignore_unknown_types() {
        let latency = model::Latency::new(0, "constant".parse().expect("a known distribution"))
            .expect("constant latency is valid");
        let network = Network::new(latency, true, StdRng::seed_from_u64(1));
        tokio::spawn(serve(network.clone(), "lin-tso", Box::new(Pong)));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut client = Client::open(&network);
        let reply = client.rpc("lin-tso", json!({"type": "ping"}), 1000).await;
        let reply = reply.expect("both ends registered").expect("a reply");
        assert_eq!(reply, json!({"type": "pong", "in_reply_to": 1}));
        let silence = client.rpc("lin-tso", json!({"type": "what"}), 200).await;
        assert!(
            silence.expect("both ends registered").is_none(),
            "no reply to an unknown type"
        );
    }

    /// Each subsystem draws from its own seed, so they are distinct and reproducible.
    #[test]
    fn subsystem_seeds_are_reproducible_and_independent() {
        let first = Seeds::derive(5);
        let again = Seeds::derive(5);
        assert_eq!(first.generator, again.generator);
        assert_ne!(first.generator, first.stagger);
        assert_ne!(first.nemesis, first.latency);
    }
}
