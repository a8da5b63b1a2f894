//! Maelstrom's services as endpoints on the network (maelstrom.md §4, Maelstrom
//! `service.clj`): `lin-kv`, `seq-kv`, `lww-kv` and `lin-tso`, registered before any node.
//!
//! A service handles one request at a time, when the network delivers it. The reply gets
//! `in_reply_to` = the request's `msg_id` (JSON null without one) and no `msg_id` of its
//! own, and travels back through the network with the usual latency. A request type the
//! service doesn't know gets no reply at all, and a reply to a client that has gone away
//! is dropped, as the service thread's `send!` would throw and be caught.

use maelstrom_model::network::{Class, EndpointId, Message, Network};
use maelstrom_model::{service, Service, SERVICE_NAMES};
use serde_json::Value;

/// The running services, by role index.
pub struct Services {
    services: Vec<(EndpointId, Box<dyn Service>)>,
}

impl Services {
    /// Registers every service with its own seed (`seeds` in `SERVICE_NAMES` order).
    pub fn start(net: &mut Network, seeds: [u64; 4]) -> Services {
        let services = SERVICE_NAMES
            .iter()
            .zip(seeds)
            .filter_map(|(name, seed)| service(name, seed).map(|service| (*name, service)))
            .map(|(name, service)| (net.register(name, Class::Service), service))
            .collect();
        Services { services }
    }

    pub fn len(&self) -> usize {
        self.services.len()
    }

    /// Service number `index` handles `message` and sends its reply at `now_ns`.
    pub fn handle(&mut self, index: usize, message: Message, net: &mut Network, now_ns: u64) {
        let (endpoint, service) = &mut self.services[index];
        let Ok(body) = serde_json::from_str::<Value>(message.body.get()) else {
            return;
        };
        let src = net.name(message.src).clone();
        let Some(mut reply) = service.handle(&src, &body) else {
            return;
        };
        reply["in_reply_to"] = body.get("msg_id").cloned().unwrap_or(Value::Null);
        let raw = serde_json::value::to_raw_value(&reply).expect("a JSON value always serializes");
        if net.lookup(&src) == Some(message.src) {
            net.send_between(*endpoint, message.src, raw, now_ns);
        }
    }
}
