//! The history being recorded: one [`Op`] per invocation and completion, with a dense
//! `:index` in recording order and `:time` in ns since the main phase began (jepsen
//! starts its clock with the generator; maelstrom.md §3 intro).
//!
//! Invocations are stamped with their *scheduled* time and completions with the time
//! they were processed, as jepsen's interpreter does. The recorder reads no clock: the
//! run core hands it every time.

use maelstrom_checker::{Edn, Op, OpType, Process};
use maelstrom_model::{Invocation, Outcome};

/// The history so far.
#[derive(Debug, Default)]
pub struct Recorder {
    ops: Vec<Op>,
}

impl Recorder {
    fn record(
        &mut self,
        time_ns: u64,
        op_type: OpType,
        process: Process,
        f: &str,
        value: Edn,
        extra: Vec<(String, Edn)>,
    ) {
        let index = self.ops.len() as u64;
        self.ops.push(Op {
            index,
            time_ns: i64::try_from(time_ns).unwrap_or(i64::MAX),
            op_type,
            process,
            f: f.to_string(),
            value,
            extra,
        });
    }

    /// An `:invoke` at its scheduled time.
    pub fn invoke(&mut self, process: u64, invocation: &Invocation, time_ns: u64) {
        let extra = extra_keys(invocation);
        self.record(
            time_ns,
            OpType::Invoke,
            Process::Client(process),
            &invocation.f,
            invocation.value.clone(),
            extra,
        );
    }

    /// The completion of `invocation`.
    pub fn complete(
        &mut self,
        process: u64,
        invocation: &Invocation,
        outcome: Outcome,
        time_ns: u64,
    ) {
        let mut extra = extra_keys(invocation);
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
                // kafka's crash is `:info` with no `:error` at all (maelstrom.md §3.7).
                if error != Edn::Nil {
                    extra.push(("error".into(), error));
                }
                (OpType::Info, value)
            }
        };
        self.record(
            time_ns,
            op_type,
            Process::Client(process),
            &invocation.f,
            value,
            extra,
        );
    }

    /// A nemesis op (always `:info`, maelstrom.md §5.2).
    pub fn nemesis(&mut self, f: &str, value: Edn, time_ns: u64) {
        self.record(
            time_ns,
            OpType::Info,
            Process::Nemesis,
            f,
            value,
            Vec::new(),
        );
    }

    /// Client invocations so far.
    pub fn invocation_count(&self) -> usize {
        self.ops
            .iter()
            .filter(|op| op.op_type == OpType::Invoke && op.process != Process::Nemesis)
            .count()
    }

    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    pub fn into_ops(self) -> Vec<Op> {
        self.ops
    }
}

/// The keys an op carries besides `:f` and `:value`: `:final? true` for final reads,
/// and whatever the workload adds (kafka's `:seek-to-beginning?`, `:poll-ms`).
fn extra_keys(invocation: &Invocation) -> Vec<(String, Edn)> {
    let mut extra = invocation.extra.clone();
    if invocation.final_read {
        extra.insert(0, ("final?".into(), Edn::Bool(true)));
    }
    extra
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom.md §3 intro: indices are dense in recording order; `:final?` rides along.
    #[test]
    fn ops_are_indexed_in_recording_order_with_their_flags() {
        let mut recorder = Recorder::default();
        let read = Invocation {
            f: "read".into(),
            value: Edn::Nil,
            final_read: true,
            extra: Vec::new(),
        };
        recorder.invoke(3, &read, 10);
        recorder.nemesis("start-partition", Edn::keyword("one"), 12);
        recorder.complete(3, &read, Outcome::Ok { value: Edn::Int(1) }, 20);
        let ops = recorder.ops();
        assert_eq!(ops.iter().map(|op| op.index).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(ops[0].is_final() && ops[2].is_final());
        assert_eq!(ops[1].process, Process::Nemesis);
        assert_eq!(ops[2].time_ns, 20);
        assert_eq!(recorder.invocation_count(), 1);
    }
}
