//! Maelstrom's built-in services (maelstrom.md §4, Maelstrom `service.clj`).
//!
//! A service is addressed like a node (`dest: "lin-kv"`) and answers one request at a
//! time. Here a service is a plain state machine: [`Service::handle`] takes the caller and
//! the request body and returns the reply body, or `None` for a request type it does not
//! know (Maelstrom logs a warning and never replies). The runner adds `in_reply_to`,
//! delivers with latency, and never partitions service links (§5.1); none of that is here.
//!
//! Each service takes a seed and draws from its own `StdRng`, so a run replays.
//! Files: [`kv`] (the request/reply shapes and the single-map semantics shared by the KV
//! services), [`lin_kv`], [`seq_kv`], [`lww_kv`], [`lin_tso`].

pub mod kv;
pub mod lin_kv;
pub mod lin_tso;
pub mod lww_kv;
pub mod seq_kv;

use serde_json::Value;

/// One service: a request body in, a reply body out (or silence).
pub trait Service: Send {
    /// Handles one request from `src`; `None` means "never reply" (unknown `type`).
    fn handle(&mut self, src: &str, body: &Value) -> Option<Value>;
}

/// Every service Maelstrom starts, in start order.
pub const SERVICE_NAMES: [&str; 4] = ["lin-kv", "seq-kv", "lww-kv", "lin-tso"];

/// The service called `name`, seeded with `seed`; `None` for a name Maelstrom lacks.
pub fn service(name: &str, seed: u64) -> Option<Box<dyn Service>> {
    match name {
        "lin-kv" => Some(Box::new(lin_kv::LinKv::default())),
        "seq-kv" => Some(Box::new(seq_kv::SeqKv::new(seed))),
        "lww-kv" => Some(Box::new(lww_kv::LwwKv::new(seed))),
        "lin-tso" => Some(Box::new(lin_tso::LinTso::default())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom.md §4: all four services exist, and nothing else does.
    #[test]
    fn every_named_service_exists() {
        for name in SERVICE_NAMES {
            assert!(service(name, 1).is_some(), "{name}");
        }
        assert!(service("lin-queue", 1).is_none());
    }
}
