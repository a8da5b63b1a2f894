//! Challenge 1, echo: answer every `echo` with an `echo_ok` carrying the same value.
//!
//! The smallest possible node, and the template for every other one: a payload
//! enum that mirrors the wire (`{"type": "echo", "echo": ...}`), a [`Node`] whose
//! handler records a reply on the [`Context`], and a `main` that hands the node
//! to the stdio loop. The engine inside it answers `init`, and answers
//! malformed or unknown requests with Maelstrom errors 12 and 10, so none of
//! that appears here.
//!
//! Run it: `make test-echo` (maelstrom.md §7, challenge 1).

use protocol::{Context, Init, Message, Node};
use serde::{Deserialize, Serialize};

/// The messages of the echo workload (maelstrom.md §3.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Payload {
    /// The value is any JSON; Maelstrom sends a string.
    Echo {
        echo: serde_json::Value,
    },
    EchoOk {
        echo: serde_json::Value,
    },
}

#[derive(Debug)]
struct EchoNode;

impl Node for EchoNode {
    type Payload = Payload;
    type Tick = ();

    fn from_init(_init: &Init, _ctx: &mut Context<()>) -> EchoNode {
        EchoNode
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<()>) {
        match &request.body.payload {
            Payload::Echo { echo } => {
                let echo = echo.clone();
                ctx.reply(&request, Payload::EchoOk { echo });
            }
            // Nobody should send us a reply type; there is nothing to answer.
            Payload::EchoOk { .. } => {}
        }
    }
}

/// On stdin/stdout for Maelstrom; `sim ...` runs the simulation instead.
fn main() -> std::process::ExitCode {
    maelstrom_tests::sim::main::<EchoNode>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// maelstrom.md §3.1: the reply carries the same value and answers the request's msg_id.
    #[test]
    fn echo_answers_with_the_same_value_in_reply_to_the_request() {
        let mut ctx = Context::for_test("n0", &["n0"]);
        let mut node = EchoNode::from_init(
            &Init {
                node_id: "n0".into(),
                node_ids: vec!["n0".into()],
            },
            &mut ctx,
        );
        let request = Message::new(
            "c1",
            "n0",
            Some(7),
            Payload::Echo {
                echo: json!("Please echo 35"),
            },
        );
        node.on_message(request, &mut ctx);
        let sent = ctx.take_sent::<Payload>();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].dest, "c1");
        assert_eq!(sent[0].body.in_reply_to, Some(7));
        assert_eq!(
            sent[0].body.payload,
            Payload::EchoOk {
                echo: json!("Please echo 35")
            }
        );
    }
}
