//! `latency-quantiles.svg`: latency quantiles over time windows, one line per `:f`
//! and quantile.
//!
//! jepsen's `checker/perf.clj` `quantiles-graph!` (Maelstrom's `latency-quantiles.png`):
//! operations are grouped by `:f` and by the window their invocation falls in, and each
//! window gives the 0.5, 0.95, 0.99 and 1 quantiles of its latencies, drawn at the
//! window's middle. Every completed operation counts, whatever its outcome, as in jepsen.
//!
//! jepsen's windows are 30 s long; a 20 s run would then be a single point, so short
//! runs get shorter windows (`chart::window_s`) and the subtitle says how long.
//! Windows without operations have no quantiles and are skipped, not drawn as zero.

use std::collections::BTreeMap;

use plotters::style::RGBColor;

use crate::chart::{self, Frame, Marker, Series};
use crate::ops::PairedHistory;

/// jepsen `quantiles-graph!`'s window length, the longest used here.
pub const WINDOW_S_MAX: f64 = 30.0;

/// The quantiles jepsen draws, with a colour each.
const QUANTILES: [(f64, RGBColor); 4] = [
    (0.5, RGBColor(0x1F, 0x77, 0xB4)),
    (0.95, RGBColor(0x2C, 0xA0, 0x2C)),
    (0.99, RGBColor(0xFF, 0x7F, 0x0E)),
    (1.0, RGBColor(0xD6, 0x27, 0x28)),
];

/// The plot as SVG text.
pub fn render(history: &PairedHistory) -> anyhow::Result<String> {
    let end_s = history.end_ns as f64 / 1e9;
    let window_s = chart::window_s(end_s, WINDOW_S_MAX);
    let window_ns = (window_s * 1e9) as i64;
    // f → window → latencies (ms).
    let mut windows: BTreeMap<&str, BTreeMap<i64, Vec<f64>>> = BTreeMap::new();
    for op in &history.ops {
        if let Some(latency_ns) = op.latency_ns() {
            let window = op.invoke.time_ns.div_euclid(window_ns);
            let by_window = windows.entry(op.f()).or_default();
            by_window
                .entry(window)
                .or_default()
                .push(latency_ns as f64 / 1e6);
        }
    }
    let markers = chart::markers_by_f(history);
    let mut series = Vec::new();
    for (f, by_window) in &mut windows {
        for latencies in by_window.values_mut() {
            latencies.sort_by(f64::total_cmp);
        }
        for (quantile, color) in QUANTILES {
            let points = by_window
                .iter()
                .map(|(&window, latencies)| {
                    let middle_s = (window as f64 + 0.5) * window_s;
                    (middle_s, nearest_rank(latencies, quantile))
                })
                .collect();
            series.push(Series {
                label: format!("{} {quantile}", chart::label(f)),
                color,
                marker: markers.get(f).copied().unwrap_or(Marker::Circle),
                points,
                line: true,
            });
        }
    }
    let frame = Frame {
        title: "Latency quantiles",
        subtitle: format!(
            "Quantiles 0.5, 0.95, 0.99 and 1 of the operations invoked in each {window_s} s window"
        ),
        y_description: "Latency (ms)",
        y_axis: chart::latency_axis(series.iter().flat_map(|one| one.points.iter().map(|p| p.1))),
        end_s,
    };
    chart::render(&frame, &series, &history.partitions)
}

/// jepsen `latencies->quantiles`: the element at `floor(n·q)` of the sorted
/// latencies, the last one for q = 1. `sorted` is never empty (windows exist only
/// for the operations in them).
fn nearest_rank(sorted: &[f64], quantile: f64) -> f64 {
    assert!(
        !sorted.is_empty(),
        "a window exists only with operations in it"
    );
    let rank = (sorted.len() as f64 * quantile).floor() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// jepsen `checker/perf.clj` `latencies->quantiles`: nearest rank, floor(n·q).
    #[test]
    fn quantiles_are_jepsens_nearest_rank() {
        let sorted: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(nearest_rank(&sorted, 0.5), 6.0);
        assert_eq!(nearest_rank(&sorted, 0.95), 10.0);
        assert_eq!(nearest_rank(&sorted, 1.0), 10.0);
        assert_eq!(nearest_rank(&[3.0], 0.5), 3.0);
    }
}
