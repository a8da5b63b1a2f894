//! `analyze`: re-check a stored history, ours or a real Maelstrom run's.
//!
//! What the checkers need besides the history comes from, in order of precedence:
//! the `analyze` command's own flags ([`Overrides`]), then the files beside the
//! history (our runner's `test.json`, with the workload, `--availability` and the
//! message counts it measured; else a `command.txt` holding a Maelstrom command
//! line), and last the workload guessed from the history's `:f`s. The flags come
//! first because the files can be missing or ambiguous: a real g-counter run has
//! no `command.txt`, and `add`/`read` could be g-set, g-counter or pn-counter.
//! A real Maelstrom run keeps its message counts in a journal we do not
//! read, so `:net` is unknown for it.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::check::CheckOptions;
use crate::history::{read_history, Op};
use crate::net::{NetCounts, NetStats};

/// What `analyze`'s flags (`-w`, `--availability`, `--consistency-models`) say.
/// Each one that is set wins over the stored files and over the guess.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    pub workload: Option<String>,
    /// `Some(1.0)` for `total`, else the fraction.
    pub availability: Option<f64>,
    pub consistency_models: Option<Vec<String>>,
}

impl Overrides {
    /// The flags' text as typed; `availability` is `total` or a number in 0..1.
    pub fn from_flags(
        workload: Option<&str>,
        availability: Option<&str>,
        consistency_models: Option<&str>,
    ) -> anyhow::Result<Overrides> {
        let availability = availability
            .map(|text| {
                parse_availability(text).ok_or_else(|| {
                    anyhow::anyhow!(
                        "availability: expected total or a number in 0..1, got {text:?}"
                    )
                })
            })
            .transpose()?;
        Ok(Overrides {
            workload: workload.map(str::to_string),
            availability,
            consistency_models: consistency_models.map(|models| vec![models.to_string()]),
        })
    }

    /// `options` with every set flag written over it.
    fn apply(&self, options: &mut CheckOptions) {
        if let Some(workload) = &self.workload {
            options.workload.clone_from(workload);
        }
        if let Some(availability) = self.availability {
            options.availability = Some(availability);
        }
        if let Some(models) = &self.consistency_models {
            options.consistency_models.clone_from(models);
        }
    }
}

/// The options, history and (if recorded) message counts of a stored run.
/// `path` is a run directory or a `history.edn` file. Same as [`load_with`]
/// without flags.
pub fn load(path: &Path) -> anyhow::Result<(CheckOptions, Vec<Op>, Option<NetStats>)> {
    load_with(path, &Overrides::default())
}

/// [`load`], with `analyze`'s flags applied before the workload is guessed, so
/// `-w` rescues a history whose workload the files do not tell.
pub fn load_with(
    path: &Path,
    overrides: &Overrides,
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
    let test = read_beside(&dir.join("test.json"))?
        .map(|(path, bytes)| {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .with_context(|| format!("parsing {}", path.display()))
        })
        .transpose()?;
    let mut options = match &test {
        Some(test) => options_from_test_json(test),
        None => {
            let mut options = CheckOptions {
                workload: String::new(),
                availability: None,
                consistency_models: vec!["strict-serializable".into()],
            };
            if let Some((_, command)) = read_beside(&dir.join("command.txt"))? {
                apply_command_line(&mut options, &String::from_utf8_lossy(&command));
            }
            options
        }
    };
    overrides.apply(&mut options);
    if options.workload.is_empty() {
        options.workload = guess_workload(&history)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "cannot tell the workload of {}: pass -w",
                    history_path.display()
                )
            })?
            .to_string();
    }
    let net = test.as_ref().and_then(net_from_test_json);
    Ok((options, history, net))
}

/// The bytes of a file stored beside the history, `None` when there is none. A
/// file that is there but cannot be read is an error naming it.
fn read_beside(path: &Path) -> anyhow::Result<Option<(&Path, Vec<u8>)>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some((path, bytes))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
    }
}

/// Our runner's record of the test; a missing workload is left empty, for the
/// flags or the guess to fill.
fn options_from_test_json(test: &serde_json::Value) -> CheckOptions {
    let workload = test["workload"].as_str().unwrap_or_default().to_string();
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
    CheckOptions {
        workload,
        availability,
        consistency_models,
    }
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
            "--availability" => options.availability = parse_availability(pair[1]),
            "--consistency-models" => options.consistency_models = vec![pair[1].to_string()],
            _ => {}
        }
    }
}

/// `total` is 1.0; otherwise a fraction in 0..1 (maelstrom.md §5.4).
fn parse_availability(text: &str) -> Option<f64> {
    if text == "total" {
        return Some(1.0);
    }
    text.parse()
        .ok()
        .filter(|fraction: &f64| (0.0..=1.0).contains(fraction))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory holding `files` (name, contents), removed on drop.
    struct RunDir(PathBuf);

    impl RunDir {
        fn new(name: &str, files: &[(&str, &str)]) -> RunDir {
            let dir = std::env::temp_dir().join(format!(
                "maelstrom-checker-analyze-{}-{name}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("a scratch directory");
            for (file, contents) in files {
                std::fs::write(dir.join(file), contents).expect("a scratch file");
            }
            RunDir(dir)
        }
    }

    impl Drop for RunDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A g-counter run as real Maelstrom stores it: adds and reads, no `command.txt`.
    const COUNTER_HISTORY: &str = "\
{:index 0, :time 1, :type :invoke, :process 0, :f :add, :value 2}
{:index 1, :time 2, :type :ok, :process 0, :f :add, :value 2}
{:index 2, :time 3, :type :invoke, :process 0, :f :read, :value nil, :final? true}
{:index 3, :time 4, :type :ok, :process 0, :f :read, :value 2, :final? true}
";

    fn workload_flag(workload: &str) -> Overrides {
        Overrides::from_flags(Some(workload), None, None).expect("valid flags")
    }

    /// jepsen `cli.clj` `single-test-cmd` (the `analyze` command Maelstrom's
    /// `core.clj` `-main` exposes) and maelstrom.md §6: `-w` names the workload when
    /// the stored files cannot, for a counter run without `command.txt` and a
    /// broadcast run whose history holds only reads.
    #[test]
    fn the_workload_flag_rescues_a_history_the_files_do_not_name() {
        let counter = RunDir::new("counter", &[("history.edn", COUNTER_HISTORY)]);
        let guessed = load(&counter.0).expect_err("add/read alone name no workload");
        assert!(guessed.to_string().contains("pass -w"), "{guessed}");
        let (options, history, _) =
            load_with(&counter.0, &workload_flag("g-counter")).expect("-w g-counter loads");
        assert_eq!(options.workload, "g-counter");
        assert_eq!(history.len(), 4);

        let reads = "{:index 0, :time 1, :type :invoke, :process 0, :f :read, :value nil}\n";
        let broadcast = RunDir::new("reads", &[("history.edn", reads)]);
        assert!(load(&broadcast.0).is_err());
        let (options, _, _) =
            load_with(&broadcast.0, &workload_flag("broadcast")).expect("-w broadcast loads");
        assert_eq!(options.workload, "broadcast");
    }

    /// jepsen `cli.clj` `single-test-cmd` (`analyze`), maelstrom.md §6: every flag
    /// that is given wins over `test.json` and over `command.txt`; the ones not
    /// given leave the stored values alone.
    #[test]
    fn flags_win_over_test_json_and_command_txt() {
        let test_json = r#"{"workload": "pn-counter", "options": {"availability": 0.5, "consistency_models": ["serializable"]}}"#;
        let stored = RunDir::new(
            "test-json",
            &[("history.edn", COUNTER_HISTORY), ("test.json", test_json)],
        );
        let all = Overrides::from_flags(Some("g-counter"), Some("total"), Some("read-committed"))
            .expect("valid flags");
        let (options, _, _) = load_with(&stored.0, &all).expect("loads");
        assert_eq!(
            options,
            CheckOptions {
                workload: "g-counter".into(),
                availability: Some(1.0),
                consistency_models: vec!["read-committed".into()],
            }
        );
        let (options, _, _) = load_with(&stored.0, &Overrides::default()).expect("loads");
        assert_eq!(options.workload, "pn-counter");
        assert_eq!(options.availability, Some(0.5));

        let command = "lein run test -w pn-counter --bin x --availability 0.25";
        let recorded = RunDir::new(
            "command",
            &[("history.edn", COUNTER_HISTORY), ("command.txt", command)],
        );
        let (options, _, _) = load_with(&recorded.0, &workload_flag("g-counter")).expect("loads");
        assert_eq!(options.workload, "g-counter");
        assert_eq!(
            options.availability,
            Some(0.25),
            "a flag not given keeps command.txt's"
        );
    }

    /// maelstrom.md §6 (`analyze`): a truncated `test.json` is an error that names
    /// the file, and a `test.json` that names no workload leaves it to `-w`.
    #[test]
    fn a_truncated_test_json_is_an_error_naming_the_file() {
        let truncated = RunDir::new(
            "truncated",
            &[
                ("history.edn", COUNTER_HISTORY),
                ("test.json", r#"{"workload": "g-coun"#),
            ],
        );
        let error = load(&truncated.0).expect_err("truncated");
        let message = format!("{error:#}");
        let test_json = truncated.0.join("test.json");
        assert!(
            message.starts_with(&format!("parsing {}: EOF", test_json.display())),
            "{message}"
        );

        let unnamed = RunDir::new(
            "unnamed",
            &[("history.edn", COUNTER_HISTORY), ("test.json", "{}")],
        );
        assert!(load(&unnamed.0).is_err(), "nothing names the workload");
        let (options, _, _) =
            load_with(&unnamed.0, &workload_flag("pn-counter")).expect("-w names it");
        assert_eq!(options.workload, "pn-counter");
    }

    /// maelstrom.md §5.4: `--availability` is `total` or a fraction in 0..1.
    #[test]
    fn an_availability_flag_outside_zero_to_one_is_refused() {
        for bad in ["1.5", "-0.1", "most"] {
            let error = Overrides::from_flags(None, Some(bad), None).expect_err(bad);
            assert!(
                error.to_string().contains("total or a number in 0..1"),
                "{error}"
            );
        }
        let total = Overrides::from_flags(None, Some("total"), None).expect("total");
        assert_eq!(total.availability, Some(1.0));
    }
}
