//! Input from outside never panics: arbitrary histories (any times, any order, any
//! `:f`, completions without invocations) and arbitrary journals (any ids, receives
//! before sends, any text) still give five pictures, each well-formed.

use maelstrom_checker::{Edn, Op, OpType, Process};
use maelstrom_pictures::{render, Journal, MessageRecord, PairedHistory, FILE_NAMES};
use proptest::prelude::*;

fn any_time() -> impl Strategy<Value = i64> {
    prop_oneof![-5_000_000_000i64..30_000_000_000, any::<i64>()]
}

fn any_op() -> impl Strategy<Value = Op> {
    let op_type = prop_oneof![
        Just(OpType::Invoke),
        Just(OpType::Ok),
        Just(OpType::Fail),
        Just(OpType::Info)
    ];
    let process = prop_oneof![4 => (0u64..6).prop_map(Process::Client), 1 => Just(Process::Nemesis), 1 => any::<u64>().prop_map(Process::Client)];
    let f = prop_oneof![
        Just("read".to_string()),
        Just("start-partition".to_string()),
        Just("stop-partition".to_string()),
        any::<String>(),
    ];
    (any_time(), op_type, process, f, any::<String>()).prop_map(
        |(time_ns, op_type, process, f, value)| Op {
            index: 0,
            time_ns,
            op_type,
            process,
            f,
            value: Edn::Str(value),
            extra: vec![("error".into(), Edn::Str("<&>".into()))],
        },
    )
}

fn any_message() -> impl Strategy<Value = MessageRecord> {
    let id = prop_oneof![
        Just("c1".to_string()),
        Just("n1".to_string()),
        Just("seq-kv".to_string()),
        any::<String>()
    ];
    (
        any::<u64>(),
        id.clone(),
        id,
        any_time(),
        proptest::option::of(any_time()),
        any::<String>(),
        any::<bool>(),
        any::<String>(),
    )
        .prop_map(
            |(id, src, dest, sent_ns, received_ns, kind, error, body)| MessageRecord {
                id,
                src,
                dest,
                sent_ns,
                received_ns,
                kind,
                error,
                body,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_history_and_journal_give_well_formed_pictures(
        history in proptest::collection::vec(any_op(), 0..60),
        messages in proptest::collection::vec(any_message(), 0..60),
        truncated in any::<bool>(),
    ) {
        let journal = Journal { messages, truncated };
        let paired = PairedHistory::new(&history);
        for name in FILE_NAMES {
            let text = render(name, &paired, &journal).expect("a picture is drawn");
            if let Err(error) = roxmltree::Document::parse_with_options(
                &text,
                roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() },
            ) {
                panic!("{name} is not well-formed: {error}");
            }
        }
    }
}
