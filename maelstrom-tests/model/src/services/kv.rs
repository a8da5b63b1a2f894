//! The key-value API shared by `lin-kv` and `seq-kv` (maelstrom.md §4 "KV API"), as a
//! pure function from (state, request) to (new state, reply).
//!
//! - `read {key}` → `read_ok {value}`, or error 20 "key does not exist".
//! - `write {key, value}` → `write_ok`; always succeeds.
//! - `cas {key, from, to, create_if_not_exists}` → `cas_ok`; a missing key is created
//!   with `to` when `create_if_not_exists` is truthy, else error 20; a current value
//!   other than `from` is error 22 "current value X is not Y", both values printed
//!   with Clojure's `pr-str` as `service.clj` does (`current value "a" is not nil`).
//!
//! Keys and values compare as decoded JSON, as Clojure's `=` does: `1` and `1.0` differ,
//! and so do `"1"` and `1`. A key is stored under its canonical JSON text, which keeps
//! that distinction and gives a `BTreeMap` an order. An error leaves the state as it
//! was, which is what lets `seq-kv` classify an op as mutating or not by comparing states.
//! Left out: `lww-kv`'s timestamped values, which live in `lww_kv.rs`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// One KV store: canonical key text → value.
pub type KvState = BTreeMap<String, Value>;

/// Error 20 (maelstrom.md §1.4, definite).
pub const KEY_DOES_NOT_EXIST: i64 = 20;
/// Error 22 (maelstrom.md §1.4, definite).
pub const PRECONDITION_FAILED: i64 = 22;

/// The three request types a KV service understands.
pub fn is_kv_request(body: &Value) -> bool {
    matches!(body["type"].as_str(), Some("read" | "write" | "cas"))
}

/// A Maelstrom error body (maelstrom.md §1.4).
pub fn error_body(code: i64, text: &str) -> Value {
    json!({"type": "error", "code": code, "text": text})
}

/// The map key for a request's `key` (JSON `null` when absent, as Clojure sees it).
pub fn key_text(body: &Value) -> String {
    body.get("key").unwrap_or(&Value::Null).to_string()
}

/// Applies one KV request to `state`; returns the new state and the reply.
/// Non-KV request types must be filtered out first ([`is_kv_request`]).
pub fn apply(state: &KvState, body: &Value) -> (KvState, Value) {
    let key = key_text(body);
    let field = |name: &str| body.get(name).cloned().unwrap_or(Value::Null);
    match body["type"].as_str() {
        Some("read") => match state.get(&key) {
            Some(value) => (state.clone(), json!({"type": "read_ok", "value": value})),
            None => (state.clone(), missing_key()),
        },
        Some("write") => {
            let mut next = state.clone();
            next.insert(key, field("value"));
            (next, json!({"type": "write_ok"}))
        }
        Some("cas") => {
            let (from, to) = (field("from"), field("to"));
            match state.get(&key) {
                None if truthy(&field("create_if_not_exists")) => {
                    let mut next = state.clone();
                    next.insert(key, to);
                    (next, json!({"type": "cas_ok"}))
                }
                None => (state.clone(), missing_key()),
                Some(current) if *current != from => {
                    let text =
                        format!("current value {} is not {}", pr_str(current), pr_str(&from));
                    (state.clone(), error_body(PRECONDITION_FAILED, &text))
                }
                Some(_) => {
                    let mut next = state.clone();
                    next.insert(key, to);
                    (next, json!({"type": "cas_ok"}))
                }
            }
        }
        other => unreachable!("apply called with a non-KV request type {other:?}"),
    }
}

fn missing_key() -> Value {
    error_body(KEY_DOES_NOT_EXIST, "key does not exist")
}

/// Clojure truthiness: everything but `false` and `nil`.
pub fn truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

/// Clojure's `str` of a decoded JSON value: strings bare, `nil` as nothing, anything
/// else as [`pr_str`] prints it.
pub fn clojure_str(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => pr_str(other),
    }
}

/// Clojure's `pr-str` of a decoded JSON value, which is how `service.clj` prints values
/// in its error texts: strings quoted and escaped, `nil` for null, numbers as Java
/// prints them, arrays as vectors, objects as maps with string keys. Object keys come
/// in `serde_json`'s order (sorted), where Clojure keeps insertion order for small maps.
pub fn pr_str(value: &Value) -> String {
    match value {
        Value::Null => "nil".into(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => match number.as_f64() {
            Some(float) if number.is_f64() => java_double(float),
            _ => number.to_string(),
        },
        Value::String(text) => quoted(text),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(pr_str).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("{} {}", quoted(key), pr_str(value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

/// A string as `pr-str` prints it: in quotes, with Clojure's `char-escape-string`
/// escapes and every other character as it is.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

/// Java's `Double.toString`: plain decimals in [10⁻³, 10⁷), else `1.5E-7` style, and
/// always a digit after the point.
fn java_double(float: f64) -> String {
    let magnitude = float.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        return format!("{float:?}");
    }
    let scientific = format!("{float:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("`{:e}` always writes an exponent");
    if mantissa.contains('.') {
        format!("{mantissa}E{exponent}")
    } else {
        format!("{mantissa}.0E{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: &KvState, body: Value) -> (KvState, Value) {
        apply(state, &body)
    }

    /// maelstrom.md §4: values compare as decoded JSON, so 1 and 1.0 are different.
    #[test]
    fn an_integer_and_a_float_are_different_values() {
        let (state, _) = run(
            &KvState::new(),
            json!({"type": "write", "key": "k", "value": 1}),
        );
        let (_, reply) = run(
            &state,
            json!({"type": "cas", "key": "k", "from": 1.0, "to": 2}),
        );
        assert_eq!(reply["code"], 22);
        assert_eq!(reply["text"], "current value 1 is not 1.0");
    }

    /// Maelstrom `service.clj` (the KV `cas` handler) prints both values with
    /// `pr-str`: strings quoted, null as `nil` (maelstrom.md §4).
    #[test]
    fn a_cas_mismatch_names_both_values_as_pr_str_prints_them() {
        let cas_text = |current: Value, from: Value| {
            let (state, _) = run(
                &KvState::new(),
                json!({"type": "write", "key": "k", "value": current}),
            );
            let (_, reply) = run(
                &state,
                json!({"type": "cas", "key": "k", "from": from, "to": 0}),
            );
            assert_eq!(reply["code"], PRECONDITION_FAILED);
            reply["text"].as_str().expect("a text").to_string()
        };
        assert_eq!(
            cas_text(json!("a"), json!("b")),
            r#"current value "a" is not "b""#
        );
        assert_eq!(
            cas_text(json!(1), Value::Null),
            "current value 1 is not nil"
        );
        assert_eq!(
            cas_text(json!(["x", null]), json!({"k": "q\"\n"})),
            r#"current value ["x" nil] is not {"k" "q\"\n"}"#
        );
        assert_eq!(
            cas_text(json!(1e10), json!(2.5e-7)),
            "current value 1.0E10 is not 2.5E-7"
        );
    }

    /// maelstrom.md §4: keys "1" and 1 are different keys.
    #[test]
    fn a_string_key_and_a_number_key_are_different_keys() {
        let (state, _) = run(
            &KvState::new(),
            json!({"type": "write", "key": 1, "value": "a"}),
        );
        let (_, reply) = run(&state, json!({"type": "read", "key": "1"}));
        assert_eq!(reply["code"], 20);
    }
}
