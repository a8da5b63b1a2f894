//! g-counter and pn-counter (maelstrom.md §3.5).
//!
//! Every `:ok` add certainly happened; every `:info` add (and any add that never
//! completed) may or may not have. So a final read is acceptable when it equals
//! the sum of the `:ok` deltas plus the deltas of *some subset* of the uncertain
//! adds. Only `:ok` reads marked `:final? true` are judged: the counter need only
//! be eventually consistent.

use std::collections::BTreeSet;

use super::pairs;
use crate::check::Validity;
use crate::edn::Edn;
use crate::history::{Op, OpType};

pub fn check(history: &[Op]) -> (Validity, Edn) {
    let mut definite = 0i64;
    let mut uncertain = Vec::new();
    for (invoke, completion) in pairs(history) {
        if invoke.f != "add" {
            continue;
        }
        let Edn::Int(delta) = invoke.value else {
            continue;
        };
        match completion.map(|op| op.op_type) {
            Some(OpType::Ok) => definite += delta,
            Some(OpType::Fail) => {}
            Some(OpType::Info) | Some(OpType::Invoke) | None => uncertain.push(delta),
        }
    }
    let acceptable = acceptable_sums(definite, &uncertain);
    let final_reads: Vec<&Op> = history
        .iter()
        .filter(|op| op.op_type == OpType::Ok && op.f == "read" && op.is_final())
        .collect();
    let errors: Vec<Edn> = final_reads
        .iter()
        .filter(|read| !matches!(read.value, Edn::Int(value) if acceptable.contains(&value)))
        .map(|read| read.to_edn())
        .collect();
    let valid = errors.is_empty();
    let edn = Edn::kmap([
        ("valid?", Edn::Bool(valid)),
        // Maelstrom's counter checker writes `(seq errors)`: nil when none failed.
        (
            "errors",
            if errors.is_empty() {
                Edn::Nil
            } else {
                Edn::List(errors)
            },
        ),
        (
            "final-reads",
            Edn::List(final_reads.iter().map(|read| read.value.clone()).collect()),
        ),
        ("acceptable", ranges(&acceptable)),
    ]);
    (
        if valid {
            Validity::True
        } else {
            Validity::False
        },
        edn,
    )
}

/// Every value `definite + Σ subset(uncertain)`: exact subset sums.
fn acceptable_sums(definite: i64, uncertain: &[i64]) -> BTreeSet<i64> {
    let mut sums = BTreeSet::from([definite]);
    for delta in uncertain {
        if *delta == 0 {
            continue;
        }
        let shifted: Vec<i64> = sums.iter().map(|sum| sum + delta).collect();
        sums.extend(shifted);
    }
    sums
}

/// `([lo hi] ...)`: the set as maximal runs of consecutive integers.
fn ranges(values: &BTreeSet<i64>) -> Edn {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for value in values {
        match runs.last_mut() {
            Some((_, high)) if *high + 1 == *value => *high = *value,
            _ => runs.push((*value, *value)),
        }
    }
    Edn::List(
        runs.into_iter()
            .map(|(low, high)| Edn::Vector(vec![Edn::Int(low), Edn::Int(high)]))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edn_read::parse;

    fn history(lines: &[&str]) -> Vec<Op> {
        lines
            .iter()
            .map(|line| Op::from_edn(&parse(line).expect("an op line")).expect("an op"))
            .collect()
    }

    const ADD: [&str; 2] = [
        "{:index 0, :time 1, :type :invoke, :process 0, :f :add, :value 3}",
        "{:index 1, :time 2, :type :ok, :process 0, :f :add, :value 3}",
    ];

    fn final_read(value: i64) -> [String; 2] {
        [
            "{:index 2, :time 3, :type :invoke, :process 0, :f :read, :value nil, :final? true}"
                .into(),
            format!("{{:index 3, :time 4, :type :ok, :process 0, :f :read, :value {value}, :final? true}}"),
        ]
    }

    fn run(read: Option<i64>) -> (Validity, Edn) {
        let mut lines: Vec<String> = ADD.iter().map(|line| line.to_string()).collect();
        lines.extend(read.into_iter().flat_map(final_read));
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        check(&history(&lines))
    }

    /// Maelstrom `workload/pn_counter.clj` `checker`, as a real valid g-counter run
    /// shows (`:errors nil, :final-reads (1325)`): `:errors` is nil when nothing failed,
    /// with or without final reads; a wrong final read is listed.
    #[test]
    fn errors_are_nil_when_every_final_read_is_acceptable() {
        let (valid, edn) = run(Some(3));
        assert_eq!(valid, Validity::True);
        assert_eq!(edn.get("errors"), Some(&Edn::Nil), "{edn}");
        assert_eq!(
            edn.get("final-reads").map(Edn::to_string).as_deref(),
            Some("(3)")
        );

        let (valid, edn) = run(None);
        assert_eq!(valid, Validity::True);
        assert_eq!(edn.get("errors"), Some(&Edn::Nil), "{edn}");

        let (valid, edn) = run(Some(4));
        assert_eq!(valid, Validity::False);
        assert!(
            matches!(edn.get("errors"), Some(Edn::List(errors)) if errors.len() == 1),
            "{edn}"
        );
    }
}
