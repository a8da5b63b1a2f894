//! The checkers every Maelstrom test composes besides the workload's own
//! (maelstrom.md §5.4): `:stats`, `:availability`, `:net`, `:exceptions`.

use std::collections::BTreeMap;

use crate::edn::Edn;
use crate::history::{Op, OpType, Process};
use crate::net::{NetCounts, NetStats};

/// Ops that count: everything but the nemesis.
fn client_ops(history: &[Op]) -> impl Iterator<Item = &Op> {
    history.iter().filter(|op| op.process != Process::Nemesis)
}

/// jepsen `checker/stats`: completions by type, overall and per `:f`. Valid iff
/// every `:f` has at least one `:ok` (kafka's `:crash` and `:debug-topic-partitions` exempt).
/// The exemption is only in the overall verdict: an `:f`'s own entry still says whether it
/// had an `:ok`, so kafka's `:crash` shows `:valid? false` under a valid `:stats`, as in
/// both reference kafka runs (jepsen `tests/kafka.clj` `stats-checker`).
pub fn stats(history: &[Op]) -> (bool, Edn) {
    #[derive(Default)]
    struct Counts {
        count: i64,
        ok: i64,
        fail: i64,
        info: i64,
    }
    let mut total = Counts::default();
    let mut by_f: BTreeMap<&str, Counts> = BTreeMap::new();
    for op in client_ops(history).filter(|op| op.op_type != OpType::Invoke) {
        for counts in [&mut total, by_f.entry(op.f.as_str()).or_default()] {
            counts.count += 1;
            match op.op_type {
                OpType::Ok => counts.ok += 1,
                OpType::Fail => counts.fail += 1,
                OpType::Info => counts.info += 1,
                OpType::Invoke => {}
            }
        }
    }
    let exempt = |f: &str| f == "crash" || f == "debug-topic-partitions";
    let section = |valid: bool, counts: &Counts| {
        Edn::kmap([
            ("valid?", Edn::Bool(valid)),
            ("count", Edn::Int(counts.count)),
            ("ok-count", Edn::Int(counts.ok)),
            ("fail-count", Edn::Int(counts.fail)),
            ("info-count", Edn::Int(counts.info)),
        ])
    };
    let valid = by_f.iter().all(|(f, counts)| exempt(f) || counts.ok > 0);
    let mut edn = section(valid, &total);
    if let Edn::Map(entries) = &mut edn {
        let per_f = by_f
            .iter()
            .map(|(f, counts)| (Edn::keyword(f), section(counts.ok > 0, counts)))
            .collect();
        entries.push((Edn::keyword("by-f"), Edn::Map(per_f)));
    }
    (valid, edn)
}

/// `:ok` completions over invocations, judged against `--availability`: `None`
/// always passes. Maelstrom `checker.clj` (`availability-checker`) reports a Java
/// float, except when nothing was invoked: then it is the integer `1`.
pub fn availability(history: &[Op], required: Option<f64>) -> (bool, Edn) {
    let invoked = client_ops(history)
        .filter(|op| op.op_type == OpType::Invoke)
        .count();
    let ok = client_ops(history)
        .filter(|op| op.op_type == OpType::Ok)
        .count();
    let (fraction, shown) = if invoked == 0 {
        (1.0, Edn::Int(1))
    } else {
        let fraction = f64::from((ok as f64 / invoked as f64) as f32);
        (fraction, Edn::Float(fraction))
    };
    let valid = required.is_none_or(|required| fraction >= required);
    (
        valid,
        Edn::kmap([("valid?", Edn::Bool(valid)), ("ok-fraction", shown)]),
    )
}

/// `:net`, always valid. Without counts (a history alone) only the verdict.
/// `:msgs-per-op` is left out when there were no ops, as Maelstrom
/// `net/checker.clj` leaves it out rather than divide by zero.
pub fn net(history: &[Op], net: Option<&NetStats>) -> Edn {
    let Some(net) = net else {
        return Edn::kmap([("valid?", Edn::Bool(true))]);
    };
    let op_count = client_ops(history)
        .filter(|op| op.op_type == OpType::Invoke)
        .count();
    let counts = |counts: &NetCounts, per_op: bool| {
        let mut entries = vec![
            ("send-count", Edn::Int(counts.send_count as i64)),
            ("recv-count", Edn::Int(counts.recv_count as i64)),
            ("msg-count", Edn::Int(counts.msg_count as i64)),
        ];
        if per_op && op_count > 0 {
            let per_op = (counts.msg_count as f64 / op_count as f64) as f32;
            entries.push(("msgs-per-op", Edn::Float(f64::from(per_op))));
        }
        Edn::kmap(entries)
    };
    Edn::kmap([
        ("all", counts(&net.all, true)),
        ("clients", counts(&net.clients, false)),
        ("servers", counts(&net.servers, true)),
        ("valid?", Edn::Bool(true)),
    ])
}

/// `:exceptions`: `:info` ops that carry an `:exception`, grouped by their
/// `:error`. Always valid.
pub fn exceptions(history: &[Op]) -> Edn {
    let mut groups: BTreeMap<String, (i64, &Op)> = BTreeMap::new();
    for op in client_ops(history).filter(|op| op.extra("exception").is_some()) {
        let key = op.extra("error").map_or_else(String::new, Edn::to_string);
        groups.entry(key).or_insert((0, op)).0 += 1;
    }
    if groups.is_empty() {
        return Edn::kmap([("valid?", Edn::Bool(true))]);
    }
    let listed = groups
        .into_values()
        .map(|(count, example)| {
            Edn::kmap([("count", Edn::Int(count)), ("example", example.to_edn())])
        })
        .collect();
    Edn::kmap([
        ("valid?", Edn::Bool(true)),
        ("exceptions", Edn::List(listed)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoke() -> Op {
        Op {
            index: 0,
            time_ns: 0,
            op_type: OpType::Invoke,
            process: Process::Client(0),
            f: "echo".into(),
            value: Edn::Nil,
            extra: Vec::new(),
        }
    }

    fn counts(msg_count: u64) -> NetCounts {
        NetCounts {
            send_count: msg_count,
            recv_count: msg_count,
            msg_count,
        }
    }

    /// Maelstrom `net/checker.clj`: with no ops there is no `:msgs-per-op` at all
    /// (not `nil`); with ops it is a float on `:all` and `:servers`.
    #[test]
    fn msgs_per_op_is_left_out_when_there_were_no_ops() {
        let stats = NetStats {
            all: counts(6),
            clients: counts(6),
            servers: counts(0),
        };
        let section = net(&[], Some(&stats));
        for class in ["all", "servers"] {
            let class = section.get(class).expect("a class");
            assert!(class.get("msg-count").is_some(), "{section}");
            assert_eq!(class.get("msgs-per-op"), None, "{section}");
        }
        let section = net(&[invoke(), invoke()], Some(&stats));
        let per_op = |class: &str| {
            section
                .get(class)
                .and_then(|c| c.get("msgs-per-op"))
                .cloned()
        };
        assert_eq!(per_op("all"), Some(Edn::Float(3.0)));
        assert_eq!(per_op("servers"), Some(Edn::Float(0.0)));
    }

    /// Maelstrom `checker.clj` `availability-checker`: with no invocations the
    /// fraction is the integer `1`; otherwise a float.
    #[test]
    fn the_ok_fraction_is_the_integer_one_when_nothing_was_invoked() {
        let (valid, section) = availability(&[], Some(1.0));
        assert!(valid);
        assert_eq!(section.get("ok-fraction"), Some(&Edn::Int(1)));
        assert_eq!(section.to_string(), "{:valid? true, :ok-fraction 1}");
        let (valid, section) = availability(&[invoke()], Some(1.0));
        assert!(!valid);
        assert_eq!(section.get("ok-fraction"), Some(&Edn::Float(0.0)));
    }
}
