//! txn-rw-register: an Elle-style checker for transactions over read-write registers
//! (maelstrom.md §3.8; elle `rw_register.clj`, `txn.clj`, `consistency_model.clj`;
//! Maelstrom `workload/txn_rw_register.clj`).
//!
//! A transaction is a list of micro-ops, `[[:r 1 nil] [:w 2 3]]`. The history cannot be
//! replayed against a model, since it does not say in which order transactions took
//! effect; instead, as in Adya's thesis and Elle, the checker builds the graph of what
//! must have come before what and looks for cycles in it:
//! 1. [`history`]: transactions from ops, with their external reads and writes;
//! 2. [`version_order`]: each key's version order, from writes-follow-reads;
//! 3. [`graph`]: ww, wr and rw edges, plus process or realtime order when asked for;
//! 4. [`scc`] and [`cycles`]: strongly connected components, then a bounded search for
//!    each anomaly's cycle shape inside them; [`explain`] prints what it finds;
//! 5. [`anomalies`]: G1a, G1b, internal, lost-update and cyclic-versions, which need
//!    no cycle;
//! 6. [`models`]: which of those the requested consistency models proscribe.
//!
//! The verdict follows Elle's `result-map` and then Maelstrom's wrapper around it: only
//! anomalies the models proscribe are reported (plus `:empty-transaction-graph`, when
//! no edge at all could be inferred, and `:cycle-search-timeout`); Maelstrom then drops
//! `:cycle-search-timeout` and calls the history valid iff no anomaly type is left, so
//! an empty graph makes a test **invalid**, not unknown (maelstrom.md §3.8 ⚠).
//!
//! Left out: Elle's plots and `elle/` directory of cycle files, and anomaly types that
//! only other workloads produce (list-append's `:duplicate-elements`, `:dirty-update`,
//! `:incompatible-order`; predicate anomalies).

mod anomalies;
mod cycles;
mod explain;
mod graph;
mod history;
mod models;
mod scc;
mod version_order;

use std::collections::BTreeMap;

use crate::check::Validity;
use crate::edn::Edn;
use crate::history::Op;
use cycles::{CycleType, Variant};
use graph::{Graph, SessionOrder};
use history::Writes;
use version_order::VersionOrder;

/// Judges a txn-rw-register history against the named consistency models (none
/// means strict-serializable). Errors on unknown model names and malformed micro-ops.
pub fn check(history: &[Op], model_names: &[String]) -> anyhow::Result<(Validity, Edn)> {
    let models = models::parse_all(model_names)?;
    let reportable = models::reportable(&models);
    let txns = history::transactions(history)?;
    let writes = Writes::index(&txns);
    let versions = VersionOrder::infer(&txns, &writes);

    let mut found: BTreeMap<&'static str, Edn> = BTreeMap::new();
    let mut note = |name: &'static str, cases: Vec<Edn>| {
        if !cases.is_empty() {
            found.insert(name, Edn::Vector(cases));
        }
    };
    note("G1a", anomalies::aborted_reads(&txns, &writes));
    note("G1b", anomalies::intermediate_reads(&txns, &writes));
    note("internal", anomalies::internal(&txns));
    note("lost-update", anomalies::lost_updates(&txns));
    note("cyclic-versions", anomalies::cyclic_versions(&versions));

    let types: Vec<CycleType> = CycleType::all()
        .into_iter()
        .filter(|cycle_type| reportable.contains(cycle_type.name()))
        .collect();
    let order = session_order(&types);
    let types: Vec<CycleType> = types
        .into_iter()
        .filter(|cycle_type| match cycle_type.variant {
            Variant::Data => true,
            Variant::Process => order == SessionOrder::Process,
            Variant::Realtime => order == SessionOrder::Realtime,
        })
        .collect();
    let graph = Graph::build(&txns, &writes, &versions, order);
    if graph.edge_count() == 0 {
        found.insert("empty-transaction-graph", Edn::Bool(true));
    } else {
        let search = cycles::search(&graph, &types);
        let mut by_type: BTreeMap<&'static str, Vec<Edn>> = BTreeMap::new();
        for cycle in &search.cycles {
            by_type
                .entry(cycle.cycle_type.name())
                .or_default()
                .push(explain::cycle_case(cycle, &txns, &writes, &versions));
        }
        for timeout in &search.timeouts {
            by_type
                .entry("cycle-search-timeout")
                .or_default()
                .push(Edn::kmap([
                    ("type", Edn::keyword("cycle-search-timeout")),
                    ("anomaly-spec-type", Edn::keyword(timeout.cycle_type.name())),
                    ("scc-size", Edn::Int(timeout.component_size as i64)),
                ]));
        }
        for (name, cases) in by_type {
            found.insert(name, Edn::Vector(cases));
        }
    }
    found.retain(|name, _| reportable.contains(name));
    Ok(verdict(found))
}

/// Elle's `additional-graphs`: realtime order if any realtime anomaly is asked about,
/// else process order if any process anomaly is, else neither. (Realtime order already
/// contains each process's order, so the two are never combined.)
fn session_order(types: &[CycleType]) -> SessionOrder {
    let wants = |variant| types.iter().any(|t| t.variant == variant);
    if wants(Variant::Realtime) {
        SessionOrder::Realtime
    } else if wants(Variant::Process) {
        SessionOrder::Process
    } else {
        SessionOrder::None
    }
}

/// elle `txn.clj` `result-map`, then Maelstrom's wrapper (see the module doc).
fn verdict(mut reported: BTreeMap<&'static str, Edn>) -> (Validity, Edn) {
    if reported.is_empty() {
        // Elle says only {:valid? true}; the wrapper adds the empty types and nil.
        let edn = Edn::kmap([
            ("valid?", Edn::Bool(true)),
            ("anomaly-types", Edn::List(Vec::new())),
            ("anomalies", Edn::Nil),
        ]);
        return (Validity::True, edn);
    }
    let (not, also_not) = models::boundary(reported.keys().copied());
    reported.remove("cycle-search-timeout");
    let valid = reported.is_empty();
    let names = |names: Vec<&str>| names.into_iter().map(Edn::keyword).collect::<Vec<_>>();
    let edn = Edn::kmap([
        ("valid?", Edn::Bool(valid)),
        (
            "anomaly-types",
            Edn::List(names(reported.keys().copied().collect())),
        ),
        (
            "anomalies",
            Edn::Map(
                reported
                    .into_iter()
                    .map(|(name, cases)| (Edn::keyword(name), cases))
                    .collect(),
            ),
        ),
        ("not", Edn::Set(names(not))),
        ("also-not", Edn::Set(names(also_not))),
    ]);
    let validity = if valid {
        Validity::True
    } else {
        Validity::False
    };
    (validity, edn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom.md §3.8 ⚠, Maelstrom `txn_rw_register.clj`: a search timeout alone
    /// is dropped, and what is left decides: no anomaly type, so valid.
    #[test]
    fn a_cycle_search_timeout_alone_is_valid() {
        let reported = BTreeMap::from([("cycle-search-timeout", Edn::Vector(Vec::new()))]);
        let (validity, edn) = verdict(reported);
        assert_eq!(validity, Validity::True);
        assert_eq!(
            edn.to_string(),
            "{:valid? true, :anomaly-types (), :anomalies {}, :not #{}, :also-not #{}}"
        );
    }

    /// ...and beside a real anomaly it is dropped too, leaving the history invalid.
    #[test]
    fn a_cycle_search_timeout_beside_an_anomaly_is_dropped() {
        let reported = BTreeMap::from([
            ("cycle-search-timeout", Edn::Vector(Vec::new())),
            ("G1c", Edn::Vector(Vec::new())),
        ]);
        let (validity, edn) = verdict(reported);
        assert_eq!(validity, Validity::False);
        assert_eq!(
            edn.get("anomaly-types").map(Edn::to_string).as_deref(),
            Some("(:G1c)")
        );
    }
}
