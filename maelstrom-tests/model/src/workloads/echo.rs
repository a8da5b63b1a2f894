//! echo (maelstrom.md §3.1, Maelstrom `workload/echo.clj`): every op sends
//! `"Please echo <0..128>"` and expects it back.
//!
//! The `:ok` value is the whole reply body, as Maelstrom records it; the echo checker
//! then compares its `:echo` with the invocation. No op is idempotent, so a timeout is
//! `:info` (and the checker counts it as an error). Left out: nothing.

use maelstrom_checker::Edn;
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};

use super::client::{self, ErrorHandling, ReplySchema};
use super::{Invocation, Outcome, Reply, Workload};

const HANDLING: ErrorHandling = ErrorHandling::WithErrors { idempotent: &[] };
const ECHO_OK: ReplySchema = ReplySchema {
    reply_type: "echo_ok",
    fields: &["echo"],
};

/// The echo workload; it has no state.
#[derive(Debug)]
pub struct Echo;

impl Workload for Echo {
    fn name(&self) -> &'static str {
        "echo"
    }

    fn setup_body(&self, _node: &str) -> Option<Value> {
        None
    }

    fn next_invocation(&mut self, _thread: usize, _now_ns: u64, rng: &mut StdRng) -> Invocation {
        let text = format!("Please echo {}", rng.gen_range(0..128));
        Invocation::new("echo", Edn::Str(text))
    }

    fn has_final_phase(&self) -> bool {
        false
    }

    fn final_invocation(&mut self, _thread: usize, _rng: &mut StdRng) -> Option<Invocation> {
        None
    }

    fn request(&self, invocation: &Invocation) -> Value {
        json!({"type": "echo", "echo": invocation.value_json()})
    }

    fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome {
        client::complete(HANDLING, invocation, reply, ECHO_OK, |body| {
            Ok(client::body_edn(body))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// maelstrom.md §3.1: the request carries the text; the :ok value is the reply body.
    #[test]
    fn an_echo_reply_is_recorded_as_its_body() {
        let invocation = Echo.next_invocation(0, 0, &mut StdRng::seed_from_u64(1));
        let request = Echo.request(&invocation);
        assert!(request["echo"]
            .as_str()
            .expect("text")
            .starts_with("Please echo "));
        let reply = json!({"type": "echo_ok", "echo": request["echo"], "in_reply_to": 1});
        let Outcome::Ok { value } = Echo.complete(&invocation, Reply::Body(reply)) else {
            panic!("expected :ok");
        };
        assert_eq!(value.get("echo"), Some(&invocation.value));
    }
}
