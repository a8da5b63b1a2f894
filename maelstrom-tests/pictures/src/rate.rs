//! `rate.svg`: completed operations per second over time, one line per `:f` and outcome.
//!
//! jepsen's `checker/perf.clj` `rate-graph!` (Maelstrom's `rate.png`): completions are
//! counted by `:f`, outcome and the window their completion falls in, and each count
//! is divided by the window's length. jepsen's windows are 10 s long; short runs get
//! shorter ones (`chart::window_s`) and the subtitle says how long.
//!
//! Two departures, both so that a learner does not read a dip that did not happen:
//! a window with no completions of a series is drawn as 0 (jepsen leaves a gap the
//! line jumps over), and the last window, which the run's end usually cuts short, is
//! divided by the part of it that the run covered.

use std::collections::BTreeMap;

use crate::chart::{self, Frame, Marker, Series, YAxis};
use crate::ops::{Outcome, PairedHistory};

/// jepsen `rate-graph!`'s window length, the longest used here.
pub const WINDOW_S_MAX: f64 = 10.0;

/// The plot as SVG text.
pub fn render(history: &PairedHistory) -> anyhow::Result<String> {
    let (window_s, series) = series(history);
    let end_s = history.end_ns as f64 / 1e9;
    let highest = series
        .iter()
        .flat_map(|one| one.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let frame = Frame {
        title: "Throughput",
        subtitle: format!("Completions per second, counted in {window_s} s windows"),
        y_description: "Throughput (ops/s)",
        y_axis: YAxis::Linear {
            max: (highest * 1.1).max(1.0),
        },
        end_s,
    };
    chart::render(&frame, &series, &history.partitions)
}

/// The window length and one series per `:f` and outcome, in ops/s.
fn series(history: &PairedHistory) -> (f64, Vec<Series>) {
    let end_s = history.end_ns as f64 / 1e9;
    let window_s = chart::window_s(end_s, WINDOW_S_MAX);
    let window_ns = (window_s * 1e9) as i64;
    let last_window = history.end_ns.div_euclid(window_ns);
    let mut counts: BTreeMap<(&str, Outcome), BTreeMap<i64, u64>> = BTreeMap::new();
    for op in &history.ops {
        if let (Some(outcome), Some(completion)) = (op.outcome(), op.completion) {
            let window = completion
                .time_ns
                .div_euclid(window_ns)
                .clamp(0, last_window);
            let by_window = counts.entry((op.f(), outcome)).or_default();
            *by_window.entry(window).or_default() += 1;
        }
    }
    let markers = chart::markers_by_f(history);
    let series: Vec<Series> = counts
        .into_iter()
        .map(|((f, outcome), by_window)| Series {
            label: format!("{} {}", chart::label(f), outcome.keyword()),
            color: chart::outcome_color(outcome),
            marker: markers.get(f).copied().unwrap_or(Marker::Circle),
            points: (0..=last_window)
                .map(|window| {
                    let start_s = window as f64 * window_s;
                    let covered_s = (end_s - start_s).clamp(window_s / 100.0, window_s);
                    let count = by_window.get(&window).copied().unwrap_or(0);
                    (start_s + window_s / 2.0, count as f64 / covered_s)
                })
                .collect(),
            line: true,
        })
        .collect();
    (window_s, series)
}

#[cfg(test)]
mod tests {
    use maelstrom_checker::{Edn, Op, OpType, Process};

    use super::*;

    fn read(process: u64, invoke_ns: i64, complete_ns: i64) -> [Op; 2] {
        let op = |time_ns, op_type| Op {
            index: 0,
            time_ns,
            op_type,
            process: Process::Client(process),
            f: "read".into(),
            value: Edn::Nil,
            extra: Vec::new(),
        };
        [op(invoke_ns, OpType::Invoke), op(complete_ns, OpType::Ok)]
    }

    /// jepsen `checker/perf.clj` `rate-graph!`: completions per window over the
    /// window's length; here empty windows are 0 and the cut-short last window is
    /// divided by the part the run covered.
    #[test]
    fn rates_count_completions_per_second_of_each_window() {
        let mut history: Vec<Op> = (0..10)
            .flat_map(|i| read(i, i as i64 * 50_000_000, i as i64 * 50_000_000 + 1_000_000))
            .collect();
        history.extend(read(0, 9_100_000_000, 9_200_000_000));
        history.extend(read(1, 9_400_000_000, 9_500_000_000));
        let paired = PairedHistory::new(&history);
        let (window_s, series) = series(&paired);
        assert_eq!(window_s, 1.0);
        assert_eq!(series.len(), 1);
        let rates: Vec<f64> = series[0].points.iter().map(|p| p.1).collect();
        assert_eq!(rates.len(), 10);
        assert_eq!(rates[0], 10.0);
        assert!(rates[1..9].iter().all(|&rate| rate == 0.0), "{rates:?}");
        // Two completions in the half second the run covered of its last window.
        assert!((rates[9] - 4.0).abs() < 1e-9, "{}", rates[9]);
        assert_eq!(series[0].points[0].0, 0.5, "drawn at the window's middle");
    }
}
