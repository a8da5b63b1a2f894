//! `analyze`: re-check a stored history, ours or a real Maelstrom run's.
//!
//! What the checkers need besides the history comes from the files beside it:
//! our runner's `test.json` (workload, `--availability`, and the message counts
//! it measured), else a `command.txt` holding a Maelstrom command line, else the
//! workload guessed from the history's `:f`s. A real Maelstrom run keeps its
//! message counts in a journal we do not read, so `:net` is unknown for it.

use std::path::{Path, PathBuf};

use crate::check::CheckOptions;
use crate::history::{read_history, Op};
use crate::net::{NetCounts, NetStats};

/// What the caller knows better than the files: flags given to `analyze`.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub workload: Option<String>,
    pub availability: Option<f64>,
    pub consistency_models: Option<Vec<String>>,
}

/// The options, history and (if recorded) message counts of a stored run.
/// `path` is a run directory or a `history.edn` file.
pub fn load(
    path: &Path,
    overrides: &Overrides,
) -> anyhow::Result<(CheckOptions, Vec<Op>, Option<NetStats>)> {
    let (mut options, history, net) = load_recorded(path, overrides.workload.is_some())?;
    if let Some(workload) = &overrides.workload {
        options.workload = workload.clone();
    }
    if overrides.availability.is_some() {
        options.availability = overrides.availability;
    }
    if let Some(models) = &overrides.consistency_models {
        options.consistency_models = models.clone();
    }
    Ok((options, history, net))
}

/// What the files say; the workload is guessed only when it isn't `known`.
fn load_recorded(
    path: &Path,
    workload_known: bool,
) -> anyhow::Result<(CheckOptions, Vec<Op>, Option<NetStats>)> {
    let (dir, history_path) = if path.is_dir() {
        (path.to_path_buf(), path.join("history.edn"))
    } else {
        (
            path.parent().map_or_else(PathBuf::new, Path::to_path_buf),
            path.to_path_buf(),
        )
    };
    let history = read_history(&history_path)?;
    if let Ok(text) = std::fs::read_to_string(dir.join("test.json")) {
        let test: serde_json::Value = serde_json::from_str(&text)?;
        return Ok((
            options_from_test_json(&test)?,
            history,
            net_from_test_json(&test),
        ));
    }
    let mut options = CheckOptions {
        workload: String::new(),
        availability: None,
        consistency_models: vec!["strict-serializable".into()],
    };
    if let Ok(command) = std::fs::read_to_string(dir.join("command.txt")) {
        apply_command_line(&mut options, &command);
    }
    if options.workload.is_empty() && !workload_known {
        options.workload = guess_workload(&history)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "cannot tell the workload of {}: pass -w",
                    history_path.display()
                )
            })?
            .to_string();
    }
    Ok((options, history, None))
}

fn options_from_test_json(test: &serde_json::Value) -> anyhow::Result<CheckOptions> {
    let workload = test["workload"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("test.json has no workload"))?
        .to_string();
    let availability = test["options"]["availability"].as_f64();
    let consistency_models = test["options"]["consistency_models"]
        .as_array()
        .map(|models| {
            models
                .iter()
                .filter_map(|m| m.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(CheckOptions {
        workload,
        availability,
        consistency_models,
    })
}

fn net_from_test_json(test: &serde_json::Value) -> Option<NetStats> {
    let counts = |class: &str| -> Option<NetCounts> {
        let section = test.get("net")?.get(class)?;
        Some(NetCounts {
            send_count: section["send_count"].as_u64()?,
            recv_count: section["recv_count"].as_u64()?,
            msg_count: section["msg_count"].as_u64()?,
        })
    };
    Some(NetStats {
        all: counts("all")?,
        clients: counts("clients")?,
        servers: counts("servers")?,
    })
}

/// `-w/--workload` and `--availability` from a Maelstrom command line.
fn apply_command_line(options: &mut CheckOptions, command: &str) {
    let words: Vec<&str> = command.split_whitespace().collect();
    for pair in words.windows(2) {
        match pair[0] {
            "-w" | "--workload" => options.workload = pair[1].to_string(),
            "--availability" => {
                options.availability = if pair[1] == "total" {
                    Some(1.0)
                } else {
                    pair[1].parse().ok()
                }
            }
            "--consistency-models" => options.consistency_models = vec![pair[1].to_string()],
            _ => {}
        }
    }
}

/// The workload whose operations these are, when the `:f`s say so unambiguously.
fn guess_workload(history: &[Op]) -> Option<&'static str> {
    let has = |f: &str| history.iter().any(|op| op.f == f);
    if has("echo") {
        Some("echo")
    } else if has("generate") {
        Some("unique-ids")
    } else if has("broadcast") {
        Some("broadcast")
    } else if has("txn") {
        Some("txn-rw-register")
    } else {
        None
    }
}
