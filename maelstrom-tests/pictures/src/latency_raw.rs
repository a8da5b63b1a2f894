//! `latency-raw.svg`: every client operation's latency, at the time it was invoked.
//!
//! jepsen's `checker/perf.clj` `latency-graph!` (Maelstrom's `latency-raw.png`): one
//! point per completed operation, a log latency axis, colour by outcome and a marker
//! per `:f`. Operations that never completed have no latency and are counted in the
//! subtitle instead of drawn.

use std::collections::BTreeMap;

use crate::chart::{self, Frame, Marker, Series};
use crate::ops::{Outcome, PairedHistory};

/// The plot as SVG text.
pub fn render(history: &PairedHistory) -> anyhow::Result<String> {
    // Grouped in one pass: a hostile history may have thousands of `:f`s.
    let mut groups: BTreeMap<(&str, Outcome), Vec<(f64, f64)>> = BTreeMap::new();
    for op in &history.ops {
        if let (Some(outcome), Some(latency_ns)) = (op.outcome(), op.latency_ns()) {
            let point = (op.invoke.time_ns as f64 / 1e9, latency_ns as f64 / 1e6);
            groups.entry((op.f(), outcome)).or_default().push(point);
        }
    }
    let markers = chart::markers_by_f(history);
    let series: Vec<Series> = groups
        .into_iter()
        .map(|((f, outcome), points)| Series {
            label: format!("{} {}", chart::label(f), outcome.keyword()),
            color: chart::outcome_color(outcome),
            marker: markers.get(f).copied().unwrap_or(Marker::Circle),
            points,
            line: false,
        })
        .collect();
    let completed: usize = series.iter().map(|one| one.points.len()).sum();
    let open = history.ops.len() - completed;
    let frame = Frame {
        title: "Latency of every operation",
        subtitle: format!(
            "{completed} completed operations, at their invocation time; \
             {open} never completed (not drawn)"
        ),
        y_description: "Latency (ms)",
        y_axis: chart::latency_axis(series.iter().flat_map(|one| one.points.iter().map(|p| p.1))),
        end_s: history.end_ns as f64 / 1e9,
    };
    chart::render(&frame, &series, &history.partitions)
}
