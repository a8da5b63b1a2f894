//! What a line that is not a well-formed request is, and what to answer it.
//!
//! The engine's fast path parses a line once, as a message of the node's
//! payload type. When that fails, this module looks closer, at the envelope
//! with its body still raw: enough to route a reply to the RPC waiting for it,
//! or to tell error 10 (not-supported: a `type` the node doesn't know) from
//! error 12 (malformed-request: a known `type` with bad fields, or no string
//! `type` at all), as maelstrom.md §1.4 defines them.
//!
//! Left out: no suggestion of what the sender might have meant; the error
//! text names what failed to parse, which is what a person debugging needs.

use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorCode};
use crate::message::{Header, Message, RawMessage};

/// The body fields the engine routes by, read leniently: a field of the
/// wrong JSON type counts as absent.
pub(crate) fn header_of(raw: &RawMessage) -> Header {
    let number = |key: &str| raw.body.get(key).and_then(serde_json::Value::as_u64);
    Header {
        msg_id: number("msg_id"),
        in_reply_to: number("in_reply_to"),
        kind: raw
            .body
            .get("type")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string),
    }
}

/// Error 10 for a `type` the node doesn't know, 12 for anything else wrong.
pub(crate) fn classify_bad_request<P: DeserializeOwned>(
    header: &Header,
    raw: &RawMessage,
    line: &str,
) -> Error {
    let Some(kind) = &header.kind else {
        return Error::new(
            ErrorCode::MalformedRequest,
            "the body has no string \"type\"",
        );
    };
    if !crate::probe::is_known_type::<P>(kind) {
        return Error::new(
            ErrorCode::NotSupported,
            format!("unsupported message type {kind:?}"),
        );
    }
    let reason = match serde_json::from_str::<Message<P>>(line) {
        Err(error) => error.to_string(),
        Ok(_) => format!(
            "unexpected fields in {}",
            serde_json::Value::Object(raw.body.clone())
        ),
    };
    Error::new(
        ErrorCode::MalformedRequest,
        format!("malformed {kind:?}: {reason}"),
    )
}

/// Keeps log lines readable when the input is huge.
pub(crate) fn clip(line: &str) -> String {
    const SHOWN_CHARS_MAX: usize = 200;
    if line.chars().count() <= SHOWN_CHARS_MAX {
        line.to_string()
    } else {
        let shown: String = line.chars().take(SHOWN_CHARS_MAX).collect();
        format!("{shown}…")
    }
}
