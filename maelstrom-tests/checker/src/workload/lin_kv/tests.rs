//! The lin-kv checker against small constructed histories (maelstrom.md §3.6): quiet on
//! histories a register could have produced, however their ops overlap or end, and
//! firing on each way a broken node shows itself, naming the key. Property tests run
//! random ops against a real register and blur their timing (the checker must always find
//! the order back, and must notice one read changed to a value never written), and
//! compare the search with trying every order on small histories of any kind.

use proptest::prelude::*;

use super::check;
use super::history::read;
use super::search::{search_bounded, Verdict};
use crate::check::Validity;
use crate::edn::Edn;
use crate::edn_read::parse;
use crate::history::{Op, OpType, Process};

/// A history written event by event, one millisecond apart.
#[derive(Default)]
struct History {
    ops: Vec<Op>,
}

impl History {
    fn push(&mut self, process: u64, op_type: OpType, f: &str, value: &str) {
        self.ops.push(Op {
            index: self.ops.len() as u64,
            time_ns: (self.ops.len() as i64 + 1) * 1_000_000,
            op_type,
            process: Process::Client(process),
            f: f.into(),
            value: parse(value).expect("test values are EDN"),
            extra: Vec::new(),
        });
    }

    fn invoke(&mut self, process: u64, f: &str, value: &str) {
        self.push(process, OpType::Invoke, f, value);
    }

    fn ok(&mut self, process: u64, f: &str, value: &str) {
        self.push(process, OpType::Ok, f, value);
    }

    /// An op invoked and completed `:ok` at once: `read` gets `[k nil]` as invocation.
    fn done(&mut self, process: u64, f: &str, value: &str) {
        let invoked = if f == "read" {
            let key = value
                .trim_matches(['[', ']'])
                .split_whitespace()
                .next()
                .unwrap_or("0");
            format!("[{key} nil]")
        } else {
            value.to_string()
        };
        self.invoke(process, f, &invoked);
        self.ok(process, f, value);
    }

    /// An op that timed out: invoked, then `:info`.
    fn timed_out(&mut self, process: u64, f: &str, value: &str) {
        self.invoke(process, f, value);
        self.push(process, OpType::Info, f, value);
    }

    fn check(&self) -> (Validity, Edn) {
        check(&self.ops)
    }
}

/// The `:linearizable` map of `key` in a workload result.
fn linearizable(result: &Edn, key: i64) -> &Edn {
    let Some(Edn::Map(keys)) = result.get("results") else {
        panic!("no :results in {result}");
    };
    keys.iter()
        .find(|(k, _)| *k == Edn::Int(key))
        .and_then(|(_, r)| r.get("linearizable"))
        .unwrap_or_else(|| panic!("no key {key} in {result}"))
}

fn assert_valid(history: &History) {
    let (valid, result) = history.check();
    assert_eq!(valid, Validity::True, "{result}");
    assert_eq!(result.get("failures"), Some(&Edn::Vector(Vec::new())));
}

/// Asserts key 0 is the only failure, and returns its `:linearizable` map as text.
fn assert_key_0_fails(history: &History) -> String {
    let (valid, result) = history.check();
    assert_eq!(valid, Validity::False, "{result}");
    assert_eq!(result.get("valid?"), Some(&Edn::Bool(false)));
    assert_eq!(
        result.get("failures"),
        Some(&Edn::Vector(vec![Edn::Int(0)]))
    );
    linearizable(&result, 0).to_string()
}

/// maelstrom.md §3.6: one client writing, swapping and reading in turn is linearizable.
#[test]
fn a_sequential_history_is_linearizable() {
    let mut history = History::default();
    history.done(0, "write", "[0 1]");
    history.done(0, "read", "[0 1]");
    history.done(0, "cas", "[0 [1 2]]");
    history.done(0, "read", "[0 2]");
    history.done(0, "write", "[0 4]");
    history.done(0, "read", "[0 4]");
    assert_valid(&history);
}

/// maelstrom.md §3.6: overlapping ops may take effect in either order; here the later
/// invoked write must go first, and a read sees a write before the write is
/// acknowledged.
#[test]
fn overlapping_ops_are_reordered_within_their_windows() {
    let mut history = History::default();
    history.invoke(0, "write", "[0 1]");
    history.invoke(1, "write", "[0 2]");
    history.ok(1, "write", "[0 2]");
    history.ok(0, "write", "[0 1]");
    history.done(2, "read", "[0 1]");
    history.invoke(3, "cas", "[0 [1 3]]");
    history.done(2, "read", "[0 3]");
    history.ok(3, "cas", "[0 [1 3]]");
    assert_valid(&history);
}

/// maelstrom.md §3.6: a write that timed out may still take effect, long after its
/// `:info`; another may never take effect at all. Both are linearizable.
#[test]
fn info_writes_may_take_effect_late_or_never() {
    let mut history = History::default();
    history.done(0, "write", "[0 1]");
    history.timed_out(1, "write", "[0 2]");
    history.timed_out(2, "write", "[0 3]");
    history.done(0, "read", "[0 1]");
    history.done(0, "read", "[0 1]");
    history.done(0, "read", "[0 2]");
    history.done(0, "read", "[0 2]");
    assert_valid(&history);
}

/// An op still in flight when the history ends is as uncertain as `:info`.
#[test]
fn an_op_without_completion_is_treated_as_info() {
    let mut history = History::default();
    history.invoke(1, "cas", "[0 [nil 5]]");
    history.done(0, "read", "[0 5]");
    assert_valid(&history);
}

/// maelstrom.md §8.6: a read of nil is always legal, even after a write completed.
#[test]
fn nil_reads_are_always_legal() {
    let mut history = History::default();
    history.done(0, "write", "[0 1]");
    history.done(1, "read", "[0 nil]");
    history.done(0, "read", "[0 1]");
    history.done(1, "read", "[0 nil]");
    assert_valid(&history);
}

/// maelstrom.md §3.6: a `:fail`ed op did not happen; a failed cas whose precondition
/// held, or a failed write, is not held against the register.
#[test]
fn failed_ops_are_left_out() {
    let mut history = History::default();
    history.done(0, "write", "[0 1]");
    history.invoke(0, "cas", "[0 [1 5]]");
    history.push(0, OpType::Fail, "cas", "[0 [1 5]]");
    history.invoke(0, "write", "[0 7]");
    history.push(0, OpType::Fail, "write", "[0 7]");
    history.invoke(0, "read", "[0 nil]");
    history.push(0, OpType::Fail, "read", "[0 nil]");
    history.done(0, "read", "[0 1]");
    assert_valid(&history);
}

/// maelstrom.md §3.6: a read that returns the value before a completed write is not
/// linearizable; the report names that read, the write before it and the register.
#[test]
fn a_stale_read_after_a_completed_write_fails() {
    let mut history = History::default();
    history.done(0, "write", "[0 1]");
    history.done(0, "write", "[0 2]");
    history.done(1, "read", "[0 1]");
    let report = assert_key_0_fails(&history);
    assert!(
        report.contains(":op {:process 1, :type :ok, :f :read, :value 1, :index 5"),
        "{report}"
    );
    assert!(
        report.contains(":previous-ok {:process 0, :type :ok, :f :write, :value 2"),
        "{report}"
    );
    assert!(
        report.contains("#knossos.model.CASRegister{:value 2}"),
        "{report}"
    );
    assert!(report.contains("can't read 1 from register 2"), "{report}");
}

/// maelstrom.md §3.6: a cas that succeeded from a value the register never held.
#[test]
fn a_cas_from_a_value_the_register_could_not_hold_fails() {
    let mut history = History::default();
    history.done(0, "write", "[0 1]");
    history.done(0, "cas", "[0 [3 4]]");
    let report = assert_key_0_fails(&history);
    assert!(report.contains("can't CAS 1 from 3 to 4"), "{report}");
}

/// maelstrom.md §3.6: a read of a value no one wrote, from the register's initial nil.
#[test]
fn a_read_of_a_value_never_written_fails() {
    let mut history = History::default();
    history.done(0, "read", "[0 7]");
    let report = assert_key_0_fails(&history);
    assert!(
        report.contains(":previous-ok nil, :last-op nil"),
        "{report}"
    );
    assert!(report.contains("can't read 7 from register \""), "{report}");
}

/// maelstrom.md §3.6: an acknowledged write that a later cas does not see was lost.
#[test]
fn a_lost_write_fails() {
    let mut history = History::default();
    history.done(0, "write", "[0 1]");
    history.done(1, "write", "[0 2]");
    history.done(0, "cas", "[0 [1 3]]");
    history.done(1, "read", "[0 3]");
    let report = assert_key_0_fails(&history);
    assert!(report.contains(":f :cas, :value [1 3]"), "{report}");
}

/// maelstrom.md §3.6 (`independent`): keys are judged apart; only the broken one is
/// named in `:failures`, the others stay valid.
#[test]
fn only_the_broken_key_is_named_in_failures() {
    let mut history = History::default();
    history.done(0, "write", "[1 1]");
    history.done(0, "write", "[0 1]");
    history.done(1, "read", "[1 1]");
    history.done(1, "read", "[0 2]");
    history.done(2, "write", "[2 4]");
    assert_key_0_fails(&history);
    let (_, result) = history.check();
    for key in [1, 2] {
        assert_eq!(
            linearizable(&result, key).get("valid?"),
            Some(&Edn::Bool(true))
        );
    }
}

/// Knossos gives up when its search runs out; here the bound is the number of
/// configurations, and reaching it is `:unknown`, not a verdict.
#[test]
fn the_search_gives_up_at_its_bound() {
    let mut history = History::default();
    for process in 0..6 {
        history.invoke(process, "write", &format!("[0 {process}]"));
    }
    for process in 0..6 {
        history.ok(process, "write", &format!("[0 {process}]"));
    }
    history.done(9, "read", "[0 9]");
    let registers = read(&history.ops);
    let ops = &registers.keys.values().next().expect("key 0").ops;
    assert_eq!(
        search_bounded(ops, 5),
        Verdict::GaveUp { explored: 5 },
        "six concurrent writes need more than five configurations"
    );
    assert!(matches!(
        search_bounded(ops, 1_000),
        Verdict::NotLinearizable { .. }
    ));
}

/// Many timed-out writes of few values are cheap: interchangeable ones are tried once.
#[test]
fn many_timed_out_writes_are_checked_quickly() {
    let mut history = History::default();
    for process in 0..200 {
        history.timed_out(process, "write", &format!("[0 {}]", process % 5));
        history.timed_out(
            1000 + process,
            "cas",
            &format!("[0 [{} {}]]", process % 5, (process + 1) % 5),
        );
    }
    history.done(2000, "read", "[0 3]");
    history.done(2000, "read", "[0 1]");
    assert_valid(&history);
    history.done(2000, "read", "[0 9]");
    assert_key_0_fails(&history);
}

/// Timed-out writes of as many different values are cheap too: one that directly
/// follows another uncertain op would erase it, so such orders are never tried.
#[test]
fn timed_out_writes_of_many_values_are_checked_quickly() {
    let mut history = History::default();
    for process in 0..300 {
        history.timed_out(process, "write", &format!("[0 {process}]"));
    }
    history.done(1000, "read", "[0 299]");
    history.done(1000, "read", "[0 7]");
    assert_valid(&history);
    history.done(1000, "read", "[0 -1]");
    assert_key_0_fails(&history);
}

/// Input from outside never panics: ops that are not lin-kv ops are listed as malformed
/// and make the verdict unknown, while the ops that can be read are still judged.
#[test]
fn malformed_ops_are_reported_not_fatal() {
    let mut history = History::default();
    history.done(0, "write", "[0]");
    history.done(0, "cas", "[0 5]");
    history.done(0, "cas", "[0 [1 2 3]]");
    history.done(0, "write", "[{:a 1} 2]");
    history.done(0, "frobnicate", "[0 1]");
    history.done(0, "read", "7");
    history.done(1, "write", "[1 1]");
    history.done(1, "read", "[1 1]");
    let (valid, result) = history.check();
    assert_eq!(valid, Validity::Unknown, "{result}");
    assert_eq!(
        result.get("malformed-count"),
        Some(&Edn::Int(6)),
        "{result}"
    );
    assert_eq!(
        linearizable(&result, 1).get("valid?"),
        Some(&Edn::Bool(true))
    );

    history.done(1, "read", "[1 8]");
    let (valid, result) = history.check();
    assert_eq!(
        valid,
        Validity::False,
        "an invalid key still decides: {result}"
    );
}

/// One op of the property test: what it asks and how it ends.
#[derive(Clone, Debug)]
enum Planned {
    Read,
    Write(i64),
    Cas(i64, i64),
}

#[derive(Clone, Copy, Debug)]
enum Ending {
    Ok,
    /// Times out after taking effect.
    InfoTookEffect,
    /// Times out and never takes effect.
    InfoNever,
    /// Never completes before the history ends, after taking effect.
    Unfinished,
}

fn planned() -> impl Strategy<Value = Planned> {
    prop_oneof![
        2 => Just(Planned::Read),
        1 => (0..3i64).prop_map(Planned::Write),
        2 => (0..3i64, 0..3i64).prop_map(|(from, to)| Planned::Cas(from, to)),
    ]
}

fn ending() -> impl Strategy<Value = Ending> {
    prop_oneof![
        6 => Just(Ending::Ok),
        1 => Just(Ending::InfoTookEffect),
        1 => Just(Ending::InfoNever),
        1 => Just(Ending::Unfinished),
    ]
}

/// Runs `plan` against a real register per key, linearization point `i` at time
/// `100·i`, each op's window widened by up to `widen` either side, and writes the
/// history Maelstrom would have recorded.
fn run_against_a_register(plan: &[(i64, Planned, Ending, u64, u64)]) -> Vec<Op> {
    let mut registers: std::collections::BTreeMap<i64, Option<i64>> = Default::default();
    // (time, is completion, op): sorted into history order afterwards.
    let mut events: Vec<(u64, bool, Op)> = Vec::new();
    let show = |value: Option<i64>| value.map_or("nil".to_string(), |v| v.to_string());
    for (i, (key, call, ending, before, after)) in plan.iter().enumerate() {
        let point = 100 * (i as u64 + 1) + 10_000;
        let register = registers.entry(*key).or_default();
        let takes_effect = !matches!(ending, Ending::InfoNever);
        let (f, invoked, completed, op_type) = match call {
            Planned::Read => {
                if !matches!(ending, Ending::Ok) {
                    continue;
                }
                let seen = show(*register);
                (
                    "read",
                    format!("[{key} nil]"),
                    format!("[{key} {seen}]"),
                    OpType::Ok,
                )
            }
            Planned::Write(value) => {
                if takes_effect {
                    *register = Some(*value);
                }
                let tuple = format!("[{key} {value}]");
                ("write", tuple.clone(), tuple, OpType::Ok)
            }
            Planned::Cas(from, to) => {
                let tuple = format!("[{key} [{from} {to}]]");
                if *register == Some(*from) {
                    if takes_effect {
                        *register = Some(*to);
                    }
                    ("cas", tuple.clone(), tuple, OpType::Ok)
                } else {
                    ("cas", tuple.clone(), tuple, OpType::Fail)
                }
            }
        };
        let op_type = match ending {
            Ending::Ok => op_type,
            _ if op_type == OpType::Fail => OpType::Fail,
            _ => OpType::Info,
        };
        let process = i as u64;
        let op = |op_type, value: &str| Op {
            index: 0,
            time_ns: 0,
            op_type,
            process: Process::Client(process),
            f: f.into(),
            value: parse(value).expect("EDN"),
            extra: Vec::new(),
        };
        events.push((point - before, false, op(OpType::Invoke, &invoked)));
        if !matches!(ending, Ending::Unfinished) || op_type == OpType::Fail {
            events.push((point + after, true, op(op_type, &completed)));
        }
    }
    events.sort_by_key(|(time, completion, _)| (*time, *completion));
    events
        .into_iter()
        .enumerate()
        .map(|(index, (time, _, mut op))| {
            op.index = index as u64;
            op.time_ns = time as i64;
            op
        })
        .collect()
}

proptest! {
    /// maelstrom.md §3.6: whatever ops a real register served, however widely their
    /// real-time windows spread around the moment they took effect, and whether they
    /// timed out before or after taking effect, the history is linearizable.
    #[test]
    fn histories_of_a_real_register_are_always_linearizable(
        plan in prop::collection::vec((0..2i64, planned(), ending(), 0..400u64, 0..400u64), 0..40)
    ) {
        let history = run_against_a_register(&plan);
        let (valid, result) = check(&history);
        prop_assert_eq!(valid, Validity::True, "{}", result);
    }

    /// The same histories with one `:ok` read changed to a value no op ever wrote are
    /// not linearizable.
    #[test]
    fn a_read_of_an_unwritten_value_is_always_caught(
        plan in prop::collection::vec((0..2i64, planned(), ending(), 0..400u64, 0..400u64), 1..40),
        pick in any::<prop::sample::Index>(),
    ) {
        let mut history = run_against_a_register(&plan);
        let reads: Vec<usize> = (0..history.len())
            .filter(|&at| history[at].f == "read" && history[at].op_type == OpType::Ok)
            .collect();
        prop_assume!(!reads.is_empty());
        let at = reads[pick.index(reads.len())];
        let Edn::Vector(tuple) = &mut history[at].value else {
            panic!("a read completes with a tuple");
        };
        tuple[1] = Edn::Int(99);
        let (valid, result) = check(&history);
        prop_assert_eq!(valid, Validity::False, "{}", result);
    }

    /// Input from outside never panics: ops with any values at all are judged or
    /// reported as malformed.
    #[test]
    fn any_values_are_judged_or_reported(
        ops in prop::collection::vec((
            0..4u64,
            prop::sample::select(vec![OpType::Invoke, OpType::Ok, OpType::Fail, OpType::Info]),
            prop::sample::select(vec!["read", "write", "cas", "other"]),
            prop::sample::select(vec![
                "nil", "0", "[0]", "[0 1]", "[0 nil]", "[0 [1 2]]", "[0 [1]]", "[\"k\" 1]",
                "[1.5 1]", "[0 [nil 1]]", "{:a 1}", "[[0] 1]", "[0 \"x\"]", "[0 [1 2] 3]",
            ]),
        ), 0..30)
    ) {
        let history: Vec<Op> = ops
            .into_iter()
            .enumerate()
            .map(|(index, (process, op_type, f, value))| Op {
                index: index as u64,
                time_ns: index as i64,
                op_type,
                process: Process::Client(process),
                f: f.into(),
                value: parse(value).expect("EDN"),
                extra: Vec::new(),
            })
            .collect();
        let (valid, result) = check(&history);
        let malformed = result.get("malformed-count").is_some();
        prop_assert!(valid != Validity::Unknown || malformed, "{}", result);
    }
}

/// The console summary of a lin-kv run names the failing keys, the op no order explains
/// and what the register could hold before it.
#[test]
fn the_summary_names_the_failing_key_and_op() {
    let mut history = History::default();
    history.done(0, "write", "[1 1]");
    history.done(0, "write", "[0 2]");
    history.done(1, "read", "[0 3]");
    let options = crate::check::CheckOptions {
        workload: "lin-kv".into(),
        availability: None,
        consistency_models: Vec::new(),
    };
    let results = crate::check::check(&options, &history.ops, None).expect("checks");
    let summary = crate::summary::render(&results, &options);
    assert!(
        summary.contains("  keys checked 2; failures [0]; unknown 0\n"),
        "{summary}"
    );
    assert!(
        summary.contains("key 0: no order explains {:process 1, :type :ok, :f :read, :value 3"),
        "{summary}"
    );
    assert!(
        summary.contains("the register could hold 2 before it"),
        "{summary}"
    );
}

/// Linearizability by definition, for a handful of ops: some order of all completed ops
/// and any of the uncertain ones, each placed after every op that completed before it
/// was invoked, that the register accepts.
fn linearizable_by_every_order(ops: &[super::history::RegisterOp<'_>]) -> bool {
    fn extend(
        ops: &[super::history::RegisterOp<'_>],
        used: &mut [bool],
        value: super::history::Value,
    ) -> bool {
        let all_completed_placed = ops
            .iter()
            .zip(used.iter())
            .all(|(op, used)| *used || op.completed_at.is_none());
        if all_completed_placed {
            return true;
        }
        for next in 0..ops.len() {
            if used[next] {
                continue;
            }
            // `next` may go now only if no unplaced op completed before it was invoked.
            let blocked = ops.iter().zip(used.iter()).any(|(other, used)| {
                !used
                    && other
                        .completed_at
                        .is_some_and(|at| at < ops[next].invoked_at)
            });
            let Some(after) = super::register::step(value, ops[next].call) else {
                continue;
            };
            if blocked {
                continue;
            }
            used[next] = true;
            let found = extend(ops, used, after);
            used[next] = false;
            if found {
                return true;
            }
        }
        false
    }
    extend(ops, &mut vec![false; ops.len()], super::history::NIL)
}

proptest! {
    /// The search agrees with trying every order, on small histories of any kind
    /// (linearizable or not): it is sound and complete, the shortcuts for uncertain ops
    /// included.
    #[test]
    fn the_search_agrees_with_trying_every_order(
        ops in prop::collection::vec((
            prop_oneof![
                (0..3i64).prop_map(|v| ("read", format!("[0 {v}]"))),
                (0..3i64).prop_map(|v| ("write", format!("[0 {v}]"))),
                (0..3i64, 0..3i64).prop_map(|(from, to)| ("cas", format!("[0 [{from} {to}]]"))),
            ],
            prop_oneof![3 => Just(OpType::Ok), 1 => Just(OpType::Info)],
            0..12u64,
            0..12u64,
        ), 0..8)
    ) {
        let mut events: Vec<(u64, bool, Op)> = Vec::new();
        for (process, ((f, value), op_type, start, length)) in ops.into_iter().enumerate() {
            let op = |op_type, value: &str| Op {
                index: 0,
                time_ns: 0,
                op_type,
                process: Process::Client(process as u64),
                f: f.into(),
                value: parse(value).expect("EDN"),
                extra: Vec::new(),
            };
            let invoked = if f == "read" { "[0 nil]".to_string() } else { value.clone() };
            events.push((start, false, op(OpType::Invoke, &invoked)));
            events.push((start + length, true, op(op_type, &value)));
        }
        events.sort_by_key(|(time, completion, _)| (*time, *completion));
        let history: Vec<Op> = events
            .into_iter()
            .enumerate()
            .map(|(index, (_, _, mut op))| {
                op.index = index as u64;
                op
            })
            .collect();
        let registers = read(&history);
        let expected = registers
            .keys
            .values()
            .all(|key| linearizable_by_every_order(&key.ops));
        let (valid, result) = check(&history);
        prop_assert_eq!(valid == Validity::True, expected, "{}", result);
        prop_assert!(valid != Validity::Unknown, "{}", result);
    }
}
