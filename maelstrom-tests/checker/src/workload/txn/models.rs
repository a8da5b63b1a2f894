//! Consistency models, each defined by the anomalies it proscribes (maelstrom.md §3.8;
//! elle `consistency_model.clj`; Adya 2000; Cerone & Gotsman 2016 for snapshot
//! isolation; Berenson et al. 1995 for lost update).
//!
//! | model | also proscribes (on top of the row above) |
//! |---|---|
//! | `read-uncommitted` (Adya PL-1) | G0, cyclic-versions |
//! | `read-committed` (PL-2) | G1a, G1b, G1c |
//! | `snapshot-isolation` (PL-SI) | internal, G-single, G-nonadjacent, lost-update |
//! | `serializable` (PL-3) | G2-item |
//! | `strict-serializable` (PL-SS) | every `-process` and `-realtime` cycle |
//!
//! Snapshot isolation allows exactly the cycles with two adjacent rw edges (Cerone &
//! Gotsman), hence G-single and G-nonadjacent but not G2-item. `internal` is allowed
//! by read-uncommitted and read-committed, as in Elle.
//!
//! The checker reports only what the requested models proscribe (Elle's
//! `reportable-anomaly-types`), plus the two anomalies that mean "could not judge":
//! `:empty-transaction-graph` and `:cycle-search-timeout`. Its `:not` lists the
//! weakest of these five models the reported anomalies rule out, and `:also-not` the
//! stronger ones ruled out with them.
//!
//! Left out: Elle's graph relates some thirty models (cursor stability, repeatable
//! read, causal, prefix, ...). Only these five are modelled, so `:not` and `:also-not`
//! name a subset of what Elle would list.

use std::collections::BTreeSet;

use super::cycles::{CycleType, Variant};

/// The five models this checker knows, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Model {
    ReadUncommitted,
    ReadCommitted,
    SnapshotIsolation,
    Serializable,
    StrictSerializable,
}

/// Reported whatever the models: they say the history could not be judged.
pub const UNKNOWN_ANOMALIES: [&str; 2] = ["empty-transaction-graph", "cycle-search-timeout"];

impl Model {
    const ALL: [Model; 5] = [
        Model::ReadUncommitted,
        Model::ReadCommitted,
        Model::SnapshotIsolation,
        Model::Serializable,
        Model::StrictSerializable,
    ];

    /// The name Elle prints.
    pub fn name(self) -> &'static str {
        match self {
            Model::ReadUncommitted => "read-uncommitted",
            Model::ReadCommitted => "read-committed",
            Model::SnapshotIsolation => "snapshot-isolation",
            Model::Serializable => "serializable",
            Model::StrictSerializable => "strict-serializable",
        }
    }

    /// A model by Elle's name or Adya's alias, with or without the keyword's colon.
    pub fn parse(name: &str) -> Option<Model> {
        Some(match name.trim().trim_start_matches(':') {
            "read-uncommitted" | "PL-1" => Model::ReadUncommitted,
            "read-committed" | "PL-2" => Model::ReadCommitted,
            "snapshot-isolation" | "PL-SI" => Model::SnapshotIsolation,
            "serializable" | "PL-3" => Model::Serializable,
            "strict-serializable" | "PL-SS" => Model::StrictSerializable,
            _ => return None,
        })
    }

    /// Every anomaly this model proscribes (see the table in the module doc).
    pub fn proscribed(self) -> BTreeSet<&'static str> {
        let weaker = Model::ALL
            .iter()
            .copied()
            .take_while(|&model| model < self)
            .last();
        let mut anomalies = weaker.map(Model::proscribed).unwrap_or_default();
        let own: Vec<&'static str> = match self {
            Model::ReadUncommitted => vec!["G0", "cyclic-versions"],
            Model::ReadCommitted => vec!["G1a", "G1b", "G1c"],
            Model::SnapshotIsolation => {
                vec!["internal", "G-single", "G-nonadjacent", "lost-update"]
            }
            Model::Serializable => vec!["G2-item"],
            Model::StrictSerializable => CycleType::all()
                .into_iter()
                .filter(|cycle_type| cycle_type.variant != Variant::Data)
                .map(CycleType::name)
                .collect(),
        };
        anomalies.extend(own);
        anomalies
    }
}

/// The models named by `--consistency-models` (comma-separated names are split);
/// none means Maelstrom's default, strict-serializable.
pub fn parse_all(names: &[String]) -> anyhow::Result<Vec<Model>> {
    let names: Vec<&str> = names
        .iter()
        .flat_map(|name| name.split(','))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(vec![Model::StrictSerializable]);
    }
    names
        .into_iter()
        .map(|name| {
            Model::parse(name).ok_or_else(|| {
                let known: Vec<&str> = Model::ALL.iter().map(|m| m.name()).collect();
                anyhow::anyhow!(
                    "unknown consistency model {name:?}; expected one of {}",
                    known.join(", ")
                )
            })
        })
        .collect()
}

/// What to report when checking against `models`.
pub fn reportable(models: &[Model]) -> BTreeSet<&'static str> {
    let mut anomalies: BTreeSet<&'static str> = UNKNOWN_ANOMALIES.into_iter().collect();
    for model in models {
        anomalies.extend(model.proscribed());
    }
    anomalies
}

/// `(:not, :also-not)`: the weakest models `anomalies` rule out, and the rest they
/// rule out. A model is weaker than another when it proscribes strictly less.
pub fn boundary<'a>(
    anomalies: impl IntoIterator<Item = &'a str>,
) -> (Vec<&'static str>, Vec<&'static str>) {
    let anomalies: BTreeSet<&str> = anomalies.into_iter().collect();
    let ruled_out: Vec<(Model, BTreeSet<&'static str>)> = Model::ALL
        .into_iter()
        .map(|model| (model, model.proscribed()))
        .filter(|(_, proscribed)| proscribed.iter().any(|a| anomalies.contains(a)))
        .collect();
    let mut not = Vec::new();
    let mut also_not = Vec::new();
    for (model, proscribed) in &ruled_out {
        let weaker_ruled_out = ruled_out
            .iter()
            .any(|(_, other)| other.len() < proscribed.len() && other.is_subset(proscribed));
        if weaker_ruled_out {
            also_not.push(model.name());
        } else {
            not.push(model.name());
        }
    }
    not.sort_unstable();
    also_not.sort_unstable();
    (not, also_not)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// maelstrom.md §3.8: read-uncommitted proscribes G0; read-committed adds G1a, G1b
    /// and G1c; neither proscribes `internal`.
    #[test]
    fn read_uncommitted_and_read_committed_proscribe_what_elle_says() {
        let ru = Model::ReadUncommitted.proscribed();
        let rc = Model::ReadCommitted.proscribed();
        assert!(ru.contains("G0") && !ru.contains("G1a"));
        assert!(["G0", "G1a", "G1b", "G1c"].iter().all(|a| rc.contains(a)));
        assert!(!ru.contains("internal") && !rc.contains("internal"));
        assert!(!rc.contains("G-single") && !rc.contains("G0-realtime"));
    }

    /// Cerone & Gotsman: snapshot isolation allows write skew (G2-item) but not
    /// G-single; serializability allows neither; only strict serializability cares
    /// about real time.
    #[test]
    fn stronger_models_proscribe_more() {
        let si = Model::SnapshotIsolation.proscribed();
        let ser = Model::Serializable.proscribed();
        let strict = Model::StrictSerializable.proscribed();
        assert!(si.contains("G-single") && !si.contains("G2-item"));
        assert!(ser.contains("G2-item") && !ser.contains("G-single-realtime"));
        assert!(strict.contains("G-single-realtime") && strict.contains("G0-process"));
        assert!(si.is_subset(&ser) && ser.is_subset(&strict));
    }

    /// elle `consistency_model.clj` `friendly-boundary`: G1c rules out read-committed,
    /// and with it every stronger model; G-single rules out snapshot isolation first.
    #[test]
    fn the_boundary_names_the_weakest_models_ruled_out() {
        let (not, also_not) = boundary(["G1c"]);
        assert_eq!(not, ["read-committed"]);
        assert_eq!(
            also_not,
            ["serializable", "snapshot-isolation", "strict-serializable"]
        );
        let (not, also_not) = boundary(["G-single-realtime"]);
        assert_eq!((not, also_not), (vec!["strict-serializable"], vec![]));
        let (not, also_not) = boundary(["empty-transaction-graph"]);
        assert!(not.is_empty() && also_not.is_empty());
    }

    /// Elle's and Adya's names both work; nothing means strict-serializable.
    #[test]
    fn models_parse_by_either_name() {
        assert_eq!(
            parse_all(&[":PL-2".into(), "serializable".into()]).expect("known models"),
            [Model::ReadCommitted, Model::Serializable]
        );
        assert_eq!(
            parse_all(&["read-committed,snapshot-isolation".into()]).expect("known models"),
            [Model::ReadCommitted, Model::SnapshotIsolation]
        );
        assert_eq!(
            parse_all(&[]).expect("the default"),
            [Model::StrictSerializable]
        );
        assert!(parse_all(&["linearizable".into()]).is_err());
    }
}
