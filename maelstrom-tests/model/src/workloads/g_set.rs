//! g-set (maelstrom.md §3.4, Maelstrom `workload/g_set.clj`): a grow-only set.
//!
//! `add {element}` with the integers 0, 1, 2, … mixed about half and half with `read`,
//! whose reply key is `value` (not `messages`, and not the docstring's "elements").
//! After the final heal each thread does one read, *without* the `:final?` flag: unlike
//! broadcast and the counters, Maelstrom's g-set final generator does not set it. The
//! client does not use `with-errors`, so every timeout or error is `:info` with an
//! exception (§1.4). The checker is set-full, as for broadcast. Left out: nothing.

use maelstrom_checker::Edn;
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};

use super::client::{self, ErrorHandling, ReplySchema};
use super::{Invocation, OneFinalRead, Outcome, Reply, Workload};

const HANDLING: ErrorHandling = ErrorHandling::Throws;
const ADD_OK: ReplySchema = ReplySchema {
    reply_type: "add_ok",
    fields: &[],
};
const READ_OK: ReplySchema = ReplySchema {
    reply_type: "read_ok",
    fields: &["value"],
};

/// The g-set workload: the next element to add.
#[derive(Debug, Default)]
pub struct GSet {
    next_element: i64,
    final_reads: OneFinalRead,
}

impl Workload for GSet {
    fn name(&self) -> &'static str {
        "g-set"
    }

    fn setup_body(&self, _node: &str) -> Option<Value> {
        None
    }

    fn next_invocation(&mut self, _thread: usize, _now_ns: u64, rng: &mut StdRng) -> Invocation {
        if rng.gen_bool(0.5) {
            return Invocation::new("read", Edn::Nil);
        }
        let element = self.next_element;
        self.next_element += 1;
        Invocation::new("add", Edn::Int(element))
    }

    fn has_final_phase(&self) -> bool {
        true
    }

    fn final_invocation(&mut self, thread: usize, _rng: &mut StdRng) -> Option<Invocation> {
        self.final_reads.next(thread, false)
    }

    fn request(&self, invocation: &Invocation) -> Value {
        match invocation.f.as_str() {
            "read" => json!({"type": "read"}),
            _ => json!({"type": "add", "element": invocation.value_json()}),
        }
    }

    fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome {
        match invocation.f.as_str() {
            "read" => client::complete(HANDLING, invocation, reply, READ_OK, |body| {
                client::sequence(&body["value"])
            }),
            _ => client::complete(HANDLING, invocation, reply, ADD_OK, |_| {
                Ok(invocation.value.clone())
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// maelstrom.md §3.4: adds carry `element` 0, 1, 2, …; reads answer with `value`.
    #[test]
    fn adds_count_up_and_reads_answer_with_value() {
        let mut set = GSet::default();
        let rng = &mut StdRng::seed_from_u64(2);
        let ops: Vec<Invocation> = (0..100).map(|_| set.next_invocation(0, 0, rng)).collect();
        let adds: Vec<Value> = ops
            .iter()
            .filter(|op| op.f == "add")
            .map(|op| set.request(op)["element"].clone())
            .collect();
        assert!(adds
            .iter()
            .enumerate()
            .all(|(i, element)| *element == json!(i)));
        let read = Invocation::new("read", Edn::Nil);
        let reply = json!({"type": "read_ok", "value": [3]});
        assert_eq!(
            set.complete(&read, Reply::Body(reply)),
            Outcome::Ok {
                value: Edn::Vector(vec![Edn::Int(3)])
            }
        );
    }

    /// maelstrom.md §3.4: each thread's final read is not flagged `:final?`.
    #[test]
    fn the_final_read_carries_no_final_flag() {
        let read = GSet::default()
            .final_invocation(3, &mut StdRng::seed_from_u64(0))
            .expect("a final read");
        assert_eq!(read.f, "read");
        assert!(!read.final_read);
    }
}
