//! `maelstrom-pictures`: the pictures of a Maelstrom run, drawn from its history and
//! its message journal (maelstrom.md §6, files in the store).
//!
//! Maelstrom leaves five pictures in each run directory, and learners read a run
//! through them: `latency-raw`, `latency-quantiles` and `rate` (jepsen's perf plots),
//! `messages.svg` (a Lamport diagram of the network) and `timeline.html`. This crate
//! draws the same five from the same inputs, as pure functions of the data: no I/O
//! but the final writes, so every picture is tested without a run. The plots are SVG
//! rather than PNG, drawn with plotters' SVG backend, so the harness needs neither
//! gnuplot nor any system library. Partitions (the nemesis's `start-partition` /
//! `stop-partition` ops, maelstrom.md §5.2) are shaded in every picture with a time axis.
//!
//! Modules: [`journal`] (what the runner records of each message), [`ops`] (a
//! history paired into operations and partitions), `chart` (what the plots share),
//! [`latency_raw`], [`latency_quantiles`], [`rate`], [`messages`], [`timeline`], and
//! [`synthetic`] (a made-up run for the benchmark and tests). Left out: jepsen's
//! per-workload plots (kafka, elle's cycle graphs) and the PNG files.

mod chart;
mod escape;
pub mod journal;
pub mod latency_quantiles;
pub mod latency_raw;
pub mod messages;
pub mod ops;
pub mod rate;
pub mod synthetic;
pub mod timeline;

use std::path::Path;

use anyhow::Context;
use maelstrom_checker::Op;

pub use journal::{clip_body, Journal, MessageRecord, BODY_BYTES_MAX, JOURNAL_MESSAGES_MAX};
pub use ops::PairedHistory;

/// The files [`write_all`] writes, in the order it writes them.
pub const FILE_NAMES: [&str; 5] = [
    "latency-raw.svg",
    "latency-quantiles.svg",
    "rate.svg",
    "messages.svg",
    "timeline.html",
];

/// One picture: its file name and its text.
pub fn render(name: &str, history: &PairedHistory, journal: &Journal) -> anyhow::Result<String> {
    match name {
        "latency-raw.svg" => latency_raw::render(history),
        "latency-quantiles.svg" => latency_quantiles::render(history),
        "rate.svg" => rate::render(history),
        "messages.svg" => Ok(messages::render(journal, history)),
        "timeline.html" => Ok(timeline::render(history)),
        other => anyhow::bail!("no picture is called {other}"),
    }
}

/// Writes every picture of [`FILE_NAMES`] into `run_dir`.
pub fn write_all(run_dir: &Path, history: &[Op], journal: &Journal) -> anyhow::Result<()> {
    let paired = PairedHistory::new(history);
    for name in FILE_NAMES {
        let text = render(name, &paired, journal).with_context(|| format!("drawing {name}"))?;
        let path = run_dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
