//! The pictures as a reader gets them: files in a run directory, parsed back as XML
//! and searched for what a reader needs (axes with units, a legend, the series, the
//! partition shading, the window notice), from small histories written out here.

use std::path::PathBuf;

use maelstrom_checker::{Edn, Op, OpType, Process};
use maelstrom_pictures::messages::EVENTS_MAX;
use maelstrom_pictures::{write_all, Journal, MessageRecord, FILE_NAMES};

/// A fresh directory for one test's files.
fn run_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("maelstrom-pictures-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

const MS: i64 = 1_000_000;

fn op(time_ms: i64, op_type: OpType, process: Process, f: &str, value: Edn) -> Op {
    Op {
        index: 0,
        time_ns: time_ms * MS,
        op_type,
        process,
        f: f.into(),
        value,
        extra: Vec::new(),
    }
}

/// Ten `read`s that succeed, three `add`s that fail and one that times out, and, if
/// asked, a partition from 1 s to 2 s.
fn history(partition: bool) -> Vec<Op> {
    let mut ops = Vec::new();
    for i in 0..10 {
        let start = 100 + 250 * i;
        ops.push(op(
            start,
            OpType::Invoke,
            Process::Client(0),
            "read",
            Edn::Nil,
        ));
        ops.push(op(
            start + 5 + i,
            OpType::Ok,
            Process::Client(0),
            "read",
            Edn::Vector(vec![Edn::Int(i)]),
        ));
    }
    for i in 0..4 {
        let start = 200 + 300 * i;
        let end = if i == 3 { OpType::Info } else { OpType::Fail };
        ops.push(op(
            start,
            OpType::Invoke,
            Process::Client(1),
            "add",
            Edn::Int(i),
        ));
        ops.push(op(start + 40, end, Process::Client(1), "add", Edn::Int(i)));
    }
    if partition {
        for (time_ms, f, value) in [
            (1000, "start-partition", Edn::keyword("majority")),
            (1001, "start-partition", Edn::Nil),
            (2000, "stop-partition", Edn::Nil),
            (2001, "stop-partition", Edn::keyword("network-healed")),
        ] {
            ops.push(op(time_ms, OpType::Info, Process::Nemesis, f, value));
        }
    }
    ops.sort_by_key(|op| op.time_ns);
    for (index, op) in ops.iter_mut().enumerate() {
        op.index = index as u64;
    }
    ops
}

fn message(
    id: u64,
    src: &str,
    dest: &str,
    sent_ms: i64,
    received_ms: Option<i64>,
    kind: &str,
) -> MessageRecord {
    MessageRecord {
        id,
        src: src.into(),
        dest: dest.into(),
        sent_ns: sent_ms * MS,
        received_ns: received_ms.map(|ms| ms * MS),
        kind: kind.into(),
        error: kind == "error",
        body: format!("{{\"type\":\"{kind}\"}}"),
    }
}

/// A client's request and reply, gossip between nodes, one gossip dropped during the
/// partition, and an error reply.
fn journal() -> Journal {
    Journal {
        messages: vec![
            message(0, "c1", "n1", -10, Some(-10), "init"),
            message(1, "n1", "c1", -9, Some(-9), "init_ok"),
            message(2, "c1", "n1", 100, Some(100), "read"),
            message(3, "n1", "n2", 101, Some(111), "gossip"),
            message(4, "n1", "c1", 102, Some(102), "read_ok"),
            message(5, "n1", "n2", 1500, None, "gossip"),
            message(6, "n2", "c1", 1600, Some(1600), "error"),
        ],
        truncated: false,
    }
}

/// Every picture of a run, read back.
struct Pictures {
    texts: Vec<(&'static str, String)>,
}

impl Pictures {
    fn write(name: &str, history: &[Op], journal: &Journal) -> Pictures {
        let dir = run_dir(name);
        write_all(&dir, history, journal).expect("the pictures are written");
        let texts = FILE_NAMES
            .iter()
            .map(|&file| {
                let text = std::fs::read_to_string(dir.join(file))
                    .unwrap_or_else(|e| panic!("{file}: {e}"));
                (file, text)
            })
            .collect();
        let _ = std::fs::remove_dir_all(&dir);
        Pictures { texts }
    }

    fn text(&self, file: &str) -> &str {
        &self
            .texts
            .iter()
            .find(|(name, _)| *name == file)
            .expect("a picture of that name")
            .1
    }

    /// The file parsed as XML: the SVGs and the timeline are all well-formed.
    fn parse(&self, file: &str) -> roxmltree::Document<'_> {
        // The timeline opens with `<!DOCTYPE html>`, a DTD as far as XML knows.
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..roxmltree::ParsingOptions::default()
        };
        roxmltree::Document::parse_with_options(self.text(file), options)
            .unwrap_or_else(|e| panic!("{file} is not well-formed XML: {e}"))
    }
}

/// The text of every `<text>` element (what a reader sees written).
fn texts(document: &roxmltree::Document) -> Vec<String> {
    document
        .descendants()
        .filter(|node| node.has_tag_name("text"))
        .map(|node| {
            node.descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect::<String>()
                .trim()
                .to_string()
        })
        .collect()
}

fn count(document: &roxmltree::Document, tag: &str) -> usize {
    document
        .descendants()
        .filter(|node| node.has_tag_name(tag))
        .count()
}

/// The grey partition shade, as plotters writes it (jepsen's nemesis colour).
fn shaded_rects(document: &roxmltree::Document) -> usize {
    document
        .descendants()
        .filter(|node| node.has_tag_name("rect") && node.attribute("fill") == Some("#CCCCCC"))
        .count()
}

/// maelstrom.md §6: the store holds `latency-raw`, `latency-quantiles`, `rate`,
/// `messages.svg` and `timeline.html`; here all five are written and well-formed.
#[test]
fn every_picture_is_written_and_well_formed() {
    let pictures = Pictures::write("all", &history(true), &journal());
    for file in FILE_NAMES {
        let document = pictures.parse(file);
        let root = document.root_element();
        let expected = if file.ends_with(".svg") {
            "svg"
        } else {
            "html"
        };
        assert_eq!(root.tag_name().name(), expected, "{file}");
    }
}

/// jepsen `checker/perf.clj`: time in seconds across, latency in ms up, a legend
/// entry per `:f` and outcome, and a point per completed operation.
#[test]
fn latency_raw_has_axes_with_units_a_legend_and_a_point_per_operation() {
    let pictures = Pictures::write("raw", &history(false), &journal());
    let document = pictures.parse("latency-raw.svg");
    let written = texts(&document);
    for expected in [
        "Time (s)",
        "Latency (ms)",
        "read ok",
        "add fail",
        "add info",
    ] {
        assert!(
            written.iter().any(|t| t == expected),
            "no {expected:?} in {written:?}"
        );
    }
    assert!(
        !written.iter().any(|t| t == "partition"),
        "no partition, no partition key"
    );
    // `add` (first in order) is drawn with circles and `read` with triangles, one per
    // operation plus one in the legend per series.
    assert_eq!(count(&document, "circle"), 4 + 2);
    assert_eq!(count(&document, "polygon"), 10 + 1);
    assert_eq!(shaded_rects(&document), 0);
}

/// jepsen `quantiles-graph!` and `rate-graph!`: a line per `:f` and quantile, and per
/// `:f` and outcome; units on both axes.
#[test]
fn quantiles_and_rates_have_a_line_per_series_and_units() {
    let pictures = Pictures::write("windows", &history(false), &journal());
    let quantiles = pictures.parse("latency-quantiles.svg");
    let written = texts(&quantiles);
    for expected in [
        "Time (s)",
        "Latency (ms)",
        "read 0.5",
        "read 0.95",
        "read 0.99",
        "read 1",
        "add 0.5",
    ] {
        assert!(
            written.iter().any(|t| t == expected),
            "no {expected:?} in {written:?}"
        );
    }
    assert!(
        count(&quantiles, "polyline") >= 8,
        "a line per f and quantile"
    );
    let rate = pictures.parse("rate.svg");
    let written = texts(&rate);
    for expected in [
        "Time (s)",
        "Throughput (ops/s)",
        "read ok",
        "add fail",
        "add info",
    ] {
        assert!(
            written.iter().any(|t| t == expected),
            "no {expected:?} in {written:?}"
        );
    }
    assert!(
        written.iter().any(|t| t.contains("0.5 s windows")),
        "the window length is said: {written:?}"
    );
}

/// maelstrom.md §5.2: partitions are shaded in every picture with a time axis, and
/// the legends say what the shade means.
#[test]
fn partitions_are_shaded_in_every_picture() {
    let pictures = Pictures::write("partition", &history(true), &journal());
    for file in ["latency-raw.svg", "latency-quantiles.svg", "rate.svg"] {
        let document = pictures.parse(file);
        assert_eq!(
            shaded_rects(&document),
            2,
            "{file}: the shade and its legend key"
        );
        assert!(texts(&document).iter().any(|t| t == "partition"), "{file}");
    }
    let messages = pictures.parse("messages.svg");
    let shades: Vec<_> = messages
        .descendants()
        .filter(|n| n.attribute("class") == Some("partition"))
        .collect();
    assert_eq!(shades.len(), 1);
    assert!(texts(&messages).iter().any(|t| t == "partition: majority"));
    let timeline = pictures.parse("timeline.html");
    let bands = timeline
        .descendants()
        .filter(|n| n.attribute("class") == Some("partition"))
        .count();
    assert_eq!(bands, 1);
}

/// Maelstrom's `messages.svg`: an arrow per delivered message, client traffic blue,
/// errors pink, and (beyond Maelstrom) dropped messages dashed with a ✕.
#[test]
fn the_lamport_diagram_draws_each_message_by_its_fate() {
    let pictures = Pictures::write("lamport", &history(true), &journal());
    let document = pictures.parse("messages.svg");
    let classes: Vec<&str> = document
        .descendants()
        .filter_map(|n| n.attribute("class"))
        .filter(|class| class.starts_with("message"))
        .collect();
    assert_eq!(
        classes,
        vec![
            "message client",
            "message client",
            "message client",
            "message server",
            "message client",
            "message server dropped",
            "message error",
        ]
    );
    let arrows = document
        .descendants()
        .filter(|n| n.attribute("marker-end").is_some())
        .count();
    assert_eq!(arrows, 6, "every delivered message ends in an arrowhead");
    let processes: Vec<String> = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("process"))
        .filter_map(|n| n.text().map(String::from))
        .collect();
    assert_eq!(
        processes,
        vec!["c1", "n1", "n2"],
        "each client stands beside its node"
    );
    assert!(
        document
            .descendants()
            .all(|n| n.attribute("id") != Some("window-notice")),
        "a small journal is drawn whole"
    );
}

/// maelstrom.md §6: Maelstrom draws the first 10,000 journal events; the picture
/// says when it shows only those, and when the journal itself was cut.
#[test]
fn a_large_or_truncated_journal_is_windowed_and_says_so() {
    let busy = Journal {
        messages: (0..EVENTS_MAX as u64)
            .map(|i| message(i, "n1", "n2", i as i64, Some(i as i64 + 1), "gossip"))
            .collect(),
        truncated: true,
    };
    let pictures = Pictures::write("window", &history(false), &busy);
    let document = pictures.parse("messages.svg");
    let notice = document
        .descendants()
        .find(|n| n.attribute("id") == Some("window-notice"))
        .expect("a window notice");
    let notice: String = notice
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    assert!(
        notice.contains("first 10,000 of 20,000 journal events"),
        "{notice}"
    );
    assert!(notice.contains("stopped at its bound"), "{notice}");
    let drawn = document
        .descendants()
        .filter(|n| {
            n.attribute("class")
                .is_some_and(|c| c.starts_with("message"))
        })
        .count();
    assert_eq!(
        drawn,
        EVENTS_MAX / 2 + 1,
        "sends within the window; the last one's receive falls outside it"
    );
}

/// jepsen `checker/timeline.clj`: a box per operation in its process's column,
/// coloured by outcome, the operation in its hover text.
#[test]
fn the_timeline_has_a_box_per_operation_coloured_by_outcome() {
    let pictures = Pictures::write("timeline", &history(true), &journal());
    let document = pictures.parse("timeline.html");
    let boxes: Vec<(&str, &str)> = document
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("op ")))
        .map(|n| {
            (
                n.attribute("class").unwrap_or(""),
                n.attribute("title").unwrap_or(""),
            )
        })
        .collect();
    let count_of = |class: &str| boxes.iter().filter(|(c, _)| *c == class).count();
    assert_eq!(count_of("op ok"), 10);
    assert_eq!(count_of("op fail"), 3);
    assert_eq!(count_of("op info"), 1);
    assert_eq!(count_of("op nemesis"), 2);
    let read = boxes
        .iter()
        .find(|(c, _)| *c == "op ok")
        .expect("an ok box")
        .1;
    assert!(
        read.contains("process 0 · read") && read.contains("ok [0]"),
        "{read}"
    );
    let heads: Vec<String> = document
        .descendants()
        .filter(|n| n.attribute("class") == Some("head"))
        .filter_map(|n| n.text().map(String::from))
        .collect();
    assert_eq!(heads, vec!["0", "1", "nemesis"]);
}

/// Input from outside never panics: no operations and no messages still give five
/// well-formed pictures that say there is nothing to draw.
#[test]
fn empty_histories_and_journals_give_pictures_that_say_so() {
    let pictures = Pictures::write("empty", &[], &Journal::default());
    for file in FILE_NAMES {
        pictures.parse(file);
    }
    for file in ["latency-raw.svg", "latency-quantiles.svg", "rate.svg"] {
        assert!(
            texts(&pictures.parse(file))
                .iter()
                .any(|t| t == "no completed operations"),
            "{file}"
        );
    }
    assert!(texts(&pictures.parse("messages.svg"))
        .iter()
        .any(|t| t == "No messages were recorded."));
    assert!(pictures
        .text("timeline.html")
        .contains("no client operations"));
}

/// Names and bodies come from nodes and history files: quotes, `<`, `&` and control
/// characters are escaped everywhere and read back as they were written.
#[test]
fn hostile_strings_are_escaped_and_read_back_unchanged() {
    let hostile_f = "r\"<e>&'ad";
    let mut ops = history(true);
    for op in &mut ops {
        if op.f == "read" {
            op.f = hostile_f.into();
            op.value = Edn::Str("</div><script>alert(1)</script>".into());
        }
    }
    let mut hostile = journal();
    for record in &mut hostile.messages {
        record.kind = "a&b<c>\"\u{1}".into();
        record.body = "</title><script>alert(\"x\")</script>&amp;".into();
    }
    hostile.messages[3].dest = "n<2>&\"".into();
    let pictures = Pictures::write("hostile", &ops, &hostile);
    for file in FILE_NAMES {
        let document = pictures.parse(file);
        let scripts = count(&document, "script");
        assert_eq!(
            scripts,
            usize::from(file == "timeline.html"),
            "{file}: only the timeline's own script"
        );
    }
    let raw = texts(&pictures.parse("latency-raw.svg"));
    assert!(
        raw.iter().any(|t| t == &format!("{hostile_f} ok")),
        "{raw:?}"
    );
    let messages = pictures.parse("messages.svg");
    assert!(texts(&messages).iter().any(|t| t == "a&b<c>\"\u{FFFD}"));
    assert!(texts(&messages).iter().any(|t| t == "n<2>&\""));
    let titles: Vec<&str> = messages
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.ends_with("</title><script>alert(\"x\")</script>&amp;")),
        "{titles:?}"
    );
    let timeline = pictures.parse("timeline.html");
    let hover = timeline
        .descendants()
        .filter_map(|n| n.attribute("title"))
        .find(|t| t.contains(hostile_f))
        .expect("the hostile op's box");
    assert!(
        hover.contains("\"</div><script>alert(1)</script>\""),
        "{hover}"
    );
}
