//! echo (maelstrom-spec §3.1): every completion must carry its invocation's text.
//!
//! An `:ok` completion records the reply body as a map; its `"echo"` entry must
//! equal the invocation's value. `:info` and `:fail` completions are not judged
//! here: a real Maelstrom run whose only two echoes timed out has
//! `:workload {:valid? true, :errors ()}` (the `:stats` checker still fails it,
//! since `:echo` never succeeded). maelstrom-spec §3.1 says otherwise; the real
//! verdict wins.

use super::pairs;
use crate::check::Validity;
use crate::edn::Edn;
use crate::history::{Op, OpType};

pub fn check(history: &[Op]) -> (Validity, Edn) {
    let mut errors = Vec::new();
    for (invoke, completion) in pairs(history) {
        let Some(completion) = completion.filter(|op| op.op_type == OpType::Ok) else {
            continue;
        };
        let echoed = match &completion.value {
            Edn::Map(entries) => entries.iter().find_map(|(key, value)| match key {
                Edn::Keyword(name) | Edn::Str(name) if name == "echo" => Some(value),
                _ => None,
            }),
            _ => None,
        };
        if echoed != Some(&invoke.value) {
            errors.push(Edn::kmap([
                ("expected", invoke.value.clone()),
                ("received", completion.value.clone()),
                ("op", completion.to_edn()),
            ]));
        }
    }
    let valid = errors.is_empty();
    (
        if valid {
            Validity::True
        } else {
            Validity::False
        },
        Edn::kmap([("valid?", Edn::Bool(valid)), ("errors", Edn::List(errors))]),
    )
}
