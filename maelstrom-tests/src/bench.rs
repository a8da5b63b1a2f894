//! `analyze` (re-check a stored run), `criteria` (judge a stored run against a
//! challenge) and `bench` (how fast the network routes).
//!
//! `bench` runs the `flood` fixture on N nodes: each node keeps a fixed number of
//! messages in flight and answers every message with a new one, so the harness's
//! routing path is the bottleneck. It reports messages routed per second and the
//! harness's own CPU time per message, read from `/proc/self/stat` (utime + stime;
//! the workspace forbids `unsafe`, which `getrusage` would need).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::checking;
use crate::checking::{Edn, Validity};
use crate::cli::{AnalyzeArgs, BenchArgs, CriteriaArgs};
use crate::client::Client;
use crate::model::{Latency, LatencyDist};
use crate::network::Network;
use crate::node::{self, SpawnOptions};

/// `analyze PATH`: the checkers again, on a run directory or a `history.edn`.
pub fn analyze(args: AnalyzeArgs) -> anyhow::Result<i32> {
    let (mut options, history, net) = maelstrom_checker::analyze::load_with(
        &args.path,
        &maelstrom_checker::analyze::Overrides::from_flags(
            args.workload.as_deref(),
            args.availability.as_deref(),
            args.consistency_models.as_deref(),
        )?,
    )?;
    if let Some(workload) = args.workload {
        options.workload = workload;
    }
    if let Some(availability) = args.availability {
        options.availability = Some(if availability == "total" {
            1.0
        } else {
            availability.parse().with_context(|| {
                format!("--availability: expected total or 0..1, got {availability:?}")
            })?
        });
    }
    if let Some(models) = args.consistency_models {
        options.consistency_models = vec![models];
    }
    let results = checking::check(&options, &history, net.as_ref())?;
    println!("{}", checking::summary(&results, &options));
    Ok(crate::run::verdict(results.valid))
}

/// `criteria PATH --challenge N`: reads a stored `results.edn` — the real
/// Maelstrom's included, which has no `--check` of its own — and exits as
/// `test --check` would: 0 when every criterion is met, 1 otherwise.
pub fn criteria(args: CriteriaArgs) -> anyhow::Result<i32> {
    let path = if args.path.is_dir() {
        args.path.join("results.edn")
    } else {
        args.path.clone()
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let edn = maelstrom_checker::parse_edn(&text)
        .with_context(|| format!("parsing {}", path.display()))?;
    let valid = match edn.get("valid?") {
        Some(Edn::Bool(true)) => Validity::True,
        Some(Edn::Bool(false)) => Validity::False,
        _ => Validity::Unknown,
    };
    let results = checking::Results { valid, edn };
    crate::run::check_criteria(&args.challenge, &results)
}

/// `bench --bin flood --node-count N --time-limit S`.
pub async fn bench(args: BenchArgs) -> anyhow::Result<i32> {
    let latency = Latency::new(0, LatencyDist::Constant).map_err(anyhow::Error::msg)?;
    let network = Network::new(latency, true, StdRng::seed_from_u64(0));
    let nodes: Vec<String> = (0..args.node_count).map(|i| format!("n{i}")).collect();
    let log_dir = std::env::temp_dir().join(format!("maelstrom-bench-{}", std::process::id()));
    std::fs::create_dir_all(&log_dir)?;
    let options = SpawnOptions {
        bin: std::fs::canonicalize(&args.bin)?,
        args: Vec::new(),
        log_dir,
        log_stderr: false,
    };
    let (exits, mut exited) = mpsc::unbounded_channel();
    let mut handles = Vec::new();
    for id in &nodes {
        handles.push(node::spawn(id, &options, &network, exits.clone())?);
    }
    init_all(&network, &nodes).await?;
    let before = (
        Instant::now(),
        network.stats().servers.recv_count,
        cpu_time()?,
    );
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_secs(args.time_limit)) => {}
        Some(node) = exited.recv() => anyhow::bail!("node {} exited during the benchmark ({})", node.node, node.status),
    }
    let after = (
        Instant::now(),
        network.stats().servers.recv_count,
        cpu_time()?,
    );
    handles.iter().for_each(node::NodeHandle::stop_reading);
    for handle in handles {
        handle.teardown(&network).await;
    }
    let messages = after.1 - before.1;
    let seconds = (after.0 - before.0).as_secs_f64();
    let cpu = after.2 - before.2;
    println!(
        "nodes: {}, seconds: {seconds:.1}, messages routed: {messages}",
        nodes.len()
    );
    println!("throughput: {:.0} msgs/s", messages as f64 / seconds);
    println!(
        "harness CPU: {:.2} µs/msg ({:.1} s total)",
        cpu.as_secs_f64() * 1e6 / messages.max(1) as f64,
        cpu.as_secs_f64()
    );
    Ok(0)
}

async fn init_all(network: &Arc<Network>, nodes: &[String]) -> anyhow::Result<()> {
    for node in nodes {
        let mut client = Client::open(network);
        let body = json!({"type": "init", "node_id": node, "node_ids": nodes});
        let reply = client.rpc(node, body, 10_000).await?;
        anyhow::ensure!(
            reply.is_some_and(|reply| reply["type"] == "init_ok"),
            "{node} did not answer init"
        );
    }
    Ok(())
}

/// This process's user + system CPU time so far.
fn cpu_time() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("reading /proc/self/stat")?;
    // Fields after the command name (which may contain spaces) start at field 3.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15, i.e. 11 and 12 after the name.
    let total_ticks = ticks(11) + ticks(12);
    Ok(Duration::from_secs_f64(
        total_ticks as f64 / clock_ticks_per_second(),
    ))
}

/// `getconf CLK_TCK` (100 on every Linux this runs on; asked anyway).
fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}
