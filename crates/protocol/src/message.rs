//! The wire format: one JSON object per line (maelstrom-spec §1.1, §1.2).
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

use serde::{Deserialize, Serialize};

/// A message envelope: who sent it, to whom, and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message<P> {
    pub src: String,
    pub dest: String,
    pub body: Body<P>,
}

/// A message body: the two correlation fields every body may carry, and the
/// payload (whose `type` tag sits beside them on the wire).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// The first message every node receives (maelstrom-spec §1.3).
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

/// The fields the runtime needs before it knows which payload type a body
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
