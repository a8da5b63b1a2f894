//! The entry point: compose every checker over one history, as Maelstrom's
//! `checker/compose` does, in the key order of its `results.edn`.

use crate::edn::Edn;
use crate::history::Op;
use crate::net::NetStats;
use crate::{sections, workload};

/// `:valid?`: Jepsen's three-valued verdict. Composition takes the worst
/// (`False` over `Unknown` over `True`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    True,
    False,
    Unknown,
}

impl Validity {
    fn from_bool(valid: bool) -> Validity {
        if valid {
            Validity::True
        } else {
            Validity::False
        }
    }

    /// The worse of two verdicts.
    pub fn and(self, other: Validity) -> Validity {
        match (self, other) {
            (Validity::False, _) | (_, Validity::False) => Validity::False,
            (Validity::Unknown, _) | (_, Validity::Unknown) => Validity::Unknown,
            _ => Validity::True,
        }
    }

    /// `true`, `false` or `:unknown`.
    pub fn to_edn(self) -> Edn {
        match self {
            Validity::True => Edn::Bool(true),
            Validity::False => Edn::Bool(false),
            Validity::Unknown => Edn::keyword("unknown"),
        }
    }
}

/// What the checkers need to know about the test besides its history.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckOptions {
    /// `-w`: echo, unique-ids, broadcast, g-set, g-counter, pn-counter, ...
    pub workload: String,
    /// `--availability`: `None`, or `Some(1.0)` for `total`, or the fraction.
    pub availability: Option<f64>,
    /// `--consistency-models` (txn workloads).
    pub consistency_models: Vec<String>,
}

/// The composed results map (`results.edn`) and its top-level verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct Results {
    pub valid: Validity,
    /// `{:perf ... :workload ... :valid? ...}` in Maelstrom's key order.
    pub edn: Edn,
}

/// Runs every checker Maelstrom composes for `options.workload` over `history`.
/// `net` is `None` when the message counts are unknown (a history alone).
pub fn check(
    options: &CheckOptions,
    history: &[Op],
    net: Option<&NetStats>,
) -> anyhow::Result<Results> {
    let (workload_valid, workload) = workload::check_workload(options, history)?;
    let (stats_valid, stats) = sections::stats(history);
    let (availability_valid, availability) = sections::availability(history, options.availability);
    let always_valid = || Edn::kmap([("valid?", Edn::Bool(true))]);
    let valid = workload_valid
        .and(Validity::from_bool(stats_valid))
        .and(Validity::from_bool(availability_valid));
    let edn = Edn::kmap([
        (
            "perf",
            Edn::kmap([
                ("latency-graph", always_valid()),
                ("rate-graph", always_valid()),
                ("valid?", Edn::Bool(true)),
            ]),
        ),
        ("timeline", always_valid()),
        ("exceptions", sections::exceptions(history)),
        ("stats", stats),
        ("availability", availability),
        ("net", sections::net(history, net)),
        ("workload", workload),
        ("valid?", valid.to_edn()),
    ]);
    Ok(Results { valid, edn })
}
