//! Writes the pictures of a synthetic run into a directory, to look at them without
//! running a workload. Arguments: directory, then optionally node count, seconds and
//! rate (default: the benchmark's 25 nodes, 20 s, rate 100):
//! `cargo run -p maelstrom-pictures --example synthetic -- /tmp/pictures 5 4 10`.

use std::path::PathBuf;

use anyhow::Context;
use maelstrom_pictures::synthetic::{self, Shape};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let directory = PathBuf::from(args.first().map_or("pictures", String::as_str));
    let mut shape = Shape::benchmark();
    if let Some(nodes) = args.get(1) {
        shape.node_count = nodes.parse().context("node count")?;
    }
    if let Some(seconds) = args.get(2) {
        shape.time_limit_s = seconds.parse().context("seconds")?;
    }
    if let Some(rate) = args.get(3) {
        shape.rate = rate.parse().context("rate")?;
    }
    std::fs::create_dir_all(&directory)?;
    let (history, journal) = synthetic::run(shape);
    maelstrom_pictures::write_all(&directory, &history, &journal)?;
    println!(
        "wrote {} pictures of {} ops and {} messages to {}",
        maelstrom_pictures::FILE_NAMES.len(),
        history.len(),
        journal.messages.len(),
        directory.display()
    );
    Ok(())
}
