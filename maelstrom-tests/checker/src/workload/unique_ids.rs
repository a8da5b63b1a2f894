//! unique-ids (maelstrom.md §3.2, jepsen `checker/unique-ids`): no `:ok` id twice.
//!
//! The `:range` needs every id comparable with every other; ids of mixed kinds
//! (numbers and strings, or maps) make jepsen's checker throw, which Maelstrom
//! reports as `:unknown`.

use std::cmp::Ordering;

use crate::check::Validity;
use crate::edn::Edn;
use crate::history::{Op, OpType};

pub fn check(history: &[Op]) -> (Validity, Edn) {
    let attempted = history
        .iter()
        .filter(|op| op.op_type == OpType::Invoke && op.f == "generate")
        .count();
    let acknowledged: Vec<&Edn> = history
        .iter()
        .filter(|op| op.op_type == OpType::Ok && op.f == "generate")
        .map(|op| &op.value)
        .collect();

    // Count by text: Edn has no Ord, and equal values print equally.
    let mut counts: std::collections::BTreeMap<String, (usize, &Edn)> =
        std::collections::BTreeMap::new();
    for id in &acknowledged {
        counts.entry(id.to_string()).or_insert((0, id)).0 += 1;
    }
    let mut duplicated: Vec<(usize, &Edn)> = counts
        .values()
        .filter(|(count, _)| *count > 1)
        .copied()
        .collect();
    duplicated.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    let duplicated_count = duplicated.len();

    let range = range_of(&acknowledged);
    let valid = match (&range, duplicated_count) {
        (None, _) => Validity::Unknown,
        (Some(_), 0) => Validity::True,
        (Some(_), _) => Validity::False,
    };
    let range = range.unwrap_or_else(|| Edn::Vector(vec![Edn::Nil, Edn::Nil]));
    let edn = Edn::kmap([
        (
            "valid?",
            match valid {
                Validity::True => Edn::Bool(true),
                Validity::False => Edn::Bool(false),
                Validity::Unknown => Edn::keyword("unknown"),
            },
        ),
        ("attempted-count", Edn::Int(attempted as i64)),
        ("acknowledged-count", Edn::Int(acknowledged.len() as i64)),
        ("duplicated-count", Edn::Int(duplicated_count as i64)),
        (
            "duplicated",
            Edn::Map(
                duplicated
                    .into_iter()
                    .take(48)
                    .map(|(count, id)| (id.clone(), Edn::Int(count as i64)))
                    .collect(),
            ),
        ),
        ("range", range),
    ]);
    (valid, edn)
}

/// `[min max]`, `[nil nil]` for no ids, `None` when two ids are not comparable.
fn range_of(ids: &[&Edn]) -> Option<Edn> {
    let Some(first) = ids.first() else {
        return Some(Edn::Vector(vec![Edn::Nil, Edn::Nil]));
    };
    let (mut low, mut high) = (*first, *first);
    for id in &ids[1..] {
        if compare(id, low)? == Ordering::Less {
            low = id;
        }
        if compare(id, high)? == Ordering::Greater {
            high = id;
        }
    }
    Some(Edn::Vector(vec![low.clone(), high.clone()]))
}

/// Clojure's `compare` on the kinds of ids nodes hand out.
fn compare(a: &Edn, b: &Edn) -> Option<Ordering> {
    match (a, b) {
        (Edn::Int(x), Edn::Int(y)) => Some(x.cmp(y)),
        (Edn::Int(x), Edn::Float(y)) => (*x as f64).partial_cmp(y),
        (Edn::Float(x), Edn::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Edn::Float(x), Edn::Float(y)) => x.partial_cmp(y),
        (Edn::Str(x), Edn::Str(y)) => Some(x.cmp(y)),
        (Edn::Bool(x), Edn::Bool(y)) => Some(x.cmp(y)),
        (Edn::Vector(x), Edn::Vector(y)) => {
            // Clojure compares vectors by length first, then element by element.
            if x.len() != y.len() {
                return Some(x.len().cmp(&y.len()));
            }
            for (left, right) in x.iter().zip(y) {
                match compare(left, right)? {
                    Ordering::Equal => continue,
                    other => return Some(other),
                }
            }
            Some(Ordering::Equal)
        }
        _ => None,
    }
}
