//! `lww-kv`: an eventually consistent, last-write-wins KV store (maelstrom.md §4
//! "lww-kv"; Maelstrom `service.clj` `Eventual`).
//!
//! Two replicas (the docs say 5; the code says 2). Each replica has its own Lamport clock
//! and stores every value with the timestamp of the write that made it. Each request
//! first merges one random replica into another (higher timestamp wins; on a tie the
//! merge source's value wins), then applies the op to one random replica.
//!
//! ⚠ Reproduced on purpose: Maelstrom assoc's the op's result onto the *pre-merge*
//! replica vector, so every merge is thrown away and the replicas never converge. A
//! value written once is seen only by requests that happen to land on its replica. We
//! still compute the merge (it draws from the RNG, and the fix is one line) and then
//! discard it the same way. Left out: `create_if_not_exists`, which `Eventual` ignores.

use std::collections::BTreeMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::kv::{self, error_body, KEY_DOES_NOT_EXIST, PRECONDITION_FAILED};
use super::Service;

/// Maelstrom's replica count.
const REPLICA_COUNT: usize = 2;

/// A value and the Lamport timestamp of the write that made it.
#[derive(Clone, Debug, PartialEq)]
struct Stamped {
    value: Value,
    ts: u64,
}

/// One replica: its Lamport clock and its entries (canonical key text → value).
#[derive(Clone, Debug, Default, PartialEq)]
struct Replica {
    clock: u64,
    entries: BTreeMap<String, Stamped>,
}

/// The last-write-wins KV store.
#[derive(Debug)]
pub struct LwwKv {
    replicas: [Replica; REPLICA_COUNT],
    rng: StdRng,
}

impl LwwKv {
    pub fn new(seed: u64) -> LwwKv {
        LwwKv {
            replicas: Default::default(),
            rng: StdRng::seed_from_u64(seed),
        }
    }
}

impl Service for LwwKv {
    fn handle(&mut self, _src: &str, body: &Value) -> Option<Value> {
        if !kv::is_kv_request(body) {
            return None;
        }
        let source = self.rng.gen_range(0..REPLICA_COUNT);
        let dest = self.rng.gen_range(0..REPLICA_COUNT);
        // The bug: this merged replica is what a correct store would keep; Maelstrom
        // builds it and then writes the op's result over the pre-merge vector.
        let _discarded_merge = merge(&self.replicas[dest], &self.replicas[source]);
        let target = self.rng.gen_range(0..REPLICA_COUNT);
        let (next, reply) = apply(&self.replicas[target], body);
        self.replicas[target] = next;
        Some(reply)
    }
}

/// `source` merged into `dest`: per key the higher timestamp wins, a tie goes to the
/// source; the clock becomes the larger of the two.
fn merge(dest: &Replica, source: &Replica) -> Replica {
    let mut merged = dest.clone();
    merged.clock = dest.clock.max(source.clock);
    for (key, theirs) in &source.entries {
        let keep_ours = dest
            .entries
            .get(key)
            .is_some_and(|ours| ours.ts > theirs.ts);
        if !keep_ours {
            merged.entries.insert(key.clone(), theirs.clone());
        }
    }
    merged
}

/// One KV op on one replica. A write ticks the replica's clock and stamps the value.
fn apply(replica: &Replica, body: &Value) -> (Replica, Value) {
    let key = kv::key_text(body);
    let field = |name: &str| body.get(name).cloned().unwrap_or(Value::Null);
    let current = replica.entries.get(&key).map(|stamped| &stamped.value);
    let missing = || error_body(KEY_DOES_NOT_EXIST, "key does not exist");
    // Maelstrom stamps a write with the clock as it was, then ticks it: the first
    // write on a replica has `ts` 0.
    let write = |value: Value| {
        let mut next = replica.clone();
        let ts = next.clock;
        next.clock += 1;
        next.entries.insert(key.clone(), Stamped { value, ts });
        next
    };
    match (body["type"].as_str(), current) {
        (Some("read"), Some(value)) => {
            (replica.clone(), json!({"type": "read_ok", "value": value}))
        }
        (Some("read"), None) => (replica.clone(), missing()),
        (Some("write"), _) => (write(field("value")), json!({"type": "write_ok"})),
        (Some("cas"), None) => (replica.clone(), missing()),
        (Some("cas"), Some(value)) if *value != field("from") => {
            // `Eventual` prints the current value with `pr-str` and `from` with `str`.
            let text = format!(
                "current value {} is not {}",
                kv::pr_str(value),
                kv::clojure_str(&field("from"))
            );
            (replica.clone(), error_body(PRECONDITION_FAILED, &text))
        }
        (Some("cas"), Some(_)) => (write(field("to")), json!({"type": "cas_ok"})),
        (other, _) => unreachable!("apply called with a non-KV request type {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom.md §4 ⚠: merges are discarded, so a value written once stays on one
    /// replica: later reads keep seeing it sometimes and missing it sometimes.
    #[test]
    fn a_single_write_never_reaches_the_other_replica() {
        let mut kv = LwwKv::new(1);
        kv.handle("n0", &json!({"type": "write", "key": "k", "value": 7}));
        let replies: Vec<Value> = (0..100)
            .map(|_| {
                kv.handle("n0", &json!({"type": "read", "key": "k"}))
                    .expect("answered")
            })
            .collect();
        assert!(replies.iter().any(|reply| reply["value"] == 7));
        assert!(replies.iter().any(|reply| reply["code"] == 20));
        assert_ne!(
            kv.replicas[0], kv.replicas[1],
            "the replicas never converge"
        );
    }

    /// maelstrom.md §4: a merge keeps the higher timestamp and, on a tie, the source.
    #[test]
    fn a_merge_prefers_the_higher_timestamp_then_the_source() {
        let stamped = |value: i64, ts| Stamped {
            value: json!(value),
            ts,
        };
        let dest = Replica {
            clock: 5,
            entries: BTreeMap::from([("a".into(), stamped(1, 5)), ("b".into(), stamped(1, 2))]),
        };
        let source = Replica {
            clock: 3,
            entries: BTreeMap::from([("a".into(), stamped(2, 3)), ("b".into(), stamped(2, 2))]),
        };
        let merged = merge(&dest, &source);
        assert_eq!(merged.clock, 5);
        assert_eq!(merged.entries["a"].value, 1, "higher ts wins");
        assert_eq!(merged.entries["b"].value, 2, "a tie goes to the source");
    }

    /// Maelstrom `service.clj` `Eventual`: a cas mismatch prints the current value
    /// with `pr-str` and `from` with bare `str` (maelstrom.md §4).
    #[test]
    fn a_cas_mismatch_quotes_the_current_value_but_not_from() {
        let (replica, _) = apply(
            &Replica::default(),
            &json!({"type": "write", "key": "k", "value": "a"}),
        );
        let (_, reply) = apply(
            &replica,
            &json!({"type": "cas", "key": "k", "from": "b", "to": "c"}),
        );
        assert_eq!(reply["code"], PRECONDITION_FAILED);
        assert_eq!(reply["text"], r#"current value "a" is not b"#);
        let (_, reply) = apply(
            &replica,
            &json!({"type": "cas", "key": "k", "from": null, "to": "c"}),
        );
        assert_eq!(reply["text"], r#"current value "a" is not "#);
    }

    /// maelstrom.md §4: lww-kv ignores `create_if_not_exists`: a missing key is 20.
    #[test]
    fn cas_never_creates_a_missing_key() {
        let mut kv = LwwKv::new(2);
        let cas =
            json!({"type": "cas", "key": "k", "from": 0, "to": 1, "create_if_not_exists": true});
        for _ in 0..10 {
            assert_eq!(kv.handle("n0", &cas).expect("answered")["code"], 20);
        }
    }

    /// Maelstrom `service.clj` `Eventual`: each write is stamped with its replica's
    /// Lamport clock before the tick, so the first timestamp is 0 (maelstrom.md §4).
    #[test]
    fn writes_are_stamped_with_the_replicas_lamport_clock_from_zero() {
        let (replica, _) = apply(
            &Replica::default(),
            &json!({"type": "write", "key": 1, "value": "x"}),
        );
        assert_eq!(replica.entries["1"].ts, 0);
        let (replica, _) = apply(&replica, &json!({"type": "write", "key": 2, "value": "y"}));
        assert_eq!(replica.clock, 2);
        assert_eq!(replica.entries["2"].ts, 1);
    }
}
