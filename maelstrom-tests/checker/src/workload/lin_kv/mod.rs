//! lin-kv: is every key a linearizable compare-and-set register? (maelstrom.md §3.6;
//! jepsen `independent/checker` around Knossos's `linearizable` over `cas-register`.)
//!
//! Each key is judged on its own ([`history`] splits the history by key), by an exact
//! search for an order of its ops that a register starting at `nil` could have produced
//! within each op's real-time window ([`search`], Wing & Gong with Lowe's memoization,
//! kept in [`memo`]; the model is [`register`]). [`report`] writes each key's verdict in
//! Knossos's words.
//!
//! The workload map is Maelstrom's: `{:valid? … :results {key {…}} :failures [key …]}`.
//! `:valid?` is the worst of the keys'; `:failures` names the keys whose verdict is
//! `false` (as in jepsen, a key left `:unknown` by the search bound is not a failure,
//! but it makes the whole `:unknown`). Ops that are not lin-kv ops (not a `[key value]`
//! tuple, an unknown `:f`, a cas that is not `[from to]`) cannot be judged: they are
//! listed under `:malformed` and make the verdict `:unknown` unless a key is invalid.
//! Jepsen would throw on them instead, making the whole workload `:unknown`.
//!
//! Cost: a Maelstrom key has at most a few dozen timed-out ops (it is retired once 20
//! processes have used it, and a timeout retires a process), and its check takes
//! microseconds. Hundreds of timed-out cas ops over a few values on one key can take
//! seconds (400 over five values, with a read no order explains: 20 s in release).

mod history;
mod memo;
mod register;
mod report;
mod search;
#[cfg(test)]
mod tests;

use crate::check::Validity;
use crate::edn::Edn;
use crate::history::Op;

/// At most this many malformed ops are listed; `:malformed-count` is always the total.
const MALFORMED_SHOWN_MAX: usize = 32;

pub fn check(raw: &[Op]) -> (Validity, Edn) {
    let registers = history::read(raw);
    let mut valid = Validity::True;
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for (key, key_history) in &registers.keys {
        let verdict = search::search(&key_history.ops);
        let (key_valid, result) = report::key_result(&registers, key_history, &verdict);
        if key_valid == Validity::False {
            failures.push(key.to_edn());
        }
        valid = valid.and(key_valid);
        results.push((key.to_edn(), result));
    }
    if !registers.malformed.is_empty() {
        valid = valid.and(Validity::Unknown);
    }
    let mut entries = vec![
        ("valid?", valid.to_edn()),
        ("results", Edn::Map(results)),
        ("failures", Edn::Vector(failures)),
    ];
    if !registers.malformed.is_empty() {
        entries.push((
            "malformed-count",
            Edn::Int(registers.malformed.len() as i64),
        ));
        entries.push((
            "malformed",
            Edn::Vector(
                registers
                    .malformed
                    .iter()
                    .take(MALFORMED_SHOWN_MAX)
                    .map(|op| op.to_edn())
                    .collect(),
            ),
        ));
    }
    (valid, Edn::kmap(entries))
}
