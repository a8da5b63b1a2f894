//! Every message a broadcast node sends or receives, as it looks on the wire.
//!
//! The first six are the broadcast workload's (maelstrom.md §3.3); the rest
//! are between nodes, in `Foo`/`FooOk` pairs where one answers the other:
//! - `gossip`: values on a reliable link, with its ack ([`crate::link`]), the
//!   sender's distance to the hub and whether it is relayed ([`crate::route`]);
//! - `sync` / `sync_ok`: two digests ([`crate::digest`]), so that each side
//!   sends the other exactly what it lacks, after a link fell behind or when a
//!   node starts relaying through another;
//! - `route` / `route_ok`: "who can relay for me?", asked of every node when
//!   the hub stops answering, with the asker's values that have not reached
//!   the hub yet; answered with the hops to the hub and, already, the values
//!   the asker's digest shows missing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::link::Gossip;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    Broadcast {
        message: u64,
    },
    BroadcastOk,
    Read,
    ReadOk {
        messages: BTreeSet<u64>,
    },
    /// Maelstrom's suggested neighbours; this node answers and ignores it.
    Topology {
        topology: BTreeMap<String, Vec<String>>,
    },
    TopologyOk,
    Gossip(Gossip),
    /// The sender's digest: answer with yours of the values above `after` (all
    /// of them if absent), and send it what it lacks.
    Sync {
        have: Digest,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<u64>,
    },
    /// The answer to `sync`: now the asker sends what this digest lacks.
    SyncOk {
        have: Digest,
    },
    /// "I can't reach my upstream: can you relay for me? Here is what I have,
    /// and my values still on their way to the hub."
    Route {
        have: Digest,
        values: Vec<u64>,
    },
    /// "I am `hops` from the hub (`null`: no route), and here is what you lack."
    RouteOk {
        #[serde(default)]
        hops: Option<u8>,
        values: Vec<u64>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A reader should match a JSON line to a variant at a glance.
    #[test]
    fn peer_messages_have_the_wire_form_the_docs_show() {
        let examples = [
            (
                Payload::Sync {
                    have: Digest {
                        ranges: vec![[0, 9]],
                        ..Digest::default()
                    },
                    after: Some(511),
                },
                json!({"type": "sync", "have": {"ranges": [[0, 9]]}, "after": 511}),
            ),
            (
                Payload::RouteOk {
                    hops: None,
                    values: vec![3],
                },
                json!({"type": "route_ok", "hops": null, "values": [3]}),
            ),
            (
                Payload::Gossip(Gossip {
                    seq: 1,
                    values: vec![4],
                    ack: 0,
                    hops: Some(2),
                    relay: true,
                }),
                json!({"type": "gossip", "seq": 1, "values": [4], "ack": 0, "hops": 2, "relay": true}),
            ),
        ];
        for (payload, wire) in examples {
            assert_eq!(serde_json::to_value(&payload).expect("serializes"), wire);
            assert_eq!(
                serde_json::from_value::<Payload>(wire).expect("parses"),
                payload
            );
        }
    }
}
