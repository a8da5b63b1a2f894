//! One step of a transaction, as it looks on the wire (maelstrom.md §3.8):
//! `["r", 9, null]` reads register 9, `["w", 9, 3]` writes 3 to it.
//!
//! A request's reads carry `null`; the reply carries the same list with each read's
//! value filled in (`null` if the key was never written) and every write echoed
//! unchanged. Keys and values are integers: the only ones the workload sends and the
//! only ones its checker can order. Anything else (a string key, a write of `null`,
//! a fourth element, an `"append"`) is not a micro-op of this workload, so the whole
//! request fails to parse and the engine answers error 12 (malformed-request): the
//! client gets a definite error and no register changes.
//!
//! Left out: txn-list-append's `["append", k, v]` (maelstrom.md §3.9), a different
//! workload with a different data type.

use serde::{Deserialize, Serialize};

/// A register's name.
pub type Key = i64;
/// What a register holds.
pub type Value = i64;

/// `["r", key, value]` or `["w", key, value]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WireMicroOp", into = "WireMicroOp")]
pub enum MicroOp {
    /// `value` is `None` in a request; once the read runs, what the register
    /// held (`None` if it was never written).
    Read {
        key: Key,
        value: Option<Value>,
    },
    Write {
        key: Key,
        value: Value,
    },
}

/// The micro-op's first element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Function {
    #[serde(rename = "r")]
    Read,
    #[serde(rename = "w")]
    Write,
}

/// The three-element array exactly as it travels.
#[derive(Serialize, Deserialize)]
struct WireMicroOp(Function, Key, Option<Value>);

impl TryFrom<WireMicroOp> for MicroOp {
    type Error = String;

    fn try_from(WireMicroOp(function, key, value): WireMicroOp) -> Result<MicroOp, String> {
        match (function, value) {
            // A request's reads carry null; running the transaction fills them in.
            (Function::Read, value) => Ok(MicroOp::Read { key, value }),
            (Function::Write, Some(value)) => Ok(MicroOp::Write { key, value }),
            (Function::Write, None) => Err(format!("[\"w\", {key}, null] writes no value")),
        }
    }
}

impl From<MicroOp> for WireMicroOp {
    fn from(micro_op: MicroOp) -> WireMicroOp {
        match micro_op {
            MicroOp::Read { key, value } => WireMicroOp(Function::Read, key, value),
            MicroOp::Write { key, value } => WireMicroOp(Function::Write, key, Some(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// maelstrom.md §3.8: the request's shape, read and written back.
    #[test]
    fn micro_ops_read_and_write_as_three_element_arrays() {
        let txn: Vec<MicroOp> =
            serde_json::from_value(json!([["r", 9, null], ["w", 9, 3]])).expect("a txn");
        assert_eq!(
            txn,
            [
                MicroOp::Read {
                    key: 9,
                    value: None
                },
                MicroOp::Write { key: 9, value: 3 }
            ]
        );
        let filled = [
            MicroOp::Read {
                key: 9,
                value: Some(2),
            },
            MicroOp::Write { key: 9, value: 3 },
        ];
        assert_eq!(
            serde_json::to_value(filled).expect("serializable"),
            json!([["r", 9, 2], ["w", 9, 3]])
        );
    }

    /// maelstrom.md §3.8: only integer registers; anything else is not this workload.
    #[test]
    fn anything_but_an_integer_read_or_write_does_not_parse() {
        for bad in [
            json!(["w", 9, null]),
            json!(["w", "x", 1]),
            json!(["w", 9, 1.5]),
            json!(["append", 9, 1]),
            json!(["r", 9]),
            json!(["r", 9, null, 0]),
            json!({"f": "r", "key": 9}),
        ] {
            assert!(
                serde_json::from_value::<MicroOp>(bad.clone()).is_err(),
                "{bad} parsed"
            );
        }
    }
}
