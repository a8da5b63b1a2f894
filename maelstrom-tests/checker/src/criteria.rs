//! The Gossip Glomers pass criteria (maelstrom.md §7) as checks on a results map.
//!
//! Every challenge needs a valid run; 3d and 3e also bound the servers'
//! msgs-per-op and the median and maximum stable latency. `3d-strict` and
//! `5c-strict` are this project's own, tighter targets for the broadcast and kafka
//! benchmarks (5c's page names no figures: "significantly fewer messages").

use crate::check::{Results, Validity};
use crate::edn::Edn;

/// Every challenge [`evaluate`] knows: the Gossip Glomers challenges, and the
/// project's own `3d-strict` and `5c-strict`.
pub const CHALLENGES: [&str; 16] = [
    "1",
    "2",
    "3a",
    "3b",
    "3c",
    "3d",
    "3e",
    "3d-strict",
    "4",
    "5a",
    "5b",
    "5c",
    "5c-strict",
    "6a",
    "6b",
    "6c",
];

/// `Ok` for a challenge [`evaluate`] knows; else a line listing the ones it does.
pub fn known(challenge: &str) -> Result<(), String> {
    if CHALLENGES.contains(&challenge) {
        Ok(())
    } else {
        Err(format!(
            "unknown challenge {challenge:?}: expected one of {}",
            CHALLENGES.join(", ")
        ))
    }
}

/// How a figure must compare with its bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    Below,
    AtMost,
    AtLeast,
}

impl Relation {
    fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            Relation::Below => value < bound,
            Relation::AtMost => value <= bound,
            Relation::AtLeast => value >= bound,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Relation::Below => "<",
            Relation::AtMost => "≤",
            Relation::AtLeast => "≥",
        }
    }
}

/// One figure a challenge bounds.
#[derive(Clone, Copy, Debug)]
enum Figure {
    ServersMsgsPerOp,
    MedianStableLatencyMs,
    MaxStableLatencyMs,
    OkFraction,
}

impl Figure {
    fn name(self) -> &'static str {
        match self {
            Figure::ServersMsgsPerOp => "servers msgs-per-op",
            Figure::MedianStableLatencyMs => "median stable latency (ms)",
            Figure::MaxStableLatencyMs => "maximum stable latency (ms)",
            Figure::OkFraction => "availability ok-fraction",
        }
    }

    fn read(self, results: &Edn) -> Option<f64> {
        match self {
            Figure::ServersMsgsPerOp => figure(results, &["net", "servers", "msgs-per-op"]),
            Figure::MedianStableLatencyMs => stable_latency(results, "0.5"),
            Figure::MaxStableLatencyMs => stable_latency(results, "1"),
            Figure::OkFraction => figure(results, &["availability", "ok-fraction"]),
        }
    }
}

/// The figures a challenge bounds, beyond a valid run.
fn bounds(challenge: &str) -> Vec<(Figure, Relation, f64)> {
    use Figure::*;
    use Relation::*;
    match challenge {
        "3d" => vec![
            (ServersMsgsPerOp, Below, 30.0),
            (MedianStableLatencyMs, Below, 400.0),
            (MaxStableLatencyMs, Below, 600.0),
        ],
        "3e" => vec![
            (ServersMsgsPerOp, Below, 20.0),
            (MedianStableLatencyMs, Below, 1000.0),
            (MaxStableLatencyMs, Below, 2000.0),
        ],
        "3d-strict" => vec![
            (ServersMsgsPerOp, AtMost, 3.0),
            (MedianStableLatencyMs, AtMost, 300.0),
            (MaxStableLatencyMs, AtMost, 500.0),
        ],
        "5c-strict" => vec![
            (ServersMsgsPerOp, AtMost, 1.0),
            (OkFraction, AtLeast, 0.999),
        ],
        _ => Vec::new(),
    }
}

/// The criteria `results` fails for `challenge` (one of [`CHALLENGES`]); an empty list
/// is a pass.
pub fn evaluate(challenge: &str, results: &Results) -> anyhow::Result<Vec<String>> {
    known(challenge).map_err(anyhow::Error::msg)?;
    let mut unmet = Vec::new();
    if results.valid != Validity::True {
        unmet.push(format!(
            "the run is not valid (:valid? {})",
            results.valid.to_edn()
        ));
    }
    for (figure, relation, bound) in bounds(challenge) {
        match figure.read(&results.edn) {
            Some(value) if relation.holds(value, bound) => {}
            Some(value) => {
                // msgs-per-op and ok-fraction are floats (EDN's f32 precision); latencies
                // are whole ms.
                let shown = if value.fract() == 0.0 {
                    format!("{value}")
                } else {
                    format!("{value:.4}")
                };
                unmet.push(format!(
                    "{} {shown} is not {} {bound}",
                    figure.name(),
                    relation.symbol()
                ));
            }
            None => unmet.push(format!("{} is not in the results", figure.name())),
        }
    }
    Ok(unmet)
}

/// A number at a path of keyword keys.
pub fn figure(results: &Edn, path: &[&str]) -> Option<f64> {
    let mut value = results;
    for key in path {
        value = value.get(key)?;
    }
    number(value)
}

/// A stable-latency quantile (`"0.5"`, `"1"`) from `:workload :stable-latencies`.
pub fn stable_latency(results: &Edn, point: &str) -> Option<f64> {
    let Edn::Map(entries) = results.get("workload")?.get("stable-latencies")? else {
        return None;
    };
    entries
        .iter()
        .find(|(key, _)| key.to_string() == point)
        .and_then(|(_, value)| number(value))
}

fn number(value: &Edn) -> Option<f64> {
    match value {
        Edn::Int(i) => Some(*i as f64),
        Edn::Float(f) => Some(*f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Results {
        Results {
            valid: Validity::True,
            edn: Edn::kmap([("valid?", Edn::Bool(true))]),
        }
    }

    /// maelstrom.md §7: every Gossip Glomers challenge with criteria here is known.
    #[test]
    fn every_listed_challenge_is_known() {
        for challenge in CHALLENGES {
            assert!(evaluate(challenge, &valid()).is_ok(), "{challenge}");
        }
    }

    /// maelstrom.md §7: an unknown challenge is an error that lists the known ones and
    /// names no flag (the caller knows whether it was `--challenge` or `--check`).
    #[test]
    fn an_unknown_challenge_lists_the_known_ones_and_names_no_flag() {
        let error = evaluate("9z", &valid()).expect_err("unknown").to_string();
        assert_eq!(
            error,
            r#"unknown challenge "9z": expected one of 1, 2, 3a, 3b, 3c, 3d, 3e, 3d-strict, 4, 5a, 5b, 5c, 5c-strict, 6a, 6b, 6c"#
        );
        assert!(!error.contains("--"), "{error}");
    }

    /// 5c-strict: at most one servers message per op, at an ok-fraction of at least 0.999.
    #[test]
    fn five_c_strict_bounds_messages_and_availability() {
        let results = |msgs_per_op: f64, ok_fraction: f64| Results {
            valid: Validity::True,
            edn: Edn::kmap([
                (
                    "net",
                    Edn::kmap([(
                        "servers",
                        Edn::kmap([("msgs-per-op", Edn::Float(msgs_per_op))]),
                    )]),
                ),
                (
                    "availability",
                    Edn::kmap([("ok-fraction", Edn::Float(ok_fraction))]),
                ),
            ]),
        };
        let met = evaluate("5c-strict", &results(0.48, 0.9997)).expect("known");
        assert_eq!(met, Vec::<String>::new());
        let unmet = evaluate("5c-strict", &results(1.2, 0.99)).expect("known");
        assert_eq!(unmet.len(), 2, "{unmet:?}");
        assert!(
            unmet[1].starts_with("availability ok-fraction 0.9900 is not ≥ 0.999"),
            "{unmet:?}"
        );
        assert_eq!(
            evaluate("5c", &results(4.7, 0.5)).expect("known"),
            Vec::<String>::new()
        );
    }
}
