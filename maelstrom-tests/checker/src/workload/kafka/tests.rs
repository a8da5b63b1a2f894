//! The kafka checker against small constructed histories: one correct log that stays
//! quiet, and one broken node per error type, each named the way jepsen names it.

use super::check;
use crate::check::Validity;
use crate::edn::Edn;
use crate::edn_read::parse;
use crate::history::{Op, OpType, Process};

/// A history written op by op, one millisecond apart unless a time is given.
#[derive(Default)]
struct History {
    ops: Vec<Op>,
    now_ns: i64,
}

impl History {
    fn push(
        &mut self,
        process: u64,
        op_type: OpType,
        f: &str,
        value: &str,
        extra: &[(&str, &str)],
    ) {
        self.now_ns += 1_000_000;
        self.ops.push(Op {
            index: self.ops.len() as u64,
            time_ns: self.now_ns,
            op_type,
            process: Process::Client(process),
            f: f.into(),
            value: parse(value).expect("test values are EDN"),
            extra: extra
                .iter()
                .map(|(key, value)| (key.to_string(), parse(value).expect("EDN")))
                .collect(),
        });
    }

    /// An invocation followed at once by its completion.
    fn op(&mut self, process: u64, op_type: OpType, f: &str, invoked: &str, completed: &str) {
        self.push(process, OpType::Invoke, f, invoked, &[]);
        self.push(process, op_type, f, completed, &[]);
    }

    /// An acknowledged send of `message` to `key`, stored at `offset`.
    fn send(&mut self, process: u64, key: &str, message: i64, offset: i64) {
        self.op(
            process,
            OpType::Ok,
            "send",
            &format!("[[:send {key:?} {message}]]"),
            &format!("[[:send {key:?} [{offset} {message}]]]"),
        );
    }

    /// An `:ok` poll returning `polled`, an EDN map such as `{"k" [[0 1]]}`.
    fn poll(&mut self, process: u64, polled: &str) {
        self.op(
            process,
            OpType::Ok,
            "poll",
            "[[:poll]]",
            &format!("[[:poll {polled}]]"),
        );
    }

    fn assign(&mut self, process: u64, keys: &str) {
        self.op(process, OpType::Ok, "assign", keys, keys);
    }

    /// The final phase's assign: every key, from the beginning.
    fn assign_from_beginning(&mut self, process: u64, keys: &str) {
        let seek = [("seek-to-beginning?", "true")];
        self.push(process, OpType::Invoke, "assign", keys, &seek);
        self.push(process, OpType::Ok, "assign", keys, &seek);
    }

    fn check(&self) -> (Validity, Edn) {
        check(&self.ops)
    }
}

/// The `:error-types` of a result, as names.
fn error_types(result: &Edn) -> Vec<String> {
    match result.get("error-types") {
        Some(Edn::List(types)) => types
            .iter()
            .map(|t| t.to_string()[1..].to_string())
            .collect(),
        other => panic!("no error types in {other:?}"),
    }
}

fn count(result: &Edn, error_type: &str) -> Option<i64> {
    match result.get(error_type)?.get("count")? {
        Edn::Int(count) => Some(*count),
        _ => None,
    }
}

/// Judged invalid, with exactly these error types, all of them bad.
fn assert_invalid_with(history: &History, expected: &[&str]) -> Edn {
    let (valid, result) = history.check();
    assert_eq!(valid, Validity::False, "{result}");
    assert_eq!(error_types(&result), expected, "{result}");
    assert_eq!(result.get("bad-error-types"), result.get("error-types"));
    result
}

/// maelstrom.md §3.7: a log read front to back by its consumer, and in full by the final
/// phase, shows no error and no lag.
#[test]
fn a_correct_log_is_valid_and_quiet() {
    let mut history = History::default();
    history.assign(0, r#"["k"]"#);
    history.send(1, "k", 1, 0);
    history.send(1, "k", 2, 1);
    history.poll(0, r#"{"k" [[0 1] [1 2]]}"#);
    history.send(1, "k", 3, 2);
    history.poll(0, r#"{"k" [[2 3]]}"#);
    history.assign_from_beginning(2, r#"["k"]"#);
    history.poll(2, r#"{"k" [[0 1] [1 2] [2 3]]}"#);
    let (valid, result) = history.check();
    assert_eq!(valid, Validity::True, "{result}");
    assert!(error_types(&result).is_empty());
    assert_eq!(
        result
            .get("worst-realtime-lag")
            .and_then(|lag| lag.get("lag")),
        Some(&Edn::Float(0.0))
    );
}

/// maelstrom.md §3.7 `:lost-write`, `:unseen`: a node that acknowledged a message and
/// never stored it. Polls reached past it, so it is lost, and nobody saw it; the poll that
/// stepped over its offset also skipped.
#[test]
fn an_acknowledged_message_missing_from_the_middle_is_lost() {
    let mut history = History::default();
    history.send(0, "k", 1, 0);
    history.send(0, "k", 2, 1);
    history.send(0, "k", 3, 2);
    history.assign_from_beginning(1, r#"["k"]"#);
    history.poll(1, r#"{"k" [[0 1] [2 3]]}"#);
    let result = assert_invalid_with(&history, &["int-poll-skip", "lost-write", "unseen"]);
    assert_eq!(count(&result, "lost-write"), Some(1));
    assert_eq!(count(&result, "unseen"), Some(1));
}

/// maelstrom.md §3.7 `:unseen`: the newest acknowledged message never reached any poll,
/// not even the final one. Nothing was read past it, so it is unseen but not "lost".
#[test]
fn an_acknowledged_message_no_poll_ever_returns_is_unseen() {
    let mut history = History::default();
    history.send(0, "k", 1, 0);
    history.send(0, "k", 2, 1);
    history.assign_from_beginning(1, r#"["k"]"#);
    history.poll(1, r#"{"k" [[0 1]]}"#);
    let result = assert_invalid_with(&history, &["unseen"]);
    assert_eq!(count(&result, "unseen"), Some(1));
}

/// Maelstrom 0.2.3 recorded final polls as `[[:poll]]`; its checker then reported nothing
/// unseen (reference run `Emmanuel32+…kafka_20230514`), and so does ours.
#[test]
fn unseen_is_not_judged_when_the_final_polls_recorded_nothing() {
    let mut history = History::default();
    history.send(0, "k", 1, 0);
    history.assign_from_beginning(1, "[0]");
    history.op(1, OpType::Ok, "poll", "[[:poll]]", "[[:poll]]");
    let (valid, result) = history.check();
    assert_eq!(valid, Validity::True, "{result}");
}

/// maelstrom.md §3.7 `:inconsistent-offsets`: two nodes that each keep their own log
/// give the same offset to different messages. Each message is still read by someone,
/// so nothing else is wrong.
#[test]
fn two_nodes_each_keeping_their_own_log_give_one_offset_two_messages() {
    let mut history = History::default();
    history.assign(0, r#"["k"]"#);
    history.assign(1, r#"["k"]"#);
    history.send(0, "k", 1, 0);
    history.send(1, "k", 2, 0);
    history.send(0, "k", 3, 1);
    history.poll(0, r#"{"k" [[0 1] [1 3]]}"#);
    history.poll(1, r#"{"k" [[0 2]]}"#);
    let result = assert_invalid_with(&history, &["inconsistent-offsets"]);
    let errs = result
        .get("inconsistent-offsets")
        .and_then(|e| e.get("errs"))
        .expect("errs");
    assert_eq!(
        errs.to_string(),
        r#"[{:key "k", :offset 0, :index 0, :values #{1 2}}]"#
    );
}

/// maelstrom.md §3.7 `:poll-skip`: a consumer's next poll started past the message after
/// the last one it had polled.
#[test]
fn a_consumer_whose_next_poll_starts_too_far_on_skipped() {
    let mut history = History::default();
    history.assign(0, r#"["k"]"#);
    for (message, offset) in [(1, 0), (2, 1), (3, 2)] {
        history.send(1, "k", message, offset);
    }
    history.poll(0, r#"{"k" [[0 1]]}"#);
    history.poll(0, r#"{"k" [[2 3]]}"#);
    history.poll(2, r#"{"k" [[0 1] [1 2] [2 3]]}"#);
    let result = assert_invalid_with(&history, &["poll-skip"]);
    let skipped = result
        .get("poll-skip")
        .and_then(|e| e.get("errs"))
        .and_then(|errs| match errs {
            Edn::Vector(errs) => errs[0].get("skipped").cloned(),
            _ => None,
        });
    assert_eq!(skipped, Some(Edn::Vector(vec![Edn::Int(2)])));
}

/// maelstrom.md §3.7 `:poll-skip` resets when an assign drops the key: the client forgot
/// its position, so a later poll may start anywhere.
#[test]
fn an_assign_that_drops_a_key_forgets_the_consumer_position() {
    let mut history = History::default();
    history.assign(0, r#"["k"]"#);
    for (message, offset) in [(1, 0), (2, 1), (3, 2)] {
        history.send(1, "k", message, offset);
    }
    history.poll(0, r#"{"k" [[0 1]]}"#);
    history.assign(0, r#"["j"]"#);
    history.assign(0, r#"["k"]"#);
    history.poll(0, r#"{"k" [[2 3]]}"#);
    history.poll(2, r#"{"k" [[0 1] [1 2] [2 3]]}"#);
    let (valid, result) = history.check();
    assert_eq!(valid, Validity::True, "{result}");
}

/// maelstrom.md §3.7 `:int-poll-skip`: one poll returned a key's messages with a gap
/// another consumer saw filled.
#[test]
fn a_poll_with_a_gap_inside_it_skipped() {
    let mut history = History::default();
    for (message, offset) in [(1, 0), (2, 1), (3, 2)] {
        history.send(0, "k", message, offset);
    }
    history.poll(1, r#"{"k" [[0 1] [2 3]]}"#);
    history.poll(2, r#"{"k" [[1 2]]}"#);
    assert_invalid_with(&history, &["int-poll-skip"]);
}

/// maelstrom.md §3.7 `:nonmonotonic-send`: one producer's second send landed before its
/// first.
#[test]
fn a_producer_whose_sends_go_backwards_is_nonmonotonic() {
    let mut history = History::default();
    history.send(0, "k", 1, 1);
    history.send(0, "k", 2, 0);
    history.poll(1, r#"{"k" [[0 2] [1 1]]}"#);
    assert_invalid_with(&history, &["nonmonotonic-send"]);
}

/// maelstrom.md §3.7 `:nonmonotonic-poll`: a consumer was handed a message it had already
/// polled.
#[test]
fn a_consumer_that_reads_backwards_is_nonmonotonic() {
    let mut history = History::default();
    history.assign(0, r#"["k"]"#);
    history.send(1, "k", 1, 0);
    history.send(1, "k", 2, 1);
    history.poll(0, r#"{"k" [[0 1] [1 2]]}"#);
    history.poll(0, r#"{"k" [[1 2]]}"#);
    assert_invalid_with(&history, &["nonmonotonic-poll"]);
}

/// maelstrom.md §3.7 `:int-nonmonotonic-poll`: one poll returned a key's messages out of
/// order.
#[test]
fn a_poll_returning_a_key_out_of_order_is_nonmonotonic() {
    let mut history = History::default();
    history.send(0, "k", 1, 0);
    history.send(0, "k", 2, 1);
    history.poll(1, r#"{"k" [[1 2] [0 1]]}"#);
    assert_invalid_with(&history, &["int-nonmonotonic-poll"]);
}

/// maelstrom.md §3.7 `:duplicate`: one message stored at two offsets.
#[test]
fn a_message_at_two_offsets_is_a_duplicate() {
    let mut history = History::default();
    history.send(0, "k", 1, 0);
    history.poll(1, r#"{"k" [[0 1] [1 1]]}"#);
    let result = assert_invalid_with(&history, &["duplicate"]);
    assert_eq!(count(&result, "duplicate"), Some(1));
}

/// maelstrom.md §3.7 `:G1a`: a poll returned the message of a send that failed
/// definitely.
#[test]
fn polling_a_failed_send_is_an_aborted_read() {
    let mut history = History::default();
    history.op(
        0,
        OpType::Fail,
        "send",
        r#"[[:send "k" 9]]"#,
        r#"[[:send "k" 9]]"#,
    );
    history.poll(1, r#"{"k" [[0 9]]}"#);
    assert_invalid_with(&history, &["G1a"]);
}

/// maelstrom.md §3.7, elle cycles over wr + realtime edges: a poll returned a message
/// whose send began only after the poll had finished.
#[test]
fn reading_a_message_from_the_future_is_a_realtime_cycle() {
    let mut history = History::default();
    history.poll(0, r#"{"k" [[0 5]]}"#);
    history.send(1, "k", 5, 0);
    let result = assert_invalid_with(&history, &["G1c-realtime"]);
    let steps = result
        .get("G1c-realtime")
        .and_then(|e| e.get("errs"))
        .map(Edn::to_string)
        .unwrap_or_default();
    assert!(
        steps.contains(":type :wr") && steps.contains(":type :realtime"),
        "{steps}"
    );
}

/// maelstrom.md §3.7 `:worst-realtime-lag`: a consumer that polled two seconds after a
/// message to its key was acknowledged, and got nothing, lagged two seconds.
#[test]
fn a_consumer_that_misses_an_acknowledged_message_lags_behind() {
    let mut history = History::default();
    history.assign(0, r#"["k"]"#);
    history.send(1, "k", 1, 0);
    let acknowledged_ns = history.now_ns;
    history.now_ns += 2_000_000_000 - 1_000_000;
    history.poll(0, r#"{"k" []}"#);
    history.poll(2, r#"{"k" [[0 1]]}"#);
    let (_, result) = history.check();
    let lag = result.get("worst-realtime-lag").expect("a lag record");
    assert_eq!(lag.get("process"), Some(&Edn::Int(0)));
    assert_eq!(lag.get("key"), Some(&Edn::Str("k".into())));
    let Some(Edn::Float(seconds)) = lag.get("lag") else {
        panic!("a lag in seconds: {lag}");
    };
    let expected = (history.ops[history.ops.len() - 4].time_ns - acknowledged_ns) as f64 / 1e9;
    assert!((seconds - expected).abs() < 1e-9 && *seconds > 1.9, "{lag}");
}

/// Input from outside never panics: ops of the wrong shape are skipped.
#[test]
fn malformed_ops_are_skipped_not_fatal() {
    let mut history = History::default();
    history.op(0, OpType::Ok, "send", "[[:send]]", "[[:send \"k\" [:x 1]]]");
    history.op(
        0,
        OpType::Ok,
        "poll",
        "[[:poll]]",
        "[[:poll {\"k\" [[:x 1] 7]}]]",
    );
    history.op(0, OpType::Ok, "poll", "[[:poll]]", "{:not :a-txn}");
    history.op(0, OpType::Ok, "assign", "5", "5");
    history.push(1, OpType::Invoke, "send", "[[:send \"k\" 1]]", &[]);
    let (valid, result) = history.check();
    assert_eq!(valid, Validity::True, "{result}");
}

/// The console summary of a kafka run names its error types, its successful sends and
/// polls, and how many acknowledged messages were never seen.
#[test]
fn the_summary_names_error_types_completions_and_unseen() {
    let mut history = History::default();
    history.send(0, "k", 1, 0);
    history.send(0, "k", 2, 1);
    history.assign_from_beginning(1, r#"["k"]"#);
    history.poll(1, r#"{"k" [[0 1]]}"#);
    let options = crate::check::CheckOptions {
        workload: "kafka".into(),
        availability: None,
        consistency_models: Vec::new(),
    };
    let results = crate::check::check(&options, &history.ops, None).expect("checks");
    let summary = crate::summary::render(&results, &options);
    assert!(
        summary.contains("error types (:unseen); bad (:unseen)"),
        "{summary}"
    );
    assert!(
        summary.contains("send 2 ok of 2, poll 1 ok of 1; 1 acknowledged messages unseen"),
        "{summary}"
    );
}
