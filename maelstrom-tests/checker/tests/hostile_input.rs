//! Hostile input: `analyze` and `criteria` read files from outside (stored runs,
//! real Maelstrom's, anybody's), so random bytes, EDN-shaped noise, values nested
//! past the reader's bound and op maps with the wrong types must all come back
//! as errors that say where, never as a panic or an abort. And what the checker
//! writes, it reads back unchanged.
//!
//! Left out: files too large for memory; the reader takes the whole text.

use std::path::Path;

use maelstrom_checker::criteria::{evaluate, CHALLENGES};
use maelstrom_checker::edn::Edn;
use maelstrom_checker::history::parse_history;
use maelstrom_checker::{
    check, parse_edn, CheckOptions, Op, OpType, Process, Results, Validity, MAX_NESTING_DEPTH,
};
use proptest::prelude::*;

/// Every reader error ends by saying where it happened.
fn is_located(error: &anyhow::Error) -> bool {
    let message = error.to_string();
    let Some((_, place)) = message.rsplit_once(" at line ") else {
        return false;
    };
    let Some((line, column)) = place.split_once(", column ") else {
        return false;
    };
    line.parse::<usize>().is_ok() && column.parse::<usize>().is_ok()
}

/// Pieces of EDN, broken and whole, that a hostile file strings together.
fn edn_noise() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        "#{",
        "#_",
        "##",
        "##Inf",
        "#",
        "#tag",
        "\"",
        "\\",
        "\\u",
        "\\u12",
        "\\uZZZZ",
        "\\newline",
        ":",
        ":k",
        "nil",
        "true",
        "1",
        "-",
        "+",
        ".",
        "1.5",
        "1e999",
        "1/0",
        "0/0",
        "1/",
        "99999999999999999999999",
        "7N",
        "0.5M",
        ";",
        "\n",
        " ",
        ",",
        "#jepsen.history.Op",
        "é",
        "\u{0}",
        "\u{7f}",
        "'",
    ]);
    prop::collection::vec(pieces, 0..200).prop_map(|pieces| pieces.concat())
}

/// Values the checker writes: every variant but tagged literals and symbols, with
/// floats that print exactly (Maelstrom's figures are printed as Java floats).
fn edn_value() -> impl Strategy<Value = Edn> {
    let leaf = prop_oneof![
        Just(Edn::Nil),
        any::<bool>().prop_map(Edn::Bool),
        any::<i64>().prop_map(Edn::Int),
        (-1_000_000i32..1_000_000).prop_map(|quarters| Edn::Float(f64::from(quarters) / 4.0)),
        any::<String>().prop_map(Edn::Str),
        "[a-z][a-z0-9?!-]{0,10}".prop_map(Edn::Keyword),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Edn::Vector),
            prop::collection::vec(inner.clone(), 0..8).prop_map(Edn::List),
            prop::collection::vec(inner.clone(), 0..8).prop_map(Edn::Set),
            prop::collection::vec((inner.clone(), inner), 0..8).prop_map(Edn::Map),
        ]
    })
}

/// One history line: an op-like map whose keys and values may be wrong.
fn op_line() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "index", "time", "type", "process", "f", "value", "final?", "error",
    ]);
    let value = prop_oneof![
        prop::sample::select(vec![
            "invoke", "ok", "fail", "info", "nemesis", "read", "add"
        ])
        .prop_map(Edn::keyword),
        edn_value(),
    ];
    prop::collection::vec((key, value), 0..9).prop_map(|entries| {
        Edn::Map(
            entries
                .into_iter()
                .map(|(key, value)| (Edn::keyword(key), value))
                .collect(),
        )
        .to_string()
    })
}

/// A history of well-formed ops in any order: completions without invocations,
/// two invocations in a row, values of any type, and counter-like small integers.
fn op_history() -> impl Strategy<Value = Vec<Op>> {
    let op = (
        prop::sample::select(vec![OpType::Invoke, OpType::Ok, OpType::Fail, OpType::Info]),
        prop_oneof![
            4 => (0..4u64).prop_map(Process::Client),
            1 => Just(Process::Nemesis),
        ],
        prop::sample::select(vec![
            "echo",
            "generate",
            "broadcast",
            "add",
            "read",
            "write",
            "cas",
            "start-partition",
        ]),
        prop_oneof![
            (-5..5i64).prop_map(Edn::Int),
            prop::collection::vec((0..6i64).prop_map(Edn::Int), 0..6).prop_map(Edn::Vector),
            edn_value(),
        ],
        any::<bool>(),
        any::<i64>(),
    );
    prop::collection::vec(op, 0..40).prop_map(|ops| {
        ops.into_iter()
            .enumerate()
            .map(
                |(index, (op_type, process, f, value, final_read, time_ns))| Op {
                    index: index as u64,
                    time_ns,
                    op_type,
                    process,
                    f: f.into(),
                    value,
                    extra: if final_read {
                        vec![("final?".into(), Edn::Bool(true))]
                    } else {
                        Vec::new()
                    },
                },
            )
            .collect()
    })
}

proptest! {
    /// maelstrom.md §6 (`analyze` reads stored files): any bytes at all are read
    /// or refused with a located error.
    #[test]
    fn any_bytes_are_read_or_refused_with_a_place(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(error) = parse_edn(&String::from_utf8_lossy(&bytes)) {
            prop_assert!(is_located(&error), "{error}");
        }
    }

    /// maelstrom.md §6: EDN-shaped noise (stray brackets, broken escapes, huge
    /// numbers, tags with nothing after them) is read or refused with a place.
    #[test]
    fn edn_shaped_noise_is_read_or_refused_with_a_place(text in edn_noise()) {
        if let Err(error) = parse_edn(&text) {
            prop_assert!(is_located(&error), "{text:?}: {error}");
        }
    }

    /// maelstrom.md §6: nesting is read up to the bound and refused past it, in
    /// any mix of vectors, lists, maps' values, sets and tags.
    #[test]
    fn nesting_is_read_up_to_the_bound_and_refused_past_it(
        kinds in prop::collection::vec(0..5usize, 0..(2 * MAX_NESTING_DEPTH))
    ) {
        let (mut open, mut close) = (String::new(), String::new());
        for kind in &kinds {
            let (before, after) = [("[", "]"), ("(", ")"), ("{:k ", "}"), ("#{", "}"), ("#t ", "")][*kind];
            open.push_str(before);
            close.insert_str(0, after);
        }
        let text = format!("{open}1{close}");
        match parse_edn(&text) {
            Ok(_) => prop_assert!(kinds.len() < MAX_NESTING_DEPTH, "{} levels read", kinds.len()),
            Err(error) => {
                prop_assert!(kinds.len() >= MAX_NESTING_DEPTH, "{error}");
                prop_assert!(error.to_string().contains("nesting deeper than"), "{error}");
            }
        }
    }

    /// maelstrom.md §6: what the checker writes reads back as the same value, and
    /// every cut-short prefix of it is read or refused with a place.
    #[test]
    fn printed_values_read_back_and_their_prefixes_never_panic(value in edn_value(), cut in any::<prop::sample::Index>()) {
        let text = value.to_string();
        prop_assert_eq!(parse_edn(&text).ok(), Some(value));
        let boundaries: Vec<usize> = (0..=text.len()).filter(|at| text.is_char_boundary(*at)).collect();
        let prefix = &text[..*cut.get(&boundaries)];
        if let Err(error) = parse_edn(prefix) {
            prop_assert!(is_located(&error), "{prefix:?}: {error}");
        }
    }

    /// maelstrom.md §6: op lines with missing keys and wrong types are read or
    /// refused with an error naming the file; a history that reads has one op per
    /// line.
    #[test]
    fn op_lines_of_any_shape_are_read_or_refused_naming_the_file(lines in prop::collection::vec(op_line(), 1..8)) {
        let text = lines.join("\n");
        match parse_history(&text, Path::new("store/run/history.edn")) {
            Ok(ops) => prop_assert_eq!(ops.len(), lines.len()),
            Err(error) => {
                let message = format!("{error:#}");
                prop_assert!(message.starts_with("store/run/history.edn"), "{message}");
            }
        }
    }

    /// maelstrom.md §7: `criteria` judges any results map that reads, whatever
    /// shape its figures have, for every challenge.
    #[test]
    fn criteria_judge_any_results_map(edn in edn_value(), figure in edn_value()) {
        let shaped = Edn::kmap([
            ("net", Edn::kmap([("servers", Edn::kmap([("msgs-per-op", figure.clone())]))])),
            ("workload", Edn::kmap([("stable-latencies", figure)])),
        ]);
        for edn in [edn, shaped] {
            let results = Results { valid: Validity::Unknown, edn };
            for challenge in CHALLENGES {
                let unmet = evaluate(challenge, &results);
                prop_assert!(unmet.is_ok_and(|unmet| !unmet.is_empty()), "{challenge}");
            }
        }
    }

    /// maelstrom.md §3, §5.4: whatever a history holds, every checker reaches a
    /// verdict without panicking, and the history reads back as it was written.
    #[test]
    fn every_checker_judges_any_history(history in op_history()) {
        let text: String = history.iter().map(|op| op.to_edn_line() + "\n").collect();
        let read = parse_history(&text, Path::new("history.edn")).ok();
        prop_assert_eq!(read, Some(history.clone()));
        for workload in ["echo", "unique-ids", "broadcast", "g-set", "g-counter", "pn-counter", "lin-kv"] {
            let options = CheckOptions {
                workload: workload.into(),
                availability: Some(1.0),
                consistency_models: Vec::new(),
            };
            let results = check(&options, &history, None);
            prop_assert!(results.is_ok(), "{workload}: {results:?}");
        }
    }
}
