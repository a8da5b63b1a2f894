//! The store directory (maelstrom.md §6): `store/<workload>/<timestamp>/` with the
//! history, results, node logs and `test.json`, plus the `latest` symlinks.
//!
//! Timestamps are UTC (`20250101T120000.000Z`): Maelstrom uses the local zone, but
//! the format allows `Z`, and UTC needs no time-zone database.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use serde_json::{json, Value};

use maelstrom_checker::{NetStats, Op, Results};

use crate::cli::TestConfig;

/// Creates `store/<workload>/<timestamp>/node-logs/` and points the `latest` links at it.
pub fn create_run_dir(store: &Path, workload: &str) -> anyhow::Result<PathBuf> {
    let workload_dir = store.join(workload);
    std::fs::create_dir_all(&workload_dir)
        .with_context(|| format!("could not create {}", workload_dir.display()))?;
    let run_dir = claim_run_dir(&workload_dir)?;
    std::fs::create_dir_all(run_dir.join("node-logs"))
        .with_context(|| format!("could not create {}", run_dir.display()))?;
    let run_dir = std::fs::canonicalize(&run_dir)?;
    relink(&store.join("latest"), &run_dir)?;
    relink(&store.join(workload).join("latest"), &run_dir)?;
    Ok(run_dir)
}

/// Two runs started in the same millisecond (parallel tests) must not share a
/// directory: `create_dir` fails if it exists, so the later run takes the next millisecond.
fn claim_run_dir(workload_dir: &Path) -> anyhow::Result<PathBuf> {
    let now = SystemTime::now();
    for offset_ms in 0..1000 {
        let candidate =
            workload_dir.join(timestamp(now + std::time::Duration::from_millis(offset_ms)));
        match std::fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("could not create {}", candidate.display()))
            }
        }
    }
    anyhow::bail!("no free run directory in {}", workload_dir.display())
}

/// Points `link` at `target` atomically: a new link beside it, renamed over it. Runs
/// that finish together (a seed sweep's threads, parallel tests) can't collide on a
/// link that one of them has just removed.
fn relink(link: &Path, target: &Path) -> anyhow::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let file_name = link
        .file_name()
        .map_or("latest".into(), |name| name.to_string_lossy().into_owned());
    let fresh = link.with_file_name(format!(
        ".{file_name}.{}.{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::os::unix::fs::symlink(target, &fresh)
        .with_context(|| format!("could not link {}", fresh.display()))?;
    std::fs::rename(&fresh, link).with_context(|| format!("could not link {}", link.display()))
}

/// `YYYYMMDDTHHMMSS.mmmZ`.
fn timestamp(now: SystemTime) -> String {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    let second_of_day = seconds % 86_400;
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}.{:03}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60,
        since_epoch.subsec_millis()
    )
}

/// Days since 1970-01-01 → (year, month, day), Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The `:net` counts as `test.json` stores them.
pub fn net_json(net: &NetStats) -> Value {
    let counts = |c: &maelstrom_checker::NetCounts| json!({"send_count": c.send_count, "recv_count": c.recv_count, "msg_count": c.msg_count});
    json!({"all": counts(&net.all), "clients": counts(&net.clients), "servers": counts(&net.servers)})
}

/// `test.json`: what `analyze` needs to re-check a run of ours, `:net` included.
/// `mode` is `process` or `sim`; `interrupted` names the signal that stopped the run.
pub fn write_test_json(
    run_dir: &Path,
    config: &TestConfig,
    command_line: &[String],
    net: &NetStats,
    mode: &str,
    interrupted: Option<&str>,
) -> anyhow::Result<()> {
    let test = json!({
        "seed": config.seed,
        "mode": mode,
        "interrupted": interrupted.is_some(),
        "interrupted_by": interrupted,
        "command_line": command_line,
        "workload": config.workload,
        "options": {
            "bin": config.bin, "args": config.args, "nodes": config.nodes,
            "time_limit": config.time_limit_s, "rate": config.rate, "concurrency": config.concurrency,
            "latency": config.latency_ms, "latency_dist": config.latency_dist,
            "nemesis": if config.nemesis { vec!["partition"] } else { vec![] },
            "nemesis_interval": config.nemesis_interval_s, "topology": config.topology,
            "availability": config.availability, "consistency_models": config.consistency_models,
            "key_count": config.key_count, "max_txn_length": config.max_txn_length,
            "max_writes_per_key": config.max_writes_per_key,
        },
        "net": net_json(net),
    });
    let text = serde_json::to_string_pretty(&test)?;
    std::fs::write(run_dir.join("test.json"), text + "\n").context("could not write test.json")
}

/// `history.edn`.
pub fn write_history(run_dir: &Path, history: &[Op]) -> anyhow::Result<()> {
    maelstrom_checker::history::write_history(&run_dir.join("history.edn"), history)
        .context("could not write history.edn")
}

/// `results.edn` and `results.json`.
pub fn write_results(run_dir: &Path, results: &Results) -> anyhow::Result<()> {
    std::fs::write(run_dir.join("results.edn"), results.edn.to_string() + "\n")
        .context("could not write results.edn")?;
    let json = serde_json::to_string_pretty(&results.edn.to_json())?;
    std::fs::write(run_dir.join("results.json"), json + "\n")
        .context("could not write results.json")
}

/// `node-logs/<node>.log` for nodes whose logs were kept in memory (the simulation).
pub fn write_node_logs(run_dir: &Path, nodes: &[String], logs: &[String]) -> anyhow::Result<()> {
    for (node, text) in nodes.iter().zip(logs) {
        let path = run_dir.join("node-logs").join(format!("{node}.log"));
        std::fs::write(&path, text)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    Ok(())
}

/// The results of a run stopped by `signal`: unjudged (`:valid? :unknown`).
pub fn write_interrupted_results(run_dir: &Path, signal: &str) -> anyhow::Result<()> {
    let edn = maelstrom_checker::Edn::kmap([
        ("valid?", maelstrom_checker::Edn::keyword("unknown")),
        (
            "error",
            maelstrom_checker::Edn::Str(format!("interrupted by {signal} before the run ended")),
        ),
    ]);
    let results = Results {
        valid: maelstrom_checker::Validity::Unknown,
        edn,
    };
    write_results(run_dir, &results)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many runs finishing at once all get a run directory, and `latest` always points
    /// at one of them (the link is replaced atomically, never missing).
    #[test]
    fn runs_created_at_once_never_collide_on_latest() {
        let store =
            std::env::temp_dir().join(format!("maelstrom-store-race-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&store);
        let dirs: Vec<PathBuf> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..16)
                .map(|_| scope.spawn(|| create_run_dir(&store, "echo").expect("a run directory")))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("no panic"))
                .collect()
        });
        let latest = std::fs::canonicalize(store.join("latest")).expect("latest resolves");
        assert!(dirs.contains(&latest));
        let distinct: std::collections::BTreeSet<_> = dirs.iter().collect();
        assert_eq!(distinct.len(), 16, "every run has its own directory");
        let _ = std::fs::remove_dir_all(&store);
    }

    /// Store directories are named like Maelstrom's (maelstrom.md §6), in UTC.
    #[test]
    fn timestamps_read_like_maelstrom_store_directories() {
        let moment = UNIX_EPOCH + std::time::Duration::from_millis(1_735_689_600_123 + 3_723_000);
        assert_eq!(timestamp(moment), "20250101T010203.123Z");
    }
}
