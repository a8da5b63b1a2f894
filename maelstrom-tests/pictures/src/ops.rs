//! A history read the way the pictures need it: each client invocation paired with its
//! completion, and the nemesis's partitions as time intervals.
//!
//! Pairing follows jepsen's `history->latencies` (`jepsen/util.clj`): a process does one
//! thing at a time, so an invocation's completion is the next `:ok`, `:fail` or `:info`
//! of the same process. A history from outside can break that rule; a second invocation
//! before a completion leaves the first one open, and a completion with nothing open is
//! ignored. Nothing here panics on such input.
//!
//! Nemesis operations are recorded twice, both with `:type :info` (maelstrom.md §5.4):
//! once when the nemesis starts a change and once when it is done. A partition is in
//! force from the first `start-partition` record to the first `stop-partition` record
//! after it (maelstrom.md §5.2), or to the end of the history if no heal follows.

use std::collections::BTreeMap;

use maelstrom_checker::{Edn, Op, OpType, Process};

/// How a client operation ended (jepsen's `:type` of the completion).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Ok,
    Info,
    Fail,
}

impl Outcome {
    /// Every outcome, in legend order.
    pub const ALL: [Outcome; 3] = [Outcome::Ok, Outcome::Info, Outcome::Fail];

    /// `ok`, `info`, `fail`: the history's keyword, used in legends and CSS classes.
    pub fn keyword(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Info => "info",
            Outcome::Fail => "fail",
        }
    }
}

/// One client operation: its invocation and, if it came, its completion.
#[derive(Clone, Copy, Debug)]
pub struct PairedOp<'a> {
    pub process: u64,
    pub invoke: &'a Op,
    pub completion: Option<&'a Op>,
}

impl PairedOp<'_> {
    pub fn f(&self) -> &str {
        &self.invoke.f
    }

    /// `None` while the operation never completed.
    pub fn outcome(&self) -> Option<Outcome> {
        self.completion.map(|completion| match completion.op_type {
            OpType::Ok => Outcome::Ok,
            OpType::Fail => Outcome::Fail,
            // A completion is never an invocation (pairing guarantees it), and an
            // `:info` is an indeterminate result.
            OpType::Info | OpType::Invoke => Outcome::Info,
        })
    }

    /// Completion time minus invocation time, never negative.
    pub fn latency_ns(&self) -> Option<i64> {
        self.completion.map(|completion| {
            completion
                .time_ns
                .saturating_sub(self.invoke.time_ns)
                .max(0)
        })
    }
}

/// A partition: from its start to its heal (`None`: never healed in the history).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    pub start_ns: i64,
    pub end_ns: Option<i64>,
    /// The grudge's name (`majority`, `one`, ...) when the history records it.
    pub kind: Option<String>,
}

impl Partition {
    /// The heal, or `history_end_ns` for a partition still in force at the end.
    pub fn end_or(&self, history_end_ns: i64) -> i64 {
        self.end_ns.unwrap_or(history_end_ns).max(self.start_ns)
    }
}

/// One nemesis action: its first record and, if recorded, its second.
#[derive(Clone, Copy, Debug)]
pub struct NemesisOp<'a> {
    pub start: &'a Op,
    pub end: Option<&'a Op>,
}

/// A history, paired.
#[derive(Debug, Default)]
pub struct PairedHistory<'a> {
    /// Client operations in invocation order.
    pub ops: Vec<PairedOp<'a>>,
    pub nemesis: Vec<NemesisOp<'a>>,
    pub partitions: Vec<Partition>,
    /// The latest time in the history, and never less than 0.
    pub end_ns: i64,
}

impl<'a> PairedHistory<'a> {
    pub fn new(history: &'a [Op]) -> PairedHistory<'a> {
        let mut paired = PairedHistory {
            end_ns: history
                .iter()
                .map(|op| op.time_ns)
                .max()
                .unwrap_or(0)
                .max(0),
            ..PairedHistory::default()
        };
        let mut open: BTreeMap<u64, usize> = BTreeMap::new();
        let mut nemesis = Vec::new();
        for op in history {
            match op.process {
                Process::Nemesis => nemesis.push(op),
                Process::Client(process) if op.op_type == OpType::Invoke => {
                    open.insert(process, paired.ops.len());
                    paired.ops.push(PairedOp {
                        process,
                        invoke: op,
                        completion: None,
                    });
                }
                Process::Client(process) => {
                    if let Some(position) = open.remove(&process) {
                        paired.ops[position].completion = Some(op);
                    }
                }
            }
        }
        paired.nemesis = pair_nemesis(&nemesis);
        paired.partitions = partitions(&paired.nemesis);
        paired
    }

    /// The `:f`s of client operations, sorted, each once.
    pub fn fs(&self) -> Vec<&'a str> {
        let mut fs: Vec<&str> = self.ops.iter().map(|op| op.invoke.f.as_str()).collect();
        fs.sort_unstable();
        fs.dedup();
        fs
    }
}

/// Consecutive records of the same `:f` are the two ends of one nemesis action.
fn pair_nemesis<'a>(records: &[&'a Op]) -> Vec<NemesisOp<'a>> {
    let mut actions: Vec<NemesisOp<'a>> = Vec::new();
    for &record in records {
        match actions.last_mut() {
            Some(last) if last.end.is_none() && last.start.f == record.f => last.end = Some(record),
            _ => actions.push(NemesisOp {
                start: record,
                end: None,
            }),
        }
    }
    actions
}

/// Partition intervals: each `start-partition` until the next `stop-partition`.
fn partitions(actions: &[NemesisOp<'_>]) -> Vec<Partition> {
    let mut partitions: Vec<Partition> = Vec::new();
    for action in actions {
        let in_force = partitions.last().is_some_and(|last| last.end_ns.is_none());
        match action.start.f.as_str() {
            "start-partition" if !in_force => partitions.push(Partition {
                start_ns: action.start.time_ns,
                end_ns: None,
                kind: grudge_kind(&action.start.value),
            }),
            "stop-partition" if in_force => {
                if let Some(last) = partitions.last_mut() {
                    last.end_ns = Some(action.start.time_ns);
                }
            }
            _ => {}
        }
    }
    partitions
}

/// `:majority` → `majority`; anything else is not a grudge's name.
fn grudge_kind(value: &Edn) -> Option<String> {
    match value {
        Edn::Keyword(kind) => Some(kind.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(index: u64, time_ns: i64, op_type: OpType, process: Process, f: &str) -> Op {
        Op {
            index,
            time_ns,
            op_type,
            process,
            f: f.into(),
            value: Edn::Nil,
            extra: Vec::new(),
        }
    }

    /// jepsen `util.clj` `history->latencies`: a completion belongs to the open
    /// invocation of its process, whatever lies between them.
    #[test]
    fn completions_pair_with_the_open_invocation_of_their_process() {
        let history = [
            op(0, 10, OpType::Invoke, Process::Client(0), "read"),
            op(1, 20, OpType::Invoke, Process::Client(1), "add"),
            op(2, 35, OpType::Fail, Process::Client(1), "add"),
            op(3, 50, OpType::Ok, Process::Client(0), "read"),
            op(4, 60, OpType::Ok, Process::Client(7), "read"),
            op(5, 70, OpType::Invoke, Process::Client(0), "read"),
        ];
        let paired = PairedHistory::new(&history);
        let summary: Vec<_> = paired
            .ops
            .iter()
            .map(|op| (op.process, op.outcome(), op.latency_ns()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (0, Some(Outcome::Ok), Some(40)),
                (1, Some(Outcome::Fail), Some(15)),
                (0, None, None),
            ]
        );
        assert_eq!(paired.fs(), vec!["add", "read"]);
        assert_eq!(paired.end_ns, 70);
    }

    /// maelstrom.md §5.2: a partition lasts from its start to the next heal; one
    /// still in force at the end stays open.
    #[test]
    fn partitions_last_from_start_to_the_next_heal() {
        let mut start = op(0, 100, OpType::Info, Process::Nemesis, "start-partition");
        start.value = Edn::keyword("majority");
        let history = [
            start.clone(),
            op(1, 105, OpType::Info, Process::Nemesis, "start-partition"),
            op(2, 300, OpType::Info, Process::Nemesis, "stop-partition"),
            op(3, 301, OpType::Info, Process::Nemesis, "stop-partition"),
            op(4, 500, OpType::Info, Process::Nemesis, "start-partition"),
        ];
        let paired = PairedHistory::new(&history);
        assert_eq!(
            paired.partitions,
            vec![
                Partition {
                    start_ns: 100,
                    end_ns: Some(300),
                    kind: Some("majority".into())
                },
                Partition {
                    start_ns: 500,
                    end_ns: None,
                    kind: None
                },
            ]
        );
        assert_eq!(paired.nemesis.len(), 3);
        assert_eq!(paired.partitions[1].end_or(paired.end_ns), 500);
    }
}
