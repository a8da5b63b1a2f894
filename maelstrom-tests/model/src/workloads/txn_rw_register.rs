//! txn-rw-register (maelstrom.md §3.8; Maelstrom `workload/txn_rw_register.clj`):
//! transactions of reads and writes over integer registers.
//!
//! Every op is `:f :txn` whose value is the transaction, `[[:r 9 nil] [:w 9 1]]`,
//! drawn by Elle's `wr-txns` ([`super::wr_txns`]). The request carries it with the
//! micro-op names as strings, `{"type":"txn","txn":[["r",9,null],["w",9,1]]}`; the
//! `txn_ok` reply carries the same list with each read's value filled in, and the
//! history records the reply's list with keywords again, `[[:r 9 3] [:w 9 1]]`.
//!
//! The reply's schema is closed (maelstrom.md §1.2): `type`, `txn`, `in_reply_to`, an
//! optional `msg_id`, nothing else. Each micro-op must be `["r", k, v]` or
//! `["w", k, v]` with an integer key, an integer written value, and an integer or
//! `null` read value: the only values this generator ever sends, and the only ones the
//! checker can order. What the node says is recorded as it is said: a node that
//! changes a write or drops a micro-op is the checker's to catch, not the client's.
//!
//! Outcomes follow `with-errors` with no idempotent `:f` (maelstrom.md §1.4): a timeout
//! is `:info`, a definite error code `:fail`. Clients are reusable, so a worker keeps
//! its client after an `:info`. There is no final phase (maelstrom.md §3 intro).

use maelstrom_checker::Edn;
use rand::rngs::StdRng;
use serde_json::{json, Value};

use super::client::{self, ErrorHandling, ReplySchema};
use super::wr_txns::{MicroOp, WrTxns};
use super::{Invocation, Outcome, Reply, Workload, WorkloadOptions};

const HANDLING: ErrorHandling = ErrorHandling::WithErrors { idempotent: &[] };
const TXN_OK: ReplySchema = ReplySchema {
    reply_type: "txn_ok",
    fields: &["txn"],
};

/// Maelstrom's `--key-count` default for this workload (elle `wr-txns`).
const DEFAULT_KEY_COUNT: u64 = 10;

/// The txn-rw-register workload: the generator's state.
#[derive(Debug)]
pub struct TxnRwRegister {
    generator: WrTxns,
}

impl TxnRwRegister {
    pub fn new(options: &WorkloadOptions) -> Result<TxnRwRegister, String> {
        Ok(TxnRwRegister {
            generator: WrTxns::new(
                options.key_count.unwrap_or(DEFAULT_KEY_COUNT),
                options.max_txn_length,
                options.max_writes_per_key,
            )?,
        })
    }
}

impl Workload for TxnRwRegister {
    fn name(&self) -> &'static str {
        "txn-rw-register"
    }

    fn setup_body(&self, _node: &str) -> Option<Value> {
        None
    }

    fn next_invocation(&mut self, _thread: usize, _now_ns: u64, rng: &mut StdRng) -> Invocation {
        let txn = self
            .generator
            .next_txn(rng)
            .into_iter()
            .map(|mop| match mop {
                MicroOp::Read { key } => micro_op("r", key, Edn::Nil),
                MicroOp::Write { key, value } => micro_op("w", key, Edn::Int(value)),
            })
            .collect();
        Invocation::new("txn", Edn::Vector(txn))
    }

    fn has_final_phase(&self) -> bool {
        false
    }

    fn final_invocation(&mut self, _thread: usize, _rng: &mut StdRng) -> Option<Invocation> {
        None
    }

    fn request(&self, invocation: &Invocation) -> Value {
        // Keywords become strings without the colon: [:r 9 nil] → ["r", 9, null].
        json!({"type": "txn", "txn": invocation.value_json()})
    }

    fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome {
        client::complete(HANDLING, invocation, reply, TXN_OK, |body| {
            decode_txn(&body["txn"])
        })
    }

    fn reusable_clients(&self) -> bool {
        true
    }
}

/// `[:r 9 nil]`.
fn micro_op(f: &str, key: i64, value: Edn) -> Edn {
    Edn::Vector(vec![Edn::keyword(f), Edn::Int(key), value])
}

/// A reply's `txn` as the history records it, or why it breaks the schema.
fn decode_txn(txn: &Value) -> Result<Edn, String> {
    let Value::Array(mops) = txn else {
        return Err(format!("txn {txn} is not a list of micro-ops"));
    };
    mops.iter()
        .map(decode_micro_op)
        .collect::<Result<_, _>>()
        .map(Edn::Vector)
}

fn decode_micro_op(mop: &Value) -> Result<Edn, String> {
    let bad = || format!("micro-op {mop} is not [\"r\", key, value] or [\"w\", key, value]");
    let Some([f, key, value]) = mop.as_array().map(Vec::as_slice) else {
        return Err(bad());
    };
    let key = key.as_i64().ok_or_else(bad)?;
    match (f.as_str(), value) {
        (Some("r"), Value::Null) => Ok(micro_op("r", key, Edn::Nil)),
        (Some(f @ ("r" | "w")), value) => {
            let value = value.as_i64().ok_or_else(bad)?;
            Ok(micro_op(f, key, Edn::Int(value)))
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use maelstrom_checker::{Op, OpType, Process};
    use rand::SeedableRng;

    fn workload() -> TxnRwRegister {
        TxnRwRegister::new(&WorkloadOptions {
            nodes: vec!["n0".into()],
            topology: "grid".into(),
            key_count: None,
            max_txn_length: 4,
            max_writes_per_key: 16,
            concurrency: 2,
        })
        .expect("Maelstrom's defaults")
    }

    fn txn(text: &str) -> Edn {
        maelstrom_checker::parse_edn(text).expect("valid EDN")
    }

    /// maelstrom.md §3.8: the history value is an EDN vector of keyword micro-ops, and
    /// the request is the same list with strings, reads carrying null.
    #[test]
    fn invocations_are_edn_and_requests_are_json_with_string_names() {
        let mut workload = workload();
        let rng = &mut StdRng::seed_from_u64(4);
        let invocation = workload.next_invocation(0, 0, rng);
        assert_eq!(invocation.f, "txn");
        let Edn::Vector(mops) = &invocation.value else {
            panic!("a vector");
        };
        assert!((1..=4).contains(&mops.len()));
        let request = workload.request(&Invocation::new("txn", txn("[[:r 9 nil] [:w 9 1]]")));
        assert_eq!(
            request,
            json!({"type": "txn", "txn": [["r", 9, null], ["w", 9, 1]]})
        );
    }

    /// maelstrom.md §3.8: a txn_ok's list becomes the :ok value, keywords again, reads
    /// filled in; extra reply keys, malformed micro-ops and non-integer values break
    /// the closed schema (§1.2) and are :info with an exception.
    #[test]
    fn txn_ok_replies_decode_and_malformed_ones_are_info() {
        let invocation = Invocation::new("txn", txn("[[:r 9 nil] [:w 9 1]]"));
        let reply = json!({"type": "txn_ok", "txn": [["r", 9, 3], ["w", 9, 1]], "in_reply_to": 1});
        assert_eq!(
            workload().complete(&invocation, Reply::Body(reply)),
            Outcome::Ok {
                value: txn("[[:r 9 3] [:w 9 1]]")
            }
        );
        let missing = json!({"type": "txn_ok", "txn": [["r", 9, null]]});
        assert_eq!(
            workload().complete(&invocation, Reply::Body(missing)),
            Outcome::Ok {
                value: txn("[[:r 9 nil]]")
            },
            "what the node says is recorded as said"
        );
        for bad in [
            json!({"type": "txn_ok", "txn": [["r", 9, 3]], "extra": 1}),
            json!({"type": "txn_ok", "txn": [["append", 9, 3]]}),
            json!({"type": "txn_ok", "txn": [["w", 9, null]]}),
            json!({"type": "txn_ok", "txn": [["r", "9", 3]]}),
            json!({"type": "txn_ok", "txn": [["r", 9, 3.0]]}),
            json!({"type": "txn_ok", "txn": [["r", 9]]}),
            json!({"type": "txn_ok", "txn": "r 9"}),
            json!({"type": "txn_ok"}),
        ] {
            assert!(
                matches!(
                    workload().complete(&invocation, Reply::Body(bad.clone())),
                    Outcome::Info {
                        exception: Some(_),
                        ..
                    }
                ),
                "{bad}"
            );
        }
    }

    /// Runs `txn_count` generated transactions one at a time against `store`, which
    /// answers each request body, and returns the history Maelstrom would record.
    fn run(txn_count: usize, mut store: impl FnMut(&Value) -> Value) -> Vec<Op> {
        let mut workload = workload();
        let rng = &mut StdRng::seed_from_u64(5);
        let mut history = Vec::new();
        for i in 0..txn_count {
            let invocation = workload.next_invocation(0, 0, rng);
            let reply = store(&workload.request(&invocation));
            let Outcome::Ok { value } = workload.complete(&invocation, Reply::Body(reply)) else {
                panic!("the store answers txn_ok");
            };
            for (offset, op_type, value) in [
                (0, OpType::Invoke, &invocation.value),
                (1, OpType::Ok, &value),
            ] {
                let index = 2 * i as u64 + offset;
                history.push(Op {
                    index,
                    time_ns: index as i64 * 1_000_000,
                    op_type,
                    process: Process::Client(0),
                    f: "txn".into(),
                    value: value.clone(),
                    extra: Vec::new(),
                });
            }
        }
        history
    }

    /// A register store: reads see the latest write (or null); `keep_writes` false
    /// makes it forget every write.
    fn store(keep_writes: bool) -> impl FnMut(&Value) -> Value {
        let mut registers: std::collections::BTreeMap<i64, i64> = Default::default();
        move |request| {
            let mops: Vec<Value> = request["txn"]
                .as_array()
                .expect("a txn list")
                .iter()
                .map(|mop| {
                    let key = mop[1].as_i64().expect("an integer key");
                    if mop[0] == "r" {
                        json!(["r", key, registers.get(&key)])
                    } else {
                        if keep_writes {
                            registers.insert(key, mop[2].as_i64().expect("an integer value"));
                        }
                        mop.clone()
                    }
                })
                .collect();
            json!({"type": "txn_ok", "txn": mops, "in_reply_to": 1})
        }
    }

    fn judge(history: &[Op]) -> maelstrom_checker::Validity {
        let options = maelstrom_checker::CheckOptions {
            workload: "txn-rw-register".into(),
            availability: None,
            consistency_models: vec!["strict-serializable".into()],
        };
        maelstrom_checker::check(&options, history, None)
            .expect("the checker runs")
            .valid
    }

    /// maelstrom.md §3.8, end to end: the generator's transactions, answered by a
    /// correct store and recorded as this client records them, are strict
    /// serializable; a store that forgets writes is caught.
    #[test]
    fn a_correct_store_passes_the_checker_and_a_forgetful_one_does_not() {
        use maelstrom_checker::Validity;
        assert_eq!(judge(&run(2_000, store(true))), Validity::True);
        assert_eq!(judge(&run(2_000, store(false))), Validity::False);
    }

    /// maelstrom.md §1.4: no :f is idempotent, so a timeout is :info and a definite
    /// error (txn-conflict) is :fail.
    #[test]
    fn timeouts_are_info_and_conflicts_fail() {
        let invocation = Invocation::new("txn", txn("[[:w 1 1]]"));
        assert!(matches!(
            workload().complete(&invocation, Reply::Timeout),
            Outcome::Info {
                exception: None,
                ..
            }
        ));
        let conflict = json!({"type": "error", "code": 30, "text": "conflict"});
        assert_eq!(
            workload().complete(&invocation, Reply::Body(conflict)),
            Outcome::Fail {
                value: txn("[[:w 1 1]]"),
                error: txn("[:txn-conflict \"conflict\"]"),
            }
        );
    }
}
