//! Workloads: what Maelstrom's clients ask the nodes, and how each reply becomes a
//! history entry (maelstrom.md §3, §1.4).
//!
//! A [`Workload`] is a pure state machine driven by the runner: `next_invocation` is the
//! generator (one op for a free worker thread, drawing from the runner's seeded RNG),
//! `request` turns an op into a request body, and `complete` turns the reply (or the
//! timeout) into an [`Outcome`]. The runner owns the schedule, the workers, the clocks
//! and the history file; a workload never sleeps or sends.
//!
//! Files: [`client`] (the reply rules every workload shares: error codes, timeouts,
//! closed reply schemas), then one file per workload: [`echo`], [`unique_ids`],
//! [`broadcast`], [`g_set`], [`pn_counter`], [`g_counter`] (which is pn-counter's
//! generator with negative deltas filtered out), [`lin_kv`] (registers per key, with
//! its own RPC timeout and a generator that groups threads by key), [`kafka`] and
//! [`txn_rw_register`], whose transactions come from Elle's generator in [`wr_txns`].
//!
//! Not implemented yet: txn-list-append (§3.9). It slots in as one more file
//! implementing [`Workload`] (the options it needs, `key_count`, `max_txn_length` and
//! `max_writes_per_key`, are already in [`WorkloadOptions`]; it draws from [`wr_txns`]
//! too) plus one arm in [`workload`].

pub mod broadcast;
pub mod client;
pub mod echo;
pub mod g_counter;
pub mod g_set;
pub mod kafka;
pub mod lin_kv;
pub mod pn_counter;
pub mod txn_rw_register;
pub mod unique_ids;
pub mod wr_txns;

use std::collections::BTreeSet;

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

/// What a worker's client does next for the op it is executing.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Send this request body (without `msg_id`, which the client adds) to the worker's node.
    Send(Value),
    /// The op is over.
    Done(Outcome),
}

/// A workload: generator, client and reply decoder (see the module doc).
///
/// Most workloads send one request per op and read one reply: they implement
/// [`Workload::request`] and [`Workload::complete`], and the default [`Workload::invoke`]
/// and [`Workload::reply`] do the rest. A workload whose ops take several RPCs or none
/// (kafka: a poll is followed by a commit; a crash sends nothing) overrides `invoke` and
/// `reply`, keeping per-thread client state that [`Workload::client_opened`] resets.
pub trait Workload: Send {
    /// The `-w` name.
    fn name(&self) -> &'static str;
    /// The body the setup client sends to `node` before the main phase, if any.
    fn setup_body(&self, node: &str) -> Option<Value>;
    /// The next main-phase op for worker `thread`; `now_ns` is ns since the main phase began.
    fn next_invocation(&mut self, thread: usize, now_ns: u64, rng: &mut StdRng) -> Invocation;
    /// How an op ended, for generators that react to results (kafka). Called before the
    /// history records the completion.
    fn observe(&mut self, thread: usize, invocation: &Invocation, outcome: &Outcome) {
        let _ = (thread, invocation, outcome);
    }
    /// Whether heal, 10 s of quiet and final ops follow the main phase (§3 intro).
    fn has_final_phase(&self) -> bool;
    /// Worker `thread`'s next final op; `None` once it has no more.
    fn final_invocation(&mut self, thread: usize, rng: &mut StdRng) -> Option<Invocation>;
    /// The stagger between final ops in seconds, and the final phase's time limit in
    /// seconds; `None`: final ops go out at once and the phase lasts until they are done.
    fn final_schedule(&self) -> Option<(f64, u64)> {
        None
    }
    /// A fresh client was opened for `thread` (at the start, or after a non-reusable
    /// client's `:info`): forget the old client's local state.
    fn client_opened(&mut self, thread: usize) {
        let _ = thread;
    }
    /// Starts executing `invocation` on `thread`'s client.
    fn invoke(&mut self, thread: usize, invocation: &Invocation) -> Step {
        let _ = thread;
        Step::Send(self.request(invocation))
    }
    /// What came back for the last request `thread`'s client sent.
    fn reply(&mut self, thread: usize, invocation: &Invocation, reply: Reply) -> Step {
        let _ = thread;
        Step::Done(self.complete(invocation, reply))
    }
    /// The request body for a one-RPC op (without `msg_id`, which the client adds).
    /// Only the default [`Workload::invoke`] calls it.
    fn request(&self, invocation: &Invocation) -> Value {
        panic!(
            "{} overrides invoke, so request({}) is never called",
            self.name(),
            invocation.f
        )
    }
    /// The history outcome for a one-RPC op and what came back. Only the default
    /// [`Workload::reply`] calls it.
    fn complete(&self, invocation: &Invocation, _reply: Reply) -> Outcome {
        panic!(
            "{} overrides reply, so complete({}) is never called",
            self.name(),
            invocation.f
        )
    }
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
        "txn-rw-register" => Ok(Box::new(txn_rw_register::TxnRwRegister::new(options)?)),
        "kafka" => Ok(Box::new(kafka::Kafka::new(options))),
        "lin-kv" => Ok(Box::new(lin_kv::LinKv::new(options)?)),
        "txn-list-append" => Err(format!("workload {name:?} is not supported yet")),
        other => Err(format!(
            "unknown workload {other:?}; expected echo, unique-ids, broadcast, g-set, g-counter, \
             pn-counter, lin-kv, kafka or txn-rw-register"
        )),
    }
}

/// One final read per thread, the final phase of broadcast, g-set and the counters:
/// the read the first time a thread asks, nothing after.
#[derive(Debug, Default)]
pub struct OneFinalRead {
    asked: BTreeSet<usize>,
}

impl OneFinalRead {
    /// `flagged`: the read carries `:final? true` (all but g-set's, §3.4).
    pub fn next(&mut self, thread: usize, flagged: bool) -> Option<Invocation> {
        self.asked.insert(thread).then(|| Invocation {
            f: "read".into(),
            value: Edn::Nil,
            final_read: flagged,
            extra: Vec::new(),
        })
    }
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
            concurrency: 4,
        }
    }

    /// maelstrom.md §3 intro: exactly broadcast, g-set and the counters have a final phase.
    #[test]
    fn only_set_and_counter_workloads_have_a_final_phase() {
        for (name, final_phase) in [
            ("echo", false),
            ("unique-ids", false),
            ("broadcast", true),
            ("g-set", true),
            ("g-counter", true),
            ("pn-counter", true),
            ("lin-kv", false),
            ("txn-rw-register", false),
        ] {
            let workload = workload(name, &options()).expect("a built workload");
            assert_eq!(workload.has_final_phase(), final_phase, "{name}");
            assert_eq!(workload.name(), name);
        }
    }

    /// maelstrom.md §1.4: of these, only unique-ids, lin-kv and txn-rw-register have
    /// reusable clients.
    #[test]
    fn only_unique_ids_lin_kv_and_txn_rw_register_reuse_clients() {
        assert!(workload("unique-ids", &options())
            .expect("built")
            .reusable_clients());
        assert!(workload("lin-kv", &options())
            .expect("built")
            .reusable_clients());
        assert!(workload("txn-rw-register", &options())
            .expect("built")
            .reusable_clients());
        assert!(!workload("broadcast", &options())
            .expect("built")
            .reusable_clients());
    }

    #[test]
    fn unbuilt_and_unknown_workloads_are_refused() {
        assert!(workload("txn-list-append", &options()).is_err());
        assert!(workload("nope", &options()).is_err());
    }
}
