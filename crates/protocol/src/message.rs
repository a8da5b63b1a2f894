//! The wire format: one JSON object per line (maelstrom.md §1.1, §1.2).
//!
//! ```json
//! {"src": "c1", "dest": "n0", "body": {"type": "echo", "msg_id": 1, "echo": "hi"}}
//! ```
//!
//! [`Message`] is the envelope and [`Body`] the body's common fields; the
//! challenge-specific fields live in a payload enum that each node defines with
//! `#[serde(tag = "type", rename_all = "snake_case")]`, so that a JSON line and
//! the Rust value read the same way. Maelstrom adds a top-level `id` to what it
//! delivers; nodes must ignore it, and serde skips unknown fields by default.
//!
//! [`Body`] is read by hand rather than with `#[serde(flatten)]`: serde lets an
//! internally tagged enum take its tag as a *number*, the variant's position,
//! so `{"type": 0, "message": 77}` would read as the first variant, a
//! `broadcast` of 77. Maelstrom's `type` is always a string (maelstrom.md §1.2),
//! so a body whose `type` is anything else does not parse, and the engine
//! answers it with error 12 (malformed-request).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// A message envelope: who sent it, to whom, and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message<P> {
    pub src: String,
    pub dest: String,
    pub body: Body<P>,
}

impl<P> Message<P> {
    /// A message that answers nothing (no `in_reply_to`): a request when it has a
    /// `msg_id`, a one-way message when it has none.
    pub fn new(
        src: impl Into<String>,
        dest: impl Into<String>,
        msg_id: Option<u64>,
        payload: P,
    ) -> Message<P> {
        Message {
            src: src.into(),
            dest: dest.into(),
            body: Body {
                msg_id,
                in_reply_to: None,
                payload,
            },
        }
    }
}

/// A message body: the two correlation fields every body may carry, and the
/// payload (whose `type` tag sits beside them on the wire).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Body<P> {
    /// Unique per sender. Requests that expect a reply carry one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_id: Option<u64>,
    /// On a reply: the `msg_id` of the request it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<u64>,
    #[serde(flatten)]
    pub payload: P,
}

impl<'de, P: Deserialize<'de>> Deserialize<'de> for Body<P> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Body<P>, D::Error> {
        deserializer.deserialize_map(BodyVisitor(PhantomData))
    }
}

/// Reads `msg_id` and `in_reply_to` itself, keeps every other field, checks
/// that `type` is a string, and lets the payload type read the rest.
struct BodyVisitor<P>(PhantomData<P>);

impl<'de, P: Deserialize<'de>> Visitor<'de> for BodyVisitor<P> {
    type Value = Body<P>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a message body (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body<P>, A::Error> {
        let mut msg_id = None;
        let mut in_reply_to = None;
        // Bodies have a handful of fields: a Vec beats a map here.
        let mut fields: Vec<(String, Value)> = Vec::with_capacity(4);
        while let Some(key) = map.next_key::<BodyKey>()? {
            match key {
                BodyKey::MsgId => msg_id = map.next_value()?,
                BodyKey::InReplyTo => in_reply_to = map.next_value()?,
                BodyKey::Other(name) => {
                    let value: Value = map.next_value()?;
                    if name == "type" && !value.is_string() {
                        return Err(de::Error::custom(format!(
                            "\"type\" must be a string, not {}",
                            json_kind(&value)
                        )));
                    }
                    fields.push((name, value));
                }
            }
        }
        let fields = de::value::MapDeserializer::<_, serde_json::Error>::new(fields.into_iter());
        let payload = P::deserialize(fields).map_err(de::Error::custom)?;
        Ok(Body {
            msg_id,
            in_reply_to,
            payload,
        })
    }
}

/// A body's key: the two the body reads itself, or one for the payload.
enum BodyKey {
    MsgId,
    InReplyTo,
    Other(String),
}

impl<'de> Deserialize<'de> for BodyKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<BodyKey, D::Error> {
        deserializer.deserialize_str(BodyKeyVisitor)
    }
}

struct BodyKeyVisitor;

impl Visitor<'_> for BodyKeyVisitor {
    type Value = BodyKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<BodyKey, E> {
        Ok(match key {
            "msg_id" => BodyKey::MsgId,
            "in_reply_to" => BodyKey::InReplyTo,
            other => BodyKey::Other(other.to_string()),
        })
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<BodyKey, E> {
        match key.as_str() {
            "msg_id" | "in_reply_to" => self.visit_str(&key),
            _ => Ok(BodyKey::Other(key)),
        }
    }
}

/// What kind of JSON value this is, for error texts that must stay short.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The first message every node receives (maelstrom.md §1.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InitPayload {
    Init {
        node_id: String,
        node_ids: Vec<String>,
    },
    InitOk,
}

/// What a node learns from `init`: its own id and every node's id (itself included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Init {
    pub node_id: String,
    pub node_ids: Vec<String>,
}

impl Init {
    /// Every node but this one, in the order Maelstrom listed them.
    pub fn peers(&self) -> impl Iterator<Item = &String> {
        self.node_ids.iter().filter(move |id| **id != self.node_id)
    }
}

/// The fields the engine needs before it knows which payload type a body
/// holds: enough to route replies and to answer malformed requests.
#[derive(Debug, Deserialize)]
pub(crate) struct Header {
    #[serde(default)]
    pub msg_id: Option<u64>,
    #[serde(default)]
    pub in_reply_to: Option<u64>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// An envelope whose body is still raw JSON.
#[derive(Debug, Deserialize)]
pub(crate) struct RawMessage {
    pub src: String,
    pub dest: String,
    pub body: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Payload {
        Broadcast { message: u64 },
        Read,
    }

    #[test]
    fn a_body_reads_its_correlation_fields_and_hands_the_rest_to_the_payload() {
        let body: Body<Payload> = serde_json::from_value(
            json!({"type": "broadcast", "msg_id": 3, "in_reply_to": 2, "message": 77}),
        )
        .expect("a body");
        assert_eq!(
            body,
            Body {
                msg_id: Some(3),
                in_reply_to: Some(2),
                payload: Payload::Broadcast { message: 77 }
            }
        );
        let back = serde_json::to_value(&body).expect("serializable");
        assert_eq!(
            back,
            json!({"type": "broadcast", "msg_id": 3, "in_reply_to": 2, "message": 77})
        );
    }

    /// maelstrom.md §1.2: `type` is a string. serde alone would take 0 as
    /// the first variant and read this as a broadcast of 77.
    #[test]
    fn a_body_whose_type_is_not_a_string_does_not_parse() {
        for kind in [json!(0), json!(1), json!(null), json!(["read"])] {
            let body = json!({"type": kind, "msg_id": 1, "message": 77});
            let parsed = serde_json::from_value::<Body<Payload>>(body);
            let error = parsed.expect_err("a non-string type is malformed");
            assert!(error.to_string().contains("\"type\" must be a string"));
        }
    }
}
