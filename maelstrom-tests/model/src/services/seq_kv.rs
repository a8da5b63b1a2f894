//! `seq-kv`: a sequentially consistent KV store that may answer from the past
//! (maelstrom.md §4 "seq-kv", §8.7; Maelstrom `service.clj` `Sequential` over an
//! `amalloy/ring-buffer` of 32 states).
//!
//! Every state change appends a new state; the last 32 are kept. Each caller `src` has a
//! client-index (0 for a caller never seen, *not* the newest state). A request:
//! 1. picks `index` uniformly in `[client-index, last-index]`;
//! 2. runs the op on the state at `index`, read through the ring buffer's wrapping `nth`:
//!    `buffer[(index − last-index − 1) mod len]`, `len = min(32, last-index + 1)`;
//! 3. if that left the state unchanged (a read, a failed cas, a write or cas that re-sets
//!    the value already there), replies from it and sets client-index = `index`;
//! 4. otherwise re-runs the op on the newest state, appends the result, sets client-index
//!    to the new last-index and replies with the re-run's result.
//!
//! So stale reads, stale 20s and stale 22s are normal; a cas is effectively linearizable;
//! and a write whose value equals the one in the picked stale state is silently *not*
//! applied (Maelstrom's documented quirk, reproduced on purpose). Left out: the 1-second
//! poll of Maelstrom's service thread, which only affects timing.

use std::collections::{BTreeMap, VecDeque};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::kv::{self, KvState};
use super::Service;

/// How many past states the ring buffer keeps.
const RETAINED_STATES: usize = 32;

/// The sequential KV store.
#[derive(Debug)]
pub struct SeqKv {
    /// Oldest first; at most [`RETAINED_STATES`], never empty.
    states: VecDeque<KvState>,
    /// The global index of the newest state (0 = the initial empty map).
    last_index: u64,
    /// Per caller: the nominal index of the last state it observed.
    client_indices: BTreeMap<String, u64>,
    rng: StdRng,
}

impl SeqKv {
    pub fn new(seed: u64) -> SeqKv {
        SeqKv {
            states: VecDeque::from([KvState::new()]),
            last_index: 0,
            client_indices: BTreeMap::new(),
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// The state `nth` returns for nominal `index`: it wraps modulo the buffer length, so
    /// an index older than the window lands on *some* retained state, not the oldest.
    fn state_at(&self, index: u64) -> &KvState {
        let len = self.states.len() as i64;
        debug_assert_eq!(
            len as u64,
            (self.last_index + 1).min(RETAINED_STATES as u64)
        );
        let offset = (index as i64 - self.last_index as i64 - 1).rem_euclid(len);
        &self.states[offset as usize]
    }

    fn append(&mut self, state: KvState) {
        if self.states.len() == RETAINED_STATES {
            self.states.pop_front();
        }
        self.states.push_back(state);
        self.last_index += 1;
    }
}

impl Service for SeqKv {
    fn handle(&mut self, src: &str, body: &Value) -> Option<Value> {
        if !kv::is_kv_request(body) {
            return None;
        }
        let client_index = self.client_indices.get(src).copied().unwrap_or(0);
        assert!(client_index <= self.last_index, "a caller is never ahead");
        let index = self.rng.gen_range(client_index..=self.last_index);
        let past = self.state_at(index);
        let (after, reply) = kv::apply(past, body);
        if after == *past {
            self.client_indices.insert(src.to_string(), index);
            return Some(reply);
        }
        let newest = self.states.back().expect("the ring is never empty");
        let (next, reply) = kv::apply(newest, body);
        self.append(next);
        self.client_indices.insert(src.to_string(), self.last_index);
        Some(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(kv: &mut SeqKv, src: &str, body: Value) -> Value {
        kv.handle(src, &body).expect("a KV request is answered")
    }

    fn write(kv: &mut SeqKv, src: &str, value: i64) -> Value {
        call(
            kv,
            src,
            json!({"type": "write", "key": "k", "value": value}),
        )
    }

    fn read(kv: &mut SeqKv, src: &str) -> Value {
        call(kv, src, json!({"type": "read", "key": "k"}))
    }

    /// maelstrom.md §4: a caller never seen before starts at index 0, so over many
    /// fresh callers some read the initial empty state (error 20) after a write landed.
    #[test]
    fn a_new_caller_can_read_a_stale_state() {
        let mut kv = SeqKv::new(1);
        write(&mut kv, "n0", 5);
        let replies: Vec<Value> = (0..50)
            .map(|i| read(&mut kv, &format!("n{}", i + 1)))
            .collect();
        assert!(
            replies.iter().any(|reply| reply["code"] == 20),
            "some read is stale"
        );
        assert!(
            replies.iter().any(|reply| reply["value"] == 5),
            "some read is fresh"
        );
    }

    /// maelstrom.md §4: a mutation moves the caller to the newest state, so its reads
    /// after its own write always see it.
    #[test]
    fn a_callers_reads_are_fresh_after_its_own_write() {
        let mut kv = SeqKv::new(2);
        for value in 0..40 {
            write(&mut kv, "n1", value);
        }
        write(&mut kv, "n0", 1000);
        for _ in 0..20 {
            assert_eq!(
                read(&mut kv, "n0"),
                json!({"type": "read_ok", "value": 1000})
            );
        }
    }

    /// The first seed whose first pick in `[0, 2]` is `index`.
    fn seed_picking(index: u64) -> u64 {
        (0..100)
            .find(|seed| StdRng::seed_from_u64(*seed).gen_range(0..=2u64) == index)
            .expect("some seed picks every index")
    }

    /// maelstrom.md §4: a cas whose `from` only matches a stale state is re-run on the
    /// newest state, where it fails with 22 naming the newest value.
    #[test]
    fn a_cas_against_a_stale_from_fails_with_22_on_the_newest_value() {
        let mut kv = SeqKv::new(3);
        write(&mut kv, "n0", 1); // state 1: k = 1
        write(&mut kv, "n0", 2); // state 2: k = 2
                                 // A fresh caller picks state 1, where `from` matches, so the op counts as mutating.
        kv.rng = StdRng::seed_from_u64(seed_picking(1));
        let cas = json!({"type": "cas", "key": "k", "from": 1, "to": 9});
        let reply = call(&mut kv, "n9", cas);
        assert_eq!(
            reply,
            json!({"type": "error", "code": 22, "text": "current value 2 is not 1"})
        );
        assert_eq!(kv.states.back().expect("non-empty")["\"k\""], json!(2));
        assert_eq!(
            kv.client_indices["n9"], kv.last_index,
            "moved to the newest state"
        );
    }

    /// maelstrom.md §4 ⚠: a write of a value equal to the one in the picked stale state
    /// counts as non-mutating and is not applied to the newest state.
    #[test]
    fn a_write_equal_to_the_picked_stale_state_is_not_applied() {
        let mut kv = SeqKv::new(4);
        write(&mut kv, "n0", 1); // state 1: k = 1
        write(&mut kv, "n0", 2); // state 2: k = 2
                                 // A fresh caller writing 1 picks index 0, 1 or 2; make it pick 1, where k = 1.
        kv.rng = StdRng::seed_from_u64(seed_picking(1));
        assert_eq!(write(&mut kv, "n9", 1), json!({"type": "write_ok"}));
        assert_eq!(kv.last_index, 2, "no state was appended");
        assert_eq!(kv.states.back().expect("non-empty")["\"k\""], json!(2));
        assert_eq!(kv.client_indices["n9"], 1);
    }

    /// maelstrom.md §4: the state for a nominal index is buffer[(index − last − 1) mod
    /// len], so a caller far behind sees a state inside the 32-state window.
    #[test]
    fn a_far_behind_index_wraps_into_the_retained_window() {
        let mut kv = SeqKv::new(5);
        for value in 1..=40 {
            write(&mut kv, "n0", value);
        }
        assert_eq!(kv.states.len(), 32);
        // States 9..=40 are retained; state g holds k = g. Index 0 wraps to 0 ≡ g mod 32.
        assert_eq!(kv.state_at(0)["\"k\""], json!(32));
        assert_eq!(kv.state_at(8)["\"k\""], json!(40));
        assert_eq!(kv.state_at(9)["\"k\""], json!(9));
        assert_eq!(kv.state_at(40)["\"k\""], json!(40));
    }

    /// Reproducible by seed: the same seed and the same requests give the same replies.
    #[test]
    fn the_same_seed_gives_the_same_replies() {
        let script = |seed| {
            let mut kv = SeqKv::new(seed);
            let mut replies = Vec::new();
            for step in 0..60 {
                let src = format!("n{}", step % 3);
                if step % 4 == 0 {
                    replies.push(write(&mut kv, &src, step));
                } else {
                    replies.push(read(&mut kv, &src));
                }
            }
            replies
        };
        assert_eq!(script(42), script(42));
    }

    /// maelstrom.md §4: unknown types are never answered and change nothing.
    #[test]
    fn an_unknown_type_gets_no_reply() {
        let mut kv = SeqKv::new(6);
        assert_eq!(kv.handle("n0", &json!({"type": "ts"})), None);
        assert!(!kv.client_indices.contains_key("n0"));
    }
}
