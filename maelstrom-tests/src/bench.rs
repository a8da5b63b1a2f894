//! `bench`: how fast the harness routes messages between node processes.
//!
//! It runs the `flood` fixture on N nodes through the ordinary process driver, as a run
//! with no client operations (`--rate 0`): each node keeps a fixed number of messages in
//! flight and answers every message with a new one, so routing is the bottleneck. It
//! reports messages routed per second and the harness's own CPU time per message, read
//! from `/proc/self/stat` (utime + stime; the workspace forbids `unsafe`, which
//! `getrusage` would need).

use std::time::{Duration, Instant};

use anyhow::Context;

use crate::cli::{BenchArgs, RunArgs, TestConfig};
use crate::console::outln;
use crate::process;
use crate::run::World;

/// `bench --bin flood --node-count N --time-limit S`.
pub async fn bench(args: BenchArgs) -> anyhow::Result<i32> {
    let store = std::env::temp_dir().join(format!("maelstrom-bench-{}", std::process::id()));
    let run = RunArgs {
        workload: "echo".into(),
        args: Vec::new(),
        node_count: Some(args.node_count.to_string()),
        time_limit: args.time_limit.to_string(),
        rate: "0".into(),
        concurrency: "1n".into(),
        latency: "0".into(),
        latency_dist: "constant".into(),
        nemesis: None,
        nemesis_interval: "10".into(),
        topology: "grid".into(),
        availability: None,
        consistency_models: Vec::new(),
        key_count: None,
        max_txn_length: "4".into(),
        max_writes_per_key: "16".into(),
        log_stderr: false,
        seed: Some("0".into()),
        check: None,
        store: store.clone(),
    };
    let config = TestConfig::from_args(&run, &args.bin).map_err(anyhow::Error::msg)?;
    let world = World::new(&config).map_err(anyhow::Error::msg)?;
    let run_dir = crate::store::create_run_dir(&config.store, &config.workload)?;
    let (cpu_before, started) = (cpu_time()?, Instant::now());
    let executed = process::execute(&config, world, &run_dir, false).await?;
    let (cpu, seconds) = (cpu_time()? - cpu_before, started.elapsed().as_secs_f64());
    let _ = std::fs::remove_dir_all(&store);
    if let crate::run::End::Aborted(abort) = &executed.finished.end {
        anyhow::bail!("the benchmark run stopped: {}", abort.message);
    }
    let messages = executed.finished.traffic.servers.recv_count;
    outln!(
        "nodes: {}, seconds: {seconds:.1}, messages routed: {messages}",
        config.nodes.len()
    );
    outln!("throughput: {:.0} msgs/s", messages as f64 / seconds);
    outln!(
        "harness CPU: {:.2} µs/msg ({:.1} s total)",
        cpu.as_secs_f64() * 1e6 / messages.max(1) as f64,
        cpu.as_secs_f64()
    );
    Ok(0)
}

/// This process's user + system CPU time so far.
pub fn cpu_time() -> anyhow::Result<Duration> {
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
