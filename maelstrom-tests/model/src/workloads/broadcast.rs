//! broadcast (maelstrom.md §3.3, Maelstrom `workload/broadcast.clj`).
//!
//! Setup sends every node the *whole* topology map. The generator mixes `broadcast` of
//! the integers 0, 1, 2, … (in generation order, across all threads) with `read`, about
//! half each; after the final heal and 10 s of quiet each thread does one read flagged
//! `:final? true`. A read's reply key is `messages`. `read` is idempotent, so a read
//! that times out is `:fail`; a broadcast that times out is `:info`. Left out: nothing.

use maelstrom_checker::Edn;
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};

use super::client::{self, ErrorHandling, ReplySchema};
use super::{Invocation, OneFinalRead, Outcome, Reply, Workload, WorkloadOptions};
use crate::topology::{topology, Topology};

const HANDLING: ErrorHandling = ErrorHandling::WithErrors {
    idempotent: &["read"],
};
const BROADCAST_OK: ReplySchema = ReplySchema {
    reply_type: "broadcast_ok",
    fields: &[],
};
const READ_OK: ReplySchema = ReplySchema {
    reply_type: "read_ok",
    fields: &["messages"],
};

/// The broadcast workload: the topology and the next value to broadcast.
#[derive(Debug)]
pub struct Broadcast {
    topology: Topology,
    next_message: i64,
    final_reads: OneFinalRead,
}

impl Broadcast {
    pub fn new(options: &WorkloadOptions) -> Result<Broadcast, String> {
        Ok(Broadcast {
            topology: topology(&options.topology, &options.nodes)?,
            next_message: 0,
            final_reads: OneFinalRead::default(),
        })
    }
}

impl Workload for Broadcast {
    fn name(&self) -> &'static str {
        "broadcast"
    }

    fn setup_body(&self, _node: &str) -> Option<Value> {
        Some(json!({"type": "topology", "topology": self.topology}))
    }

    fn next_invocation(&mut self, _thread: usize, _now_ns: u64, rng: &mut StdRng) -> Invocation {
        if rng.gen_bool(0.5) {
            return Invocation::new("read", Edn::Nil);
        }
        let message = self.next_message;
        self.next_message += 1;
        Invocation::new("broadcast", Edn::Int(message))
    }

    fn has_final_phase(&self) -> bool {
        true
    }

    fn final_invocation(&mut self, thread: usize, _rng: &mut StdRng) -> Option<Invocation> {
        self.final_reads.next(thread, true)
    }

    fn request(&self, invocation: &Invocation) -> Value {
        match invocation.f.as_str() {
            "read" => json!({"type": "read"}),
            _ => json!({"type": "broadcast", "message": invocation.value_json()}),
        }
    }

    fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome {
        match invocation.f.as_str() {
            "read" => client::complete(HANDLING, invocation, reply, READ_OK, |body| {
                client::sequence(&body["messages"])
            }),
            _ => client::complete(HANDLING, invocation, reply, BROADCAST_OK, |_| {
                Ok(invocation.value.clone())
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn broadcast() -> Broadcast {
        let options = WorkloadOptions {
            nodes: (0..5).map(|i| format!("n{i}")).collect(),
            topology: "grid".into(),
            key_count: None,
            max_txn_length: 4,
            max_writes_per_key: 16,
            concurrency: 5,
        };
        Broadcast::new(&options).expect("grid is known")
    }

    /// maelstrom.md §3.3: values are 0, 1, 2, … in generation order; about half the ops
    /// are reads.
    #[test]
    fn broadcast_values_count_up_and_half_the_ops_are_reads() {
        let mut workload = broadcast();
        let rng = &mut StdRng::seed_from_u64(1);
        let ops: Vec<Invocation> = (0..1000)
            .map(|i| workload.next_invocation(i % 5, 0, rng))
            .collect();
        let values: Vec<Edn> = ops
            .iter()
            .filter(|op| op.f == "broadcast")
            .map(|op| op.value.clone())
            .collect();
        assert!(values
            .iter()
            .enumerate()
            .all(|(i, value)| *value == Edn::Int(i as i64)));
        assert!(
            (400..600).contains(&values.len()),
            "{} broadcasts",
            values.len()
        );
    }

    /// maelstrom.md §3.3: every node gets the whole topology map.
    #[test]
    fn every_node_gets_the_whole_topology() {
        let body = broadcast().setup_body("n2").expect("a topology body");
        assert_eq!(body["type"], "topology");
        assert_eq!(body["topology"]["n0"], json!(["n3", "n1"]));
        assert_eq!(body["topology"].as_object().expect("a map").len(), 5);
    }

    /// maelstrom.md §3.3: a read's reply key is `messages`; the final read is flagged.
    #[test]
    fn reads_take_messages_and_the_final_read_is_flagged() {
        let mut workload = broadcast();
        let read = workload
            .final_invocation(0, &mut StdRng::seed_from_u64(0))
            .expect("a final read");
        assert!(read.final_read);
        let reply = json!({"type": "read_ok", "messages": [0, 1]});
        assert_eq!(
            workload.complete(&read, Reply::Body(reply)),
            Outcome::Ok {
                value: Edn::Vector(vec![Edn::Int(0), Edn::Int(1)])
            }
        );
        let wrong_key = json!({"type": "read_ok", "value": [0, 1]});
        assert!(matches!(
            workload.complete(&read, Reply::Body(wrong_key)),
            Outcome::Info { .. }
        ));
    }
}
