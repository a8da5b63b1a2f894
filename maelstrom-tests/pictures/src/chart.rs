//! What the three plots share: the page layout, time and latency axes, nemesis
//! shading, markers and the legend. Each plot only says which series it draws.
//!
//! The layout follows jepsen's `checker/perf.clj` gnuplot plots, which Maelstrom
//! writes as `latency-raw.png`, `latency-quantiles.png` and `rate.png`: time in
//! seconds across, the measure up, colour by outcome (jepsen's `type->color`), a
//! marker shape per `:f`, partitions shaded grey. The legend sits in its own panel
//! on the right, so it never hides a point. Text is drawn as SVG `<text>` and laid
//! out by the viewer's fonts; plotters only estimates its width, which is why the
//! panel is generous.
//!
//! Left out: gnuplot's PNG output, and jepsen's per-node nemesis bars (Maelstrom has
//! one nemesis, so one shade says it all).

use std::collections::BTreeMap;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;

use crate::ops::{Outcome, PairedHistory, Partition};

/// Page size, as jepsen's perf plots (gnuplot `set term png size 900,400`), a
/// little taller for the header.
pub const WIDTH_PX: u32 = 900;
pub const HEIGHT_PX: u32 = 480;
const HEADER_HEIGHT_PX: u32 = 52;
const LEGEND_WIDTH_PX: u32 = 200;
const LEGEND_ROW_PX: i32 = 18;
/// Legend rows before `… and N more`: a history with a thousand `:f`s still draws a
/// legend that fits the page.
pub const LEGEND_ENTRIES_MAX: usize = 22;
/// Longest label, in characters, before it is cut with `…`.
const LABEL_CHARS_MAX: usize = 28;
const MARKER_SIZE_PX: i32 = 3;

/// jepsen `checker/perf.clj` `type->color`.
pub fn outcome_color(outcome: Outcome) -> RGBColor {
    match outcome {
        Outcome::Ok => RGBColor(0x81, 0xBF, 0xFC),
        Outcome::Info => RGBColor(0xFF, 0xA4, 0x00),
        Outcome::Fail => RGBColor(0xFF, 0x1E, 0x90),
    }
}

/// jepsen `checker/perf.clj` `default-nemesis-color`, drawn half transparent.
pub const NEMESIS_COLOR: RGBColor = RGBColor(0xCC, 0xCC, 0xCC);
const NEMESIS_OPACITY: f64 = 0.6;

/// A point's shape: one per `:f`, so two functions of the same outcome stay apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
    Cross,
}

impl Marker {
    /// The marker of the `index`-th `:f` (sorted), cycling after four.
    pub fn for_index(index: usize) -> Marker {
        [
            Marker::Circle,
            Marker::Triangle,
            Marker::Square,
            Marker::Cross,
        ][index % 4]
    }
}

/// The marker of each `:f`, in sorted order of the `:f`s.
pub fn markers_by_f<'a>(history: &PairedHistory<'a>) -> BTreeMap<&'a str, Marker> {
    history
        .fs()
        .into_iter()
        .enumerate()
        .map(|(index, f)| (f, Marker::for_index(index)))
        .collect()
}

/// One line of the legend and the points it stands for.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub color: RGBColor,
    pub marker: Marker,
    /// (seconds, measure) pairs.
    pub points: Vec<(f64, f64)>,
    /// Joins the points with a line (rates and quantiles); raw latencies are points only.
    pub line: bool,
}

/// The vertical axis: latencies are read on a log scale, as jepsen plots them.
#[derive(Clone, Copy, Debug)]
pub enum YAxis {
    Log { min: f64, max: f64 },
    Linear { max: f64 },
}

/// Everything around the series.
#[derive(Clone, Debug)]
pub struct Frame<'a> {
    pub title: &'a str,
    /// One line under the title: windows, point counts, what is not drawn.
    pub subtitle: String,
    pub y_description: &'a str,
    pub y_axis: YAxis,
    /// The history's last time, in seconds: the time axis runs from 0 to at least this.
    pub end_s: f64,
}

/// A plot as SVG text.
pub fn render(
    frame: &Frame,
    series: &[Series],
    partitions: &[Partition],
) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH_PX, HEIGHT_PX)).into_drawing_area();
        root.fill(&WHITE)?;
        let (header, body) = root.split_vertically(HEADER_HEIGHT_PX);
        draw_header(&header, frame)?;
        let (plot, legend) = body.split_horizontally(WIDTH_PX - LEGEND_WIDTH_PX);
        let x_max = frame.end_s.max(1.0);
        match frame.y_axis {
            YAxis::Log { min, max } => draw_plot(
                &plot,
                frame,
                (0.0..x_max, (min..max).log_scale()),
                series,
                partitions,
            )?,
            YAxis::Linear { max } => {
                draw_plot(&plot, frame, (0.0..x_max, 0.0..max), series, partitions)?
            }
        }
        draw_legend(&legend, series, !partitions.is_empty())?;
        root.present()?;
    }
    Ok(svg)
}

fn draw_header(area: &DrawingArea<SVGBackend, Shift>, frame: &Frame) -> anyhow::Result<()> {
    let title = TextStyle::from(("sans-serif", 20).into_font().style(FontStyle::Bold));
    area.draw(&Text::new(label(frame.title), (16, 8), title))?;
    let subtitle = TextStyle::from(("sans-serif", 13).into_font()).color(&RGBColor(80, 80, 80));
    area.draw(&Text::new(label_long(&frame.subtitle), (16, 32), subtitle))?;
    Ok(())
}

/// The axes, the shading and the series, for either kind of vertical axis.
fn draw_plot<Y>(
    area: &DrawingArea<SVGBackend, Shift>,
    frame: &Frame,
    ranges: (std::ops::Range<f64>, Y),
    series: &[Series],
    partitions: &[Partition],
) -> anyhow::Result<()>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(ranges.0, ranges.1)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|seconds| number(*seconds))
        .y_label_formatter(&|value| number(*value))
        .x_desc("Time (s)")
        .y_desc(frame.y_description)
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 12))
        .light_line_style(RGBColor(244, 244, 244))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;
    let (x_range, y_range) = (chart.x_range(), chart.y_range());
    let shade = NEMESIS_COLOR.mix(NEMESIS_OPACITY).filled();
    for partition in partitions {
        let start_s = (partition.start_ns as f64 / 1e9).clamp(x_range.start, x_range.end);
        let end_s = match partition.end_ns {
            Some(end_ns) => (end_ns as f64 / 1e9).clamp(start_s, x_range.end),
            None => x_range.end,
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(start_s, y_range.start), (end_s, y_range.end)],
            shade,
        )))?;
    }
    for one in series {
        // Points outside the run (a history from outside may have any times) are
        // left out; latencies beyond the axis sit on its edge.
        let visible: Vec<(f64, f64)> = one
            .points
            .iter()
            .filter(|(x, y)| (x_range.start..=x_range.end).contains(x) && y.is_finite())
            .map(|&(x, y)| (x, y.clamp(y_range.start, y_range.end)))
            .collect();
        if one.line && visible.len() > 1 {
            let style = one.color.stroke_width(1);
            chart.draw_series(LineSeries::new(visible.iter().copied(), style))?;
        }
        draw_markers(&mut chart, visible.into_iter(), one.marker, one.color)?;
    }
    if series.iter().all(|one| one.points.is_empty()) {
        let plot = chart.plotting_area();
        let (width, height) = plot.dim_in_pixel();
        let style = TextStyle::from(("sans-serif", 16).into_font())
            .color(&RGBColor(120, 120, 120))
            .pos(text_anchor::Pos::new(
                text_anchor::HPos::Center,
                text_anchor::VPos::Center,
            ));
        plot.strip_coord_spec().draw(&Text::new(
            "no completed operations",
            (width as i32 / 2, height as i32 / 2),
            style,
        ))?;
    }
    Ok(())
}

/// Draws `points` with `marker`: each shape is its own element type, hence the match.
fn draw_markers<'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    points: impl Iterator<Item = (f64, f64)>,
    marker: Marker,
    color: RGBColor,
) -> anyhow::Result<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let filled = color.filled();
    match marker {
        Marker::Circle => {
            chart.draw_series(points.map(|p| Circle::new(p, MARKER_SIZE_PX, filled)))?;
        }
        Marker::Triangle => {
            chart
                .draw_series(points.map(|p| TriangleMarker::new(p, MARKER_SIZE_PX + 1, filled)))?;
        }
        Marker::Square => {
            let corner = (-MARKER_SIZE_PX, -MARKER_SIZE_PX);
            let square = move |p| {
                EmptyElement::at(p)
                    + Rectangle::new([corner, (MARKER_SIZE_PX, MARKER_SIZE_PX)], filled)
            };
            chart.draw_series(points.map(square))?;
        }
        Marker::Cross => {
            let stroke = color.stroke_width(2);
            chart.draw_series(points.map(|p| Cross::new(p, MARKER_SIZE_PX, stroke)))?;
        }
    }
    Ok(())
}

/// The legend panel: one row per series, then the partition shade.
fn draw_legend(
    area: &DrawingArea<SVGBackend, Shift>,
    series: &[Series],
    partitioned: bool,
) -> anyhow::Result<()> {
    let text = TextStyle::from(("sans-serif", 13).into_font()).pos(text_anchor::Pos::new(
        text_anchor::HPos::Left,
        text_anchor::VPos::Center,
    ));
    let mut y = 24;
    for one in series.iter().take(LEGEND_ENTRIES_MAX) {
        draw_legend_marker(area, (14, y), one.marker, one.color, one.line)?;
        area.draw(&Text::new(label(&one.label), (30, y), text.clone()))?;
        y += LEGEND_ROW_PX;
    }
    if series.len() > LEGEND_ENTRIES_MAX {
        let more = format!("… and {} more", series.len() - LEGEND_ENTRIES_MAX);
        area.draw(&Text::new(more, (30, y), text.clone()))?;
        y += LEGEND_ROW_PX;
    }
    if partitioned {
        let shade = NEMESIS_COLOR.mix(NEMESIS_OPACITY).filled();
        area.draw(&Rectangle::new([(6, y - 6), (22, y + 6)], shade))?;
        area.draw(&Text::new("partition", (30, y), text))?;
    }
    Ok(())
}

fn draw_legend_marker(
    area: &DrawingArea<SVGBackend, Shift>,
    at: (i32, i32),
    marker: Marker,
    color: RGBColor,
    line: bool,
) -> anyhow::Result<()> {
    if line {
        area.draw(&PathElement::new(
            vec![(at.0 - 9, at.1), (at.0 + 9, at.1)],
            color,
        ))?;
    }
    let filled = color.filled();
    match marker {
        Marker::Circle => area.draw(&Circle::new(at, MARKER_SIZE_PX, filled))?,
        Marker::Triangle => area.draw(&TriangleMarker::new(at, MARKER_SIZE_PX + 1, filled))?,
        Marker::Square => area.draw(&Rectangle::new(
            [
                (at.0 - MARKER_SIZE_PX, at.1 - MARKER_SIZE_PX),
                (at.0 + MARKER_SIZE_PX, at.1 + MARKER_SIZE_PX),
            ],
            filled,
        ))?,
        Marker::Cross => area.draw(&Cross::new(at, MARKER_SIZE_PX, color.stroke_width(2)))?,
    }
    Ok(())
}

/// An axis number without needless digits: `2`, `0.5`, `1000`, `0.01`.
fn number(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// A label from outside (an `:f`), made safe for XML and short enough to fit.
/// plotters escapes `<`, `&` and quotes itself; control characters are not
/// allowed in XML at all, so they become U+FFFD here.
pub fn label(text: &str) -> String {
    clean(text, LABEL_CHARS_MAX)
}

fn label_long(text: &str) -> String {
    clean(text, 4 * LABEL_CHARS_MAX)
}

fn clean(text: &str, chars_max: usize) -> String {
    let mut cleaned: String = text
        .chars()
        .take(chars_max)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if text.chars().nth(chars_max).is_some() {
        cleaned.push('…');
    }
    cleaned
}

/// Latencies below this are drawn on it: a log axis has no zero, and a client's
/// request to a node on the same machine can complete within microseconds.
pub const LATENCY_MS_FLOOR: f64 = 0.01;

/// A log axis from the power of ten below the fastest latency to the one above the
/// slowest (and 0.1–1000 ms when there are none).
pub fn latency_axis(latencies_ms: impl Iterator<Item = f64>) -> YAxis {
    let (low, high) = latencies_ms
        .filter(|ms| ms.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), ms| {
            (low.min(ms), high.max(ms))
        });
    if low > high {
        return YAxis::Log {
            min: 0.1,
            max: 1000.0,
        };
    }
    // A little room at both ends, so that no point sits on the axis.
    let min = 10f64.powf((low.max(LATENCY_MS_FLOOR) / 1.2).log10().floor());
    let max = 10f64.powf((high.max(LATENCY_MS_FLOOR) * 1.2).log10().ceil());
    let max = if max > min { max } else { min * 10.0 };
    YAxis::Log { min, max }
}

/// A time window for the windowed plots: jepsen's own (`window_s_max`) for long runs,
/// and for short ones the 1-2-5 step that still gives about [`WINDOWS_PER_RUN_MIN`]
/// windows, so that a 20 s run is not one single point. Never less than a
/// [`WINDOWS_MAX`]th of the run.
pub fn window_s(end_s: f64, window_s_max: f64) -> f64 {
    const STEPS_S: [f64; 9] = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0];
    let wanted = end_s / WINDOWS_PER_RUN_MIN;
    let step = STEPS_S
        .iter()
        .copied()
        .find(|&step| step >= wanted)
        .unwrap_or(window_s_max);
    // A hostile history can span centuries: never more than WINDOWS_MAX windows.
    step.min(window_s_max).max(end_s / WINDOWS_MAX)
}

/// The most windows a plot cuts a run into; past jepsen's window length times this
/// (over five hours for rates), windows grow instead.
pub const WINDOWS_MAX: f64 = 2000.0;

/// How many windows a short run is cut into, at least.
pub const WINDOWS_PER_RUN_MIN: f64 = 10.0;

#[cfg(test)]
mod tests {
    use super::*;

    /// Windows follow jepsen for long runs and shrink for short ones.
    #[test]
    fn windows_shrink_for_short_runs_and_cap_at_jepsens() {
        assert_eq!(window_s(20.0, 30.0), 2.0);
        assert_eq!(window_s(60.0, 10.0), 10.0);
        assert_eq!(window_s(600.0, 30.0), 30.0);
        assert_eq!(window_s(0.0, 10.0), 0.1);
        assert_eq!(window_s(4.0, 10.0), 0.5);
        assert_eq!(window_s(1e9, 10.0), 1e9 / WINDOWS_MAX);
    }

    #[test]
    fn labels_are_clean_and_bounded() {
        assert_eq!(label("read\u{7}"), "read\u{FFFD}");
        assert_eq!(label(&"x".repeat(100)).chars().count(), LABEL_CHARS_MAX + 1);
    }
}
