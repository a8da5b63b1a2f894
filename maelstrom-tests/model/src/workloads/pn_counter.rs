//! pn-counter (maelstrom.md §3.5, Maelstrom `workload/pn_counter.clj`).
//!
//! The generator mixes `add {delta}`, with `delta = rand-int(10) − 5` ∈ [−5, 4], and
//! `read`, about half each. After the final heal each thread does one read flagged
//! `:final? true`; only those reads are checked. A read's `value` must be a JSON integer.
//! The client does not use `with-errors`, so every timeout or error is `:info` with an
//! exception (§1.4): an add that failed "definitely" still counts as maybe-applied.
//!
//! g-counter is this workload with a filter on the generator (`g_counter.rs`), which is
//! why the filter is a field here rather than a second copy of the client.

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

/// A filtered generator redraws; with any sensible filter this bound is never reached.
const MAX_DRAWS_PER_OP: usize = 10_000;

/// A counter workload: its name and which generated ops it keeps.
#[derive(Debug)]
pub struct PnCounter {
    name: &'static str,
    keep: fn(&Invocation) -> bool,
    final_reads: OneFinalRead,
}

impl Default for PnCounter {
    fn default() -> PnCounter {
        PnCounter::filtered("pn-counter", |_| true)
    }
}

impl PnCounter {
    /// The same client and generator under another name, keeping only ops that pass
    /// `keep` (jepsen's `gen/filter`: a rejected op is simply drawn again).
    pub fn filtered(name: &'static str, keep: fn(&Invocation) -> bool) -> PnCounter {
        PnCounter {
            name,
            keep,
            final_reads: OneFinalRead::default(),
        }
    }
}

/// One draw of the unfiltered mix.
fn draw(rng: &mut StdRng) -> Invocation {
    if rng.gen_bool(0.5) {
        Invocation::new("read", Edn::Nil)
    } else {
        let delta = rng.gen_range(0..10) - 5;
        Invocation::new("add", Edn::Int(delta))
    }
}

impl Workload for PnCounter {
    fn name(&self) -> &'static str {
        self.name
    }

    fn setup_body(&self, _node: &str) -> Option<Value> {
        None
    }

    fn next_invocation(&mut self, _thread: usize, _now_ns: u64, rng: &mut StdRng) -> Invocation {
        (0..MAX_DRAWS_PER_OP)
            .map(|_| draw(rng))
            .find(|invocation| (self.keep)(invocation))
            .expect("the generator filter rejects almost nothing")
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
            _ => json!({"type": "add", "delta": invocation.value_json()}),
        }
    }

    fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome {
        match invocation.f.as_str() {
            "read" => client::complete(HANDLING, invocation, reply, READ_OK, |body| {
                client::integer(&body["value"])
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

    fn deltas(ops: &[Invocation]) -> Vec<i64> {
        ops.iter()
            .filter_map(|op| match op.value {
                Edn::Int(delta) if op.f == "add" => Some(delta),
                _ => None,
            })
            .collect()
    }

    /// maelstrom.md §3.5: deltas are rand-int(10) − 5, so every value in [−5, 4] and
    /// nothing else; about half the ops are adds.
    #[test]
    fn pn_counter_deltas_cover_minus_five_to_four() {
        let mut counter = PnCounter::default();
        let rng = &mut StdRng::seed_from_u64(3);
        let ops: Vec<Invocation> = (0..2000)
            .map(|_| counter.next_invocation(0, 0, rng))
            .collect();
        let deltas = deltas(&ops);
        assert!(deltas.iter().all(|delta| (-5..=4).contains(delta)));
        assert!((-5..=4).all(|value| deltas.contains(&value)));
        assert!((900..1100).contains(&deltas.len()), "{} adds", deltas.len());
    }

    /// maelstrom.md §3.5: a read's value must be a JSON integer; 1.0 is malformed.
    #[test]
    fn a_read_value_must_be_an_integer() {
        let mut counter = PnCounter::default();
        let read = counter
            .final_invocation(0, &mut StdRng::seed_from_u64(0))
            .expect("counters have a final read");
        assert!(read.final_read);
        let ok = json!({"type": "read_ok", "value": 7});
        assert_eq!(
            counter.complete(&read, Reply::Body(ok)),
            Outcome::Ok { value: Edn::Int(7) }
        );
        let float = json!({"type": "read_ok", "value": 7.0});
        assert!(matches!(
            counter.complete(&read, Reply::Body(float)),
            Outcome::Info { .. }
        ));
    }
}
