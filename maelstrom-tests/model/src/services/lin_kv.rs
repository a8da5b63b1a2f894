//! `lin-kv`: one map, every request applied to it in arrival order, so it is
//! linearizable (maelstrom.md §4; Maelstrom keeps it in one atom).
//!
//! The runner hands requests to a service one at a time, which is what makes the order
//! total; nothing here needs a lock. Left out: nothing beyond the KV API in `kv.rs`.

use serde_json::Value;

use super::kv::{self, KvState};
use super::Service;

/// The linearizable KV store.
#[derive(Debug, Default)]
pub struct LinKv {
    state: KvState,
}

impl Service for LinKv {
    fn handle(&mut self, _src: &str, body: &Value) -> Option<Value> {
        if !kv::is_kv_request(body) {
            return None;
        }
        let (next, reply) = kv::apply(&self.state, body);
        self.state = next;
        Some(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(service: &mut LinKv, body: Value) -> Value {
        service
            .handle("n0", &body)
            .expect("a KV request is answered")
    }

    /// maelstrom.md §4: reading a missing key is error 20 with the documented text.
    #[test]
    fn reading_a_missing_key_is_error_20() {
        let reply = call(&mut LinKv::default(), json!({"type": "read", "key": "x"}));
        assert_eq!(
            reply,
            json!({"type": "error", "code": 20, "text": "key does not exist"})
        );
    }

    /// maelstrom.md §4: a write is seen by the next read, from any caller.
    #[test]
    fn a_write_is_read_back_by_everyone() {
        let mut kv = LinKv::default();
        assert_eq!(
            call(
                &mut kv,
                json!({"type": "write", "key": "x", "value": [1, 2]})
            ),
            json!({"type": "write_ok"})
        );
        let reply = kv.handle("n7", &json!({"type": "read", "key": "x"}));
        assert_eq!(reply, Some(json!({"type": "read_ok", "value": [1, 2]})));
    }

    /// maelstrom.md §4: cas succeeds on a match, fails with 22 on a mismatch, and with
    /// 20 on a missing key unless `create_if_not_exists` is set (then `from` is ignored).
    #[test]
    fn cas_matches_creates_and_fails_as_documented() {
        let mut kv = LinKv::default();
        let missing = call(
            &mut kv,
            json!({"type": "cas", "key": "c", "from": 0, "to": 1}),
        );
        assert_eq!(missing["code"], 20);
        let created = call(
            &mut kv,
            json!({"type": "cas", "key": "c", "from": 99, "to": 1, "create_if_not_exists": true}),
        );
        assert_eq!(created, json!({"type": "cas_ok"}));
        let matched = call(
            &mut kv,
            json!({"type": "cas", "key": "c", "from": 1, "to": 2}),
        );
        assert_eq!(matched, json!({"type": "cas_ok"}));
        let stale = call(
            &mut kv,
            json!({"type": "cas", "key": "c", "from": 1, "to": 3}),
        );
        assert_eq!(
            stale,
            json!({"type": "error", "code": 22, "text": "current value 2 is not 1"})
        );
        let read = call(&mut kv, json!({"type": "read", "key": "c"}));
        assert_eq!(read["value"], 2);
    }

    /// maelstrom.md §4: an unknown request type is never answered.
    #[test]
    fn an_unknown_type_gets_no_reply() {
        assert_eq!(LinKv::default().handle("n0", &json!({"type": "ts"})), None);
    }
}
