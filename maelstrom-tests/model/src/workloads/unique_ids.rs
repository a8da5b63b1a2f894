//! unique-ids (maelstrom.md §3.2, Maelstrom `workload/unique_ids.clj`): every op is
//! `generate`, and the `:ok` value is the `id` the node returned.
//!
//! Clients are reusable (§1.4), so a timed-out worker keeps its client id. Left out:
//! nothing; uniqueness is the checker's business.

use maelstrom_checker::Edn;
use rand::rngs::StdRng;
use serde_json::{json, Value};

use super::client::{self, ErrorHandling, ReplySchema};
use super::{Invocation, Outcome, Reply, Workload};

const HANDLING: ErrorHandling = ErrorHandling::WithErrors { idempotent: &[] };
const GENERATE_OK: ReplySchema = ReplySchema {
    reply_type: "generate_ok",
    fields: &["id"],
};

/// The unique-ids workload; it has no state.
#[derive(Debug)]
pub struct UniqueIds;

impl Workload for UniqueIds {
    fn name(&self) -> &'static str {
        "unique-ids"
    }

    fn setup_body(&self, _node: &str) -> Option<Value> {
        None
    }

    fn next_invocation(&mut self, _thread: usize, _now_ns: u64, _rng: &mut StdRng) -> Invocation {
        Invocation::new("generate", Edn::Nil)
    }

    fn has_final_phase(&self) -> bool {
        false
    }

    fn final_invocation(&mut self, _thread: usize, _rng: &mut StdRng) -> Option<Invocation> {
        None
    }

    fn request(&self, _invocation: &Invocation) -> Value {
        json!({"type": "generate"})
    }

    fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome {
        client::complete(HANDLING, invocation, reply, GENERATE_OK, |body| {
            Ok(Edn::from_json(&body["id"]))
        })
    }

    fn reusable_clients(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom.md §3.2: the :ok value is the id, whatever JSON it is.
    #[test]
    fn the_ok_value_is_the_generated_id() {
        let invocation = Invocation::new("generate", Edn::Nil);
        let reply = json!({"type": "generate_ok", "id": "n1-7", "in_reply_to": 1});
        assert_eq!(
            UniqueIds.complete(&invocation, Reply::Body(reply)),
            Outcome::Ok {
                value: Edn::Str("n1-7".into())
            }
        );
    }
}
