//! Synthetic txn-rw-register histories: many concurrent clients against a simulated
//! store, for tests and for the checker's benchmark (maelstrom.md §3.8).
//!
//! Each client runs one transaction at a time. A transaction takes effect atomically
//! at a moment drawn between its invocation and its completion, so a correct store
//! yields a strict-serializable history however the transactions overlap. The
//! transactions look like Maelstrom's (elle `wr-txns`): 1..=4 micro-ops, reads and
//! writes half each, 10 active keys weighted 2^position, at most 16 writes per key.
//! Some fail (and never take effect) and some time out (and take effect or not, at
//! random; their process is then retired, as jepsen does).
//!
//! A *stale* store answers reads from the state as it was some transactions ago, the
//! way a replica that is behind would: that breaks serializability, and gives the
//! cycle search large components to work through.

use maelstrom_checker::{Edn, Op, OpType, Process};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;

/// What to simulate.
#[derive(Clone, Copy, Debug)]
pub struct Simulation {
    pub seed: u64,
    pub txn_count: usize,
    pub client_count: usize,
    /// Per mille of transactions that fail, and that time out.
    pub fail_per_mille: u32,
    pub info_per_mille: u32,
    /// Reads see the store as it was this many transactions ago (0: a correct store).
    pub staleness_txns: usize,
}

const KEY_COUNT: usize = 10;
const MAX_WRITES_PER_KEY: i64 = 16;
const MAX_TXN_LENGTH: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mop {
    Read(i64),
    Write(i64, i64),
}

struct Planned {
    process: u64,
    mops: Vec<Mop>,
    invoke_ns: i64,
    effect_ns: i64,
    complete_ns: i64,
    outcome: OpType,
    takes_effect: bool,
    reads: Vec<Option<i64>>,
}

/// A history, as Maelstrom would record it.
pub fn simulate(simulation: Simulation) -> Vec<Op> {
    let rng = &mut StdRng::seed_from_u64(simulation.seed);
    let mut plans = plan(simulation, rng);
    execute(&mut plans, simulation.staleness_txns);
    record(&plans)
}

fn plan(simulation: Simulation, rng: &mut StdRng) -> Vec<Planned> {
    let mut active: Vec<i64> = (0..KEY_COUNT as i64).collect();
    let mut next_value: BTreeMap<i64, i64> = BTreeMap::new();
    // Per client: its current process and when it is next free.
    let mut clients: Vec<(u64, i64)> = (0..simulation.client_count as u64)
        .map(|c| (c, 0))
        .collect();
    let mut plans = Vec::with_capacity(simulation.txn_count);
    for _ in 0..simulation.txn_count {
        let client = (0..clients.len())
            .min_by_key(|&c| clients[c].1)
            .expect("at least one client");
        let (process, free_ns) = clients[client];
        let invoke_ns = free_ns + rng.gen_range(0..200_000);
        let duration_ns = rng.gen_range(500_000..5_000_000);
        let mops = (0..rng.gen_range(1..=MAX_TXN_LENGTH))
            .map(|_| {
                let position = 63 - (rng.gen_range(0..(1u64 << KEY_COUNT) - 1) + 1).leading_zeros();
                let key = active[position as usize];
                if rng.gen_bool(0.5) {
                    return Mop::Read(key);
                }
                let value = *next_value.get(&key).unwrap_or(&1);
                if value >= MAX_WRITES_PER_KEY {
                    next_value.remove(&key);
                    active[position as usize] = active.iter().max().expect("keys") + 1;
                } else {
                    next_value.insert(key, value + 1);
                }
                Mop::Write(key, value)
            })
            .collect();
        let roll = rng.gen_range(0..1000);
        let outcome = if roll < simulation.fail_per_mille {
            OpType::Fail
        } else if roll < simulation.fail_per_mille + simulation.info_per_mille {
            OpType::Info
        } else {
            OpType::Ok
        };
        let takes_effect = match outcome {
            OpType::Ok => true,
            OpType::Info => rng.gen_bool(0.5),
            _ => false,
        };
        plans.push(Planned {
            process,
            mops,
            invoke_ns,
            effect_ns: invoke_ns + rng.gen_range(0..duration_ns),
            complete_ns: invoke_ns + duration_ns,
            outcome,
            takes_effect,
            reads: Vec::new(),
        });
        let next_process = if outcome == OpType::Info {
            process + simulation.client_count as u64
        } else {
            process
        };
        clients[client] = (next_process, invoke_ns + duration_ns);
    }
    plans
}

/// Runs the transactions that take effect in effect order, filling in their reads.
fn execute(plans: &mut [Planned], staleness_txns: usize) {
    let mut order: Vec<usize> = (0..plans.len())
        .filter(|&i| plans[i].takes_effect)
        .collect();
    order.sort_by_key(|&i| plans[i].effect_ns);
    // Per key, every (position in effect order, value written), so a stale store can
    // look back.
    let mut history: BTreeMap<i64, Vec<(usize, i64)>> = BTreeMap::new();
    for (position, i) in order.into_iter().enumerate() {
        let visible_before = position.saturating_sub(staleness_txns);
        let mut own: BTreeMap<i64, i64> = BTreeMap::new();
        let mut reads = Vec::new();
        for mop in &plans[i].mops {
            match *mop {
                Mop::Read(key) => reads.push(own.get(&key).copied().or_else(|| {
                    let versions = history.get(&key)?;
                    let seen = versions.partition_point(|(at, _)| *at < visible_before);
                    seen.checked_sub(1).map(|last| versions[last].1)
                })),
                Mop::Write(key, value) => {
                    own.insert(key, value);
                }
            }
        }
        for (key, value) in own {
            history.entry(key).or_default().push((position, value));
        }
        plans[i].reads = reads;
    }
}

fn record(plans: &[Planned]) -> Vec<Op> {
    let mut events: Vec<(i64, usize, bool)> = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        events.push((plan.invoke_ns, i, false));
        events.push((plan.complete_ns, i, true));
    }
    events.sort_unstable();
    events
        .into_iter()
        .enumerate()
        .map(|(index, (time_ns, i, completion))| {
            let plan = &plans[i];
            let show_reads = completion && plan.outcome == OpType::Ok;
            let mut reads = plan.reads.iter();
            let value = plan
                .mops
                .iter()
                .map(|mop| match *mop {
                    Mop::Read(key) => {
                        let read = if show_reads {
                            *reads.next().expect("one read value per read")
                        } else {
                            None
                        };
                        Edn::Vector(vec![
                            Edn::keyword("r"),
                            Edn::Int(key),
                            read.map_or(Edn::Nil, Edn::Int),
                        ])
                    }
                    Mop::Write(key, value) => {
                        Edn::Vector(vec![Edn::keyword("w"), Edn::Int(key), Edn::Int(value)])
                    }
                })
                .collect();
            let op_type = if completion {
                plan.outcome
            } else {
                OpType::Invoke
            };
            let extra = match op_type {
                OpType::Info => vec![("error".to_string(), Edn::keyword("net-timeout"))],
                OpType::Fail => vec![(
                    "error".to_string(),
                    Edn::Vector(vec![Edn::keyword("txn-conflict"), Edn::Nil]),
                )],
                _ => Vec::new(),
            };
            Op {
                index: index as u64,
                time_ns,
                op_type,
                process: Process::Client(plan.process),
                f: "txn".into(),
                value: Edn::Vector(value),
                extra,
            }
        })
        .collect()
}
