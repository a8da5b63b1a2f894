//! The command line, a drop-in for `maelstrom test` / `analyze` (maelstrom-spec §6),
//! plus `bench`. Parsing turns flags into a checked [`TestConfig`]; a bad flag is
//! one line naming it and exit code 254, as Maelstrom does.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::model::LatencyDist;

/// Exit codes (maelstrom-spec §6).
pub const EXIT_VALID: i32 = 0;
pub const EXIT_INVALID: i32 = 1;
pub const EXIT_UNKNOWN: i32 = 2;
pub const EXIT_BAD_ARGUMENTS: i32 = 254;
pub const EXIT_CRASH: i32 = 255;

#[derive(Debug, Parser)]
#[command(
    name = "maelstrom-tests",
    about = "Runs Maelstrom workloads offline",
    version
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
    /// Measures the routing speed with the `flood` fixture.
    Bench(BenchArgs),
    /// Judges a stored run (ours or the real Maelstrom's `results.edn`) against
    /// a challenge's pass criteria (maelstrom-spec §7).
    Criteria(CriteriaArgs),
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

#[derive(Debug, clap::Args)]
pub struct CriteriaArgs {
    /// A run directory (holding `results.edn`) or a `results.edn` file.
    pub path: PathBuf,
    /// The challenge: 1, 2, 3a…3e, 4, or 3d-strict.
    #[arg(long)]
    pub challenge: String,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// echo, unique-ids, broadcast, g-set, g-counter or pn-counter.
    #[arg(short = 'w', long, default_value = "lin-kv")]
    pub workload: String,
    /// The node binary; every node is one process of it.
    #[arg(long)]
    pub bin: PathBuf,
    /// Arguments passed to the binary.
    pub args: Vec<String>,
    /// Number of nodes, named n0, n1…; without it, Maelstrom's default n1…n5.
    #[arg(long)]
    pub node_count: Option<usize>,
    /// Seconds of the main phase.
    #[arg(long, default_value_t = 60)]
    pub time_limit: u64,
    /// Client operations per second, across all clients.
    #[arg(long, default_value_t = 5.0)]
    pub rate: f64,
    /// Client threads: a number, or `Kn` for K per node.
    #[arg(long, default_value = "1n")]
    pub concurrency: String,
    /// Mean latency in ms between nodes and to services (clients have none).
    #[arg(long, default_value_t = 0)]
    pub latency: u64,
    /// constant, uniform or exponential.
    #[arg(long, default_value = "constant")]
    pub latency_dist: String,
    /// `partition`: Maelstrom's partition nemesis.
    #[arg(long)]
    pub nemesis: Option<String>,
    /// Mean seconds between nemesis operations.
    #[arg(long, default_value = "10")]
    pub nemesis_interval: String,
    /// The broadcast neighbour map: grid, line, total, tree, tree2, tree3 or tree4.
    #[arg(long, default_value = "grid")]
    pub topology: String,
    /// `total`, or the fraction of operations that must succeed.
    #[arg(long)]
    pub availability: Option<String>,
    /// Accepted for compatibility; used by the transaction workloads.
    #[arg(long, default_value = "strict-serializable")]
    pub consistency_models: String,
    /// Accepted for compatibility (lin-kv, kafka, txn workloads).
    #[arg(long)]
    pub key_count: Option<u64>,
    /// Accepted for compatibility (txn workloads).
    #[arg(long, default_value_t = 4)]
    pub max_txn_length: u64,
    /// Accepted for compatibility (txn workloads).
    #[arg(long, default_value_t = 16)]
    pub max_writes_per_key: u64,
    /// Also print node stderr on the console (always kept in node-logs/).
    #[arg(long)]
    pub log_stderr: bool,
    /// The seed for everything random; printed at the start and in the replay line.
    #[arg(long)]
    pub seed: Option<u64>,
    /// A challenge (`1`, `2`, `3a`..`3e`, `4`, ...) whose pass criteria must hold too.
    #[arg(long)]
    pub check: Option<String>,
    /// Where runs are stored: STORE/WORKLOAD/TIMESTAMP and STORE/latest.
    #[arg(long, default_value = "store")]
    pub store: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    pub path: PathBuf,
    #[arg(short = 'w', long)]
    pub workload: Option<String>,
    #[arg(long)]
    pub availability: Option<String>,
    #[arg(long)]
    pub consistency_models: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[arg(long)]
    pub bin: PathBuf,
    #[arg(long, default_value_t = 25)]
    pub node_count: usize,
    #[arg(long, default_value_t = 10)]
    pub time_limit: u64,
}

/// A bad argument: printed as `error: <flag>: <problem>`, exit 254.
#[derive(Debug, thiserror::Error)]
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

/// Everything a test run needs, checked.
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
    /// Checked to parse as a `LatencyDist`; kept as text so the config needs nothing of the model's types.
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
    /// Checks every flag; the seed is drawn from the OS when not given.
    pub fn from_args(args: Box<TestArgs>) -> Result<TestConfig, BadArgument> {
        let nodes = node_names(args.node_count).map_err(|problem| bad("--node-count", problem))?;
        let concurrency = parse_concurrency(&args.concurrency, nodes.len())
            .map_err(|p| bad("--concurrency", p))?;
        if args.latency_dist.parse::<LatencyDist>().is_err() {
            let problem = format!(
                "expected constant, uniform or exponential, got {:?}",
                args.latency_dist
            );
            return Err(bad("--latency-dist", problem));
        }
        if !(args.rate.is_finite() && args.rate >= 0.0) {
            return Err(bad(
                "--rate",
                format!("expected a number ≥ 0, got {}", args.rate),
            ));
        }
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
        let availability = args
            .availability
            .as_deref()
            .map(parse_availability)
            .transpose();
        let availability = availability.map_err(|p| bad("--availability", p))?;
        Ok(TestConfig {
            workload: args.workload,
            bin: std::fs::canonicalize(&args.bin)
                .map_err(|error| bad("--bin", format!("{}: {error}", args.bin.display())))?,
            args: args.args,
            nodes,
            time_limit_s: args.time_limit,
            rate: args.rate,
            concurrency,
            latency_ms: args.latency,
            latency_dist: args.latency_dist,
            nemesis,
            nemesis_interval_s,
            topology: args.topology,
            availability,
            consistency_models: split_models(&args.consistency_models),
            key_count: args.key_count,
            max_txn_length: args.max_txn_length,
            max_writes_per_key: args.max_writes_per_key,
            log_stderr: args.log_stderr,
            seed: args.seed.unwrap_or_else(rand::random),
            check: args.check,
            store: args.store,
        })
    }
}

/// `n0..n(N-1)` with `--node-count`, else jepsen's default `n1..n5`.
fn node_names(node_count: Option<usize>) -> Result<Vec<String>, String> {
    match node_count {
        None => Ok((1..=5).map(|i| format!("n{i}")).collect()),
        Some(0) => Err("expected at least 1 node, got 0".into()),
        Some(count) => Ok((0..count).map(|i| format!("n{i}")).collect()),
    }
}

/// `K` or `Kn` (K × node count).
pub fn parse_concurrency(text: &str, node_count: usize) -> Result<usize, String> {
    let (number, per_node) = match text.strip_suffix('n') {
        Some(number) => (number, true),
        None => (text, false),
    };
    let count: usize = number
        .parse()
        .map_err(|_| format!("expected K or Kn, got {text:?}"))?;
    let total = if per_node { count * node_count } else { count };
    if total == 0 {
        return Err(format!("expected at least 1 worker, got {text:?}"));
    }
    Ok(total)
}

/// Seconds as Clojure's `read-string` takes them: `10`, `0.5`, or a ratio `1/2`.
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    let value = match text.split_once('/') {
        Some((numerator, denominator)) => {
            let numerator: f64 = numerator
                .trim()
                .parse()
                .map_err(|_| format!("expected seconds, got {text:?}"))?;
            let denominator: f64 = denominator
                .trim()
                .parse()
                .map_err(|_| format!("expected seconds, got {text:?}"))?;
            numerator / denominator
        }
        None => text
            .trim()
            .parse()
            .map_err(|_| format!("expected seconds, got {text:?}"))?,
    };
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(format!(
            "expected a positive number of seconds, got {text:?}"
        ))
    }
}

/// `total` = 1.0, or a fraction in 0..1.
fn parse_availability(text: &str) -> Result<f64, String> {
    if text == "total" {
        return Ok(1.0);
    }
    match text.parse::<f64>() {
        Ok(fraction) if (0.0..=1.0).contains(&fraction) => Ok(fraction),
        _ => Err(format!("expected total or a number in 0..1, got {text:?}")),
    }
}

/// Maelstrom splits on `\s+,\s+`, so `a,b` stays one model name (maelstrom-spec §6 ⚠).
fn split_models(text: &str) -> Vec<String> {
    let mut models = Vec::new();
    let mut rest = text;
    while let Some(position) = rest.find(',') {
        let (before, after) = rest.split_at(position);
        let spaced =
            before.ends_with(char::is_whitespace) && after[1..].starts_with(char::is_whitespace);
        if !spaced {
            break;
        }
        models.push(before.trim_end().to_string());
        rest = after[1..].trim_start();
    }
    models.push(rest.to_string());
    models
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom-spec §6: `--concurrency` is `K` or `Kn` (K × node count).
    #[test]
    fn concurrency_counts_workers_per_node_with_an_n_suffix() {
        assert_eq!(parse_concurrency("2n", 3), Ok(6));
        assert_eq!(parse_concurrency("4", 3), Ok(4));
        assert!(parse_concurrency("n", 3).is_err());
        assert!(parse_concurrency("0", 3).is_err());
    }

    /// maelstrom-spec §6: `--nemesis-interval` is read like Clojure's `read-string`.
    #[test]
    fn nemesis_intervals_accept_fractions_and_ratios() {
        assert_eq!(parse_seconds("10"), Ok(10.0));
        assert_eq!(parse_seconds("0.5"), Ok(0.5));
        assert_eq!(parse_seconds("1/4"), Ok(0.25));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("soon").is_err());
    }

    /// maelstrom-spec §6 ⚠: models are split on `\s+,\s+` only.
    #[test]
    fn consistency_models_split_only_on_spaced_commas() {
        assert_eq!(split_models("read-committed"), vec!["read-committed"]);
        assert_eq!(split_models("a , b"), vec!["a", "b"]);
        assert_eq!(split_models("a,b"), vec!["a,b"]);
    }

    /// maelstrom-spec §1.1: without `--node-count`, jepsen's default nodes n1..n5.
    #[test]
    fn default_nodes_are_n1_to_n5() {
        assert_eq!(
            node_names(None).expect("valid"),
            vec!["n1", "n2", "n3", "n4", "n5"]
        );
        assert_eq!(node_names(Some(2)).expect("valid"), vec!["n0", "n1"]);
    }
}
