//! `messages.svg`: a Lamport diagram of the network journal.
//!
//! As Maelstrom's `net/viz.clj` draws it: one vertical line per process (nodes in
//! order, each with its clients just left of it, then services), time flowing down,
//! and an arrow per message from its send to its receive. Client traffic is blue and error replies pink, as in
//! Maelstrom; traffic between nodes and services is dark grey. Beyond Maelstrom,
//! dropped messages are drawn (dashed, ending in ✕) and partitions are shaded, since
//! those are what a learner looks for in a partition run.
//!
//! The diagram is hand-written SVG, not plotters: it is a layout of lines and labels,
//! not a plot. Rows are *events*, not clock time: each send and each receive gets the
//! next row, as in Maelstrom, so that a burst of messages within one millisecond stays
//! readable; the left margin gives each row's time. Like Maelstrom, only the first
//! [`EVENTS_MAX`] events are drawn, and the picture says so when there are more.
//! Left out: Maelstrom's rendering of whole bodies along the arrows (a body is in each
//! arrow's hover text instead).

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::escape::{self, grouped, millis, push_xml};
use crate::journal::{Journal, MessageRecord, JOURNAL_MESSAGES_MAX};
use crate::ops::PairedHistory;

/// Maelstrom draws the first 10,000 journal events (sends and receives).
pub const EVENTS_MAX: usize = 10_000;
/// Processes drawn at most; messages of the others are counted, not drawn.
pub const COLUMNS_MAX: usize = 256;

const ROW_PX: i64 = 12;
const COLUMN_PX: i64 = 96;
const GUTTER_PX: i64 = 150;
const HEADER_PX: i64 = 150;
const NAMES_PX: i64 = 28;
const BOTTOM_PX: i64 = 40;
const WIDTH_PX_MIN: i64 = 900;
/// A time label in the margin every this many rows.
const TIME_LABEL_ROWS: usize = 20;
/// Process names are repeated along the lifelines every this many rows.
const NAME_REPEAT_ROWS: usize = 100;
/// How far down a dropped message's dashed line runs before its ✕.
const DROP_ROWS: i64 = 3;
/// Characters of a `type` drawn next to its arrow.
const KIND_CHARS_MAX: usize = 24;

const CLIENT_COLOR: &str = "#4A9BE8";
const SERVER_COLOR: &str = "#333333";
const ERROR_COLOR: &str = "#FF1E90";
const PARTITION_FILL: &str = "#CCCCCC";

/// One end of a message, as a row of the diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Send,
    Receive,
}

#[derive(Clone, Copy, Debug)]
struct Event {
    time_ns: i64,
    end: End,
    message: usize,
}

/// The diagram as SVG text.
pub fn render(journal: &Journal, history: &PairedHistory) -> String {
    let events = events(&journal.messages);
    let drawn = &events[..events.len().min(EVENTS_MAX)];
    let mut send_row = BTreeMap::new();
    let mut receive_row = BTreeMap::new();
    for (row, event) in drawn.iter().enumerate() {
        match event.end {
            End::Send => send_row.insert(event.message, row),
            End::Receive => receive_row.insert(event.message, row),
        };
    }
    let (columns, hidden_processes) = columns(&journal.messages, send_row.keys().copied());
    let layout = Layout {
        columns,
        rows: drawn.len() as i64,
    };
    let mut svg = String::with_capacity(256 * drawn.len() + 4096);
    layout.open(&mut svg);
    header(&mut svg, journal, events.len(), hidden_processes);
    layout.partitions(&mut svg, drawn, history);
    layout.lifelines(&mut svg);
    layout.time_labels(&mut svg, drawn);
    svg.push_str("<g id=\"messages\">\n");
    for (&message, &row) in &send_row {
        let record = &journal.messages[message];
        layout.message(&mut svg, record, row, receive_row.get(&message).copied());
    }
    svg.push_str("</g>\n</svg>\n");
    svg
}

/// Every send and receive, in time order; at equal times a send comes before the
/// receive of the same message, and messages keep their journal order.
fn events(messages: &[MessageRecord]) -> Vec<Event> {
    let mut events = Vec::with_capacity(2 * messages.len());
    for (message, record) in messages.iter().enumerate() {
        events.push(Event {
            time_ns: record.sent_ns,
            end: End::Send,
            message,
        });
        if let Some(received_ns) = record.received_ns {
            events.push(Event {
                // A record from outside may claim to arrive before it left.
                time_ns: received_ns.max(record.sent_ns),
                end: End::Receive,
                message,
            });
        }
    }
    events.sort_by_key(|event| (event.time_ns, event.end, event.message));
    events
}

/// The processes of the drawn messages in reading order, at most [`COLUMNS_MAX`],
/// and how many more there were. Nodes and services keep their numeric order; each
/// client stands just left of the first node it sent to, so that its requests and
/// replies are short arrows instead of lines across the whole diagram.
fn columns(
    messages: &[MessageRecord],
    drawn: impl Iterator<Item = usize>,
) -> (BTreeMap<String, i64>, usize) {
    let mut home: BTreeMap<&str, &str> = BTreeMap::new();
    let mut processes: Vec<&str> = Vec::new();
    for message in drawn {
        let MessageRecord { src, dest, .. } = &messages[message];
        if ProcessClass::of(src) == ProcessClass::Client
            && ProcessClass::of(dest) != ProcessClass::Client
        {
            home.entry(src).or_insert(dest);
        }
        processes.extend([src.as_str(), dest.as_str()]);
    }
    processes.sort_by_key(|&id| reading_order(id));
    processes.dedup();
    // Clients by home, in reading order; a client that only ever talked to
    // clients (it never does in Maelstrom) goes at the end.
    let mut guests: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut homeless = Vec::new();
    for &id in processes
        .iter()
        .filter(|&&id| ProcessClass::of(id) == ProcessClass::Client)
    {
        match home.get(id) {
            Some(&node) => guests.entry(node).or_default().push(id),
            None => homeless.push(id),
        }
    }
    let mut ordered: Vec<&str> = Vec::with_capacity(processes.len());
    for &id in processes
        .iter()
        .filter(|&&id| ProcessClass::of(id) != ProcessClass::Client)
    {
        ordered.extend(guests.remove(id).unwrap_or_default());
        ordered.push(id);
    }
    ordered.extend(homeless);
    let hidden = ordered.len().saturating_sub(COLUMNS_MAX);
    let columns = ordered
        .into_iter()
        .take(COLUMNS_MAX)
        .enumerate()
        .map(|(column, id)| (id.to_string(), column as i64))
        .collect();
    (columns, hidden)
}

/// Clients (`c1`, `c2`, … `c10`), then nodes, then services, numbers in numeric order.
fn reading_order(id: &str) -> (u8, String, u64, String) {
    let digits_at = id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (prefix, digits) = id.split_at(digits_at);
    let number = digits.parse().unwrap_or(u64::MAX);
    let class = match ProcessClass::of(id) {
        ProcessClass::Client => 0,
        ProcessClass::Node => 1,
        ProcessClass::Service => 2,
    };
    (class, prefix.to_string(), number, id.to_string())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProcessClass {
    Client,
    Node,
    Service,
}

impl ProcessClass {
    /// maelstrom.md §5.4 counts a message as client traffic when an end starts with
    /// `c`; a client id is `c` and a number. Services have the names of §4.
    fn of(id: &str) -> ProcessClass {
        let numbered = |prefix: &str| {
            id.strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
        };
        if numbered("c") {
            ProcessClass::Client
        } else if matches!(id, "seq-kv" | "lin-kv" | "lww-kv" | "lin-tso") {
            ProcessClass::Service
        } else {
            ProcessClass::Node
        }
    }
}

/// Draws the frame, with header, legend and window notice.
fn header(svg: &mut String, journal: &Journal, events: usize, hidden_processes: usize) {
    let _ = write!(
        svg,
        "<text x=\"16\" y=\"30\" font-size=\"20\" font-weight=\"bold\">Messages</text>\n\
         <text x=\"16\" y=\"52\" font-size=\"13\" fill=\"#555\">Time flows down. One row per \
         send or receive, so rows are not evenly spaced in time: the left margin gives \
         the time of a row (ms since the start of the main phase). Hover an arrow for its body.</text>\n"
    );
    legend(svg);
    let mut notices = Vec::new();
    if events > EVENTS_MAX {
        notices.push(format!(
            "Showing the first {} of {} journal events (each send and each receive is one event), as Maelstrom does.",
            grouped(EVENTS_MAX),
            grouped(events)
        ));
    }
    if journal.truncated {
        notices.push(format!(
            "The journal stopped at its bound of {} messages: later messages were not recorded.",
            grouped(JOURNAL_MESSAGES_MAX)
        ));
    }
    if hidden_processes > 0 {
        notices.push(format!(
            "{} processes beyond the first {COLUMNS_MAX} are not drawn, nor their messages.",
            grouped(hidden_processes)
        ));
    }
    if journal.messages.is_empty() {
        notices.push("No messages were recorded.".to_string());
    }
    if !notices.is_empty() {
        svg.push_str(
            "<g id=\"window-notice\" font-size=\"13\" font-weight=\"bold\" fill=\"#B00020\">\n",
        );
        for (line, notice) in notices.iter().enumerate() {
            let _ = writeln!(
                svg,
                "<text x=\"16\" y=\"{}\">{}</text>",
                110 + 17 * line as i64,
                escape::xml(notice)
            );
        }
        svg.push_str("</g>\n");
    }
}

/// The key to colours and strokes.
fn legend(svg: &mut String) {
    let entries: [(&str, &str, &str); 4] = [
        (CLIENT_COLOR, "", "client traffic"),
        (SERVER_COLOR, "", "between nodes and services"),
        (ERROR_COLOR, "", "error reply"),
        (
            SERVER_COLOR,
            " stroke-dasharray=\"4 3\"",
            "dropped, or never delivered ✕",
        ),
    ];
    svg.push_str("<g id=\"legend\" font-size=\"12\">\n");
    let mut x = 16;
    for (color, dash, text) in entries {
        let _ = writeln!(
            svg,
            "<line x1=\"{x}\" y1=\"76\" x2=\"{}\" y2=\"76\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\
             <text x=\"{}\" y=\"80\">{text}</text>",
            x + 28,
            x + 34
        );
        x += 44 + 7 * text.chars().count() as i64;
    }
    let _ = writeln!(
        svg,
        "<rect x=\"{x}\" y=\"70\" width=\"24\" height=\"12\" fill=\"{PARTITION_FILL}\" fill-opacity=\"0.6\"/>\
         <text x=\"{}\" y=\"80\">partition in force</text>",
        x + 30
    );
    svg.push_str("</g>\n");
}

/// Where things go.
struct Layout {
    columns: BTreeMap<String, i64>,
    rows: i64,
}

impl Layout {
    fn width(&self) -> i64 {
        (GUTTER_PX + self.columns.len() as i64 * COLUMN_PX + 40).max(WIDTH_PX_MIN)
    }

    fn height(&self) -> i64 {
        HEADER_PX + NAMES_PX + self.rows.max(1) * ROW_PX + BOTTOM_PX
    }

    fn x(&self, column: i64) -> i64 {
        GUTTER_PX + column * COLUMN_PX + COLUMN_PX / 2
    }

    fn y(&self, row: i64) -> i64 {
        HEADER_PX + NAMES_PX + row * ROW_PX + ROW_PX / 2
    }

    fn bottom(&self) -> i64 {
        HEADER_PX + NAMES_PX + self.rows.max(1) * ROW_PX
    }

    fn open(&self, svg: &mut String) {
        let (width, height) = (self.width(), self.height());
        let _ = write!(
            svg,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
             viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<defs>\n"
        );
        for (class, color) in [
            ("client", CLIENT_COLOR),
            ("server", SERVER_COLOR),
            ("error", ERROR_COLOR),
        ] {
            let _ = writeln!(
                svg,
                "<marker id=\"arrow-{class}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
                 markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
                 <path d=\"M0,0 L10,5 L0,10 z\" fill=\"{color}\"/></marker>"
            );
        }
        svg.push_str(
            "</defs>\n<style>.kind{font-size:9px;paint-order:stroke;stroke:white;stroke-width:3px}\
             .message:hover line,.message:hover path{stroke-width:3}</style>\n",
        );
    }

    /// A grey band over the rows whose events happened while a partition was in force.
    fn partitions(&self, svg: &mut String, drawn: &[Event], history: &PairedHistory) {
        let Some(last) = drawn.last() else { return };
        svg.push_str("<g id=\"partitions\">\n");
        for partition in &history.partitions {
            let end_ns = partition.end_or(history.end_ns.max(last.time_ns));
            let first_row = drawn.partition_point(|event| event.time_ns < partition.start_ns);
            let after_row = drawn.partition_point(|event| event.time_ns <= end_ns);
            if first_row >= drawn.len() {
                continue;
            }
            let top = self.y(first_row as i64) - ROW_PX / 2;
            let height = ((after_row as i64 - first_row as i64) * ROW_PX).max(2);
            let kind = partition.kind.as_deref().unwrap_or("partition");
            let _ = writeln!(
                svg,
                "<rect class=\"partition\" x=\"{GUTTER_PX}\" y=\"{top}\" width=\"{}\" height=\"{height}\" \
                 fill=\"{PARTITION_FILL}\" fill-opacity=\"0.6\"><title>partition ({}) from {} to {}</title></rect>\
                 <text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#666\" text-anchor=\"end\">partition: {}</text>",
                self.width() - GUTTER_PX,
                escape::xml(kind),
                millis(partition.start_ns),
                partition.end_ns.map_or_else(|| "the end".to_string(), millis),
                GUTTER_PX - 6,
                top + 11,
                escape::xml(kind),
            );
        }
        svg.push_str("</g>\n");
    }

    /// One vertical line per process, its name on top and repeated down the line.
    fn lifelines(&self, svg: &mut String) {
        svg.push_str("<g id=\"processes\" font-size=\"13\" text-anchor=\"middle\">\n");
        let (top, bottom) = (HEADER_PX + NAMES_PX, self.bottom());
        for (id, &column) in &self.columns {
            let x = self.x(column);
            let (color, width) = match ProcessClass::of(id) {
                ProcessClass::Client => (CLIENT_COLOR, 1),
                ProcessClass::Node => ("#000000", 2),
                ProcessClass::Service => ("#7A4FA0", 2),
            };
            let name = escape::xml(id);
            let _ = writeln!(
                svg,
                "<text class=\"process\" x=\"{x}\" y=\"{}\" font-weight=\"bold\">{name}</text>\
                 <line x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"{color}\" stroke-width=\"{width}\" stroke-opacity=\"0.5\"/>",
                HEADER_PX + NAMES_PX - 8
            );
            for row in (NAME_REPEAT_ROWS..self.rows as usize).step_by(NAME_REPEAT_ROWS) {
                let _ = writeln!(
                    svg,
                    "<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#999\" text-anchor=\"start\">{name}</text>",
                    x + 3,
                    self.y(row as i64)
                );
            }
        }
        svg.push_str("</g>\n");
    }

    /// The time of every [`TIME_LABEL_ROWS`]th row, in the left margin.
    fn time_labels(&self, svg: &mut String, drawn: &[Event]) {
        svg.push_str("<g id=\"time-labels\" font-size=\"10\" fill=\"#666\" text-anchor=\"end\">\n");
        for (row, event) in drawn.iter().enumerate().step_by(TIME_LABEL_ROWS) {
            let y = self.y(row as i64);
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\">{}</text><line x1=\"{}\" y1=\"{y}\" x2=\"{GUTTER_PX}\" y2=\"{y}\" stroke=\"#999\"/>",
                GUTTER_PX - 60,
                y + 3,
                millis(event.time_ns),
                GUTTER_PX - 55,
            );
        }
        svg.push_str("</g>\n");
    }

    /// One message: an arrow from its send to its receive, dashed with ✕ if dropped.
    fn message(
        &self,
        svg: &mut String,
        record: &MessageRecord,
        send_row: usize,
        receive_row: Option<usize>,
    ) {
        let (Some(&from), Some(&to)) = (
            self.columns.get(&record.src),
            self.columns.get(&record.dest),
        ) else {
            return;
        };
        let class = if record.error {
            "error"
        } else if record.src.starts_with('c') || record.dest.starts_with('c') {
            "client"
        } else {
            "server"
        };
        let color = match class {
            "error" => ERROR_COLOR,
            "client" => CLIENT_COLOR,
            _ => SERVER_COLOR,
        };
        let (x1, y1) = (self.x(from), self.y(send_row as i64));
        let x2 = self.x(to);
        let fate = match (record.received_ns, receive_row) {
            (None, _) => Fate::Dropped,
            (Some(_), Some(row)) => Fate::Received(self.y(row as i64)),
            (Some(_), None) => Fate::AfterWindow,
        };
        let _ = write!(svg, "<g class=\"message {class}{}\"><title>", fate.class());
        describe(svg, record, &fate);
        svg.push_str("</title>");
        let (end_x, end_y) = match fate {
            Fate::Received(y2) => {
                let arrow = format!(" stroke=\"{color}\" marker-end=\"url(#arrow-{class})\"");
                self.line_or_loop(svg, (x1, y1), (x2, y2), &arrow);
                (x2, y2)
            }
            Fate::AfterWindow => {
                let y2 = self.bottom();
                let x_end = x1 + (x2 - x1) * (y2 - y1) / (y2 - y1 + ROW_PX * 20).max(1);
                let _ = write!(svg, "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x_end}\" y2=\"{y2}\" stroke=\"{color}\" stroke-opacity=\"0.5\"/>");
                (x_end, y2)
            }
            Fate::Dropped => {
                // Towards the addressee, stopping just short of its line: a ✕
                // on another process's line would read as a delivery there.
                let short = (x2 - x1).signum() * 12;
                let x_end = if from == to { x1 + 24 } else { x2 - short };
                let y_end = y1 + DROP_ROWS * ROW_PX;
                let _ = write!(
                    svg,
                    "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x_end}\" y2=\"{y_end}\" stroke=\"{color}\" stroke-dasharray=\"4 3\"/>\
                     <text x=\"{x_end}\" y=\"{}\" font-size=\"12\" fill=\"{color}\" text-anchor=\"middle\">✕</text>",
                    y_end + 4
                );
                (x_end, y_end)
            }
        };
        let kind: String = record.kind.chars().take(KIND_CHARS_MAX).collect();
        let _ = write!(
            svg,
            "<text class=\"kind\" x=\"{}\" y=\"{}\" fill=\"{color}\" text-anchor=\"middle\">",
            (x1 + end_x) / 2,
            (y1 + end_y) / 2 - 2
        );
        push_xml(svg, &kind);
        svg.push_str("</text></g>\n");
    }

    /// A straight arrow, or a loop for a message a process sends itself.
    fn line_or_loop(
        &self,
        svg: &mut String,
        (x1, y1): (i64, i64),
        (x2, y2): (i64, i64),
        paint: &str,
    ) {
        if x1 == x2 {
            let bulge = x1 + 28;
            let _ = write!(
                svg,
                "<path d=\"M{x1},{y1} C{bulge},{y1} {bulge},{y2} {x2},{y2}\" fill=\"none\"{paint}/>"
            );
        } else {
            let _ = write!(
                svg,
                "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\"{paint}/>"
            );
        }
    }
}

/// What became of a drawn message.
#[derive(Clone, Copy, Debug)]
enum Fate {
    /// Received, at this height.
    Received(i64),
    /// Received after the last drawn event.
    AfterWindow,
    /// Dropped by a partition, or never delivered before the run ended.
    Dropped,
}

impl Fate {
    fn class(self) -> &'static str {
        match self {
            Fate::Received(_) => "",
            Fate::AfterWindow => " after-window",
            Fate::Dropped => " dropped",
        }
    }
}

/// The hover text: who, when, what became of it, and the body.
fn describe(svg: &mut String, record: &MessageRecord, fate: &Fate) {
    let fate_text = match (fate, record.received_ns) {
        (Fate::Dropped, _) | (_, None) => "dropped by a partition, or never delivered".to_string(),
        (Fate::AfterWindow, Some(received_ns)) => {
            format!(
                "received at {} (after the drawn window)",
                millis(received_ns)
            )
        }
        (Fate::Received(_), Some(received_ns)) => format!("received at {}", millis(received_ns)),
    };
    let text = format!(
        "#{} {} → {}, sent at {}, {}\n{}",
        record.id,
        record.src,
        record.dest,
        millis(record.sent_ns),
        fate_text,
        record.body
    );
    push_xml(svg, &text);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom.md §5.4: client traffic is whatever has an end starting with `c`.
    #[test]
    fn processes_read_clients_then_nodes_then_services_in_numeric_order() {
        let mut ids = vec!["seq-kv", "n10", "c2", "n2", "c10", "lin-kv", "n1"];
        ids.sort_by_key(|&id| reading_order(id));
        assert_eq!(
            ids,
            vec!["c2", "c10", "n1", "n2", "n10", "lin-kv", "seq-kv"]
        );
    }
}
