//! lin-kv's generator against real Maelstrom runs (maelstrom.md §3.6): replaying the
//! order of invocations and `:info`s from three real histories, the workload puts every
//! op on the same key the real run did, and gives reads to exactly the processes that
//! read there.
//!
//! Each data file holds one real history cut down to what the generator decides: each
//! client op's `:type`, `:process`, `:f` and key, with the command that produced it on its
//! first line. The values are random draws, which no seed of ours can reproduce, so
//! they are left out.
//! - `lin_kv_retirements.txt`: 5 nodes, 10 threads, a Raft node that often answers
//!   "not leader": key 0 to key 7, each retired when its group saw a 21st process.
//! - `lin_kv_three_groups.txt`: jepsen's default 5 nodes and `--concurrency 30`: three
//!   groups on keys 0, 1 and 2, and only threads 0‥4 read.
//! - `lin_kv_two_groups_one_node.txt`: 1 node, `--concurrency 4`: thread 0 reads, the
//!   second group (threads 2 and 3) only writes and cas'es.

use maelstrom_checker::Edn;
use maelstrom_model::workloads::lin_kv::LinKv;
use maelstrom_model::{Outcome, Workload, WorkloadOptions};
use rand::rngs::StdRng;
use rand::SeedableRng;

/// One line of a data file.
struct Line<'a> {
    op_type: &'a str,
    process: usize,
    f: &'a str,
    key: i64,
}

fn lines(data: &str) -> impl Iterator<Item = Line<'_>> {
    data.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let [op_type, process, f, key] = fields[..] else {
                panic!("`type process f key`, not {line:?}");
            };
            Line {
                op_type,
                process: process.parse().expect("a process number"),
                f,
                key: key.parse().expect("an integer key"),
            }
        })
}

/// Replays `data` through the workload; returns how many invocations it checked.
fn replay(data: &str, node_count: usize, concurrency: usize) -> usize {
    let mut lin_kv = LinKv::new(&WorkloadOptions {
        nodes: (0..node_count).map(|i| format!("n{i}")).collect(),
        topology: "grid".into(),
        key_count: None,
        max_txn_length: 4,
        max_writes_per_key: 16,
        concurrency,
    })
    .expect("the real run's concurrency is a multiple of 2n");
    let rng = &mut StdRng::seed_from_u64(0);
    let mut in_flight = vec![None; concurrency];
    let mut checked = 0;
    for line in lines(data) {
        let thread = line.process % concurrency;
        if line.op_type == "invoke" {
            let invocation = lin_kv.next_invocation(thread, 0, rng);
            let Edn::Vector(tuple) = &invocation.value else {
                panic!("[key value]");
            };
            assert_eq!(
                tuple[0],
                Edn::Int(line.key),
                "process {} invoked on key {} in the real run",
                line.process,
                line.key
            );
            assert_eq!(
                invocation.f == "read",
                line.f == "read",
                "process {} invoked {} in the real run",
                line.process,
                line.f
            );
            in_flight[thread] = Some(invocation);
            checked += 1;
        } else {
            let invocation = in_flight[thread].take().expect("an op in flight");
            let outcome = if line.op_type == "info" {
                Outcome::Info {
                    value: invocation.value.clone(),
                    error: Edn::keyword("net-timeout"),
                    exception: None,
                }
            } else {
                Outcome::Ok {
                    value: invocation.value.clone(),
                }
            };
            lin_kv.observe(thread, &invocation, &outcome);
        }
    }
    checked
}

/// maelstrom.md §3.6: a key is retired once its group has seen more than 20 processes;
/// the real run went through keys 0‥7 at exactly the ops this generator does.
#[test]
fn keys_are_retired_where_the_real_run_retired_them() {
    let data = include_str!("data/lin_kv_retirements.txt");
    assert_eq!(replay(data, 5, 10), 188);
    let last_key = lines(data).map(|line| line.key).max();
    assert_eq!(last_key, Some(7), "seven retirements in the real run");
}

/// maelstrom.md §3.6, as the real run shows it: groups of 2n threads start on keys 0,
/// 1, 2, and only threads 0‥n−1 read, all of them in the first group.
#[test]
fn groups_start_on_their_own_keys_and_only_the_first_threads_read() {
    assert_eq!(
        replay(include_str!("data/lin_kv_three_groups.txt"), 5, 30),
        92
    );
    assert_eq!(
        replay(include_str!("data/lin_kv_two_groups_one_node.txt"), 1, 4),
        99
    );
}
