//! A made-up run with the shape of a real broadcast run, for the benchmark and tests.
//!
//! Clients invoke `broadcast` and `read` on a global staggered schedule (gaps uniform
//! in `[0, 2/rate)`, maelstrom.md §3), each on the node of its number; a node answers
//! its client at once and gossips each broadcast to a few peers over links of
//! `latency_ms`. The nemesis partitions the nodes into two halves at 10% of the run
//! and heals at 40%; gossip across the cut is dropped, and a client whose node is
//! cut off times out (an `:info`). One request in a hundred gets an error reply (a
//! `:fail`). Init messages come before the main phase, at negative times.
//!
//! Nothing here is checked against a real node: it only has to look like a run, with
//! every kind of thing the pictures draw, and be the same for the same seed.

use maelstrom_checker::{Edn, Op, OpType, Process};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::journal::{clip_body, Journal, MessageRecord};

/// What to make.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub seed: u64,
    pub node_count: usize,
    pub time_limit_s: u64,
    /// Client operations per second.
    pub rate: f64,
    pub latency_ms: u64,
    pub partition: bool,
}

impl Shape {
    /// The brief's benchmark: 25 nodes, 20 s, rate 100, 100 ms links, a partition.
    pub fn benchmark() -> Shape {
        Shape {
            seed: 7,
            node_count: 25,
            time_limit_s: 20,
            rate: 100.0,
            latency_ms: 100,
            partition: true,
        }
    }
}

/// How long a client waits for a reply (maelstrom.md §1.5).
const CLIENT_TIMEOUT_NS: i64 = 1_000_000_000;
const MS: i64 = 1_000_000;

/// A history and its journal.
pub fn run(shape: Shape) -> (Vec<Op>, Journal) {
    let mut rng = SmallRng::seed_from_u64(shape.seed);
    let node_count = shape.node_count.max(1);
    let end_ns = shape.time_limit_s as i64 * 1_000_000_000;
    let cut = if shape.partition {
        Some((end_ns / 10, end_ns * 4 / 10))
    } else {
        None
    };
    let mut world = World::default();
    for node in 0..node_count {
        world.message(
            &format!("c{}", node + 1),
            &format!("n{node}"),
            -50 * MS,
            Some(-49 * MS),
            "init",
        );
        world.message(
            &format!("n{node}"),
            &format!("c{}", node + 1),
            -49 * MS,
            Some(-48 * MS),
            "init_ok",
        );
    }
    if let Some((start_ns, stop_ns)) = cut {
        world.nemesis(start_ns, "start-partition", Edn::keyword("majority"));
        world.nemesis(stop_ns, "stop-partition", Edn::keyword("network-healed"));
    }
    let side = |node: usize| node < node_count / 2;
    let partitioned = |at: i64| cut.is_some_and(|(start, stop)| (start..stop).contains(&at));
    let mut free_at = vec![0i64; node_count];
    let mut next_ns = 0i64;
    let gap_ns_max = (2e9 / shape.rate.max(0.001)) as i64;
    let mut value = 0;
    while next_ns < end_ns {
        let process = rng.gen_range(0..node_count);
        let node = process;
        let invoke_ns = next_ns.max(free_at[process]);
        next_ns += rng.gen_range(0..gap_ns_max.max(1));
        let (client, server) = (format!("c{}", process + 1), format!("n{node}"));
        let broadcast = rng.gen_bool(0.5);
        let f = if broadcast { "broadcast" } else { "read" };
        let op_value = if broadcast { Edn::Int(value) } else { Edn::Nil };
        world.op(invoke_ns, OpType::Invoke, process, f, op_value.clone());
        // A node on the small side of the cut is still reachable by its client
        // (clients are never partitioned), but in this run it stalls.
        let stalled = partitioned(invoke_ns) && !side(node) && rng.gen_bool(0.3);
        let reply_ns = invoke_ns + rng.gen_range(MS / 10..3 * MS);
        world.message(&client, &server, invoke_ns, Some(invoke_ns + MS / 20), f);
        if stalled {
            world.op(
                invoke_ns + CLIENT_TIMEOUT_NS,
                OpType::Info,
                process,
                f,
                op_value,
            );
            free_at[process] = invoke_ns + CLIENT_TIMEOUT_NS;
        } else if rng.gen_bool(0.01) {
            world.message(&server, &client, reply_ns, Some(reply_ns), "error");
            world.op(reply_ns, OpType::Fail, process, f, op_value);
            free_at[process] = reply_ns;
        } else {
            let reply = if broadcast { "broadcast_ok" } else { "read_ok" };
            world.message(&server, &client, reply_ns, Some(reply_ns), reply);
            let read = Edn::Vector((0..value.min(5)).map(Edn::Int).collect());
            world.op(
                reply_ns,
                OpType::Ok,
                process,
                f,
                if broadcast { op_value } else { read },
            );
            free_at[process] = reply_ns;
        }
        if broadcast {
            for _ in 0..3 {
                let peer = rng.gen_range(0..node_count);
                let sent_ns = reply_ns + rng.gen_range(0..5 * MS);
                let link_ns = shape.latency_ms as i64 * MS;
                let received = (!partitioned(sent_ns) || side(node) == side(peer))
                    .then_some(sent_ns + link_ns);
                world.message(&server, &format!("n{peer}"), sent_ns, received, "broadcast");
                if let Some(received_ns) = received {
                    world.message(
                        &format!("n{peer}"),
                        &server,
                        received_ns,
                        Some(received_ns + link_ns),
                        "broadcast_ok",
                    );
                }
            }
            value += 1;
        }
    }
    world.finish()
}

#[derive(Default)]
struct World {
    ops: Vec<Op>,
    journal: Journal,
}

impl World {
    fn op(&mut self, time_ns: i64, op_type: OpType, process: usize, f: &str, value: Edn) {
        self.ops.push(Op {
            index: 0,
            time_ns,
            op_type,
            process: Process::Client(process as u64),
            f: f.to_string(),
            value,
            extra: Vec::new(),
        });
    }

    fn nemesis(&mut self, time_ns: i64, f: &str, value: Edn) {
        for offset_ns in [0, MS / 10] {
            self.ops.push(Op {
                index: 0,
                time_ns: time_ns + offset_ns,
                op_type: OpType::Info,
                process: Process::Nemesis,
                f: f.to_string(),
                value: value.clone(),
                extra: Vec::new(),
            });
        }
    }

    fn message(
        &mut self,
        src: &str,
        dest: &str,
        sent_ns: i64,
        received_ns: Option<i64>,
        kind: &str,
    ) {
        let id = self.journal.messages.len() as u64;
        let error = kind == "error";
        let body = if error {
            format!("{{\"type\":\"error\",\"code\":11,\"text\":\"temporarily unavailable\",\"in_reply_to\":{id}}}")
        } else {
            format!("{{\"type\":\"{kind}\",\"msg_id\":{id}}}")
        };
        self.journal.push(MessageRecord {
            id,
            src: src.to_string(),
            dest: dest.to_string(),
            sent_ns,
            received_ns,
            kind: kind.to_string(),
            error,
            body: clip_body(&body),
        });
    }

    /// The history in time order with dense indices, as a recorder writes it.
    fn finish(mut self) -> (Vec<Op>, Journal) {
        self.ops.sort_by_key(|op| op.time_ns);
        for (index, op) in self.ops.iter_mut().enumerate() {
            op.index = index as u64;
        }
        self.journal
            .messages
            .sort_by_key(|message| (message.sent_ns, message.id));
        (self.ops, self.journal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The benchmark's run has the size the brief names: about 4,000 history
    /// entries and 10,000 messages.
    #[test]
    fn the_benchmark_run_has_the_size_of_a_busy_broadcast_run() {
        let (history, journal) = run(Shape::benchmark());
        assert!(
            (3_000..5_000).contains(&history.len()),
            "{} ops",
            history.len()
        );
        assert!(
            (7_000..14_000).contains(&journal.messages.len()),
            "{} messages",
            journal.messages.len()
        );
        assert!(journal.messages.iter().any(|m| m.received_ns.is_none()));
        assert!(journal.messages.iter().any(|m| m.error));
        assert_eq!(run(Shape::benchmark()).0, history, "same seed, same run");
    }
}
