//! The checker crate's entry points the runner calls: history files, `check`,
//! the EDN/JSON text of results, the console summary and challenge criteria.
//! Every call into `maelstrom-checker` goes through here.

use std::path::Path;

pub use maelstrom_checker::{CheckOptions, Edn, NetStats, Op, OpType, Process, Results, Validity};

/// EDN text of a value (`results.edn`).
pub fn edn_text(value: &Edn) -> String {
    value.to_string()
}

/// JSON of a value (`results.json`).
pub fn edn_json(value: &Edn) -> serde_json::Value {
    value.to_json()
}

/// Writes `history.edn`.
pub fn write_history(path: &Path, ops: &[Op]) -> anyhow::Result<()> {
    maelstrom_checker::history::write_history(path, ops)
}

/// Every checker Maelstrom composes for the workload.
pub fn check(
    options: &CheckOptions,
    history: &[Op],
    net: Option<&NetStats>,
) -> anyhow::Result<Results> {
    maelstrom_checker::check(options, history, net)
}

/// The console summary.
pub fn summary(results: &Results, options: &CheckOptions) -> String {
    maelstrom_checker::summary::render(results, options)
}

/// The challenge's unmet pass criteria (empty: passed).
pub fn criteria(challenge: &str, results: &Results) -> anyhow::Result<Vec<String>> {
    maelstrom_checker::criteria::evaluate(challenge, results)
}

/// A stored history and what is known about its test.
pub fn analyze_load(path: &Path) -> anyhow::Result<(CheckOptions, Vec<Op>, Option<NetStats>)> {
    maelstrom_checker::analyze::load(path)
}
