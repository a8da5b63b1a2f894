//! echo (maelstrom.md §3.1): every completion must carry its invocation's text.
//!
//! Maelstrom's `workload/echo.clj` checker pairs each invocation with its
//! completion (knossos `history/pairs`) and compares the invocation's value with
//! the completion value's `:echo`. An `:ok` completion records the reply body as
//! a map, so a faithful echo passes. A `:fail` completion (a definite error
//! reply such as code 11, temporarily-unavailable) keeps the request's text as
//! its value, which has no `:echo`, so it is an error and the run is invalid.
//!
//! Left out on purpose: `:info` completions (timeouts, indefinite errors) are not
//! judged. A real Maelstrom run whose only two echoes timed out has
//! `:workload {:valid? true, :errors ()}`; the `:stats` checker still fails it,
//! since `:echo` never succeeded. maelstrom.md §3.1 calls a timeout an error;
//! the real verdict wins.

use super::pairs;
use crate::check::Validity;
use crate::edn::Edn;
use crate::history::{Op, OpType};

pub fn check(history: &[Op]) -> (Validity, Edn) {
    let mut errors = Vec::new();
    for (invoke, completion) in pairs(history) {
        let Some(completion) =
            completion.filter(|op| matches!(op.op_type, OpType::Ok | OpType::Fail))
        else {
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

    const INVOKE: &str =
        r#"{:index 0, :time 1, :type :invoke, :process 0, :f :echo, :value "Please echo 7"}"#;

    /// Maelstrom `workload/echo.clj` `checker` over knossos `history/pairs`: a
    /// definite error reply (`:fail`) has no `:echo`, so it is an error.
    #[test]
    fn a_definite_error_reply_makes_the_run_invalid() {
        let fail = r#"{:index 1, :time 2, :type :fail, :process 0, :f :echo, :value "Please echo 7", :error [:temporarily-unavailable "busy"]}"#;
        let (valid, edn) = check(&history(&[INVOKE, fail]));
        assert_eq!(valid, Validity::False);
        let Some(Edn::List(errors)) = edn.get("errors") else {
            panic!("errors are a list: {edn}");
        };
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].get("expected"),
            Some(&Edn::Str("Please echo 7".into()))
        );
    }

    /// Maelstrom `workload/echo.clj`, as a real run shows (two timed-out echoes, a
    /// valid workload): an `:info` completion is not judged.
    #[test]
    fn a_timed_out_echo_is_not_judged() {
        let info = r#"{:index 1, :time 2, :type :info, :process 0, :f :echo, :value "Please echo 7", :error :net-timeout}"#;
        let (valid, edn) = check(&history(&[INVOKE, info]));
        assert_eq!(valid, Validity::True, "{edn}");
    }

    /// Maelstrom `workload/echo.clj`: an `:ok` reply whose `echo` is the request's
    /// text passes; any other text is an error.
    #[test]
    fn an_ok_reply_must_echo_the_text() {
        let ok = |text: &str| {
            format!(
                r#"{{:index 1, :time 2, :type :ok, :process 0, :f :echo, :value {{:type "echo_ok", :echo "{text}", :in_reply_to 1}}}}"#
            )
        };
        assert_eq!(
            check(&history(&[INVOKE, &ok("Please echo 7")])).0,
            Validity::True
        );
        assert_eq!(
            check(&history(&[INVOKE, &ok("Please echo 8")])).0,
            Validity::False
        );
    }
}
