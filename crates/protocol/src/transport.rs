//! Where lines come from and go to.
//!
//! The runtime reads whole lines from one channel and writes whole lines to
//! another; a [`Transport`] decides what is on the other end. In a binary it is
//! stdin and stdout ([`Transport::stdio`]); in a test it is a pair of in-memory
//! channels ([`Transport::in_memory`]) that the test drives, so a node runs
//! in-process, under tokio's (pausable) clock, with no process to spawn.
//!
//! stdout has exactly one writer, a dedicated thread that owns it: lines can't
//! interleave, and it writes whatever has queued up in one `write` and one
//! flush, which is what makes a node fast when Maelstrom floods it. stdin is
//! read on its own thread with a blocking read, because tokio's async stdin is
//! itself a blocking read on a thread pool, with more hops. Bytes that are not
//! UTF-8 are replaced rather than ending the stream: bad input never stops a node.

use std::io::{BufRead, Write};
use std::thread::JoinHandle;

use tokio::sync::mpsc;

/// How many unread lines may wait before the reader thread blocks. Bounded so a
/// node that falls behind pushes back on its input instead of growing without limit.
const INCOMING_LINES_MAX: usize = 4096;

/// The two ends the runtime talks to.
#[derive(Debug)]
pub struct Transport {
    pub(crate) incoming: mpsc::Receiver<String>,
    pub(crate) outgoing: mpsc::UnboundedSender<String>,
    /// The stdout writer, joined at shutdown so nothing written is lost.
    pub(crate) writer: Option<JoinHandle<()>>,
}

/// The test's side of an in-memory transport.
#[derive(Debug)]
pub struct Peer {
    /// Lines for the node to read, as if written to its stdin. Drop it to close
    /// the node's input, which ends the runtime.
    pub to_node: mpsc::Sender<String>,
    /// Lines the node wrote, as if to its stdout.
    pub from_node: mpsc::UnboundedReceiver<String>,
}

impl Transport {
    /// stdin and stdout, each served by its own thread.
    pub fn stdio() -> Transport {
        let (line_sender, incoming) = mpsc::channel(INCOMING_LINES_MAX);
        std::thread::Builder::new()
            .name("stdin".into())
            .spawn(move || read_lines(std::io::stdin().lock(), line_sender))
            .expect("spawning the stdin thread");

        let (outgoing, line_receiver) = mpsc::unbounded_channel();
        let writer = std::thread::Builder::new()
            .name("stdout".into())
            .spawn(move || write_lines(line_receiver))
            .expect("spawning the stdout thread");

        Transport {
            incoming,
            outgoing,
            writer: Some(writer),
        }
    }

    /// A transport whose other end is a [`Peer`] held by a test.
    pub fn in_memory() -> (Transport, Peer) {
        let (to_node, incoming) = mpsc::channel(INCOMING_LINES_MAX);
        let (outgoing, from_node) = mpsc::unbounded_channel();
        let transport = Transport {
            incoming,
            outgoing,
            writer: None,
        };
        (transport, Peer { to_node, from_node })
    }
}

fn read_lines(mut input: impl BufRead, lines: mpsc::Sender<String>) {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match input.read_until(b'\n', &mut buffer) {
            Ok(0) => return,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buffer).trim_end().to_string();
                if line.is_empty() {
                    continue;
                }
                if lines.blocking_send(line).is_err() {
                    return;
                }
            }
            Err(error) => {
                eprintln!("stdin: read failed, stopping input: {error}");
                return;
            }
        }
    }
}

fn write_lines(mut lines: mpsc::UnboundedReceiver<String>) {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    while let Some(line) = lines.blocking_recv() {
        let mut result = writeln!(out, "{line}");
        // Write everything already queued before paying for a flush.
        while result.is_ok() {
            match lines.try_recv() {
                Ok(line) => result = writeln!(out, "{line}"),
                Err(_) => break,
            }
        }
        if let Err(error) = result.and_then(|()| out.flush()) {
            eprintln!("stdout: write failed, stopping output: {error}");
            return;
        }
    }
}
