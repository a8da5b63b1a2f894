//! The stdio loop: one [`Engine`] driven by a real process's stdin, stdout,
//! stderr and clock. What every challenge's `main` runs ([`run_stdio`]).
//!
//! The engine decides everything; this loop only moves bytes and reads the
//! clock. It reads the node's arguments from the command line, draws the
//! engine's seed from the OS (and logs it: `seed: N` is the first line of
//! every node's log), and then, until stdin ends:
//! - takes a chunk of whole lines from the reader thread ([`input`]) and hands
//!   the engine each line with the current time;
//! - appends every line the engine produces to one output buffer ([`output`]),
//!   written out when the input is drained or the buffer is full, and writes
//!   the engine's log lines to stderr;
//! - with nothing to read, sleeps until input arrives or the engine's next
//!   deadline, whichever comes first, and then lets the engine fire what is due.
//!
//! Time for the engine is nanoseconds since the loop started, read once per
//! turn of at most [`LINES_PER_TURN_MAX`] lines: every line of a turn is
//! handled "at" the turn's start, which is off by at most one turn's work
//! (well under a millisecond) and saves a clock read per line. Between turns
//! the engine fires its deadlines, so timers keep their beat while a flood of
//! input is being handled.
//!
//! It runs on a current-thread tokio runtime: one task, so the engine (and the
//! node in it) is never called concurrently with itself and needs no locks.
//! That task blocks when it writes to a full stdout, on purpose: see
//! [`output`] for why that is the backpressure we want.
//!
//! Left out: nothing here is deterministic (real time, OS entropy). A run is
//! replayed by a simulator driving the same engine, not by this loop.

mod input;
mod output;

use std::borrow::Cow;
use std::io::Write;
use std::time::Duration;

use rand::RngCore;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;

use crate::engine::{Engine, EngineConfig, Output};
use crate::node::Node;
use crate::time::Instant;
use input::Input;
pub use input::LINE_BYTES_MAX;
use output::LineBuffer;

/// How many lines to handle before looking at the clock and the engine's
/// deadlines again. Bounds how late a timer can fire when input floods in.
const LINES_PER_TURN_MAX: usize = 256;

/// Runs `N` on stdin and stdout until stdin ends. What a challenge's `main` calls.
pub fn run_stdio<N: Node>() -> anyhow::Result<()> {
    let seed = rand::rngs::OsRng.next_u64();
    eprintln!("seed: {seed}");
    // Lossy rather than `std::env::args`, which panics on an argument that is
    // not UTF-8: input from outside never panics a node.
    let args = std::env::args_os()
        .skip(1)
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let engine = Engine::<N>::new(EngineConfig { seed, args });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let input = input::spawn_stdin_reader();
    let mut stdio = StdioLoop {
        engine,
        clock: Clock::start(),
        stdout: LineBuffer::new(std::io::stdout()),
        out: Output::default(),
    };
    runtime.block_on(stdio.serve(input));
    Ok(())
}

/// The process's clock, as the engine counts time: nanoseconds since start.
#[derive(Debug)]
struct Clock {
    start: std::time::Instant,
}

impl Clock {
    fn start() -> Clock {
        Clock {
            start: std::time::Instant::now(),
        }
    }

    fn now(&self) -> Instant {
        let nanos = self.start.elapsed().as_nanos();
        Instant::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// The real instant that engine time `at` stands for, to sleep until.
    fn to_tokio(&self, at: Instant) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.start + Duration::from_nanos(at.as_nanos()))
    }
}

struct StdioLoop<N: Node, W: Write> {
    engine: Engine<N>,
    clock: Clock,
    stdout: LineBuffer<W>,
    /// The engine's output between two drains; its vectors keep their capacity.
    out: Output,
}

impl<N: Node, W: Write> StdioLoop<N, W> {
    /// Runs until the input ends, then writes out what is left.
    async fn serve(&mut self, mut input: mpsc::Receiver<Input>) {
        loop {
            let next = match input.try_recv() {
                Ok(next) => next,
                Err(TryRecvError::Disconnected) => break,
                Err(TryRecvError::Empty) => {
                    // Nothing left to handle: everything waiting goes out now,
                    // then sleep until there is input or something is due.
                    self.stdout.write_out();
                    let deadline = self.engine.next_deadline();
                    tokio::select! {
                        biased;
                        next = input.recv() => match next {
                            Some(next) => next,
                            None => break,
                        },
                        () = sleep_until_or_forever(deadline.map(|at| self.clock.to_tokio(at))) => {
                            self.fire_deadlines(self.clock.now());
                            continue;
                        }
                    }
                }
            };
            match next {
                Input::Lines(chunk) => self.handle_chunk(&chunk),
                Input::LineSkipped => {
                    self.log(&format!(
                        "skipping a line longer than {LINE_BYTES_MAX} bytes"
                    ));
                }
                Input::ReadFailed(error) => {
                    self.log(&format!("stdin: read failed, stopping input: {error}"));
                }
            }
        }
        self.stdout.write_out();
    }

    /// Handles a chunk's lines, a turn of [`LINES_PER_TURN_MAX`] at a time,
    /// with the deadlines fired before each turn.
    fn handle_chunk(&mut self, chunk: &[u8]) {
        let mut rest = chunk;
        while !rest.is_empty() {
            let now = self.clock.now();
            self.fire_deadlines(now);
            for _ in 0..LINES_PER_TURN_MAX {
                let Some((line, after)) = split_line(rest) else {
                    break;
                };
                rest = after;
                self.handle_line(line, now);
            }
        }
    }

    fn handle_line(&mut self, bytes: &[u8], now: Instant) {
        // Bytes that are not UTF-8 are replaced rather than ending the
        // stream. `from_utf8` first: it checks a valid line (always, from
        // Maelstrom) several times faster than the lossy conversion does.
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        let line = text.trim_end();
        if line.is_empty() {
            return;
        }
        self.engine.handle_line(line, now, &mut self.out);
        self.drain_output();
    }

    fn fire_deadlines(&mut self, now: Instant) {
        if self.engine.next_deadline().is_some_and(|at| at <= now) {
            self.engine.handle_deadlines(now, &mut self.out);
            self.drain_output();
        }
    }

    /// Moves the engine's lines to the stdout buffer and its logs to stderr.
    fn drain_output(&mut self) {
        for line in self.out.lines.drain(..) {
            self.stdout.push(&line);
        }
        if !self.out.logs.is_empty() {
            let mut stderr = std::io::stderr().lock();
            for log in self.out.logs.drain(..) {
                // Nothing useful to do if stderr is gone.
                let _ = writeln!(stderr, "{log}");
            }
        }
    }

    /// A line of the loop's own, prefixed like the engine's.
    fn log(&mut self, text: &str) {
        let node_id = self.engine.node_id().unwrap_or("?");
        self.out.logs.push(format!("[{node_id}] {text}"));
        self.drain_output();
    }
}

/// The first line of `bytes` and what follows it, or `None` if there is none.
/// The last line of the input may lack its newline.
fn split_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    if bytes.is_empty() {
        return None;
    }
    Some(match memchr::memchr(b'\n', bytes) {
        Some(end) => (&bytes[..end], &bytes[end + 1..]),
        None => (bytes, &[]),
    })
}

async fn sleep_until_or_forever(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
