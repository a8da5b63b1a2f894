//! The key-value API shared by `lin-kv` and `seq-kv` (maelstrom-spec §4 "KV API"), as a
//! pure function from (state, request) to (new state, reply).
//!
//! - `read {key}` → `read_ok {value}`, or error 20 "key does not exist".
//! - `write {key, value}` → `write_ok`; always succeeds.
//! - `cas {key, from, to, create_if_not_exists}` → `cas_ok`; a missing key is created
//!   with `to` when `create_if_not_exists` is truthy, else error 20; a current value
//!   other than `from` is error 22 "current value X is not Y".
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

/// Error 20 (maelstrom-spec §1.4, definite).
pub const KEY_DOES_NOT_EXIST: i64 = 20;
/// Error 22 (maelstrom-spec §1.4, definite).
pub const PRECONDITION_FAILED: i64 = 22;

/// The three request types a KV service understands.
pub fn is_kv_request(body: &Value) -> bool {
    matches!(body["type"].as_str(), Some("read" | "write" | "cas"))
}

/// A Maelstrom error body (maelstrom-spec §1.4).
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
                    let text = format!(
                        "current value {} is not {}",
                        clojure_str(current),
                        clojure_str(&from)
                    );
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

/// How Clojure's `str` prints a decoded JSON value in an error text: strings bare,
/// `nil` as nothing, collections in EDN-like form.
pub fn clojure_str(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => pr_str(other),
    }
}

/// Clojure's `pr-str` of a decoded JSON value (strings quoted, `nil` for null).
fn pr_str(value: &Value) -> String {
    match value {
        Value::Null => "nil".into(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(pr_str).collect();
            format!("[{}]", items.join(" "))
        }
        Value::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("{key:?} {}", pr_str(value)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: &KvState, body: Value) -> (KvState, Value) {
        apply(state, &body)
    }

    /// maelstrom-spec §4: values compare as decoded JSON, so 1 and 1.0 are different.
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

    /// maelstrom-spec §4: keys "1" and 1 are different keys.
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
