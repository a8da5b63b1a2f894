//! `lin-tso`: a linearizable timestamp oracle (maelstrom.md §4).
//!
//! `{"type":"ts"}` → `{"type":"ts_ok","ts":N}` with N = 0, 1, 2, … across all callers.
//! Left out: nothing; it is one counter.

use serde_json::{json, Value};

use super::Service;

/// The next timestamp to hand out.
#[derive(Debug, Default)]
pub struct LinTso {
    next_ts: u64,
}

impl Service for LinTso {
    fn handle(&mut self, _src: &str, body: &Value) -> Option<Value> {
        if body["type"] != "ts" {
            return None;
        }
        let ts = self.next_ts;
        self.next_ts += 1;
        Some(json!({"type": "ts_ok", "ts": ts}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom.md §4: timestamps are 0, 1, 2, … whoever asks.
    #[test]
    fn timestamps_start_at_zero_and_increase_by_one() {
        let mut tso = LinTso::default();
        let stamps: Vec<Value> = ["n0", "n1", "n0", "n2"]
            .iter()
            .map(|src| tso.handle(src, &json!({"type": "ts"})).expect("answered")["ts"].clone())
            .collect();
        assert_eq!(stamps, [json!(0), json!(1), json!(2), json!(3)]);
    }

    /// maelstrom.md §4: anything but `ts` is never answered.
    #[test]
    fn an_unknown_type_gets_no_reply() {
        assert_eq!(
            LinTso::default().handle("n0", &json!({"type": "read"})),
            None
        );
    }
}
