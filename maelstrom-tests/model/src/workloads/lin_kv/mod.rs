//! lin-kv (maelstrom.md §3.6; Maelstrom `src/maelstrom/workload/lin_kv.clj`, jepsen
//! `jepsen/src/jepsen/tests/linearizable_register.clj`, `jepsen/src/jepsen/independent.clj`):
//! many compare-and-set registers, one per key, each worked by a group of threads.
//!
//! Every op's history value is an `independent` tuple `[key value]`: a read is invoked
//! as `[0 nil]` and completes `[0 3]`, a write is `[0 4]`, a cas `[0 [4 1]]` (from 4 to
//! 1). On the wire the tuple is taken apart: `{"type":"read","key":0}` →
//! `{"type":"read_ok","value":3}`, `{"type":"write","key":0,"value":4}` →
//! `{"type":"write_ok"}`, `{"type":"cas","key":0,"from":4,"to":1}` → `{"type":"cas_ok"}`.
//! A read's `value` may be any JSON, `null` included (the checker treats `nil` as
//! "unknown", §8.6); the other replies carry nothing, and all three schemas are closed
//! (§1.2).
//!
//! Outcomes follow `with-errors` with `:read` idempotent (§1.4): a missing key (20) or a
//! cas whose `from` does not match (22) is `:fail` with `[:key-does-not-exist text]` or
//! `[:precondition-failed text]`; a timeout fails a read and leaves a write or cas
//! `:info`. Clients are reusable, and every RPC waits `max(10 × --latency, 1000)` ms
//! (§1.5). There is no final phase.
//!
//! Which thread works on which key, and with which op, is the generator's business:
//! [`generator`].

pub mod generator;

use maelstrom_checker::Edn;
use rand::rngs::StdRng;
use serde_json::{json, Value};

use super::client::{self, ErrorHandling, ReplySchema};
use super::{Invocation, Outcome, Reply, Workload, WorkloadOptions};
use generator::{KeyGenerator, KeyOp};

pub use generator::check_grouping;

const HANDLING: ErrorHandling = ErrorHandling::WithErrors {
    idempotent: &["read"],
};
const READ_OK: ReplySchema = ReplySchema {
    reply_type: "read_ok",
    fields: &["value"],
};
const WRITE_OK: ReplySchema = ReplySchema {
    reply_type: "write_ok",
    fields: &[],
};
const CAS_OK: ReplySchema = ReplySchema {
    reply_type: "cas_ok",
    fields: &[],
};

/// lin-kv's RPC timeout is ten mean latencies (Maelstrom `lin_kv.clj`)…
const RPC_TIMEOUT_LATENCIES: u64 = 10;
/// …but never less than a second (§1.5).
const RPC_TIMEOUT_MS_MIN: u64 = 1_000;

/// The lin-kv workload: the generator's state.
#[derive(Debug)]
pub struct LinKv {
    generator: KeyGenerator,
}

impl LinKv {
    /// Refuses a concurrency that is not a multiple of 2n (§8.13).
    pub fn new(options: &WorkloadOptions) -> Result<LinKv, String> {
        Ok(LinKv {
            generator: KeyGenerator::new(options.concurrency, options.nodes.len())?,
        })
    }
}

impl Workload for LinKv {
    fn name(&self) -> &'static str {
        "lin-kv"
    }

    fn setup_body(&self, _node: &str) -> Option<Value> {
        None
    }

    fn next_invocation(&mut self, thread: usize, _now_ns: u64, rng: &mut StdRng) -> Invocation {
        let (key, op) = self.generator.next_op(thread, rng);
        let (f, value) = match op {
            KeyOp::Read => ("read", Edn::Nil),
            KeyOp::Write { value } => ("write", Edn::Int(value)),
            KeyOp::Cas { from, to } => ("cas", Edn::Vector(vec![Edn::Int(from), Edn::Int(to)])),
        };
        let key = i64::try_from(key).expect("keys are handed out one at a time, from 0");
        Invocation::new(f, Edn::Vector(vec![Edn::Int(key), value]))
    }

    fn observe(&mut self, thread: usize, _invocation: &Invocation, outcome: &Outcome) {
        if matches!(outcome, Outcome::Info { .. }) {
            self.generator.process_crashed(thread);
        }
    }

    fn has_final_phase(&self) -> bool {
        false
    }

    fn final_invocation(&mut self, _thread: usize, _rng: &mut StdRng) -> Option<Invocation> {
        None
    }

    fn request(&self, invocation: &Invocation) -> Value {
        let (key, value) = tuple(invocation);
        match invocation.f.as_str() {
            "read" => json!({"type": "read", "key": key}),
            "write" => json!({"type": "write", "key": key, "value": value}),
            "cas" => json!({"type": "cas", "key": key, "from": value[0], "to": value[1]}),
            other => panic!("lin-kv generates read, write and cas, not {other}"),
        }
    }

    fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome {
        match invocation.f.as_str() {
            "read" => client::complete(HANDLING, invocation, reply, READ_OK, |body| {
                let (key, _) = tuple(invocation);
                Ok(Edn::Vector(vec![
                    Edn::from_json(&key),
                    Edn::from_json(&body["value"]),
                ]))
            }),
            "write" => client::complete(HANDLING, invocation, reply, WRITE_OK, |_| {
                Ok(invocation.value.clone())
            }),
            _ => client::complete(HANDLING, invocation, reply, CAS_OK, |_| {
                Ok(invocation.value.clone())
            }),
        }
    }

    fn reusable_clients(&self) -> bool {
        true
    }

    fn rpc_timeout_ms(&self, latency_mean_ms: u64) -> u64 {
        latency_mean_ms
            .saturating_mul(RPC_TIMEOUT_LATENCIES)
            .max(RPC_TIMEOUT_MS_MIN)
    }
}

/// An invocation's `[key value]` as JSON.
fn tuple(invocation: &Invocation) -> (Value, Value) {
    match invocation.value_json() {
        Value::Array(mut pair) if pair.len() == 2 => {
            let value = pair.pop().expect("two elements");
            let key = pair.pop().expect("two elements");
            (key, value)
        }
        other => panic!("a lin-kv op's value is [key value], not {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn workload(nodes: usize, concurrency: usize) -> Result<LinKv, String> {
        LinKv::new(&WorkloadOptions {
            nodes: (0..nodes).map(|i| format!("n{i}")).collect(),
            topology: "grid".into(),
            key_count: None,
            max_txn_length: 4,
            max_writes_per_key: 16,
            concurrency,
        })
    }

    fn op(text: &str) -> Invocation {
        let edn = maelstrom_checker::parse_edn(text).expect("valid EDN");
        let Edn::Vector(parts) = edn else {
            panic!("[f value]")
        };
        let Edn::Keyword(f) = &parts[0] else {
            panic!("a keyword :f")
        };
        Invocation::new(f, parts[1].clone())
    }

    fn edn(text: &str) -> Edn {
        maelstrom_checker::parse_edn(text).expect("valid EDN")
    }

    fn error(code: i64, text: &str) -> Reply {
        Reply::Body(json!({"type": "error", "code": code, "text": text, "in_reply_to": 1}))
    }

    /// maelstrom.md §3.6: history values are `[key value]` tuples, as in real
    /// histories: `[0 nil]`, `[0 4]`, `[0 [4 1]]`.
    #[test]
    fn invocations_are_key_value_tuples() {
        let mut lin_kv = workload(1, 2).expect("2 is 2n");
        let rng = &mut StdRng::seed_from_u64(3);
        assert_eq!(lin_kv.next_invocation(0, 0, rng), op("[:read [0 nil]]"));
        for _ in 0..50 {
            let invocation = lin_kv.next_invocation(1, 0, rng);
            let shape_ok = match (invocation.f.as_str(), &invocation.value) {
                ("write", Edn::Vector(tuple)) => matches!(tuple[..], [Edn::Int(0), Edn::Int(_)]),
                ("cas", Edn::Vector(tuple)) => matches!(
                    &tuple[..],
                    [Edn::Int(0), Edn::Vector(pair)] if pair.len() == 2
                ),
                _ => false,
            };
            assert!(shape_ok, "{invocation:?}");
        }
    }

    /// maelstrom.md §3.6: the request takes the tuple apart into `key`, `value`,
    /// `from` and `to`.
    #[test]
    fn requests_carry_the_key_and_the_op_s_fields() {
        let lin_kv = workload(1, 2).expect("2 is 2n");
        assert_eq!(
            lin_kv.request(&op("[:read [7 nil]]")),
            json!({"type": "read", "key": 7})
        );
        assert_eq!(
            lin_kv.request(&op("[:write [7 4]]")),
            json!({"type": "write", "key": 7, "value": 4})
        );
        assert_eq!(
            lin_kv.request(&op("[:cas [7 [4 1]]]")),
            json!({"type": "cas", "key": 7, "from": 4, "to": 1})
        );
    }

    /// maelstrom.md §3.6: a read_ok's value completes the tuple, `null` as `nil`;
    /// write_ok and cas_ok complete with the invocation's value.
    #[test]
    fn ok_replies_complete_with_the_tuple() {
        let lin_kv = workload(1, 2).expect("2 is 2n");
        let read = op("[:read [2 nil]]");
        let ok = |value: Value| {
            Reply::Body(json!({"type": "read_ok", "value": value, "in_reply_to": 3}))
        };
        assert_eq!(
            lin_kv.complete(&read, ok(json!(3))),
            Outcome::Ok {
                value: edn("[2 3]")
            }
        );
        assert_eq!(
            lin_kv.complete(&read, ok(Value::Null)),
            Outcome::Ok {
                value: edn("[2 nil]")
            }
        );
        for (invocation, reply_type) in [
            ("[:write [2 4]]", "write_ok"),
            ("[:cas [2 [4 1]]]", "cas_ok"),
        ] {
            let invocation = op(invocation);
            let reply = Reply::Body(json!({"type": reply_type, "in_reply_to": 3, "msg_id": 8}));
            assert_eq!(
                lin_kv.complete(&invocation, reply),
                Outcome::Ok {
                    value: invocation.value.clone()
                }
            );
        }
    }

    /// maelstrom.md §1.4: error 20 (a missing key) and 22 (a cas whose `from` does not
    /// match) are definite, so `:fail` with `[name text]`, as real histories show.
    #[test]
    fn missing_keys_and_failed_preconditions_fail() {
        let lin_kv = workload(1, 2).expect("2 is 2n");
        let read = op("[:read [0 nil]]");
        assert_eq!(
            lin_kv.complete(&read, error(20, "key does not exist")),
            Outcome::Fail {
                value: edn("[0 nil]"),
                error: edn("[:key-does-not-exist \"key does not exist\"]"),
            }
        );
        let cas = op("[:cas [0 [4 1]]]");
        assert_eq!(
            lin_kv.complete(&cas, error(22, "expected 4, got 3")),
            Outcome::Fail {
                value: edn("[0 [4 1]]"),
                error: edn("[:precondition-failed \"expected 4, got 3\"]"),
            }
        );
        assert!(matches!(
            lin_kv.complete(&cas, error(20, "key does not exist")),
            Outcome::Fail { .. }
        ));
    }

    /// maelstrom.md §1.4: `:read` is lin-kv's one idempotent op, so a timed-out read
    /// fails and a timed-out write or cas is `:info`, all with `:net-timeout`; an
    /// indefinite error (a code of the node's own) likewise.
    #[test]
    fn a_timeout_fails_a_read_and_leaves_writes_and_cas_indefinite() {
        let lin_kv = workload(1, 2).expect("2 is 2n");
        assert_eq!(
            lin_kv.complete(&op("[:read [0 nil]]"), Reply::Timeout),
            Outcome::Fail {
                value: edn("[0 nil]"),
                error: Edn::keyword("net-timeout"),
            }
        );
        for invocation in ["[:write [0 3]]", "[:cas [0 [1 2]]]"] {
            let invocation = op(invocation);
            assert_eq!(
                lin_kv.complete(&invocation, Reply::Timeout),
                Outcome::Info {
                    value: invocation.value.clone(),
                    error: Edn::keyword("net-timeout"),
                    exception: None,
                }
            );
            assert!(matches!(
                lin_kv.complete(&invocation, error(1000, "not leader")),
                Outcome::Info { .. }
            ));
        }
        assert!(matches!(
            lin_kv.complete(&op("[:read [0 nil]]"), error(1000, "not leader")),
            Outcome::Fail { .. }
        ));
    }

    /// maelstrom.md §1.2: the reply schemas are closed: a cas answered with a read_ok,
    /// or a read_ok without its value, is malformed (`:info` with an exception).
    #[test]
    fn a_reply_of_the_wrong_shape_is_malformed() {
        let lin_kv = workload(1, 2).expect("2 is 2n");
        let wrong_type = Reply::Body(json!({"type": "read_ok", "value": 4, "in_reply_to": 7}));
        assert!(matches!(
            lin_kv.complete(&op("[:cas [1 [2 1]]]"), wrong_type),
            Outcome::Info {
                exception: Some(_),
                ..
            }
        ));
        let missing = Reply::Body(json!({"type": "read_ok"}));
        assert!(matches!(
            lin_kv.complete(&op("[:read [1 nil]]"), missing),
            Outcome::Info {
                exception: Some(_),
                ..
            }
        ));
    }

    /// maelstrom.md §1.5: `max(10 × latency, 1000)` ms; §1.4: clients are reusable.
    #[test]
    fn rpcs_wait_ten_latencies_but_at_least_a_second() {
        let lin_kv = workload(1, 2).expect("2 is 2n");
        assert_eq!(lin_kv.rpc_timeout_ms(0), 1_000);
        assert_eq!(lin_kv.rpc_timeout_ms(100), 1_000);
        assert_eq!(lin_kv.rpc_timeout_ms(200), 2_000);
        assert!(lin_kv.reusable_clients());
        assert!(!lin_kv.has_final_phase());
    }

    /// maelstrom.md §1.4, §3.6: an `:info` moves the worker to a new process, which the
    /// generator counts: with one node, 19 `:info`s on thread 1 retire key 0.
    #[test]
    fn info_completions_count_towards_retiring_the_key() {
        let mut lin_kv = workload(1, 2).expect("2 is 2n");
        let rng = &mut StdRng::seed_from_u64(4);
        let info = Outcome::Info {
            value: Edn::Nil,
            error: Edn::keyword("net-timeout"),
            exception: None,
        };
        for _ in 0..18 {
            let invocation = lin_kv.next_invocation(1, 0, rng);
            assert_eq!(tuple(&invocation).0, json!(0));
            lin_kv.observe(1, &invocation, &info);
        }
        let invocation = lin_kv.next_invocation(1, 0, rng);
        lin_kv.observe(1, &invocation, &info);
        assert_eq!(tuple(&lin_kv.next_invocation(0, 0, rng)).0, json!(1));
    }

    /// maelstrom.md §8.13: a concurrency that is not a multiple of 2n is refused.
    #[test]
    fn the_workload_refuses_a_concurrency_that_is_not_a_multiple_of_two_n() {
        assert!(workload(3, 6).is_ok());
        assert!(workload(3, 3).is_err());
        assert!(workload(3, 4).is_err());
    }
}
