//! One Maelstrom kafka client: its local offsets and the op it is in the middle of
//! (maelstrom.md §3.7 "Client behaviour"; Maelstrom `workload/kafka.clj` `Client`).
//!
//! The client remembers, for each assigned key, the next offset to poll from.
//! - `:assign [keys]` asks `list_committed_offsets`. Each key then resumes at the offset
//!   this client already had, else the committed one, else 0. The committed offset is the
//!   last message processed, so a new consumer reads it again: re-reading is safe, skipping
//!   is not. Keys left out of the assignment are forgotten. With `:seek-to-beginning?`
//!   every key starts at 0 and no RPC is made.
//! - `:poll` sends the offsets, moves each key that returned messages past the highest
//!   one, and then commits those highest offsets with `commit_offsets`. A poll that
//!   returned nothing commits nothing (both reference runs: such polls take one round
//!   trip, polls with messages two). A failed commit fails the whole op.
//! - `:send` sends one message and records where it landed: `[[:send k [offset msg]]]`.
//! - `:crash` completes `:info` at once; the runner then opens a fresh client, with no
//!   offsets, for the thread's next process (§1.4: kafka clients are not reusable).
//!
//! Every reply goes through the shared rules of `workloads/client.rs` (`with-errors`,
//! `:assign` idempotent, closed reply schemas), so an error, a timeout or a malformed
//! reply ends the op, whichever RPC it was.
//!
//! One deviation: Maelstrom 0.2.3 recorded final-phase polls as `[[:poll]]`, without the
//! messages they read (both reference runs). We record what every poll returned, so the
//! checker can tell whether the final phase saw every acknowledged message.

use std::collections::BTreeMap;

use maelstrom_checker::Edn;
use serde_json::{json, Value};

use super::super::client::{self, ErrorHandling, ReplySchema};
use super::super::Step;
use super::super::{Invocation, Outcome, Reply};

const HANDLING: ErrorHandling = ErrorHandling::WithErrors {
    idempotent: &["assign"],
};
const SEND_OK: ReplySchema = ReplySchema {
    reply_type: "send_ok",
    fields: &["offset"],
};
const POLL_OK: ReplySchema = ReplySchema {
    reply_type: "poll_ok",
    fields: &["msgs"],
};
const COMMIT_OFFSETS_OK: ReplySchema = ReplySchema {
    reply_type: "commit_offsets_ok",
    fields: &[],
};
const LIST_COMMITTED_OFFSETS_OK: ReplySchema = ReplySchema {
    reply_type: "list_committed_offsets_ok",
    fields: &["offsets"],
};

/// The RPC the client sent last and is waiting on.
#[derive(Clone, Debug)]
enum Awaiting {
    ListCommittedOffsets {
        keys: Vec<String>,
    },
    Poll,
    /// The poll's history value, recorded once the commit succeeds.
    CommitOffsets {
        polled: Edn,
    },
    Send {
        key: Edn,
        message: Edn,
    },
}

/// One opened client (a crash opens a fresh one, with empty local offsets). Not
/// reusable (§1.4).
#[derive(Debug, Default)]
pub struct KafkaClient {
    /// Next offset to poll, per assigned key (as the wire names it).
    offsets: BTreeMap<String, i64>,
    awaiting: Option<Awaiting>,
}

/// Messages per key from a `poll_ok`, in the order the node listed them.
type Polled = BTreeMap<String, Vec<(i64, Value)>>;

impl KafkaClient {
    pub fn new() -> KafkaClient {
        KafkaClient::default()
    }

    /// Starts an op.
    pub fn invoke(&mut self, invocation: &Invocation) -> Step {
        assert!(
            self.awaiting.is_none(),
            "a client runs one op at a time; {:?} is still waiting",
            self.awaiting
        );
        match invocation.f.as_str() {
            "assign" => self.assign(invocation),
            "poll" => {
                self.awaiting = Some(Awaiting::Poll);
                Step::Send(json!({"type": "poll", "offsets": self.offsets}))
            }
            "send" => {
                let (key, message) =
                    send_of(&invocation.value).expect("the generator writes [[:send k v]]");
                let body = json!({"type": "send", "key": key.to_json(), "msg": message.to_json()});
                self.awaiting = Some(Awaiting::Send { key, message });
                Step::Send(body)
            }
            "crash" => Step::Done(Outcome::Info {
                value: invocation.value.clone(),
                error: Edn::Nil,
                exception: None,
            }),
            other => panic!("the kafka workload has no :{other} op"),
        }
    }

    /// Hands the client what came back for the request it last sent.
    pub fn reply(&mut self, invocation: &Invocation, reply: Reply) -> Step {
        let awaiting = self
            .awaiting
            .take()
            .expect("a reply answers a request this client sent");
        match awaiting {
            Awaiting::ListCommittedOffsets { keys } => self.resume_from(invocation, reply, keys),
            Awaiting::Poll => self.polled(invocation, reply),
            Awaiting::CommitOffsets { polled } => Step::Done(client::complete(
                HANDLING,
                invocation,
                reply,
                COMMIT_OFFSETS_OK,
                |_| Ok(polled),
            )),
            Awaiting::Send { key, message } => Step::Done(client::complete(
                HANDLING,
                invocation,
                reply,
                SEND_OK,
                |body| {
                    let offset = client::integer(&body["offset"])?;
                    Ok(send_value(key, Edn::Vector(vec![offset, message])))
                },
            )),
        }
    }

    fn assign(&mut self, invocation: &Invocation) -> Step {
        let keys: Vec<String> = match &invocation.value {
            Edn::Vector(keys) => keys.iter().filter_map(wire_key).collect(),
            _ => Vec::new(),
        };
        if invocation.extra("seek-to-beginning?") == Some(&Edn::Bool(true)) {
            self.offsets = keys.into_iter().map(|key| (key, 0)).collect();
            return Step::Done(Outcome::Ok {
                value: invocation.value.clone(),
            });
        }
        self.awaiting = Some(Awaiting::ListCommittedOffsets { keys });
        Step::Send(json!({"type": "list_committed_offsets", "keys": invocation.value_json()}))
    }

    /// After `list_committed_offsets_ok`: each assigned key resumes where this client was,
    /// else at the committed offset, else at 0.
    fn resume_from(&mut self, invocation: &Invocation, reply: Reply, keys: Vec<String>) -> Step {
        let mut committed = BTreeMap::new();
        let outcome = client::complete(
            HANDLING,
            invocation,
            reply,
            LIST_COMMITTED_OFFSETS_OK,
            |body| {
                committed = offsets_of(&body["offsets"])?;
                Ok(invocation.value.clone())
            },
        );
        if matches!(outcome, Outcome::Ok { .. }) {
            self.offsets = keys
                .into_iter()
                .map(|key| {
                    let offset = self
                        .offsets
                        .get(&key)
                        .or_else(|| committed.get(&key))
                        .copied()
                        .unwrap_or(0);
                    (key, offset)
                })
                .collect();
        }
        Step::Done(outcome)
    }

    /// After `poll_ok`: advance, then commit what was polled (if anything was).
    fn polled(&mut self, invocation: &Invocation, reply: Reply) -> Step {
        let mut polled = Polled::new();
        let outcome = client::complete(HANDLING, invocation, reply, POLL_OK, |body| {
            polled = polled_of(&body["msgs"])?;
            Ok(poll_value(&polled))
        });
        let Outcome::Ok { value } = outcome else {
            return Step::Done(outcome);
        };
        let highest: BTreeMap<&String, i64> = polled
            .iter()
            .filter_map(|(key, messages)| {
                let highest = messages.iter().map(|(offset, _)| *offset).max()?;
                Some((key, highest))
            })
            .collect();
        if highest.is_empty() {
            return Step::Done(Outcome::Ok { value });
        }
        for (key, offset) in &highest {
            self.offsets.insert((*key).clone(), offset + 1);
        }
        self.awaiting = Some(Awaiting::CommitOffsets { polled: value });
        Step::Send(json!({"type": "commit_offsets", "offsets": highest}))
    }
}

/// `[[:send k v]]` → `(k, v)`.
fn send_of(value: &Edn) -> Option<(Edn, Edn)> {
    let Edn::Vector(mops) = value else {
        return None;
    };
    let [Edn::Vector(mop)] = mops.as_slice() else {
        return None;
    };
    match mop.as_slice() {
        [Edn::Keyword(f), key, message] if f == "send" => Some((key.clone(), message.clone())),
        _ => None,
    }
}

fn send_value(key: Edn, sent: Edn) -> Edn {
    Edn::Vector(vec![Edn::Vector(vec![Edn::keyword("send"), key, sent])])
}

/// `[[:poll {k [[offset msg] …]}]]`.
fn poll_value(polled: &Polled) -> Edn {
    let by_key = polled
        .iter()
        .map(|(key, messages)| {
            let pairs = messages
                .iter()
                .map(|(offset, message)| {
                    Edn::Vector(vec![Edn::Int(*offset), Edn::from_json(message)])
                })
                .collect();
            (Edn::Str(key.clone()), Edn::Vector(pairs))
        })
        .collect();
    Edn::Vector(vec![Edn::Vector(vec![
        Edn::keyword("poll"),
        Edn::Map(by_key),
    ])])
}

/// A key as a JSON object names it: `"9"` for both `"9"` and `9`.
fn wire_key(key: &Edn) -> Option<String> {
    match key {
        Edn::Str(text) => Some(text.clone()),
        Edn::Int(number) => Some(number.to_string()),
        _ => None,
    }
}

/// `{k: offset}` with integer offsets.
fn offsets_of(value: &Value) -> Result<BTreeMap<String, i64>, String> {
    let Value::Object(entries) = value else {
        return Err(format!("offsets {value} is not an object"));
    };
    entries
        .iter()
        .map(|(key, offset)| {
            let offset = offset
                .as_i64()
                .ok_or_else(|| format!("offset {offset} of {key:?} is not an integer"))?;
            Ok((key.clone(), offset))
        })
        .collect()
}

/// `{k: [[offset, msg], …]}` with integer offsets.
fn polled_of(value: &Value) -> Result<Polled, String> {
    let Value::Object(entries) = value else {
        return Err(format!("msgs {value} is not an object"));
    };
    let mut polled = Polled::new();
    for (key, pairs) in entries {
        let Value::Array(pairs) = pairs else {
            return Err(format!("msgs of {key:?} is not a list: {pairs}"));
        };
        let messages = pairs
            .iter()
            .map(|pair| match pair.as_array().map(Vec::as_slice) {
                Some([offset, message]) if offset.is_i64() => {
                    Ok((offset.as_i64().unwrap_or_default(), message.clone()))
                }
                _ => Err(format!("{pair} in msgs of {key:?} is not [offset, msg]")),
            })
            .collect::<Result<Vec<_>, String>>()?;
        polled.insert(key.clone(), messages);
    }
    Ok(polled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use maelstrom_checker::parse_edn;

    fn edn(text: &str) -> Edn {
        parse_edn(text).expect("test values are EDN")
    }

    fn op(f: &str, value: &str) -> Invocation {
        Invocation::new(f, edn(value))
    }

    fn sent(step: Step) -> Value {
        match step {
            Step::Send(body) => body,
            Step::Done(outcome) => panic!("expected a request, got {outcome:?}"),
        }
    }

    fn done(step: Step) -> Outcome {
        match step {
            Step::Done(outcome) => outcome,
            Step::Send(body) => panic!("expected an outcome, got a request {body}"),
        }
    }

    fn body(value: Value) -> Reply {
        Reply::Body(value)
    }

    /// maelstrom.md §3.7: send → send_ok; the history records where the message landed.
    #[test]
    fn a_send_is_one_rpc_and_records_its_offset() {
        let mut client = KafkaClient::new();
        let send = op("send", r#"[[:send "9" 3]]"#);
        let request = sent(client.invoke(&send));
        assert_eq!(request, json!({"type": "send", "key": "9", "msg": 3}));
        let outcome = done(client.reply(&send, body(json!({"type": "send_ok", "offset": 7}))));
        assert_eq!(
            outcome,
            Outcome::Ok {
                value: edn(r#"[[:send "9" [7 3]]]"#)
            }
        );
    }

    /// maelstrom.md §3.7: assign asks for committed offsets; each key resumes where this
    /// client was, else at the committed offset (re-read), else at 0; keys left out are
    /// forgotten.
    #[test]
    fn an_assign_resumes_each_key_from_local_then_committed_offsets() {
        let mut client = KafkaClient::new();
        client.offsets = BTreeMap::from([("a".to_string(), 5), ("gone".to_string(), 2)]);
        let assign = op("assign", r#"["a" "b" "c"]"#);
        let request = sent(client.invoke(&assign));
        assert_eq!(
            request,
            json!({"type": "list_committed_offsets", "keys": ["a", "b", "c"]})
        );
        let reply = json!({"type": "list_committed_offsets_ok", "offsets": {"a": 1, "b": 4}});
        assert_eq!(
            done(client.reply(&assign, body(reply))),
            Outcome::Ok {
                value: edn(r#"["a" "b" "c"]"#)
            }
        );
        let expected = BTreeMap::from([("a".into(), 5), ("b".into(), 4), ("c".into(), 0)]);
        assert_eq!(client.offsets, expected);
    }

    /// maelstrom.md §3.7: a seek-to-beginning assign sets every key to 0 with no RPC.
    #[test]
    fn a_seek_to_beginning_assign_makes_no_rpc() {
        let mut client = KafkaClient::new();
        let assign = op("assign", "[0 1]").with_extra("seek-to-beginning?", Edn::Bool(true));
        assert_eq!(
            done(client.invoke(&assign)),
            Outcome::Ok {
                value: edn("[0 1]")
            }
        );
        assert_eq!(
            client.offsets,
            BTreeMap::from([("0".into(), 0), ("1".into(), 0)])
        );
        let request = sent(client.invoke(&op("poll", "[[:poll]]")));
        assert_eq!(
            request,
            json!({"type": "poll", "offsets": {"0": 0, "1": 0}})
        );
    }

    /// maelstrom.md §3.7: poll, advance past what came back, commit the highest offsets,
    /// and only then record the poll.
    #[test]
    fn a_poll_with_messages_commits_them_before_completing() {
        let mut client = KafkaClient::new();
        client.offsets = BTreeMap::from([("9".into(), 0), ("8".into(), 3)]);
        let poll = op("poll", "[[:poll]]");
        assert_eq!(
            sent(client.invoke(&poll)),
            json!({"type": "poll", "offsets": {"8": 3, "9": 0}})
        );
        let reply = json!({"type": "poll_ok", "msgs": {"9": [[0, 1], [1, 2]], "8": []}});
        let commit = sent(client.reply(&poll, body(reply)));
        assert_eq!(
            commit,
            json!({"type": "commit_offsets", "offsets": {"9": 1}})
        );
        let outcome = done(client.reply(&poll, body(json!({"type": "commit_offsets_ok"}))));
        assert_eq!(
            outcome,
            Outcome::Ok {
                value: edn(r#"[[:poll {"8" [], "9" [[0 1] [1 2]]}]]"#)
            }
        );
        assert_eq!(
            client.offsets,
            BTreeMap::from([("9".into(), 2), ("8".into(), 3)])
        );
    }

    /// Both reference runs: a poll that returned nothing takes one round trip, no commit.
    #[test]
    fn a_poll_that_returns_nothing_commits_nothing() {
        let mut client = KafkaClient::new();
        let poll = op("poll", "[[:poll]]");
        assert_eq!(
            sent(client.invoke(&poll)),
            json!({"type": "poll", "offsets": {}})
        );
        let outcome = done(client.reply(&poll, body(json!({"type": "poll_ok", "msgs": {}}))));
        assert_eq!(
            outcome,
            Outcome::Ok {
                value: edn("[[:poll {}]]")
            }
        );
    }

    /// maelstrom.md §3.7, §1.4: a failed commit fails the whole poll; a definite error is
    /// :fail, a timeout :info, and the recorded value is the invocation's.
    #[test]
    fn a_failed_commit_fails_the_poll() {
        for (reply, definite) in [
            (
                body(json!({"type": "error", "code": 11, "text": "busy"})),
                true,
            ),
            (Reply::Timeout, false),
        ] {
            let mut client = KafkaClient::new();
            let poll = op("poll", "[[:poll]]");
            client.invoke(&poll);
            let messages = json!({"type": "poll_ok", "msgs": {"9": [[0, 1]]}});
            sent(client.reply(&poll, body(messages)));
            match done(client.reply(&poll, reply)) {
                Outcome::Fail { value, .. } if definite => assert_eq!(value, edn("[[:poll]]")),
                Outcome::Info { value, .. } if !definite => assert_eq!(value, edn("[[:poll]]")),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// maelstrom.md §1.4: :assign is idempotent, so a timeout fails it; a send that times
    /// out may have happened, so it is :info.
    #[test]
    fn timeouts_fail_assigns_and_leave_sends_indefinite() {
        let mut client = KafkaClient::new();
        let assign = op("assign", r#"["1"]"#);
        client.invoke(&assign);
        assert!(matches!(
            done(client.reply(&assign, Reply::Timeout)),
            Outcome::Fail { .. }
        ));
        let send = op("send", r#"[[:send "1" 1]]"#);
        client.invoke(&send);
        assert!(matches!(
            done(client.reply(&send, Reply::Timeout)),
            Outcome::Info { .. }
        ));
    }

    /// maelstrom.md §1.2: reply schemas are closed; offsets must be integers; msgs must be
    /// [offset, msg] pairs.
    #[test]
    fn malformed_replies_end_the_op_as_info() {
        let bad_replies = [
            ("send", json!({"type": "send_ok", "offset": 1.0})),
            ("send", json!({"type": "send_ok", "offset": 1, "extra": 2})),
            ("poll", json!({"type": "poll_ok", "msgs": {"9": [[0]]}})),
            ("poll", json!({"type": "poll_ok", "msgs": [[0, 1]]})),
            ("poll", json!({"type": "poll_ok"})),
        ];
        for (f, reply) in bad_replies {
            let mut client = KafkaClient::new();
            let invocation = match f {
                "send" => op("send", r#"[[:send "9" 1]]"#),
                _ => op("poll", "[[:poll]]"),
            };
            client.invoke(&invocation);
            let outcome = done(client.reply(&invocation, body(reply.clone())));
            assert!(
                matches!(
                    outcome,
                    Outcome::Info {
                        exception: Some(_),
                        ..
                    }
                ),
                "{reply} gave {outcome:?}"
            );
        }
    }

    /// maelstrom.md §3.7: a crash completes :info at once, with no RPC and no error.
    #[test]
    fn a_crash_is_info_without_an_rpc() {
        let mut client = KafkaClient::new();
        let outcome = done(client.invoke(&op("crash", "nil")));
        assert_eq!(
            outcome,
            Outcome::Info {
                value: Edn::Nil,
                error: Edn::Nil,
                exception: None
            }
        );
    }
}
