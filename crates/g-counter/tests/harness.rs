//! The counter binary through the bundled harness, with short time limits and
//! the partition nemesis: every final read must equal the sum of the
//! acknowledged adds (maelstrom.md §3.5). The figures over 20 full-length
//! seeded runs come from `make bench-counter`.

use std::path::Path;

use maelstrom_driver::{run_test, Run};

fn counter(workload: &str, seed: &str) -> Run {
    let node = Path::new(env!("CARGO_BIN_EXE_g-counter"));
    let args = [
        "-w",
        workload,
        "--node-count",
        "3",
        "--rate",
        "100",
        "--time-limit",
        "6",
        "--nemesis",
        "partition",
        "--nemesis-interval",
        "2",
        "--seed",
        seed,
    ];
    let run = run_test(node, &args);
    println!("{}", run.output);
    run
}

fn final_reads(run: &Run) -> Vec<i64> {
    let reads = run
        .figure(&["workload", "final-reads"])
        .and_then(|reads| reads.as_array());
    reads.map_or_else(Vec::new, |reads| {
        reads.iter().filter_map(|read| read.as_i64()).collect()
    })
}

/// Challenge 4 (maelstrom.md §7): g-counter under partitions, on seq-kv.
#[test]
fn the_grow_only_counter_is_exact_under_partitions() {
    let run = counter("g-counter", "5");
    run.assert_valid();
    assert_eq!(
        final_reads(&run).len(),
        3,
        "one final read per client thread"
    );
}

/// maelstrom.md §3.5: pn-counter adds negative deltas too; the same binary passes.
#[test]
fn the_pn_counter_is_exact_under_partitions() {
    let run = counter("pn-counter", "6");
    run.assert_valid();
    assert_eq!(final_reads(&run).len(), 3);
}
