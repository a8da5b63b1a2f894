//! How a Maelstrom client turns what came back into a history outcome
//! (maelstrom.md §1.2, §1.4; Maelstrom `client.clj` `defrpc`, `with-errors`).
//!
//! Three things can come back, checked in this order:
//! 1. nothing within the RPC timeout;
//! 2. an error body (`"type":"error"`), judged *before* any schema check, so it may carry
//!    extra keys;
//! 3. a reply, which must match the RPC's closed schema: the expected `type`, the
//!    workload's fields, `in_reply_to`, optionally an integer `msg_id`, and nothing else.
//!    A mismatch throws `:malformed-rpc-response`.
//!
//! What happens next depends on the workload's client, [`ErrorHandling`]:
//! - [`ErrorHandling::WithErrors`] (echo, unique-ids, broadcast, lin-kv, txn-rw-register,
//!   kafka): a timeout is `:fail` for an idempotent `:f`, else `:info`, with
//!   `:error :net-timeout`; an error reply is `:fail` if its code is definite or `:f` is
//!   idempotent, else `:info`, with `:error [name text]` (`name` is `:unknown` for a
//!   code outside Maelstrom's table, which is indefinite).
//! - [`ErrorHandling::Throws`] (g-set, g-counter, pn-counter): anything but a good reply
//!   throws out of `invoke!`, and jepsen records `:info` with an `:exception` and
//!   `:error "indeterminate: <message>"`, even for a definite error code.
//!
//! A malformed reply throws in both cases. Left out: the JVM stack trace jepsen puts in
//! `:exception` (`:trace`, `:at`); we keep `:via`, `:cause` and `:data`, which is what
//! the `:exceptions` checker groups by and what a reader needs.

use maelstrom_checker::Edn;
use serde_json::Value;

use super::{Invocation, Outcome, Reply};

/// Maelstrom's default RPC timeout, for every workload RPC but lin-kv's (§1.5).
pub const DEFAULT_RPC_TIMEOUT_MS: u64 = 5_000;

/// Which of Maelstrom's two client styles a workload uses (see the module doc).
#[derive(Clone, Copy, Debug)]
pub enum ErrorHandling {
    /// `with-errors`, with the workload's idempotent `:f`s.
    WithErrors { idempotent: &'static [&'static str] },
    /// No `with-errors`: every failure is an exception, hence `:info`.
    Throws,
}

/// The closed schema of one reply: its `type` and the body fields it must carry.
#[derive(Clone, Copy, Debug)]
pub struct ReplySchema {
    pub reply_type: &'static str,
    pub fields: &'static [&'static str],
}

/// The keys every reply may carry besides its own fields.
const ENVELOPE_KEYS: [&str; 3] = ["type", "in_reply_to", "msg_id"];

/// The outcome for `invocation` given `reply`. `value_of` reads the completion's value
/// from a reply that already matched `schema`; an `Err` from it is a schema violation
/// too (a read whose `value` is not an integer, say).
pub fn complete(
    handling: ErrorHandling,
    invocation: &Invocation,
    reply: Reply,
    schema: ReplySchema,
    value_of: impl FnOnce(&Value) -> Result<Edn, String>,
) -> Outcome {
    let body = match reply {
        Reply::Timeout => return timed_out(handling, invocation),
        Reply::Body(body) if body["type"] == "error" => {
            return error_reply(handling, invocation, &body)
        }
        Reply::Body(body) => body,
    };
    match check_schema(&body, schema).and_then(|()| value_of(&body)) {
        Ok(value) => Outcome::Ok { value },
        Err(problem) => {
            let data = Edn::kmap([
                ("type", Edn::keyword("malformed-rpc-response")),
                ("body", body_edn(&body)),
                ("error", Edn::Str(problem.clone())),
            ]);
            thrown(
                invocation,
                &format!("Malformed RPC response: {problem}"),
                data,
            )
        }
    }
}

/// A reply body as Maelstrom records it: top-level keys keywordized, nested ones kept
/// as strings (§1.1).
pub fn body_edn(body: &Value) -> Edn {
    match body {
        Value::Object(entries) => Edn::Map(
            entries
                .iter()
                .map(|(key, value)| (Edn::keyword(key), Edn::from_json(value)))
                .collect(),
        ),
        other => Edn::from_json(other),
    }
}

/// An integer, as `s/Int` demands: `1.0` is not one (§1.2).
pub fn integer(value: &Value) -> Result<Edn, String> {
    value
        .as_i64()
        .map(Edn::Int)
        .ok_or_else(|| format!("{value} is not an integer"))
}

/// `[Any]`, which also accepts JSON `null` (§1.2).
pub fn sequence(value: &Value) -> Result<Edn, String> {
    match value {
        Value::Array(_) | Value::Null => Ok(Edn::from_json(value)),
        other => Err(format!("{other} is not a sequence")),
    }
}

fn check_schema(body: &Value, schema: ReplySchema) -> Result<(), String> {
    let Value::Object(entries) = body else {
        return Err(format!("the body {body} is not an object"));
    };
    if body["type"] != schema.reply_type {
        return Err(format!(
            "expected type {:?}, got {}",
            schema.reply_type, body["type"]
        ));
    }
    if let Some(extra) = entries.keys().find(|key| {
        !ENVELOPE_KEYS.contains(&key.as_str()) && !schema.fields.contains(&key.as_str())
    }) {
        return Err(format!("disallowed key {extra:?}"));
    }
    if let Some(missing) = schema
        .fields
        .iter()
        .find(|field| !entries.contains_key(**field))
    {
        return Err(format!("missing required key {missing:?}"));
    }
    if entries.get("msg_id").is_some_and(|id| !id.is_i64()) {
        return Err("msg_id is not an integer".into());
    }
    Ok(())
}

/// `with-errors` (maelstrom.md §1.4): `:fail` when the error is definite or the
/// op idempotent (it surely did not happen, or may safely be counted as not),
/// else `:info`.
fn with_errors(
    invocation: &Invocation,
    error: Edn,
    definite: bool,
    idempotent: &[&str],
) -> Outcome {
    let value = invocation.value.clone();
    if definite || idempotent.contains(&invocation.f.as_str()) {
        Outcome::Fail { value, error }
    } else {
        Outcome::Info {
            value,
            error,
            exception: None,
        }
    }
}

fn timed_out(handling: ErrorHandling, invocation: &Invocation) -> Outcome {
    match handling {
        ErrorHandling::WithErrors { idempotent } => {
            with_errors(invocation, Edn::keyword("net-timeout"), false, idempotent)
        }
        ErrorHandling::Throws => {
            let data = Edn::kmap([
                ("type", Edn::keyword("maelstrom.client/timeout")),
                ("name", Edn::keyword("timeout")),
                ("definite?", Edn::Bool(false)),
                ("code", Edn::Int(0)),
            ]);
            thrown(invocation, "Client read timeout", data)
        }
    }
}

fn error_reply(handling: ErrorHandling, invocation: &Invocation, body: &Value) -> Outcome {
    let code = body["code"].as_i64();
    // A code outside Maelstrom's table is named `:unknown`, as real histories show
    // (`:error [:unknown "not found"]`), and is indefinite.
    let (name, definite) = code.and_then(known_error).unwrap_or(("unknown", false));
    let name = Edn::keyword(name);
    let text = body.get("text").map_or(Edn::Nil, Edn::from_json);
    match handling {
        ErrorHandling::WithErrors { idempotent } => with_errors(
            invocation,
            Edn::Vector(vec![name, text]),
            definite,
            idempotent,
        ),
        ErrorHandling::Throws => {
            let data = Edn::kmap([
                ("type", Edn::keyword("rpc-error")),
                ("code", code.map_or(Edn::Nil, Edn::Int)),
                ("name", name),
                ("definite?", Edn::Bool(definite)),
                ("body", body_edn(body)),
            ]);
            thrown(invocation, &format!("throw+: {data}"), data)
        }
    }
}

/// The `:info` jepsen records for an exception thrown out of `invoke!`.
fn thrown(invocation: &Invocation, message: &str, data: Edn) -> Outcome {
    let via = Edn::kmap([
        ("type", Edn::Symbol("clojure.lang.ExceptionInfo".into())),
        ("message", Edn::Str(message.to_string())),
        ("data", data.clone()),
    ]);
    let exception = Edn::kmap([
        ("via", Edn::Vector(vec![via])),
        ("cause", Edn::Str(message.to_string())),
        ("data", data),
    ]);
    Outcome::Info {
        value: invocation.value.clone(),
        error: Edn::Str(format!("indeterminate: {message}")),
        exception: Some(exception),
    }
}

/// Maelstrom's error table (§1.4): name and whether the code is definite. Codes outside
/// it are indefinite.
fn known_error(code: i64) -> Option<(&'static str, bool)> {
    Some(match code {
        0 => ("timeout", false),
        1 => ("node-not-found", true),
        10 => ("not-supported", true),
        11 => ("temporarily-unavailable", true),
        12 => ("malformed-request", true),
        13 => ("crash", false),
        14 => ("abort", true),
        20 => ("key-does-not-exist", true),
        21 => ("key-already-exists", true),
        22 => ("precondition-failed", true),
        30 => ("txn-conflict", true),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const READ_OK: ReplySchema = ReplySchema {
        reply_type: "read_ok",
        fields: &["value"],
    };
    const WITH_ERRORS: ErrorHandling = ErrorHandling::WithErrors {
        idempotent: &["read"],
    };

    fn run(handling: ErrorHandling, f: &str, reply: Reply) -> Outcome {
        let invocation = Invocation::new(f, Edn::Int(3));
        complete(handling, &invocation, reply, READ_OK, |body| {
            integer(&body["value"])
        })
    }

    fn error(code: i64) -> Reply {
        Reply::Body(json!({"type": "error", "code": code, "text": "nope", "extra": 1}))
    }

    /// maelstrom.md §1.4: with-errors: a timeout fails an idempotent op, else it is info.
    #[test]
    fn a_timeout_fails_reads_and_leaves_other_ops_indefinite() {
        assert!(
            matches!(run(WITH_ERRORS, "read", Reply::Timeout), Outcome::Fail { error, .. } if error == Edn::keyword("net-timeout"))
        );
        assert!(matches!(
            run(WITH_ERRORS, "add", Reply::Timeout),
            Outcome::Info {
                exception: None,
                ..
            }
        ));
    }

    /// maelstrom.md §1.4: definite codes fail, indefinite ones are info, with [name text];
    /// error bodies may carry extra keys.
    #[test]
    fn error_codes_map_to_fail_or_info_by_definiteness() {
        let expected = Edn::Vector(vec![
            Edn::keyword("precondition-failed"),
            Edn::Str("nope".into()),
        ]);
        assert_eq!(
            run(WITH_ERRORS, "add", error(22)),
            Outcome::Fail {
                value: Edn::Int(3),
                error: expected
            }
        );
        assert!(matches!(
            run(WITH_ERRORS, "add", error(13)),
            Outcome::Info { .. }
        ));
        assert!(matches!(
            run(WITH_ERRORS, "add", error(1000)),
            Outcome::Info { .. }
        ));
        assert!(matches!(
            run(WITH_ERRORS, "read", error(13)),
            Outcome::Fail { .. }
        ));
    }

    /// Maelstrom `client.clj` (`with-errors` and the `:rpc-error` it throws): a code
    /// outside `errors.edn` is named `:unknown`, as in a real lin-kv history's
    /// `:error [:unknown "not found"]` (maelstrom.md §1.4).
    #[test]
    fn an_unknown_error_code_is_named_unknown() {
        let Outcome::Info { error: named, .. } = run(WITH_ERRORS, "add", error(1000)) else {
            panic!("an unknown code is indefinite");
        };
        assert_eq!(
            named,
            Edn::Vector(vec![Edn::keyword("unknown"), Edn::Str("nope".into())])
        );
        let Outcome::Info {
            exception: Some(exception),
            ..
        } = run(ErrorHandling::Throws, "add", error(1000))
        else {
            panic!("a throwing client records an exception");
        };
        let data = exception.get("data").expect(":data");
        assert_eq!(data.get("name"), Some(&Edn::keyword("unknown")));
        assert_eq!(data.get("code"), Some(&Edn::Int(1000)));
    }

    /// maelstrom.md §1.4: g-set and counter clients throw, so even a definite error is
    /// :info with an :exception and an "indeterminate: ..." error.
    #[test]
    fn throwing_clients_record_every_failure_as_info_with_an_exception() {
        for reply in [Reply::Timeout, error(22)] {
            let Outcome::Info {
                error, exception, ..
            } = run(ErrorHandling::Throws, "add", reply)
            else {
                panic!("expected :info");
            };
            assert!(exception.is_some());
            let Edn::Str(text) = error else {
                panic!("a string error")
            };
            assert!(text.starts_with("indeterminate: "), "{text}");
        }
    }

    /// maelstrom.md §1.2: reply schemas are closed and ints must be JSON integers.
    #[test]
    fn extra_keys_and_non_integers_make_a_reply_malformed() {
        let good =
            Reply::Body(json!({"type": "read_ok", "value": 4, "in_reply_to": 1, "msg_id": 9}));
        assert_eq!(
            run(WITH_ERRORS, "read", good),
            Outcome::Ok { value: Edn::Int(4) }
        );
        for bad in [
            json!({"type": "read_ok", "value": 4, "extra": true}),
            json!({"type": "read_ok", "value": 4.0}),
            json!({"type": "read_ok"}),
            json!({"type": "write_ok", "value": 4}),
        ] {
            let outcome = run(WITH_ERRORS, "read", Reply::Body(bad.clone()));
            assert!(
                matches!(
                    outcome,
                    Outcome::Info {
                        exception: Some(_),
                        ..
                    }
                ),
                "{bad}"
            );
        }
    }
}
