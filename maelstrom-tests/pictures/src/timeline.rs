//! `timeline.html`: every operation as a box in its process's column, from its
//! invocation down to its completion.
//!
//! As jepsen's `checker/timeline.clj` draws it (Maelstrom's `timeline.html`): a column
//! per process, the nemesis last, boxes coloured by outcome (jepsen's `.ok`, `.info`,
//! `.fail` colours), and the whole operation in the box's hover text. The page is one
//! self-contained file: inline CSS, and a few lines of script that copy the hovered
//! box's text into a panel that stays on screen.
//!
//! Two choices differ from jepsen. Boxes are placed by clock time, not by event
//! index, so that a partition (shaded across all columns) lines up with the operations
//! it slowed. The scale gives the busiest process about `PX_PER_OP` pixels per
//! operation (jepsen's rows are 16 px), and every box is at least
//! [`BOX_HEIGHT_PX_MIN`] tall so that a fast operation stays visible.
//! Like jepsen, only the first [`OPS_MAX`] operations are drawn, and the page says so.

use std::collections::BTreeMap;
use std::fmt::Write;

use maelstrom_checker::Op;

use crate::escape::{self, grouped, millis};
use crate::journal::clip;
use crate::ops::{NemesisOp, PairedHistory, PairedOp};

/// jepsen `timeline.clj` `op-limit`.
pub const OPS_MAX: usize = 10_000;
/// Columns drawn at most; later processes are counted in the notice.
pub const PROCESSES_MAX: usize = 512;
/// The page is about this many pixels tall per operation of the busiest process
/// (jepsen's `timeline.clj` row `height`, a little more), within the bounds below.
const PX_PER_OP: f64 = 24.0;
pub const HEIGHT_PX_MIN: f64 = 1_000.0;
pub const HEIGHT_PX_MAX: f64 = 20_000.0;
/// No finer than this, so that a sub-second run is not stretched over the page.
const NS_PER_PX_MIN: f64 = 100_000.0;
pub const BOX_HEIGHT_PX_MIN: i64 = 3;
/// jepsen `timeline.clj` `col-width` and `gutter-width`.
const COLUMN_PX: i64 = 100;
const COLUMN_GAP_PX: i64 = 6;
const TIME_GUTTER_PX: i64 = 70;
/// Bytes of an op's value kept in its hover text.
const VALUE_BYTES_MAX: usize = 400;

const STYLE: &str = "\
body{font-family:sans-serif;margin:16px;color:#222}
h1{font-size:20px;margin:0 0 4px}
.note{color:#555;font-size:13px;margin:2px 0}
.notice{color:#B00020;font-weight:bold;font-size:13px}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:2px;font-size:12px}
.heads{position:sticky;top:0;z-index:5;background:white;height:24px;border-bottom:1px solid #ccc}
.head{position:absolute;top:4px;width:100px;text-align:center;font-weight:bold;font-size:13px}
.lane{position:relative}
.op{position:absolute;width:94px;box-sizing:border-box;border-radius:2px;font-size:10px;\
overflow:hidden;white-space:nowrap;padding-left:2px;z-index:2;cursor:default}
.op:hover{outline:2px solid #000;z-index:4}
.ok{background:#6DB6FE}.info{background:#FFAA26}.fail{background:#FEB5DA}
.open{background:repeating-linear-gradient(45deg,#FFAA26,#FFAA26 4px,#FFD591 4px,#FFD591 8px)}
.nemesis{background:#BBBBBB}
.partition{position:absolute;left:0;right:0;background:#CCCCCC;opacity:.45;z-index:1}
.tick{position:absolute;left:0;width:64px;text-align:right;font-size:10px;color:#666;border-top:1px solid #ccc}
#hovered{position:fixed;right:12px;bottom:12px;max-width:480px;white-space:pre-wrap;\
background:#FFFFF0;border:1px solid #999;padding:6px;font:12px monospace;z-index:10;display:none}
";

const SCRIPT: &str = "\
const panel=document.getElementById('hovered');
document.querySelectorAll('.op').forEach(box=>{
box.addEventListener('mouseenter',()=>{panel.textContent=box.title;panel.style.display='block';});
box.addEventListener('mouseleave',()=>{panel.style.display='none';});});
";

/// The page as HTML text.
pub fn render(history: &PairedHistory) -> String {
    let drawn = &history.ops[..history.ops.len().min(OPS_MAX)];
    let (columns, hidden_processes) = columns(drawn);
    let nemesis_column = columns.len() as i64;
    let scale = Scale::new(history);
    let mut html = String::with_capacity(400 * drawn.len() + 8192);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <title>Timeline</title><style>{STYLE}</style></head><body>\n<h1>Timeline</h1>\n"
    );
    notes(&mut html, history, &scale, hidden_processes);
    let width = TIME_GUTTER_PX + (nemesis_column + 1) * COLUMN_PX;
    let _ = writeln!(html, "<div class=\"heads\" style=\"width:{width}px\">");
    for (process, &column) in &columns {
        let _ = writeln!(
            html,
            "<div class=\"head\" style=\"left:{}px\">{process}</div>",
            left(column)
        );
    }
    let _ = writeln!(
        html,
        "<div class=\"head\" style=\"left:{}px\">nemesis</div></div>",
        left(nemesis_column)
    );
    let _ = writeln!(
        html,
        "<div class=\"lane\" style=\"width:{width}px;height:{}px\">",
        scale.height_px + 20
    );
    ticks(&mut html, &scale);
    for partition in &history.partitions {
        let top = scale.y(partition.start_ns);
        let height = (scale.y(partition.end_or(history.end_ns)) - top).max(2);
        let kind = escape::xml(partition.kind.as_deref().unwrap_or("partition"));
        let _ = writeln!(
            html,
            "<div class=\"partition\" style=\"top:{top}px;height:{height}px\" title=\"partition ({kind})\"></div>"
        );
    }
    for op in drawn {
        if let Some(&column) = columns.get(&op.process) {
            client_box(&mut html, op, column, &scale, history.end_ns);
        }
    }
    for action in &history.nemesis {
        nemesis_box(&mut html, action, nemesis_column, &scale);
    }
    let _ = write!(
        html,
        "</div>\n<div id=\"hovered\"></div>\n<script>\n{SCRIPT}</script>\n</body></html>\n"
    );
    html
}

/// The drawn processes in numeric order, at most [`PROCESSES_MAX`], and how many
/// more there were.
fn columns(drawn: &[PairedOp]) -> (BTreeMap<u64, i64>, usize) {
    let mut processes: Vec<u64> = drawn.iter().map(|op| op.process).collect();
    processes.sort_unstable();
    processes.dedup();
    let hidden = processes.len().saturating_sub(PROCESSES_MAX);
    let columns = processes
        .into_iter()
        .take(PROCESSES_MAX)
        .enumerate()
        .map(|(column, process)| (process, column as i64))
        .collect();
    (columns, hidden)
}

fn left(column: i64) -> i64 {
    TIME_GUTTER_PX + column * COLUMN_PX + COLUMN_GAP_PX / 2
}

/// Clock time to pixels: the history's earliest time at the top.
struct Scale {
    origin_ns: i64,
    ns_per_px: f64,
    height_px: i64,
}

impl Scale {
    fn new(history: &PairedHistory) -> Scale {
        let earliest_ns = history
            .ops
            .iter()
            .map(|op| op.invoke.time_ns)
            .chain(history.nemesis.iter().map(|action| action.start.time_ns))
            .min()
            .unwrap_or(0)
            .min(0);
        let mut ops_per_process: BTreeMap<u64, usize> = BTreeMap::new();
        for op in &history.ops {
            *ops_per_process.entry(op.process).or_default() += 1;
        }
        let busiest = ops_per_process.values().copied().max().unwrap_or(0);
        let height_px = (busiest as f64 * PX_PER_OP).clamp(HEIGHT_PX_MIN, HEIGHT_PX_MAX);
        let span_ns = history.end_ns as f64 - earliest_ns as f64;
        let ns_per_px = (span_ns / height_px).max(NS_PER_PX_MIN);
        let height_px = (span_ns / ns_per_px).ceil() as i64;
        Scale {
            origin_ns: earliest_ns,
            ns_per_px,
            height_px,
        }
    }

    fn y(&self, time_ns: i64) -> i64 {
        ((time_ns as f64 - self.origin_ns as f64) / self.ns_per_px) as i64
    }
}

fn notes(html: &mut String, history: &PairedHistory, scale: &Scale, hidden_processes: usize) {
    let _ = writeln!(
        html,
        "<p class=\"note\">A column per process; each box runs from an operation's invocation \
         down to its completion. 1 px = {}. Hover a box for the operation.</p>\n\
         <p class=\"legend\"><span class=\"ok\">ok</span><span class=\"info\">info</span>\
         <span class=\"fail\">fail</span><span class=\"open\">never completed</span>\
         <span class=\"nemesis\">nemesis</span><span class=\"partition-key\" \
         style=\"background:#CCCCCC\">partition in force</span></p>",
        millis(scale.ns_per_px as i64)
    );
    if history.ops.len() > OPS_MAX {
        let _ = writeln!(
            html,
            "<p class=\"notice\" id=\"window-notice\">Showing the first {} of {} operations, as jepsen does.</p>",
            grouped(OPS_MAX),
            grouped(history.ops.len())
        );
    }
    if hidden_processes > 0 {
        let _ = writeln!(
            html,
            "<p class=\"notice\">{} processes beyond the first {PROCESSES_MAX} are not drawn.</p>",
            grouped(hidden_processes)
        );
    }
    if history.ops.is_empty() {
        html.push_str("<p class=\"notice\">The history has no client operations.</p>\n");
    }
}

/// A time label about every 100 px, on a 1-2-5 step of milliseconds.
fn ticks(html: &mut String, scale: &Scale) {
    let wanted_ns = scale.ns_per_px * 100.0;
    let mut step_ns = 1_000_000.0;
    for multiplier in [2.0, 2.5, 2.0].iter().cycle() {
        if step_ns >= wanted_ns {
            break;
        }
        step_ns *= multiplier;
    }
    // Enough decimals that consecutive ticks differ: 0.05 s steps need two.
    let decimals = (-(step_ns / 1e9).log10().floor()).max(0.0) as usize;
    let first = (scale.origin_ns as f64 / step_ns).ceil() as i64;
    let count = (scale.height_px as f64 * scale.ns_per_px / step_ns) as i64 + 1;
    for tick in first..first + count.min(1_000) {
        let time_ns = (tick as f64 * step_ns) as i64;
        let _ = writeln!(
            html,
            "<div class=\"tick\" style=\"top:{}px\">{:.*} s</div>",
            scale.y(time_ns),
            decimals,
            time_ns as f64 / 1e9
        );
    }
}

fn client_box(html: &mut String, op: &PairedOp, column: i64, scale: &Scale, end_ns: i64) {
    let class = op.outcome().map_or("open", |outcome| outcome.keyword());
    let top = scale.y(op.invoke.time_ns);
    let bottom = scale.y(op
        .completion
        .map_or(end_ns, |completion| completion.time_ns));
    let height = (bottom - top).max(BOX_HEIGHT_PX_MIN);
    let mut title = format!("process {} · {}\n", op.process, op.f());
    describe(&mut title, op.invoke);
    match op.completion {
        Some(completion) => {
            describe(&mut title, completion);
            let _ = write!(title, "\nlatency {}", millis(op.latency_ns().unwrap_or(0)));
        }
        None => title.push_str("never completed"),
    }
    let _ = write!(
        html,
        "<div class=\"op {class}\" style=\"left:{}px;top:{top}px;height:{height}px\" title=\"{}\">",
        left(column),
        escape::xml(&title)
    );
    if height >= 12 {
        escape::push_xml(html, &clip(op.f(), 16));
    }
    html.push_str("</div>\n");
}

fn nemesis_box(html: &mut String, action: &NemesisOp, column: i64, scale: &Scale) {
    let top = scale.y(action.start.time_ns);
    let end_ns = action.end.map_or(action.start.time_ns, |end| end.time_ns);
    let height = (scale.y(end_ns) - top).max(BOX_HEIGHT_PX_MIN);
    let mut title = format!("nemesis · {}\n", action.start.f);
    describe(&mut title, action.start);
    if let Some(end) = action.end {
        describe(&mut title, end);
    }
    let _ = writeln!(
        html,
        "<div class=\"op nemesis\" style=\"left:{}px;top:{top}px;height:{height}px\" title=\"{}\">{}</div>",
        left(column),
        escape::xml(&title),
        escape::xml(&clip(&action.start.f, 16)),
    );
}

/// `invoke [1 2] at 1.234 s`, and the op's further keys (`:error`, `:final?`, ...).
fn describe(text: &mut String, op: &Op) {
    let value = clip(&op.value.to_string(), VALUE_BYTES_MAX);
    let _ = write!(
        text,
        "{} {value} at {:.3} s",
        op.op_type.keyword(),
        op.time_ns as f64 / 1e9
    );
    for (key, extra) in &op.extra {
        let _ = write!(
            text,
            ", :{key} {}",
            clip(&extra.to_string(), VALUE_BYTES_MAX)
        );
    }
    text.push('\n');
}
