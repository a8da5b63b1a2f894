//! The history being recorded: one [`Op`] per invocation and completion, with a
//! dense `:index` in recording order and `:time` in ns since the test started
//! (maelstrom-spec §3 intro).

use std::sync::Mutex;

use tokio::time::Instant;

use crate::checking::{Edn, Op, OpType, Process};
use crate::model::{Invocation, Outcome};

/// The shared recorder: workers and the nemesis append to it concurrently.
#[derive(Debug)]
pub struct Recorder {
    /// Reset when the main phase begins: jepsen's clock starts with the generator.
    start: Mutex<Instant>,
    ops: Mutex<Vec<Op>>,
}

impl Recorder {
    pub fn new(start: Instant) -> Recorder {
        Recorder {
            start: Mutex::new(start),
            ops: Mutex::new(Vec::new()),
        }
    }

    pub fn start(&self) -> Instant {
        *self.start.lock().expect("history lock poisoned")
    }

    /// Restarts the clock (before the first op is recorded).
    pub fn restart(&self, start: Instant) {
        *self.start.lock().expect("history lock poisoned") = start;
    }

    /// ns since the test started.
    pub fn elapsed_ns(&self, at: Instant) -> i64 {
        at.saturating_duration_since(self.start()).as_nanos() as i64
    }

    fn record(
        &self,
        time_ns: i64,
        op_type: OpType,
        process: Process,
        f: &str,
        value: Edn,
        extra: Vec<(String, Edn)>,
    ) {
        let mut ops = self.ops.lock().expect("history lock poisoned");
        let index = ops.len() as u64;
        ops.push(Op {
            index,
            time_ns,
            op_type,
            process,
            f: f.to_string(),
            value,
            extra,
        });
    }

    /// An `:invoke` at its scheduled time.
    pub fn invoke(&self, process: u64, invocation: &Invocation, scheduled: Instant) {
        let extra = final_flag(invocation);
        let time_ns = self.elapsed_ns(scheduled);
        self.record(
            time_ns,
            OpType::Invoke,
            Process::Client(process),
            &invocation.f,
            invocation.value.clone(),
            extra,
        );
    }

    /// The completion, timed now.
    pub fn complete(&self, process: u64, invocation: &Invocation, outcome: Outcome) {
        let mut extra = final_flag(invocation);
        let (op_type, value) = match outcome {
            Outcome::Ok { value } => (OpType::Ok, value),
            Outcome::Fail { value, error } => {
                extra.push(("error".into(), error));
                (OpType::Fail, value)
            }
            Outcome::Info {
                value,
                error,
                exception,
            } => {
                if let Some(exception) = exception {
                    extra.push(("exception".into(), exception));
                }
                extra.push(("error".into(), error));
                (OpType::Info, value)
            }
        };
        let time_ns = self.elapsed_ns(Instant::now());
        self.record(
            time_ns,
            op_type,
            Process::Client(process),
            &invocation.f,
            value,
            extra,
        );
    }

    /// A nemesis op (always `:info`, maelstrom-spec §5.2).
    pub fn nemesis(&self, at: Instant, f: &str, value: Edn) {
        self.record(
            self.elapsed_ns(at),
            OpType::Info,
            Process::Nemesis,
            f,
            value,
            Vec::new(),
        );
    }

    pub fn ops(&self) -> Vec<Op> {
        self.ops.lock().expect("history lock poisoned").clone()
    }
}

fn final_flag(invocation: &Invocation) -> Vec<(String, Edn)> {
    if invocation.final_read {
        vec![("final?".into(), Edn::Bool(true))]
    } else {
        Vec::new()
    }
}
