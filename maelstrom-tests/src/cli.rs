//! The command line, a drop-in for `maelstrom test` / `analyze` / `serve`
//! (maelstrom.md §6), plus `criteria`, `bench`, and the flags a challenge binary's `sim`
//! takes ([`SimArgs`]).
//!
//! Parsing turns flags into a checked [`TestConfig`] before anything starts: no store
//! directory, no process. A bad flag is one line naming it and its allowed range, and
//! exit code 254, as Maelstrom does. The ranges are wider than any real test needs and
//! narrow enough that nothing downstream can overflow, exhaust memory or spawn without
//! bound: see the `*_MAX` constants.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use maelstrom_model::LatencyDist;

/// Exit codes (maelstrom.md §6).
pub const EXIT_VALID: i32 = 0;
pub const EXIT_INVALID: i32 = 1;
pub const EXIT_UNKNOWN: i32 = 2;
pub const EXIT_BAD_ARGUMENTS: i32 = 254;
pub const EXIT_CRASH: i32 = 255;

/// `--node-count` at most: each node is a process with three pipes.
pub const NODE_COUNT_MAX: usize = 1_000;
/// `--time-limit` at most, in seconds (one day).
pub const TIME_LIMIT_S_MAX: u64 = 86_400;
/// `--rate` at most, in operations per second.
pub const RATE_MAX: f64 = 1_000_000.0;
/// `--concurrency` at most, in worker threads (after `Kn` is multiplied out).
pub const CONCURRENCY_MAX: usize = 10_000;
/// `--latency` at most, in ms (one minute).
pub const LATENCY_MS_MAX: u64 = 60_000;
/// `--nemesis-interval` at most, in seconds (one day); at least a millisecond.
pub const NEMESIS_INTERVAL_S_MAX: f64 = 86_400.0;
pub const NEMESIS_INTERVAL_S_MIN: f64 = 0.001;
/// `--key-count`, `--max-txn-length`, `--max-writes-per-key` at most.
pub const WORKLOAD_SIZE_MAX: u64 = 1_000_000;
/// A `--seeds` range covers at most this many seeds.
pub const SEED_SWEEP_MAX: u64 = 1_000_000;

/// The workloads `-w` accepts.
pub const WORKLOADS: [&str; 10] = [
    "echo",
    "unique-ids",
    "broadcast",
    "g-set",
    "g-counter",
    "pn-counter",
    "lin-kv",
    "kafka",
    "txn-rw-register",
    "txn-list-append",
];

#[derive(Debug, Parser)]
#[command(
    name = "maelstrom-tests",
    about = "Runs Maelstrom workloads offline: the same command line, workloads, faults and checkers",
    version,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs a workload against a node binary (`maelstrom test`).
    Test(Box<TestArgs>),
    /// Re-runs the checkers on a stored run directory or history.edn.
    Analyze(AnalyzeArgs),
    /// Judges a stored run (ours or the real Maelstrom's `results.edn`) against a
    /// challenge's pass criteria (maelstrom.md §7).
    Criteria(CriteriaArgs),
    /// Measures how fast the harness routes messages, with the `flood` fixture.
    Bench(BenchArgs),
    /// Serves the store's runs, pictures and files over HTTP (`maelstrom serve`).
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(short = 'b', long, default_value = "0.0.0.0")]
    pub host: String,
    #[arg(short = 'p', long, default_value_t = 8080)]
    pub port: u16,
    /// The store directory to show.
    #[arg(long, default_value = "store")]
    pub store: PathBuf,
}

/// The flags of one run, shared by `test` and a challenge binary's `sim`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// echo, unique-ids, broadcast, g-set, g-counter, pn-counter, kafka or txn-rw-register.
    #[arg(short = 'w', long, default_value = "lin-kv")]
    pub workload: String,
    /// Arguments passed to the node binary (after `--` if they start with `-`).
    pub args: Vec<String>,
    /// Number of nodes (1..=1000), named n0, n1…; without it, Maelstrom's default n1…n5.
    #[arg(long)]
    pub node_count: Option<String>,
    /// Seconds of the main phase (0..=86400).
    #[arg(long, default_value = "60")]
    pub time_limit: String,
    /// Client operations per second across all clients (0..=1000000; 0: no operations).
    #[arg(long, default_value = "5")]
    pub rate: String,
    /// Client threads: K, or Kn for K per node (1..=10000 in all).
    #[arg(long, default_value = "1n")]
    pub concurrency: String,
    /// Mean latency in ms between nodes and to services (0..=60000; clients have none).
    #[arg(long, default_value = "0")]
    pub latency: String,
    /// constant, uniform or exponential.
    #[arg(long, default_value = "constant")]
    pub latency_dist: String,
    /// `partition`: Maelstrom's partition nemesis.
    #[arg(long)]
    pub nemesis: Option<String>,
    /// Mean seconds between nemesis operations (0.001..=86400; `1/2` is fine).
    #[arg(long, default_value = "10")]
    pub nemesis_interval: String,
    /// The broadcast neighbour map: grid, line, total, tree, tree2, tree3 or tree4.
    #[arg(long, default_value = "grid")]
    pub topology: String,
    /// `total`, or the fraction of operations that must succeed (0..=1).
    #[arg(long)]
    pub availability: Option<String>,
    /// Consistency models the txn checker holds the history to: a comma-separated list,
    /// and the flag may be repeated.
    #[arg(long)]
    pub consistency_models: Vec<String>,
    /// Active keys of the txn and kafka workloads (1..=1000000).
    #[arg(long)]
    pub key_count: Option<String>,
    /// Longest transaction (txn workloads; 1..=1000000).
    #[arg(long, default_value = "4")]
    pub max_txn_length: String,
    /// Writes per key before it retires (txn and kafka workloads; 1..=1000000).
    #[arg(long, default_value = "16")]
    pub max_writes_per_key: String,
    /// Also print node stderr on the console (always kept in node-logs/).
    #[arg(long)]
    pub log_stderr: bool,
    /// The seed of the harness's choices (generator, schedule, nemesis, latency, services)
    /// and, in the simulation, of every node's randomness; printed at the start and in
    /// the replay line.
    #[arg(long)]
    pub seed: Option<String>,
    /// A challenge (1, 2, 3a…3e, 3d-strict, 4, 5a…5c, 6a…6c) whose pass criteria must hold too.
    #[arg(long)]
    pub check: Option<String>,
    /// Where runs are stored: STORE/WORKLOAD/TIMESTAMP and STORE/latest.
    #[arg(long, default_value = "store")]
    pub store: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// The node binary; every node is one process of it.
    #[arg(long)]
    pub bin: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `BIN sim ...`: Maelstrom's test flags without `--bin`, plus `--seeds`.
#[derive(Debug, Parser)]
#[command(
    about = "Runs the workload against this node in-process, on a virtual clock: same flags as `maelstrom test` without --bin",
    arg_required_else_help = false
)]
pub struct SimArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Runs every seed of a range, `A..B` (B excluded) or `A..=B`, one line per seed.
    #[arg(long, conflicts_with = "seed")]
    pub seeds: Option<String>,
    /// Not used: the simulation runs this binary's own node.
    #[arg(long, hide = true)]
    pub bin: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CriteriaArgs {
    /// A run directory (holding `results.edn`) or a `results.edn` file.
    pub path: PathBuf,
    /// The challenge: 1, 2, 3a…3e, 3d-strict, 4, 5a…5c, 6a…6c.
    #[arg(long)]
    pub challenge: String,
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// A run directory or a `history.edn`.
    pub path: PathBuf,
    /// The workload; wins over test.json, command.txt and guessing.
    #[arg(short = 'w', long)]
    pub workload: Option<String>,
    /// `total`, or the fraction of operations that must succeed.
    #[arg(long)]
    pub availability: Option<String>,
    /// As for `test`.
    #[arg(long)]
    pub consistency_models: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The node that floods (the `flood` fixture).
    #[arg(long)]
    pub bin: PathBuf,
    #[arg(long, default_value_t = 25)]
    pub node_count: usize,
    /// Seconds of flooding.
    #[arg(long, default_value_t = 10)]
    pub time_limit: u64,
}

/// A bad argument: printed as `error: <flag>: <problem>`, exit 254.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("error: {flag}: {problem}")]
pub struct BadArgument {
    pub flag: &'static str,
    pub problem: String,
}

fn bad(flag: &'static str, problem: impl Into<String>) -> BadArgument {
    BadArgument {
        flag,
        problem: problem.into(),
    }
}

/// Everything a run needs, checked.
#[derive(Debug, Clone)]
pub struct TestConfig {
    pub workload: String,
    pub bin: PathBuf,
    pub args: Vec<String>,
    pub nodes: Vec<String>,
    pub time_limit_s: u64,
    pub rate: f64,
    pub concurrency: usize,
    pub latency_ms: u64,
    /// Checked to parse as a `LatencyDist`.
    pub latency_dist: String,
    pub nemesis: bool,
    pub nemesis_interval_s: f64,
    pub topology: String,
    pub availability: Option<f64>,
    pub consistency_models: Vec<String>,
    pub key_count: Option<u64>,
    pub max_txn_length: u64,
    pub max_writes_per_key: u64,
    pub log_stderr: bool,
    pub seed: u64,
    pub check: Option<String>,
    pub store: PathBuf,
}

impl TestConfig {
    /// Checks every flag; `bin` is the node binary (checked to be an executable file).
    /// The seed is drawn from the OS when not given.
    pub fn from_args(args: &RunArgs, bin: &std::path::Path) -> Result<TestConfig, BadArgument> {
        if !WORKLOADS.contains(&args.workload.as_str()) {
            let problem = format!(
                "expected one of {}, got {:?}",
                WORKLOADS.join(", "),
                args.workload
            );
            return Err(bad("--workload", problem));
        }
        let node_count = args
            .node_count
            .as_deref()
            .map(|text| parse_integer(text, 1, NODE_COUNT_MAX as u64))
            .transpose()
            .map_err(|p| bad("--node-count", p))?;
        let nodes = node_names(node_count.map(|count| count as usize));
        let concurrency = parse_concurrency(&args.concurrency, nodes.len())
            .map_err(|p| bad("--concurrency", p))?;
        let time_limit_s = parse_integer(&args.time_limit, 0, TIME_LIMIT_S_MAX)
            .map_err(|p| bad("--time-limit", p))?;
        let rate = parse_rate(&args.rate).map_err(|p| bad("--rate", p))?;
        let latency_ms =
            parse_integer(&args.latency, 0, LATENCY_MS_MAX).map_err(|p| bad("--latency", p))?;
        let dist = args
            .latency_dist
            .parse::<LatencyDist>()
            .map_err(|p| bad("--latency-dist", p))?;
        maelstrom_model::Latency::new(latency_ms, dist).map_err(|p| bad("--latency-dist", p))?;
        let nemesis = match args.nemesis.as_deref() {
            None => false,
            Some("partition") => true,
            Some(other) => {
                return Err(bad(
                    "--nemesis",
                    format!("expected partition, got {other:?}"),
                ))
            }
        };
        let nemesis_interval_s =
            parse_seconds(&args.nemesis_interval).map_err(|p| bad("--nemesis-interval", p))?;
        maelstrom_model::topology(&args.topology, &nodes).map_err(|p| bad("--topology", p))?;
        let availability = args
            .availability
            .as_deref()
            .map(parse_availability)
            .transpose();
        let availability = availability.map_err(|p| bad("--availability", p))?;
        let size = |text: &str, flag: &'static str| {
            parse_integer(text, 1, WORKLOAD_SIZE_MAX).map_err(|p| bad(flag, p))
        };
        let key_count = args
            .key_count
            .as_deref()
            .map(|text| size(text, "--key-count"))
            .transpose()?;
        let max_txn_length = size(&args.max_txn_length, "--max-txn-length")?;
        let max_writes_per_key = size(&args.max_writes_per_key, "--max-writes-per-key")?;
        if let Some(challenge) = &args.check {
            maelstrom_checker::criteria::known(challenge).map_err(|p| bad("--check", p))?;
        }
        if args.workload == "lin-kv" {
            // Maelstrom fails an assertion in the generator (maelstrom.md §8.13); we say
            // so before anything starts, once every flag has passed its own check.
            maelstrom_model::workloads::lin_kv::check_grouping(concurrency, nodes.len())
                .map_err(|p| bad("--concurrency", p))?;
        }
        let seed = match &args.seed {
            Some(text) => parse_integer(text, 0, u64::MAX).map_err(|p| bad("--seed", p))?,
            None => rand::random(),
        };
        Ok(TestConfig {
            workload: args.workload.clone(),
            bin: check_executable(bin).map_err(|p| bad("--bin", p))?,
            args: args.args.clone(),
            nodes,
            time_limit_s,
            rate,
            concurrency,
            latency_ms,
            latency_dist: args.latency_dist.clone(),
            nemesis,
            nemesis_interval_s,
            topology: args.topology.clone(),
            availability,
            consistency_models: split_models(&args.consistency_models),
            key_count,
            max_txn_length,
            max_writes_per_key,
            log_stderr: args.log_stderr,
            seed,
            check: args.check.clone(),
            store: args.store.clone(),
        })
    }
}

/// The node binary, canonical, if it is an executable file.
fn check_executable(bin: &std::path::Path) -> Result<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::fs::canonicalize(bin).map_err(|error| format!("{}: {error}", bin.display()))?;
    let metadata =
        std::fs::metadata(&path).map_err(|error| format!("{}: {error}", bin.display()))?;
    if !metadata.is_file() {
        return Err(format!("{} is not a file", bin.display()));
    }
    if metadata.permissions().mode() & 0o111 == 0 {
        return Err(format!("{} is not executable", bin.display()));
    }
    Ok(path)
}

/// `n0..n(N-1)` with `--node-count`, else jepsen's default `n1..n5`.
fn node_names(node_count: Option<usize>) -> Vec<String> {
    match node_count {
        None => (1..=5).map(|i| format!("n{i}")).collect(),
        Some(count) => (0..count).map(|i| format!("n{i}")).collect(),
    }
}

/// A whole number in `min..=max`.
fn parse_integer(text: &str, min: u64, max: u64) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(format!(
            "expected a whole number in {min}..={max}, got {text:?}"
        )),
    }
}

/// Operations per second: a finite number in `0..=RATE_MAX`.
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && (0.0..=RATE_MAX).contains(&rate) => Ok(rate),
        _ => Err(format!("expected a number in 0..={RATE_MAX}, got {text:?}")),
    }
}

/// `K` or `Kn` (K × node count), in `1..=CONCURRENCY_MAX` in all.
pub fn parse_concurrency(text: &str, node_count: usize) -> Result<usize, String> {
    let (number, per_node) = match text.strip_suffix('n') {
        Some(number) => (number, true),
        None => (text, false),
    };
    let range = format!("expected K or Kn with 1..={CONCURRENCY_MAX} workers in all, got {text:?}");
    let count: usize = number.parse().map_err(|_| range.clone())?;
    let total = if per_node {
        count.checked_mul(node_count)
    } else {
        Some(count)
    };
    match total {
        Some(total) if (1..=CONCURRENCY_MAX).contains(&total) => Ok(total),
        _ => Err(range),
    }
}

/// Seconds as Clojure's `read-string` takes them: `10`, `0.5`, or a ratio `1/2`.
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    let number = |part: &str| part.trim().parse::<f64>().ok();
    let value = match text.split_once('/') {
        Some((numerator, denominator)) => number(numerator)
            .zip(number(denominator))
            .map(|(n, d)| n / d),
        None => number(text),
    };
    match value {
        Some(value)
            if value.is_finite()
                && (NEMESIS_INTERVAL_S_MIN..=NEMESIS_INTERVAL_S_MAX).contains(&value) =>
        {
            Ok(value)
        }
        _ => Err(format!(
            "expected seconds in {NEMESIS_INTERVAL_S_MIN}..={NEMESIS_INTERVAL_S_MAX}, got {text:?}"
        )),
    }
}

/// `total` = 1.0, or a fraction in 0..1.
pub fn parse_availability(text: &str) -> Result<f64, String> {
    if text == "total" {
        return Ok(1.0);
    }
    match text.parse::<f64>() {
        Ok(fraction) if (0.0..=1.0).contains(&fraction) => Ok(fraction),
        _ => Err(format!("expected total or a number in 0..=1, got {text:?}")),
    }
}

/// Every model named by every `--consistency-models` flag: each is a comma-separated
/// list (spaces around commas are fine, as Maelstrom's `\s+,\s+` split needs them).
/// Without the flag, Maelstrom's default, strict-serializable.
pub fn split_models(flags: &[String]) -> Vec<String> {
    let models: Vec<String> = flags
        .iter()
        .flat_map(|flag| flag.split(','))
        .map(str::trim)
        .filter(|model| !model.is_empty())
        .map(str::to_string)
        .collect();
    if models.is_empty() {
        vec!["strict-serializable".into()]
    } else {
        models
    }
}

/// A `--seeds` range: `A..B` (B excluded) or `A..=B`.
pub fn parse_seed_range(text: &str) -> Result<std::ops::RangeInclusive<u64>, String> {
    let problem =
        || format!("expected A..B or A..=B with at most {SEED_SWEEP_MAX} seeds, got {text:?}");
    let (start, end) = text.split_once("..").ok_or_else(problem)?;
    let start: u64 = start.trim().parse().map_err(|_| problem())?;
    let range = match end.strip_prefix('=') {
        Some(end) => start..=end.trim().parse().map_err(|_| problem())?,
        None => {
            let end: u64 = end.trim().parse().map_err(|_| problem())?;
            start..=end.checked_sub(1).ok_or_else(problem)?
        }
    };
    let count = range
        .end()
        .checked_sub(*range.start())
        .and_then(|gap| gap.checked_add(1));
    match count {
        Some(count) if count <= SEED_SWEEP_MAX => Ok(range),
        _ => Err(problem()),
    }
}

#[cfg(test)]
mod tests;
