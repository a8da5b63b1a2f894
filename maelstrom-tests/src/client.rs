//! Maelstrom's clients (maelstrom-spec §1.2): an id `cN` on the network, `msg_id`
//! numbered from 1, and one outstanding request at a time.
//!
//! A client waits for the reply whose `in_reply_to` equals its outstanding `msg_id`
//! and silently discards anything else, as `client.clj` does. Closing a client
//! unregisters its id, so a late reply to it mutes the node that sends it (§1.1).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use crate::network::{Delivered, Network, SendError, Sink};

/// One client connection.
#[derive(Debug)]
pub struct Client {
    pub id: String,
    network: Arc<Network>,
    inbox: mpsc::UnboundedReceiver<Delivered>,
    next_msg_id: u64,
}

impl Client {
    /// Opens a client with the next global id (`c0`, `c1`, ...).
    pub fn open(network: &Arc<Network>) -> Client {
        let id = network.next_client_id();
        let (sender, inbox) = mpsc::unbounded_channel();
        // The delivery task ends by itself once the id is unregistered.
        drop(network.register(&id, Sink::Channel(sender)));
        Client {
            id,
            network: network.clone(),
            inbox,
            next_msg_id: 1,
        }
    }

    /// Sends `body` (plus a fresh `msg_id`) to `dest` and waits up to `timeout_ms` for
    /// the matching reply. `Ok(None)` is a timeout.
    pub async fn rpc(
        &mut self,
        dest: &str,
        mut body: Value,
        timeout_ms: u64,
    ) -> Result<Option<Value>, SendError> {
        let msg_id = self.next_msg_id;
        self.next_msg_id += 1;
        body["msg_id"] = Value::from(msg_id);
        let raw = serde_json::value::to_raw_value(&body).expect("a JSON value always serialises");
        self.network.send(&self.id, dest, raw)?;
        let wait = async {
            while let Some(message) = self.inbox.recv().await {
                let Ok(reply) = serde_json::from_str::<Value>(message.body.get()) else {
                    continue;
                };
                if reply.get("in_reply_to").and_then(Value::as_u64) == Some(msg_id) {
                    return Some(reply);
                }
            }
            None
        };
        Ok(
            tokio::time::timeout(Duration::from_millis(timeout_ms), wait)
                .await
                .ok()
                .flatten(),
        )
    }
}

impl Drop for Client {
    /// Closing = leaving the network; messages to this id are refused from now on.
    fn drop(&mut self) {
        self.network.unregister(&self.id);
    }
}
