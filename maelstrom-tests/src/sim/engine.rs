//! One simulated node: a `protocol` engine, what it prints, and what it logs.
//!
//! Every call into the engine is wrapped in `catch_unwind`: a node that panics ends the
//! run with its message, not the harness. The panic's text is captured by a panic hook
//! installed once for the whole process; on threads that are not inside a simulated
//! node the hook does what the default one does.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use protocol::{Engine, EngineConfig, Instant, Node, Output};

use crate::logs::NodeLogs;
use crate::run::Abort;

/// One node's stderr kept in memory (for `node-logs/`), then a marker.
pub const LOG_BYTES_MAX: usize = 8 * 1024 * 1024;

thread_local! {
    /// True while this thread is inside a simulated node's handler.
    static INSIDE_NODE: Cell<bool> = const { Cell::new(false) };
    /// The last panic a simulated node raised on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

static PANIC_HOOK: Once = Once::new();

fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if INSIDE_NODE.with(Cell::get) {
                LAST_PANIC.with(|last| *last.borrow_mut() = Some(info.to_string()));
            } else {
                default(info);
            }
        }));
    });
}

/// A node in the simulation.
pub struct SimNode<N: Node> {
    index: usize,
    name: String,
    engine: Engine<N>,
    output: Output,
    logs: NodeLogs,
    log_text: String,
    log_full: bool,
}

impl<N: Node> SimNode<N> {
    /// Node number `index`, called `name`, with its own seed and the node arguments.
    pub fn new(index: usize, name: &str, seed: u64, args: &[String]) -> SimNode<N> {
        install_panic_hook();
        SimNode {
            index,
            name: name.to_string(),
            engine: Engine::new(EngineConfig {
                seed,
                args: args.to_vec(),
            }),
            output: Output::default(),
            logs: NodeLogs::default(),
            log_text: String::new(),
            log_full: false,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn handle_line(&mut self, line: &str, now_ns: u64) -> Result<(), Abort> {
        let (engine, output) = (&mut self.engine, &mut self.output);
        let outcome = guarded(|| engine.handle_line(line, Instant::from_nanos(now_ns), output));
        self.keep_logs();
        outcome.map_err(|panic| self.panicked(&panic))
    }

    pub fn handle_deadlines(&mut self, now_ns: u64) -> Result<(), Abort> {
        let (engine, output) = (&mut self.engine, &mut self.output);
        let outcome = guarded(|| engine.handle_deadlines(Instant::from_nanos(now_ns), output));
        self.keep_logs();
        outcome.map_err(|panic| self.panicked(&panic))
    }

    pub fn next_deadline_ns(&self) -> Option<u64> {
        self.engine.next_deadline().map(Instant::as_nanos)
    }

    /// The lines printed since the last call. Hand each back with [`SimNode::keep_line`]
    /// once it has been read, for reports.
    pub fn take_lines(&mut self) -> Vec<String> {
        std::mem::take(&mut self.output.lines)
    }

    /// Keeps a printed line for the node's report.
    pub fn keep_line(&self, line: String) {
        self.logs.keep_stdout(line);
    }

    pub fn into_engine(self) -> Engine<N> {
        self.engine
    }

    /// The node's report block: its last stdout and stderr lines.
    pub fn report(&self, name: &str) -> String {
        self.logs.report(name)
    }

    /// Everything it logged (bounded), one line each.
    pub fn log_text(&self) -> String {
        self.log_text.clone()
    }

    fn keep_logs(&mut self) {
        for line in self.output.logs.drain(..) {
            self.logs.remember_stderr(&line);
            if self.log_full {
                continue;
            }
            if self.log_text.len() + line.len() + 1 > LOG_BYTES_MAX {
                self.log_text.push_str(&format!(
                    "[… log cap of {LOG_BYTES_MAX} bytes reached; later lines are not kept]\n"
                ));
                self.log_full = true;
                continue;
            }
            self.log_text.push_str(&line);
            self.log_text.push('\n');
        }
    }

    fn panicked(&self, panic: &str) -> Abort {
        Abort {
            message: format!("node {} panicked: {panic}", self.name),
            node: Some(self.index),
        }
    }
}

/// Runs `call` as a node's handler: a panic comes back as its message.
fn guarded(call: impl FnOnce()) -> Result<(), String> {
    INSIDE_NODE.with(|inside| inside.set(true));
    let outcome = panic::catch_unwind(AssertUnwindSafe(call));
    INSIDE_NODE.with(|inside| inside.set(false));
    outcome.map_err(|payload| {
        LAST_PANIC
            .with(|last| last.borrow_mut().take())
            .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}
