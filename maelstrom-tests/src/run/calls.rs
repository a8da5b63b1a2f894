//! Client requests awaiting their replies (maelstrom.md §1.2, Maelstrom `client.clj`).
//!
//! A client numbers its `msg_id`s from 1 and has at most one request outstanding. It
//! waits for the reply whose `in_reply_to` equals that `msg_id`, and silently discards
//! anything else that reaches it: a stale reply to an earlier request, a message meant
//! for no one. Each request has a timeout; a reply that comes later is discarded too.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use maelstrom_model::network::{EndpointId, Network};
use serde_json::value::RawValue;
use serde_json::Value;

const NS_PER_MS: u64 = 1_000_000;

/// What a client's outstanding request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `init` to node number `.0` (maelstrom.md §1.3).
    Init(usize),
    /// The workload's setup request (`topology`) to node number `.0`.
    Setup(usize),
    /// An op of worker thread `.0`.
    Op(usize),
}

#[derive(Debug)]
struct Client {
    next_msg_id: u64,
    waiting: Option<(u64, Purpose)>,
}

/// Every open client's outstanding request, and their timeouts.
#[derive(Debug, Default)]
pub struct Calls {
    clients: HashMap<EndpointId, Client>,
    /// (deadline, client, msg_id); entries whose request was answered are skipped.
    timeouts: BinaryHeap<Reverse<(u64, EndpointId, u64)>>,
}

impl Calls {
    pub fn open(&mut self, client: EndpointId) {
        let previous = self.clients.insert(
            client,
            Client {
                next_msg_id: 1,
                waiting: None,
            },
        );
        assert!(previous.is_none(), "client ids are never reused");
    }

    pub fn close(&mut self, client: EndpointId) {
        self.clients.remove(&client);
    }

    /// Sends `body` with the client's next `msg_id` and waits up to `timeout_ms`.
    #[allow(clippy::too_many_arguments)] // One request: who, to whom, what, why, how long, when.
    pub fn send(
        &mut self,
        net: &mut Network,
        client: EndpointId,
        dest: EndpointId,
        mut body: Value,
        purpose: Purpose,
        timeout_ms: u64,
        now_ns: u64,
    ) {
        let state = self
            .clients
            .get_mut(&client)
            .expect("requests come from open clients");
        assert!(
            state.waiting.is_none(),
            "a client has one request outstanding"
        );
        let msg_id = state.next_msg_id;
        state.next_msg_id += 1;
        state.waiting = Some((msg_id, purpose));
        body["msg_id"] = Value::from(msg_id);
        let raw = serde_json::value::to_raw_value(&body).expect("a JSON value always serializes");
        net.send_between(client, dest, raw, now_ns);
        let deadline_ns = now_ns.saturating_add(timeout_ms.saturating_mul(NS_PER_MS));
        self.timeouts.push(Reverse((deadline_ns, client, msg_id)));
    }

    /// A message reached `client`: the reply it waits for, with what it was for, or
    /// nothing (discarded).
    pub fn on_delivery(&mut self, client: EndpointId, body: &RawValue) -> Option<(Purpose, Value)> {
        let state = self.clients.get_mut(&client)?;
        let (msg_id, _) = state.waiting?;
        let body: Value = serde_json::from_str(body.get()).ok()?;
        if body.get("in_reply_to").and_then(Value::as_u64) != Some(msg_id) {
            return None;
        }
        let (_, purpose) = state.waiting.take().expect("checked above");
        Some((purpose, body))
    }

    /// The earliest timeout still pending, if any.
    pub fn next_timeout_ns(&mut self) -> Option<u64> {
        while let Some(Reverse((deadline_ns, client, msg_id))) = self.timeouts.peek().copied() {
            if self.is_waiting(client, msg_id) {
                return Some(deadline_ns);
            }
            self.timeouts.pop();
        }
        None
    }

    /// One request whose timeout has passed at `now_ns`; it is no longer outstanding.
    pub fn take_timed_out(&mut self, now_ns: u64) -> Option<(EndpointId, Purpose)> {
        loop {
            let Reverse((deadline_ns, client, msg_id)) = *self.timeouts.peek()?;
            if !self.is_waiting(client, msg_id) {
                self.timeouts.pop();
                continue;
            }
            if deadline_ns > now_ns {
                return None;
            }
            self.timeouts.pop();
            let state = self.clients.get_mut(&client).expect("checked above");
            let (_, purpose) = state.waiting.take().expect("checked above");
            return Some((client, purpose));
        }
    }

    fn is_waiting(&self, client: EndpointId, msg_id: u64) -> bool {
        self.clients
            .get(&client)
            .and_then(|state| state.waiting)
            .is_some_and(|(waiting, _)| waiting == msg_id)
    }
}
