//! Workloads: what Maelstrom's clients ask the nodes, and how each reply becomes a
//! history entry (maelstrom-spec §3, §1.4).
//!
//! A [`Workload`] is a pure state machine driven by the runner: `next_invocation` is the
//! generator (one op for a free worker thread, drawing from the runner's seeded RNG),
//! `request` turns an op into a request body, and `complete` turns the reply (or the
//! timeout) into an [`Outcome`]. The runner owns the schedule, the workers, the clocks
//! and the history file; a workload never sleeps or sends.
//!
//! Files: [`client`] (the reply rules every workload shares: error codes, timeouts,
//! closed reply schemas), then one file per workload: [`echo`], [`unique_ids`],
//! [`broadcast`], [`g_set`], [`pn_counter`] and [`g_counter`] (which is pn-counter's
//! generator with negative deltas filtered out).
//!
//! [`kafka`] is built as pure code (a client that makes several RPCs per op, or none, and a
//! generator with a final phase) but is not a [`Workload`] yet: the trait has one request
//! per op. Not implemented yet: lin-kv, txn-rw-register and txn-list-append.
//! Each slots in as one more file implementing [`Workload`] (the options they need,
//! `key_count`, `max_txn_length`, `max_writes_per_key` and `concurrency`, are already in
//! [`WorkloadOptions`]) plus one arm in [`workload`]. lin-kv would also override
//! [`Workload::rpc_timeout_ms`] (`max(10 × latency, 1000)`, §1.5) and
//! [`Workload::reusable_clients`] (§1.4).

pub mod broadcast;
pub mod client;
pub mod echo;
pub mod g_counter;
pub mod g_set;
pub mod kafka;
pub mod pn_counter;
pub mod unique_ids;

use maelstrom_checker::Edn;
use rand::rngs::StdRng;
use serde_json::Value;

/// One operation a worker thread invokes: `{:f :read, :value nil}` and friends.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    /// The history's `:f`, without the colon.
    pub f: String,
    /// The history's `:value` at invocation.
    pub value: Edn,
    /// `:final? true`: a read in the final phase, the only reads some checkers judge.
    pub final_read: bool,
    /// Further keys the op carries in the history, in order: kafka's
    /// `:seek-to-beginning? true` and `:poll-ms 1000` (maelstrom.md §3.7).
    pub extra: Vec<(String, Edn)>,
}

impl Invocation {
    /// A main-phase op.
    pub fn new(f: &str, value: Edn) -> Invocation {
        Invocation {
            f: f.to_string(),
            value,
            final_read: false,
            extra: Vec::new(),
        }
    }

    /// The op with one more history key, such as `:seek-to-beginning? true`.
    pub fn with_extra(mut self, key: &str, value: Edn) -> Invocation {
        self.extra.push((key.to_string(), value));
        self
    }

    /// The value of a further key, if the op carries it.
    pub fn extra(&self, key: &str) -> Option<&Edn> {
        self.extra.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value as the JSON a request carries.
    pub fn value_json(&self) -> Value {
        self.value.to_json()
    }
}

/// How an op completed, as the history records it.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// `:ok` with the completion's value.
    Ok { value: Edn },
    /// `:fail`: the op certainly did not happen.
    Fail { value: Edn, error: Edn },
    /// `:info`: the op may or may not have happened; the worker's process is retired.
    Info {
        value: Edn,
        error: Edn,
        exception: Option<Edn>,
    },
}

/// What came back for a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The reply body (`in_reply_to` matched).
    Body(Value),
    /// Nothing within the RPC timeout.
    Timeout,
}

/// A workload: generator, request encoder and reply decoder (see the module doc).
pub trait Workload: Send {
    /// The `-w` name.
    fn name(&self) -> &'static str;
    /// The body the setup client sends to `node` before the main phase, if any.
    fn setup_body(&self, node: &str) -> Option<Value>;
    /// The next main-phase op for worker `thread`.
    fn next_invocation(&mut self, thread: usize, rng: &mut StdRng) -> Invocation;
    /// Whether heal, 10 s of quiet and final ops follow the main phase (§3 intro).
    fn has_final_phase(&self) -> bool;
    /// Worker `thread`'s final op, if it has one.
    fn final_invocation(&mut self, thread: usize) -> Option<Invocation>;
    /// The request body for an op (without `msg_id`, which the client adds).
    fn request(&self, invocation: &Invocation) -> Value;
    /// The history outcome for an op and what came back.
    fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome;
    /// Whether a worker keeps its client after an `:info` (§1.4 "Reusable").
    fn reusable_clients(&self) -> bool {
        false
    }
    /// The client's RPC timeout in ms (§1.5): 5000 unless a workload says otherwise.
    fn rpc_timeout_ms(&self, _latency_mean_ms: u64) -> u64 {
        client::DEFAULT_RPC_TIMEOUT_MS
    }
}

/// Everything a workload may need from the command line.
#[derive(Clone, Debug)]
pub struct WorkloadOptions {
    pub nodes: Vec<String>,
    /// `--topology` (broadcast only).
    pub topology: String,
    /// `--key-count` (txn workloads, kafka).
    pub key_count: Option<u64>,
    /// `--max-txn-length` (txn workloads).
    pub max_txn_length: u64,
    /// `--max-writes-per-key` (txn workloads).
    pub max_writes_per_key: u64,
    /// `--concurrency` (lin-kv groups threads by key).
    pub concurrency: usize,
}

/// The workload called `name`; an error line for unknown or not-yet-built ones.
pub fn workload(name: &str, options: &WorkloadOptions) -> Result<Box<dyn Workload>, String> {
    match name {
        "echo" => Ok(Box::new(echo::Echo)),
        "unique-ids" => Ok(Box::new(unique_ids::UniqueIds)),
        "broadcast" => Ok(Box::new(broadcast::Broadcast::new(options)?)),
        "g-set" => Ok(Box::new(g_set::GSet::default())),
        "g-counter" => Ok(Box::new(g_counter::g_counter())),
        "pn-counter" => Ok(Box::new(pn_counter::PnCounter::default())),
        "lin-kv" | "kafka" | "txn-rw-register" | "txn-list-append" => {
            Err(format!("workload {name:?} is not supported yet"))
        }
        other => Err(format!(
            "unknown workload {other:?}; expected echo, unique-ids, broadcast, g-set, g-counter or pn-counter"
        )),
    }
}

/// The final read every final-phase workload gives each thread.
fn final_read(flagged: bool) -> Option<Invocation> {
    Some(Invocation {
        f: "read".into(),
        value: Edn::Nil,
        final_read: flagged,
        extra: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> WorkloadOptions {
        WorkloadOptions {
            nodes: vec!["n0".into(), "n1".into()],
            topology: "grid".into(),
            key_count: None,
            max_txn_length: 4,
            max_writes_per_key: 16,
            concurrency: 2,
        }
    }

    /// maelstrom-spec §3 intro: exactly broadcast, g-set and the counters have a final phase.
    #[test]
    fn only_set_and_counter_workloads_have_a_final_phase() {
        for (name, final_phase) in [
            ("echo", false),
            ("unique-ids", false),
            ("broadcast", true),
            ("g-set", true),
            ("g-counter", true),
            ("pn-counter", true),
        ] {
            let workload = workload(name, &options()).expect("a built workload");
            assert_eq!(workload.has_final_phase(), final_phase, "{name}");
            assert_eq!(workload.name(), name);
        }
    }

    /// maelstrom-spec §1.4: of these, only unique-ids has reusable clients.
    #[test]
    fn only_unique_ids_reuses_clients() {
        assert!(workload("unique-ids", &options())
            .expect("built")
            .reusable_clients());
        assert!(!workload("broadcast", &options())
            .expect("built")
            .reusable_clients());
    }

    #[test]
    fn unbuilt_and_unknown_workloads_are_refused() {
        assert!(workload("kafka", &options()).is_err());
        assert!(workload("nope", &options()).is_err());
    }
}
