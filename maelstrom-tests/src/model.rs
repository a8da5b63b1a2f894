//! The pieces of Maelstrom's world the runner uses: latency, nemesis grudges,
//! topologies, workloads and services, as `maelstrom-model` defines them.
//!
//! `maelstrom-model` is being written at the same time as this crate, so until it
//! provides them this module holds small stand-ins with the same signatures
//! (`fallback_*`); every caller goes through this module, so switching to the real
//! crate is a one-line change here.

pub use fallback_model::*;

#[allow(dead_code)] // Stand-in until maelstrom-model lands; only some of it is used.
mod fallback_model {
    use std::collections::{BTreeMap, BTreeSet};

    use maelstrom_checker::Edn;
    use rand::rngs::StdRng;
    use rand::seq::SliceRandom;
    use rand::Rng;
    use serde_json::{json, Value};

    pub trait Service: Send {
        fn handle(&mut self, src: &str, body: &Value) -> Option<Value>;
    }
    pub const SERVICE_NAMES: [&str; 4] = ["lin-kv", "seq-kv", "lww-kv", "lin-tso"];
    pub fn service(_name: &str, _seed: u64) -> Option<Box<dyn Service>> {
        None
    }

    #[derive(Clone, Copy, Debug)]
    pub enum GrudgeKind {
        One,
        MinorityThird,
        Majority,
        MajoritiesRing,
    }
    impl GrudgeKind {
        pub fn random(rng: &mut StdRng) -> GrudgeKind {
            [
                GrudgeKind::One,
                GrudgeKind::MinorityThird,
                GrudgeKind::Majority,
                GrudgeKind::MajoritiesRing,
            ][rng.gen_range(0..4)]
        }
        pub fn keyword(&self) -> &'static str {
            match self {
                GrudgeKind::One => "one",
                GrudgeKind::MinorityThird => "minority-third",
                GrudgeKind::Majority => "majority",
                GrudgeKind::MajoritiesRing => "majorities-ring",
            }
        }
    }
    pub type Grudge = BTreeMap<String, BTreeSet<String>>;
    pub fn grudge(kind: GrudgeKind, nodes: &[String], rng: &mut StdRng) -> Grudge {
        let mut shuffled = nodes.to_vec();
        shuffled.shuffle(rng);
        let split = match kind {
            GrudgeKind::One => 1,
            GrudgeKind::MinorityThird => (nodes.len().saturating_sub(1)) / 3,
            _ => nodes.len() / 2,
        };
        let (left, right) = shuffled.split_at(split.min(shuffled.len()));
        let mut result = Grudge::new();
        if left.is_empty() {
            return result;
        }
        for node in left {
            result.insert(node.clone(), right.iter().cloned().collect());
        }
        for node in right {
            result.insert(node.clone(), left.iter().cloned().collect());
        }
        result
    }

    pub fn topology(kind: &str, nodes: &[String]) -> Result<BTreeMap<String, Vec<String>>, String> {
        match kind {
            "grid" | "total" => Ok(nodes
                .iter()
                .map(|node| {
                    (
                        node.clone(),
                        nodes.iter().filter(|n| *n != node).cloned().collect(),
                    )
                })
                .collect()),
            other => Err(format!("unknown topology {other:?}")),
        }
    }

    #[derive(Clone, Copy, Debug)]
    pub enum LatencyDist {
        Constant,
        Uniform,
        Exponential,
    }
    impl std::str::FromStr for LatencyDist {
        type Err = String;
        fn from_str(text: &str) -> Result<Self, String> {
            match text {
                "constant" => Ok(LatencyDist::Constant),
                "uniform" => Ok(LatencyDist::Uniform),
                "exponential" => Ok(LatencyDist::Exponential),
                other => Err(format!(
                    "expected constant, uniform or exponential, got {other:?}"
                )),
            }
        }
    }
    #[derive(Clone, Copy, Debug)]
    pub struct Latency {
        mean_ms: u64,
        dist: LatencyDist,
    }
    impl Latency {
        pub fn new(mean_ms: u64, dist: LatencyDist) -> Result<Latency, String> {
            if mean_ms == 0 && !matches!(dist, LatencyDist::Constant) {
                return Err("latency distribution needs a mean above 0".into());
            }
            Ok(Latency { mean_ms, dist })
        }
        pub fn draw_ms(&self, rng: &mut StdRng) -> u64 {
            match self.dist {
                LatencyDist::Constant => self.mean_ms,
                LatencyDist::Uniform => rng.gen_range(0..2 * self.mean_ms),
                LatencyDist::Exponential => {
                    (-(1.0 - rng.gen::<f64>()).ln() * self.mean_ms as f64) as u64
                }
            }
        }
    }

    #[derive(Debug)]
    pub struct Invocation {
        pub f: String,
        pub value: Edn,
        pub final_read: bool,
    }
    #[derive(Debug)]
    pub enum Outcome {
        Ok {
            value: Edn,
        },
        Fail {
            value: Edn,
            error: Edn,
        },
        Info {
            value: Edn,
            error: Edn,
            exception: Option<Edn>,
        },
    }
    #[derive(Debug)]
    pub enum Reply {
        Body(Value),
        Timeout,
    }
    pub trait Workload: Send {
        fn name(&self) -> &'static str;
        fn setup_body(&self, node: &str) -> Option<Value>;
        fn next_invocation(&mut self, thread: usize, rng: &mut StdRng) -> Invocation;
        fn has_final_phase(&self) -> bool;
        fn final_invocation(&mut self, thread: usize) -> Option<Invocation>;
        fn request(&self, invocation: &Invocation) -> Value;
        fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome;
        fn reusable_clients(&self) -> bool;
        fn rpc_timeout_ms(&self, latency_mean_ms: u64) -> u64;
    }
    #[derive(Debug)]
    pub struct WorkloadOptions {
        pub nodes: Vec<String>,
        pub topology: String,
        pub key_count: Option<u64>,
        pub max_txn_length: u64,
        pub max_writes_per_key: u64,
        pub concurrency: usize,
    }

    struct FallbackWorkload {
        name: &'static str,
        next_value: i64,
        topology: BTreeMap<String, Vec<String>>,
    }

    pub fn workload(name: &str, options: &WorkloadOptions) -> Result<Box<dyn Workload>, String> {
        let name = match name {
            "echo" => "echo",
            "unique-ids" => "unique-ids",
            "broadcast" => "broadcast",
            "g-counter" => "g-counter",
            other => return Err(format!("workload {other:?} is not supported yet")),
        };
        let topology = topology(&options.topology, &options.nodes)?;
        Ok(Box::new(FallbackWorkload {
            name,
            next_value: 0,
            topology,
        }))
    }

    fn reply_type(invocation: &Invocation) -> String {
        format!(
            "{}_ok",
            if invocation.f == "read" {
                "read"
            } else {
                &invocation.f
            }
        )
    }

    impl Workload for FallbackWorkload {
        fn name(&self) -> &'static str {
            self.name
        }
        fn setup_body(&self, _node: &str) -> Option<Value> {
            (self.name == "broadcast")
                .then(|| json!({"type": "topology", "topology": self.topology}))
        }
        fn next_invocation(&mut self, _thread: usize, rng: &mut StdRng) -> Invocation {
            let read = rng.gen_bool(0.5);
            let (f, value) = match self.name {
                "echo" => (
                    "echo",
                    Edn::Str(format!("Please echo {}", rng.gen_range(0..128))),
                ),
                "unique-ids" => ("generate", Edn::Nil),
                "broadcast" if !read => {
                    self.next_value += 1;
                    ("broadcast", Edn::Int(self.next_value - 1))
                }
                "g-counter" if !read => ("add", Edn::Int(rng.gen_range(0..5))),
                _ => ("read", Edn::Nil),
            };
            Invocation {
                f: f.into(),
                value,
                final_read: false,
            }
        }
        fn has_final_phase(&self) -> bool {
            matches!(self.name, "broadcast" | "g-counter")
        }
        fn final_invocation(&mut self, _thread: usize) -> Option<Invocation> {
            Some(Invocation {
                f: "read".into(),
                value: Edn::Nil,
                final_read: true,
            })
        }
        fn request(&self, invocation: &Invocation) -> Value {
            let value = match &invocation.value {
                Edn::Int(i) => json!(i),
                Edn::Str(s) => json!(s),
                _ => Value::Null,
            };
            match (self.name, invocation.f.as_str()) {
                ("echo", _) => json!({"type": "echo", "echo": value}),
                ("unique-ids", _) => json!({"type": "generate"}),
                (_, "read") => json!({"type": "read"}),
                ("broadcast", _) => json!({"type": "broadcast", "message": value}),
                _ => json!({"type": "add", "delta": value}),
            }
        }
        fn complete(&self, invocation: &Invocation, reply: Reply) -> Outcome {
            let Reply::Body(body) = reply else {
                let error = Edn::keyword("net-timeout");
                return if invocation.f == "read" {
                    Outcome::Fail {
                        value: invocation.value.clone(),
                        error,
                    }
                } else {
                    Outcome::Info {
                        value: invocation.value.clone(),
                        error,
                        exception: None,
                    }
                };
            };
            if body["type"] != reply_type(invocation).as_str() {
                let error = Edn::Str(format!("unexpected reply {body}"));
                return Outcome::Info {
                    value: invocation.value.clone(),
                    error,
                    exception: None,
                };
            }
            let value = match (self.name, invocation.f.as_str()) {
                ("echo", _) => Edn::from_json(&body),
                ("unique-ids", _) => Edn::from_json(&body["id"]),
                ("broadcast", "read") => Edn::from_json(&body["messages"]),
                (_, "read") => Edn::from_json(&body["value"]),
                _ => invocation.value.clone(),
            };
            Outcome::Ok { value }
        }
        fn reusable_clients(&self) -> bool {
            self.name == "unique-ids"
        }
        fn rpc_timeout_ms(&self, _latency_mean_ms: u64) -> u64 {
            5000
        }
    }
}
