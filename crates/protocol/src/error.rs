//! Maelstrom's error codes (maelstrom.md §1.4, `resources/errors.edn`).
//!
//! An error a peer or client must see travels as a body
//! `{"type": "error", "in_reply_to": 5, "code": 20, "text": "..."}`. The code
//! says whether the operation *definitely* did not happen (so a client may
//! record it as failed) or *may* have happened (so it must be recorded as
//! indeterminate). Getting that distinction right is what lets a checker
//! reason about histories; [`ErrorCode::is_definite`] encodes it once.

use serde::{Deserialize, Serialize};

/// The codes Maelstrom reserves (0–999). Any other code is a custom one and is
/// treated as indefinite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The requester gave up waiting. Indefinite: the request may still land.
    Timeout,
    /// The destination is not a node this one knows.
    NodeNotFound,
    /// The request's `type` is not one this node handles.
    NotSupported,
    /// The operation can't be served right now (e.g. no leader); nothing happened.
    TemporarilyUnavailable,
    /// The request could not be parsed or is missing fields.
    MalformedRequest,
    /// The node failed in a way that leaves the outcome unknown.
    Crash,
    /// The operation was aborted and did not happen.
    Abort,
    /// The key does not exist.
    KeyDoesNotExist,
    /// The key already exists.
    KeyAlreadyExists,
    /// A compare-and-set precondition did not hold.
    PreconditionFailed,
    /// A transaction conflicted and was aborted.
    TxnConflict,
    /// A code outside Maelstrom's table.
    Custom(u32),
}

impl ErrorCode {
    /// The number on the wire.
    pub fn code(self) -> u32 {
        match self {
            ErrorCode::Timeout => 0,
            ErrorCode::NodeNotFound => 1,
            ErrorCode::NotSupported => 10,
            ErrorCode::TemporarilyUnavailable => 11,
            ErrorCode::MalformedRequest => 12,
            ErrorCode::Crash => 13,
            ErrorCode::Abort => 14,
            ErrorCode::KeyDoesNotExist => 20,
            ErrorCode::KeyAlreadyExists => 21,
            ErrorCode::PreconditionFailed => 22,
            ErrorCode::TxnConflict => 30,
            ErrorCode::Custom(code) => code,
        }
    }

    /// The code for a number read off the wire.
    pub fn from_code(code: u32) -> ErrorCode {
        match code {
            0 => ErrorCode::Timeout,
            1 => ErrorCode::NodeNotFound,
            10 => ErrorCode::NotSupported,
            11 => ErrorCode::TemporarilyUnavailable,
            12 => ErrorCode::MalformedRequest,
            13 => ErrorCode::Crash,
            14 => ErrorCode::Abort,
            20 => ErrorCode::KeyDoesNotExist,
            21 => ErrorCode::KeyAlreadyExists,
            22 => ErrorCode::PreconditionFailed,
            30 => ErrorCode::TxnConflict,
            other => ErrorCode::Custom(other),
        }
    }

    /// Maelstrom's name for the code, as it appears in histories (`:key-does-not-exist`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Timeout => "timeout",
            ErrorCode::NodeNotFound => "node-not-found",
            ErrorCode::NotSupported => "not-supported",
            ErrorCode::TemporarilyUnavailable => "temporarily-unavailable",
            ErrorCode::MalformedRequest => "malformed-request",
            ErrorCode::Crash => "crash",
            ErrorCode::Abort => "abort",
            ErrorCode::KeyDoesNotExist => "key-does-not-exist",
            ErrorCode::KeyAlreadyExists => "key-already-exists",
            ErrorCode::PreconditionFailed => "precondition-failed",
            ErrorCode::TxnConflict => "txn-conflict",
            ErrorCode::Custom(_) => "custom",
        }
    }

    /// True when the error proves the operation did not take place. Timeouts,
    /// crashes and custom codes prove nothing.
    pub fn is_definite(self) -> bool {
        !matches!(
            self,
            ErrorCode::Timeout | ErrorCode::Crash | ErrorCode::Custom(_)
        )
    }
}

/// An error as peers and clients see it: a code and a human-readable text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} ({}): {text}", .code.name(), .code.code())]
pub struct Error {
    pub code: ErrorCode,
    pub text: String,
}

impl Error {
    pub fn new(code: ErrorCode, text: impl Into<String>) -> Error {
        Error {
            code,
            text: text.into(),
        }
    }

    /// The error an RPC completes with when no reply came in time.
    pub fn timeout(text: impl Into<String>) -> Error {
        Error::new(ErrorCode::Timeout, text)
    }

    /// The body to send: `{"type": "error", "code": .., "text": ..}`.
    pub fn to_payload(&self) -> ErrorPayload {
        ErrorPayload::Error {
            code: self.code.code(),
            text: self.text.clone(),
        }
    }
}

/// The error body on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ErrorPayload {
    Error {
        code: u32,
        #[serde(default)]
        text: String,
    },
}

impl From<ErrorPayload> for Error {
    fn from(payload: ErrorPayload) -> Error {
        let ErrorPayload::Error { code, text } = payload;
        Error::new(ErrorCode::from_code(code), text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom.md §1.4: the table of codes, both ways, with definiteness.
    #[test]
    fn every_code_round_trips_and_only_timeout_crash_and_custom_are_indefinite() {
        let table = [
            (0, false),
            (1, true),
            (10, true),
            (11, true),
            (12, true),
            (13, false),
            (14, true),
            (20, true),
            (21, true),
            (22, true),
            (30, true),
            (1000, false),
        ];
        for (number, definite) in table {
            let code = ErrorCode::from_code(number);
            assert_eq!(code.code(), number);
            assert_eq!(code.is_definite(), definite, "code {number}");
        }
    }

    #[test]
    fn an_error_body_serializes_as_maelstrom_expects() {
        let body = Error::new(ErrorCode::KeyDoesNotExist, "no such key").to_payload();
        let json = serde_json::to_value(body).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({"type": "error", "code": 20, "text": "no such key"})
        );
    }
}
