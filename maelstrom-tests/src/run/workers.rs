//! The worker threads and the schedule that feeds them (maelstrom.md §3 intro, §8.12;
//! jepsen `generator.clj` `Stagger`, `generator/interpreter.clj`).
//!
//! Worker thread *i* is bound to node `nodes[i mod n]` for the whole run and executes
//! one op at a time through its client. Its process number starts at *i* and moves on by
//! `concurrency` after every `:info`; a client that is not reusable is then closed, and a
//! fresh one (a new `cN`) opens at the next op (maelstrom.md §1.4).
//!
//! The schedule is one global stagger: an op goes only to a free worker, at
//! `max(next-time, when the worker became free)`, and each op moves next-time on by a
//! uniform draw in `[0, 2/rate)`. The invocation is recorded at that scheduled time. The
//! final phase uses the same machinery with the workload's final ops: at once, or under
//! the workload's own stagger (kafka).

use std::collections::VecDeque;

use maelstrom_model::network::EndpointId;
use maelstrom_model::{Invocation, Outcome, Reply, Step};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::calls::Purpose;
use super::seeds::Seeds;
use super::World;
use crate::cli::TestConfig;

const NS_PER_S: f64 = 1e9;

#[derive(Debug)]
struct Worker {
    node: EndpointId,
    process: u64,
    client: Option<EndpointId>,
    /// The op in flight.
    busy: Option<Invocation>,
    /// No more final ops for this worker.
    finished: bool,
}

/// The workers, who is free, and the stagger.
#[derive(Debug)]
pub struct Workers {
    workers: Vec<Worker>,
    /// Free workers in the order they became free, with when.
    free: VecDeque<(usize, u64)>,
    /// Mean gap is `1/rate`; `None` with `--rate 0`: no ops at all.
    gap_max_s: Option<f64>,
    next_op_ns: u64,
    stagger: StdRng,
    generator: StdRng,
    /// The final phase's stagger bound, when the workload has one.
    final_gap_max_s: Option<f64>,
}

impl Workers {
    pub fn new(config: &TestConfig, seeds: &Seeds) -> Workers {
        let idle = || Worker {
            node: EndpointId(u32::MAX),
            process: 0,
            client: None,
            busy: None,
            finished: false,
        };
        Workers {
            workers: (0..config.concurrency).map(|_| idle()).collect(),
            free: VecDeque::with_capacity(config.concurrency),
            gap_max_s: (config.rate > 0.0).then(|| 2.0 / config.rate),
            next_op_ns: 0,
            stagger: StdRng::seed_from_u64(seeds.stagger),
            generator: StdRng::seed_from_u64(seeds.generator),
            final_gap_max_s: None,
        }
    }

    pub fn len(&self) -> usize {
        self.workers.len()
    }

    /// Worker `thread` starts its main phase at `now_ns` with `client`, bound to `node`.
    pub fn start(&mut self, thread: usize, client: EndpointId, node: EndpointId, now_ns: u64) {
        let worker = &mut self.workers[thread];
        worker.node = node;
        worker.process = thread as u64;
        worker.client = Some(client);
        self.free.push_back((thread, now_ns));
        self.next_op_ns = now_ns;
    }

    pub fn all_idle(&self) -> bool {
        self.workers.iter().all(|worker| worker.busy.is_none())
    }

    pub fn all_finished(&self) -> bool {
        self.workers.iter().all(|worker| worker.finished)
    }

    /// When the next main-phase op goes out, if a worker is free to take it.
    pub fn next_main_op_ns(&self) -> Option<u64> {
        self.gap_max_s?;
        let &(_, free_since) = self.free.front()?;
        Some(self.next_op_ns.max(free_since))
    }

    /// When the next final op goes out, if a worker without one is free.
    pub fn next_final_op_ns(&self) -> Option<u64> {
        let &(_, free_since) = self
            .free
            .iter()
            .find(|(thread, _)| !self.workers[*thread].finished)?;
        Some(self.next_op_ns.max(free_since))
    }

    pub fn begin_final(&mut self, now_ns: u64, stagger_s: Option<f64>) {
        self.final_gap_max_s = stagger_s.map(|stagger_s| 2.0 * stagger_s);
        self.next_op_ns = now_ns;
    }

    fn advance_stagger(&mut self, op_ns: u64, gap_max_s: Option<f64>) {
        self.next_op_ns = match gap_max_s {
            Some(gap_max_s) if gap_max_s > 0.0 => {
                let gap_ns = self.stagger.gen_range(0.0..gap_max_s) * NS_PER_S;
                op_ns.saturating_add(gap_ns as u64)
            }
            _ => op_ns,
        };
    }
}

impl World {
    /// Hands main-phase ops to free workers whose time has come; true if any went out.
    pub(super) fn issue_main_ops(&mut self, now_ns: u64, end_ns: u64) -> bool {
        let mut issued = false;
        while let Some(op_ns) = self.workers.next_main_op_ns() {
            if op_ns > now_ns || op_ns >= end_ns {
                break;
            }
            let (thread, _) = self.workers.free.pop_front().expect("a worker is free");
            let since_origin_ns = op_ns - self.origin_ns;
            let invocation =
                self.workload
                    .next_invocation(thread, since_origin_ns, &mut self.workers.generator);
            let gap = self.workers.gap_max_s;
            self.workers.advance_stagger(op_ns, gap);
            self.invoke(thread, invocation, op_ns);
            issued = true;
        }
        issued
    }

    /// Hands final ops to free workers; a worker whose workload has none left is finished.
    pub(super) fn issue_final_ops(&mut self, now_ns: u64) -> bool {
        let mut issued = false;
        loop {
            let Some(position) = self
                .workers
                .free
                .iter()
                .position(|(thread, _)| !self.workers.workers[*thread].finished)
            else {
                return issued;
            };
            let op_ns = self.workers.next_op_ns.max(self.workers.free[position].1);
            if op_ns > now_ns {
                return issued;
            }
            let (thread, _) = self.workers.free.remove(position).expect("found above");
            issued = true;
            match self
                .workload
                .final_invocation(thread, &mut self.workers.generator)
            {
                Some(invocation) => {
                    let gap = self.workers.final_gap_max_s;
                    self.workers.advance_stagger(op_ns, gap);
                    self.invoke(thread, invocation, op_ns);
                }
                None => {
                    self.workers.workers[thread].finished = true;
                    self.workers.free.push_back((thread, now_ns));
                }
            }
        }
    }

    /// Worker `thread` invokes `invocation`, scheduled at `op_ns`.
    fn invoke(&mut self, thread: usize, invocation: Invocation, op_ns: u64) {
        let process = self.workers.workers[thread].process;
        self.recorder
            .invoke(process, &invocation, op_ns - self.origin_ns);
        if self.workers.workers[thread].client.is_none() {
            let client = self.open_client();
            self.workers.workers[thread].client = Some(client);
            self.workload.client_opened(thread);
        }
        let step = self.workload.invoke(thread, &invocation);
        self.workers.workers[thread].busy = Some(invocation);
        self.take_step(thread, step);
    }

    /// What came back for worker `thread`'s request (or its timeout).
    pub(super) fn op_replied(&mut self, thread: usize, reply: Reply) {
        let invocation = self.workers.workers[thread]
            .busy
            .take()
            .expect("a reply comes for an op in flight");
        let step = self.workload.reply(thread, &invocation, reply);
        self.workers.workers[thread].busy = Some(invocation);
        self.take_step(thread, step);
    }

    fn take_step(&mut self, thread: usize, step: Step) {
        match step {
            Step::Send(body) => {
                let worker = &self.workers.workers[thread];
                let client = worker.client.expect("a busy worker has a client");
                let node = worker.node;
                let timeout_ms = self.workload.rpc_timeout_ms(self.config.latency_ms);
                self.calls.send(
                    &mut self.net,
                    client,
                    node,
                    body,
                    Purpose::Op(thread),
                    timeout_ms,
                    self.now_ns,
                );
            }
            Step::Done(outcome) => self.complete(thread, outcome),
        }
    }

    /// Records the completion and frees the worker.
    fn complete(&mut self, thread: usize, outcome: Outcome) {
        let invocation = self.workers.workers[thread]
            .busy
            .take()
            .expect("only a busy worker completes");
        self.workload.observe(thread, &invocation, &outcome);
        let crashed = matches!(outcome, Outcome::Info { .. });
        let process = self.workers.workers[thread].process;
        self.recorder
            .complete(process, &invocation, outcome, self.now_ns - self.origin_ns);
        if crashed {
            self.workers.workers[thread].process += self.workers.len() as u64;
            if !self.workload.reusable_clients() {
                if let Some(client) = self.workers.workers[thread].client.take() {
                    self.close_client(client);
                }
            }
        }
        self.workers.free.push_back((thread, self.now_ns));
    }
}
