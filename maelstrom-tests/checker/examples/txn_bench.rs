//! How long the txn-rw-register checker takes on a Maelstrom-sized history
//! (maelstrom.md §3.8): `--time-limit 20 --rate 1000` is about 20,000 transactions of
//! 1..=4 micro-ops over 10 active keys, from 10 clients (`--concurrency 2n`, 5 nodes).
//!
//! ```text
//! cargo run --release -p maelstrom-checker --example txn_bench [TXN_COUNT]
//! ```
//!
//! It judges two synthetic histories under strict serializability, the default model:
//! one from a correct store, where Tarjan's algorithm finds no component and the search
//! never starts, and one from a store that reads a snapshot a thousand transactions
//! old, whose graph is one strongly connected component of nearly every transaction,
//! so the bounded search does real work. A benchmark prints figures; the tests check
//! correctness.

#[path = "../tests/support/txn_histories.rs"]
mod txn_histories;

use std::time::Instant;

use maelstrom_checker::{check, CheckOptions, Edn};
use txn_histories::{simulate, Simulation};

fn main() -> anyhow::Result<()> {
    let txn_count: usize = match std::env::args().nth(1) {
        Some(count) => count.parse()?,
        None => 20_000,
    };
    let options = CheckOptions {
        workload: "txn-rw-register".into(),
        availability: None,
        consistency_models: vec!["strict-serializable".into()],
    };
    println!("txn-rw-register checker: {txn_count} transactions, 10 clients, strict-serializable");
    for (label, staleness_txns) in [("correct store", 0), ("snapshot 1000 txns stale", 1000)] {
        let history = simulate(Simulation {
            seed: 1,
            txn_count,
            client_count: 10,
            fail_per_mille: 10,
            info_per_mille: 10,
            staleness_txns,
        });
        let started = Instant::now();
        let results = check(&options, &history, None)?;
        let elapsed = started.elapsed();
        let workload = results
            .edn
            .get("workload")
            .ok_or_else(|| anyhow::anyhow!("no :workload section"))?;
        let types = workload
            .get("anomaly-types")
            .map_or("?".into(), Edn::to_string);
        println!(
            "  {label:<24} {:>7.1} ms  :valid? {}  :anomaly-types {types}",
            elapsed.as_secs_f64() * 1000.0,
            workload.get("valid?").map_or("?".into(), Edn::to_string),
        );
    }
    Ok(())
}
