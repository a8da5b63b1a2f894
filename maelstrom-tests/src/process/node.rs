//! One node process and both of its pipes (maelstrom.md §2): spawn it, write what the
//! network delivers to its stdin, read its stdout lines for the run, keep its stderr in
//! `node-logs/<node>.log`, and kill it at the end.
//!
//! Each node runs in a process group of its own, so that teardown (`SIGKILL` to the
//! group) also ends what the node started: a shell wrapper that doesn't `exec`, a child
//! it forked. Every buffer has a bound: a stdout line longer than
//! [`STDOUT_LINE_BYTES_MAX`] makes the node misbehaving (the run ends, exit 255); input
//! the node doesn't read piles up to [`STDIN_PENDING_BYTES_MAX`], then the same; a stderr
//! line is cut at [`STDERR_LINE_BYTES_MAX`] and the log file at
//! [`LOG_FILE_BYTES_MAX`](crate::logs::LOG_FILE_BYTES_MAX),
//! each with a marker saying so.
//!
//! A stdout line goes to the run core as it is; whether it mutes the node is the core's
//! decision (maelstrom.md §1.1). A muted node's stdout is not read again, so the node
//! blocks once the pipe fills, as under Maelstrom.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

use crate::logs::{LogFile, NodeLogs};

/// A longer stdout line is not a message Maelstrom could read: the node misbehaves.
pub const STDOUT_LINE_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Lines for the node that it has not read yet; past this, it is not reading its stdin.
pub const STDIN_PENDING_BYTES_MAX: usize = 64 * 1024 * 1024;
/// A stderr line is kept up to here, then cut with a marker.
pub const STDERR_LINE_BYTES_MAX: usize = 64 * 1024;
/// How long teardown waits for a killed node to be reaped (maelstrom.md §2: 5 s).
const KILL_WAIT: Duration = Duration::from_secs(5);

/// What a node's pipes tell the driver.
#[derive(Debug)]
pub enum NodeEvent {
    /// A line on stdout (without its newline).
    Line(usize, String),
    /// A stdout line longer than [`STDOUT_LINE_BYTES_MAX`].
    LineTooLong(usize),
    /// The process exited by itself, with this status.
    Exited(usize, String),
}

/// How to start a node.
#[derive(Debug, Clone)]
pub struct SpawnOptions {
    pub bin: PathBuf,
    pub args: Vec<String>,
    pub log_dir: PathBuf,
    pub log_stderr: bool,
}

/// A running node.
#[derive(Debug)]
pub struct NodeProcess {
    pub name: String,
    pub logs: Arc<NodeLogs>,
    stdin: mpsc::UnboundedSender<String>,
    stdin_pending_bytes: Arc<AtomicUsize>,
    stop_stdout: Arc<AtomicBool>,
    stop_stdout_notify: Arc<Notify>,
    pgid: Option<i32>,
    kill: Option<oneshot::Sender<()>>,
    watcher: JoinHandle<Option<String>>,
    tasks: Vec<JoinHandle<()>>,
}

/// The input a node didn't read grew past its bound.
#[derive(Debug)]
pub struct NotReading;

impl NodeProcess {
    /// Starts node number `index`, called `name`.
    pub fn spawn(
        index: usize,
        name: &str,
        options: &SpawnOptions,
        events: mpsc::Sender<NodeEvent>,
    ) -> anyhow::Result<NodeProcess> {
        use anyhow::Context;
        let mut child = Command::new(&options.bin)
            .args(&options.args)
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("could not start {} for {name}", options.bin.display()))?;
        let pgid = child.id().and_then(|pid| i32::try_from(pid).ok());
        let stdin = child.stdin.take().expect("stdin was piped");
        let stdout = child.stdout.take().expect("stdout was piped");
        let stderr = child.stderr.take().expect("stderr was piped");
        let logs = Arc::new(NodeLogs::default());
        let (stdin_sender, stdin_lines) = mpsc::unbounded_channel();
        let stdin_pending_bytes = Arc::new(AtomicUsize::new(0));
        let stop_stdout = Arc::new(AtomicBool::new(false));
        let stop_stdout_notify = Arc::new(Notify::new());
        let writer = tokio::spawn(write_stdin(stdin, stdin_lines, stdin_pending_bytes.clone()));
        let reader = tokio::spawn(read_stdout(
            index,
            stdout,
            events.clone(),
            logs.clone(),
            (stop_stdout.clone(), stop_stdout_notify.clone()),
        ));
        let log_path = options.log_dir.join(format!("{name}.log"));
        // The stderr task says when it has read the last line, so that a crash report,
        // written as soon as the node exits, shows what the node printed last.
        let (stderr_done, stderr_read) = oneshot::channel::<()>();
        let stderr_task = tokio::spawn({
            let (node, logs, echo) = (name.to_string(), logs.clone(), options.log_stderr);
            async move {
                read_stderr(node, stderr, &log_path, echo, logs).await;
                let _ = stderr_done.send(());
            }
        });
        let (kill, kill_requested) = oneshot::channel();
        let watcher = tokio::spawn(watch(
            index,
            child,
            pgid,
            events,
            stderr_read,
            kill_requested,
        ));
        Ok(NodeProcess {
            name: name.to_string(),
            logs,
            stdin: stdin_sender,
            stdin_pending_bytes,
            stop_stdout,
            stop_stdout_notify,
            pgid,
            kill: Some(kill),
            watcher,
            tasks: vec![writer, reader, stderr_task],
        })
    }

    /// Queues one line (without its newline) for the node's stdin.
    pub fn write_line(&self, mut line: String) -> Result<(), NotReading> {
        line.push('\n');
        let pending = self
            .stdin_pending_bytes
            .fetch_add(line.len(), Ordering::Relaxed)
            + line.len();
        if pending > STDIN_PENDING_BYTES_MAX {
            return Err(NotReading);
        }
        // A closed writer means the node is gone; its exit is reported by the watcher.
        let _ = self.stdin.send(line);
        Ok(())
    }

    /// Stops reading stdout (a muted node, or teardown): the node blocks once the pipe fills.
    pub fn stop_reading(&self) {
        self.stop_stdout.store(true, Ordering::Release);
        self.stop_stdout_notify.notify_one();
    }

    /// Kills the node's process group and reaps it (≤ 5 s). Returns the exit status if
    /// the node had already exited by itself: Maelstrom's `:node-crashed`.
    pub async fn teardown(mut self) -> Option<String> {
        if let Some(kill) = self.kill.take() {
            let _ = kill.send(());
        }
        let crashed = (&mut self.watcher).await.ok().flatten();
        // Whatever the node left behind in its group goes too, even after a crash.
        kill_group(self.pgid);
        for task in &self.tasks {
            task.abort();
        }
        crashed
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        kill_group(self.pgid);
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// `SIGKILL` to the node's whole process group.
fn kill_group(pgid: Option<i32>) {
    if let Some(pgid) = pgid.filter(|pgid| *pgid > 1) {
        // ESRCH (the group is gone) is the normal case after a clean kill.
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pgid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// Owns the child: reports an exit at once, or kills on request.
async fn watch(
    index: usize,
    mut child: Child,
    pgid: Option<i32>,
    events: mpsc::Sender<NodeEvent>,
    stderr_read: oneshot::Receiver<()>,
    kill_requested: oneshot::Receiver<()>,
) -> Option<String> {
    tokio::select! {
        status = child.wait() => {
            let status = status.map_or_else(|error| error.to_string(), |status| status.to_string());
            // The pipe closes when the process exits; one it left to a grandchild is
            // still reported within a second.
            let _ = tokio::time::timeout(Duration::from_secs(1), stderr_read).await;
            let _ = events.send(NodeEvent::Exited(index, status.clone())).await;
            Some(status)
        }
        // A dropped sender (an error path) kills the node just the same.
        _ = kill_requested => {
            kill_group(pgid);
            let _ = child.start_kill();
            let _ = tokio::time::timeout(KILL_WAIT, child.wait()).await;
            None
        }
    }
}

async fn write_stdin(
    stdin: tokio::process::ChildStdin,
    mut lines: mpsc::UnboundedReceiver<String>,
    pending_bytes: Arc<AtomicUsize>,
) {
    let mut stdin = tokio::io::BufWriter::with_capacity(64 * 1024, stdin);
    while let Some(line) = lines.recv().await {
        let mut result = stdin.write_all(line.as_bytes()).await;
        pending_bytes.fetch_sub(line.len(), Ordering::Relaxed);
        // Write everything already queued before paying for a flush.
        while result.is_ok() {
            match lines.try_recv() {
                Ok(line) => {
                    result = stdin.write_all(line.as_bytes()).await;
                    pending_bytes.fetch_sub(line.len(), Ordering::Relaxed);
                }
                Err(_) => break,
            }
        }
        if result.is_err() || stdin.flush().await.is_err() {
            return; // The node closed its stdin or exited; the watcher reports an exit.
        }
    }
}

async fn read_stdout(
    index: usize,
    stdout: tokio::process::ChildStdout,
    events: mpsc::Sender<NodeEvent>,
    logs: Arc<NodeLogs>,
    (stop, stop_notify): (Arc<AtomicBool>, Arc<Notify>),
) {
    let mut reader = CappedLines::new(
        BufReader::with_capacity(64 * 1024, stdout),
        STDOUT_LINE_BYTES_MAX,
    );
    loop {
        let line = tokio::select! {
            line = reader.next_line() => line,
            () = stop_notify.notified() => None,
        };
        if stop.load(Ordering::Acquire) {
            break;
        }
        let Some(line) = line else { return };
        if line.truncated {
            let _ = events.send(NodeEvent::LineTooLong(index)).await;
            break;
        }
        let text = String::from_utf8_lossy(&line.bytes).into_owned();
        logs.remember_stdout(&text);
        if events.send(NodeEvent::Line(index, text)).await.is_err() {
            return;
        }
    }
    // Maelstrom never reads this stdout again; holding the reader keeps the pipe open.
    std::future::pending::<()>().await;
}

async fn read_stderr(
    node: String,
    stderr: tokio::process::ChildStderr,
    log_path: &Path,
    echo: bool,
    logs: Arc<NodeLogs>,
) {
    let mut log = LogFile::open(log_path);
    let mut reader = CappedLines::new(BufReader::new(stderr), STDERR_LINE_BYTES_MAX);
    while let Some(line) = reader.next_line().await {
        let mut text = String::from_utf8_lossy(&line.bytes).into_owned();
        if line.truncated {
            text.push_str(&format!(" [… line cut at {STDERR_LINE_BYTES_MAX} bytes]"));
        }
        log.append(&text);
        if echo {
            eprintln!("{node} stderr: {text}");
        }
        logs.remember_stderr(&text);
    }
}

/// One line read with a bound: `truncated` when it was longer than the bound (its first
/// `bytes_max` bytes are kept; the rest of it is skipped).
#[derive(Debug)]
struct Line {
    bytes: Vec<u8>,
    truncated: bool,
}

/// Lines of at most `bytes_max` bytes from a stream, however long the stream's lines.
/// An over-long line is returned (cut, flagged) as soon as it passes the bound, without
/// waiting for its end, which may never come; the rest of it is skipped by the next call.
struct CappedLines<R> {
    reader: R,
    bytes_max: usize,
    /// The line being read went past the bound: discard up to its newline.
    skipping: bool,
}

impl<R: AsyncBufRead + Unpin> CappedLines<R> {
    fn new(reader: R, bytes_max: usize) -> CappedLines<R> {
        CappedLines {
            reader,
            bytes_max,
            skipping: false,
        }
    }

    /// The next line without its newline; `None` at end of input or on a read error.
    async fn next_line(&mut self) -> Option<Line> {
        let mut line = Line {
            bytes: Vec::new(),
            truncated: false,
        };
        loop {
            let available = self.reader.fill_buf().await.ok()?;
            if available.is_empty() {
                return (!line.bytes.is_empty()).then_some(line);
            }
            let newline = available.iter().position(|byte| *byte == b'\n');
            if self.skipping {
                let consumed = newline.map_or(available.len(), |end| end + 1);
                self.reader.consume(consumed);
                self.skipping = newline.is_none();
                continue;
            }
            let chunk = &available[..newline.unwrap_or(available.len())];
            let consumed = chunk.len() + usize::from(newline.is_some());
            let chunk = match chunk.strip_suffix(b"\r") {
                Some(without_return) if newline.is_some() => without_return,
                _ => chunk,
            };
            let room = self.bytes_max - line.bytes.len();
            if chunk.len() > room {
                line.bytes.extend_from_slice(&chunk[..room]);
                line.truncated = true;
                self.reader.consume(consumed);
                self.skipping = newline.is_none();
                return Some(line);
            }
            line.bytes.extend_from_slice(chunk);
            self.reader.consume(consumed);
            if newline.is_some() {
                return Some(line);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines(input: &[u8], bytes_max: usize) -> Vec<(String, bool)> {
        let mut reader = CappedLines::new(BufReader::with_capacity(4, input), bytes_max);
        let mut lines = Vec::new();
        while let Some(line) = reader.next_line().await {
            lines.push((
                String::from_utf8_lossy(&line.bytes).into_owned(),
                line.truncated,
            ));
        }
        lines
    }

    /// Lines longer than the bound are cut at it and flagged; the next line is whole.
    #[tokio::test]
    async fn long_lines_are_cut_at_the_bound_and_flagged() {
        let read = lines(b"short\r\nabcdefghij\nlast", 5).await;
        assert_eq!(
            read,
            [
                ("short".to_string(), false),
                ("abcde".to_string(), true),
                ("last".to_string(), false)
            ]
        );
    }
}
