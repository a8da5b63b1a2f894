//! kafka: jepsen's queue checker over Maelstrom's single-message sends and polls
//! (maelstrom.md §3.7; jepsen 0.3.7 `tests/kafka.clj` `checker`).
//!
//! The history is first read as operations on logs ([`history`]), then each key's log is
//! rebuilt from what sends and polls observed ([`version_order`]). Every check is
//! phrased against those logs:
//! - [`version_order`]: `:inconsistent-offsets`, `:duplicate`;
//! - [`lost`]: `:lost-write`, `:unseen`, `:G1a`;
//! - [`order`]: `:poll-skip`, `:nonmonotonic-poll`, `:int-poll-skip`,
//!   `:int-nonmonotonic-poll`, `:nonmonotonic-send`;
//! - [`cycles`]: `:G1c`, `:G1c-process`, `:G1c-realtime` (wr, process, realtime edges);
//! - [`lag`]: `:worst-realtime-lag`, a figure rather than an error.
//!
//! The verdict: every error type found is "bad" unless it is one the kafka test allows
//! (`:int-send-skip`, `:G0`, `:G0-process`, `:G0-realtime`, `:PL-1-cycle-exists`,
//! `:strong-PL-1-cycle-exists`), and `:valid?` is whether nothing bad was found.
//! Left out: `:precommitted-read`, `:int-send-skip` and `:int-nonmonotonic-send`, which
//! need several micro-ops in one transaction; Maelstrom's ops always hold one.

mod cycles;
mod history;
mod lag;
mod lost;
mod order;
#[cfg(test)]
mod tests;
mod version_order;

use std::collections::BTreeMap;

use crate::check::Validity;
use crate::edn::Edn;
use crate::history::{Op, OpType};

/// Error types the kafka test tolerates (jepsen `allowed-error-types` with
/// `:sub-via #{:assign}`, so poll skips are *not* among them).
const ALLOWED_ERROR_TYPES: [&str; 6] = [
    "int-send-skip",
    "G0",
    "G0-process",
    "G0-realtime",
    "PL-1-cycle-exists",
    "strong-PL-1-cycle-exists",
];

/// At most this many example errors are written per type; `:count` is always the total.
const ERRS_SHOWN_MAX: usize = 32;

/// At most this many distinct `:info` causes are listed (jepsen takes the first few).
const INFO_TXN_CAUSES_MAX: usize = 5;

pub fn check(raw: &[Op]) -> (Validity, Edn) {
    let ops = history::read(raw);
    let logs = version_order::build(&ops);
    let order = order::check(&ops, &logs);
    let lost = lost::check(&ops, &logs);

    let mut errors: BTreeMap<&str, Vec<Edn>> = BTreeMap::new();
    let found = [
        (
            "inconsistent-offsets",
            version_order::inconsistent_offsets(&logs),
        ),
        ("duplicate", version_order::duplicates(&logs)),
        ("lost-write", lost.lost_write),
        ("unseen", lost.unseen),
        ("G1a", lost.g1a),
        ("poll-skip", order.poll_skip),
        ("nonmonotonic-poll", order.nonmonotonic_poll),
        ("int-poll-skip", order.int_poll_skip),
        ("int-nonmonotonic-poll", order.int_nonmonotonic_poll),
        ("nonmonotonic-send", order.nonmonotonic_send),
    ];
    for (name, errs) in found.into_iter().chain(cycles::check(&ops)) {
        if !errs.is_empty() {
            errors.insert(name, errs);
        }
    }

    let bad: Vec<&str> = errors
        .keys()
        .copied()
        .filter(|name| !ALLOWED_ERROR_TYPES.contains(name))
        .collect();
    let valid = if bad.is_empty() {
        Validity::True
    } else {
        Validity::False
    };
    let keywords = |names: Vec<&str>| Edn::List(names.into_iter().map(Edn::keyword).collect());
    let mut entries = vec![
        ("valid?", Edn::Bool(bad.is_empty())),
        ("worst-realtime-lag", lag::worst_realtime_lag(&ops)),
        ("bad-error-types", keywords(bad)),
        ("error-types", keywords(errors.keys().copied().collect())),
        ("info-txn-causes", info_txn_causes(raw)),
    ];
    for (name, errs) in errors {
        entries.push((
            name,
            Edn::kmap([
                ("count", Edn::Int(errs.len() as i64)),
                (
                    "errs",
                    Edn::Vector(errs.into_iter().take(ERRS_SHOWN_MAX).collect()),
                ),
            ]),
        ));
    }
    (valid, Edn::kmap(entries))
}

/// The distinct `:error`s of sends and polls that ended `:info`: why the outcome of a
/// message is unknown.
fn info_txn_causes(history: &[Op]) -> Edn {
    let mut causes: Vec<Edn> = Vec::new();
    for op in history {
        let transactional = op.f == "send" || op.f == "poll" || op.f == "txn";
        if op.op_type != OpType::Info || !transactional {
            continue;
        }
        let cause = op.extra("error").cloned().unwrap_or(Edn::Nil);
        if !causes.contains(&cause) {
            causes.push(cause);
        }
        if causes.len() == INFO_TXN_CAUSES_MAX {
            break;
        }
    }
    Edn::List(causes)
}
