//! Node processes (maelstrom-spec §2): spawn, route stdout, log stderr, tear down.
//!
//! Each node gets three tasks, like Maelstrom's three threads: its network delivery
//! task writes to stdin; a stdout task parses envelopes and sends them; a stderr task
//! appends lines to `node-logs/<node>.log`. A fourth task owns the child and reports
//! an unexpected exit at once, so the run can end early instead of hanging.
//!
//! A stdout line that is not a valid envelope, or that addresses an id the network
//! does not know, mutes the node as Maelstrom does (§1.1): one `WARN` line, and its
//! stdout is never read again (the task keeps the pipe open, so the node blocks once
//! the pipe fills). Children are `kill_on_drop`, so no error path leaves one running.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{ChildStderr, ChildStdout, Command};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::network::{Network, Sink};

/// How many recent lines a report shows, as Maelstrom's ring buffer.
const RECENT_LINES: usize = 32;

/// The last lines of one stream; the slots are reused, so remembering costs no allocation.
#[derive(Debug, Default)]
pub struct Recent {
    lines: VecDeque<String>,
}

impl Recent {
    fn remember(&mut self, line: &str) {
        let mut slot = if self.lines.len() == RECENT_LINES {
            self.lines.pop_front().unwrap_or_default()
        } else {
            String::new()
        };
        slot.clear();
        slot.push_str(line.trim_end_matches(['\n', '\r']));
        self.lines.push_back(slot);
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.iter().cloned().collect()
    }
}

/// Why and where a node was muted.
#[derive(Clone, Debug)]
pub struct Muted {
    pub line: String,
    pub reason: String,
}

/// What the runner can still show about a node after the fact.
#[derive(Debug, Default)]
pub struct NodeLogs {
    pub stdout: Mutex<Recent>,
    pub stderr: Mutex<Recent>,
    pub muted: Mutex<Option<Muted>>,
}

impl NodeLogs {
    /// The report block: the node's last stdout and stderr lines.
    pub fn report(&self, node: &str) -> String {
        let mut text = String::new();
        let stdout = self.stdout.lock().expect("log lock poisoned").lines();
        let stderr = self.stderr.lock().expect("log lock poisoned").lines();
        text.push_str(&format!(
            "  last {} stdout lines of {node}:\n",
            stdout.len()
        ));
        stdout
            .iter()
            .for_each(|line| text.push_str(&format!("    {line}\n")));
        text.push_str(&format!(
            "  last {} stderr lines of {node}:\n",
            stderr.len()
        ));
        stderr
            .iter()
            .for_each(|line| text.push_str(&format!("    {line}\n")));
        text
    }
}

/// A node process that exited while the run still needed it.
#[derive(Debug)]
pub struct Exited {
    pub node: String,
    pub status: String,
}

/// A running node.
#[derive(Debug)]
pub struct NodeHandle {
    pub id: String,
    pub logs: Arc<NodeLogs>,
    kill: Option<oneshot::Sender<()>>,
    watcher: JoinHandle<Option<String>>,
    readers: Vec<JoinHandle<()>>,
}

/// What `spawn` needs besides the node id.
#[derive(Debug, Clone)]
pub struct SpawnOptions {
    pub bin: PathBuf,
    pub args: Vec<String>,
    pub log_dir: PathBuf,
    pub log_stderr: bool,
}

/// The only keys a node may print (Maelstrom's closed `Message` schema).
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

/// Starts node `id` and registers it on the network.
pub fn spawn(
    id: &str,
    options: &SpawnOptions,
    network: &Arc<Network>,
    exits: mpsc::UnboundedSender<Exited>,
) -> anyhow::Result<NodeHandle> {
    use anyhow::Context;
    let mut child = Command::new(&options.bin)
        .args(&options.args)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("could not start {} for {id}", options.bin.display()))?;
    let stdin = child.stdin.take().expect("stdin was piped");
    let stdout = child.stdout.take().expect("stdout was piped");
    let stderr = child.stderr.take().expect("stderr was piped");
    let logs = Arc::new(NodeLogs::default());
    let delivery = network.register(
        id,
        Sink::Process(tokio::io::BufWriter::with_capacity(64 * 1024, stdin)),
    );
    let stdout_task = tokio::spawn(read_stdout(
        id.to_string(),
        stdout,
        network.clone(),
        logs.clone(),
    ));
    let log_path = options.log_dir.join(format!("{id}.log"));
    // The stderr task says when it has read the last line, so that a crash report,
    // written as soon as the node exits, shows what the node printed last.
    let (stderr_done, stderr_read) = oneshot::channel::<()>();
    let stderr_task = tokio::spawn({
        let (node, logs, log_stderr) = (id.to_string(), logs.clone(), options.log_stderr);
        async move {
            read_stderr(node, stderr, log_path, log_stderr, logs).await;
            let _ = stderr_done.send(());
        }
    });
    let (kill, kill_requested) = oneshot::channel();
    let node = id.to_string();
    let watcher = tokio::spawn(async move {
        tokio::select! {
            status = child.wait() => {
                let status = status.map_or_else(|error| error.to_string(), |status| status.to_string());
                // The pipe closes when the process exits; a child that left it to a
                // grandchild still gets reported within a second.
                let _ = tokio::time::timeout(Duration::from_secs(1), stderr_read).await;
                let _ = exits.send(Exited { node, status: status.clone() });
                Some(status)
            }
            // A dropped sender (an error path) kills the node just the same.
            _ = kill_requested => {
                let _ = child.start_kill();
                let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
                None
            }
        }
    });
    Ok(NodeHandle {
        id: id.to_string(),
        logs,
        kill: Some(kill),
        watcher,
        readers: vec![delivery, stdout_task, stderr_task],
    })
}

impl NodeHandle {
    /// Stops routing this node's stdout. Teardown calls it on every node before killing
    /// any, so that a node still sending to one already gone is not reported as muted
    /// (Maelstrom logs those errors at teardown, maelstrom issue #63; they mean nothing).
    pub fn stop_reading(&self) {
        // readers = [delivery, stdout, stderr]; stderr keeps going so the last lines are kept.
        self.readers[1].abort();
    }

    /// Kills the node (SIGKILL, waits ≤ 5 s). Returns the exit status if it had
    /// already exited on its own: Maelstrom's `:node-crashed`.
    pub async fn teardown(mut self, network: &Network) -> Option<String> {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
        let crashed = (&mut self.watcher).await.ok().flatten();
        network.unregister(&self.id);
        for reader in &self.readers {
            reader.abort();
        }
        crashed
    }
}

impl Drop for NodeHandle {
    fn drop(&mut self) {
        for reader in &self.readers {
            reader.abort();
        }
    }
}

async fn read_stdout(
    node: String,
    stdout: ChildStdout,
    network: Arc<Network>,
    logs: Arc<NodeLogs>,
) {
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    let mut line = String::with_capacity(256);
    loop {
        line.clear();
        let reason = match reader.read_line(&mut line).await {
            Ok(0) => return,
            Ok(_) => {
                logs.stdout
                    .lock()
                    .expect("log lock poisoned")
                    .remember(&line);
                match route_line(&network, &line) {
                    Ok(()) => continue,
                    Err(reason) => reason,
                }
            }
            Err(error) => error.to_string(),
        };
        let offending = line.trim_end().to_string();
        eprintln!("WARN {node} stdout {offending} Error! {reason}");
        *logs.muted.lock().expect("log lock poisoned") = Some(Muted {
            line: offending,
            reason,
        });
        // Maelstrom never reads this stdout again; holding the reader keeps the pipe open.
        std::future::pending::<()>().await;
    }
}

/// Parses one stdout line and hands it to the network.
fn route_line(network: &Network, line: &str) -> Result<(), String> {
    let envelope: OutgoingEnvelope =
        serde_json::from_str(line).map_err(|error| error.to_string())?;
    network
        .send(&envelope.src, &envelope.dest, envelope.body.to_owned())
        .map_err(|error| error.to_string())
}

async fn read_stderr(
    node: String,
    stderr: ChildStderr,
    log_path: PathBuf,
    echo: bool,
    logs: Arc<NodeLogs>,
) {
    let mut log_file = open_log(&log_path);
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(file) = log_file.as_mut() {
            // A full disk must not stop the run; the ring buffer still has the line.
            let _ = writeln!(file, "{line}").and_then(|()| file.flush());
        }
        if echo {
            eprintln!("{node} stderr: {line}");
        }
        logs.stderr
            .lock()
            .expect("log lock poisoned")
            .remember(&line);
    }
}

fn open_log(path: &Path) -> Option<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parses(line: &str) -> bool {
        serde_json::from_str::<OutgoingEnvelope>(line).is_ok()
    }

    /// maelstrom-spec §1.1: `{src, dest, body}` plus an optional integer `id`, nothing else.
    #[test]
    fn only_the_closed_envelope_schema_is_accepted() {
        assert!(parses(
            r#"{"src":"n0","dest":"c1","body":{"type":"echo_ok"}}"#
        ));
        assert!(parses(r#"{"id":3,"src":"n0","dest":"c1","body":{}}"#));
        assert!(
            !parses(r#"{"src":"n0","dest":"c1","body":{},"extra":1}"#),
            "extra top-level key"
        );
        assert!(
            !parses(r#"{"id":null,"src":"n0","dest":"c1","body":{}}"#),
            "null id"
        );
        assert!(
            !parses(r#"{"id":1.5,"src":"n0","dest":"c1","body":{}}"#),
            "float id"
        );
        assert!(!parses(r#"{"src":null,"dest":"c1","body":{}}"#), "null src");
        assert!(!parses(r#"{"src":"n0","body":{}}"#), "missing dest");
        assert!(!parses("not json"));
    }
}
