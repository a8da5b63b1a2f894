//! The Gossip Glomers pass criteria (maelstrom.md §7) as checks on a results map.
//!
//! Every challenge needs a valid run; 3d and 3e also bound the servers'
//! msgs-per-op and the median and maximum stable latency. `3d-strict` is this
//! project's own, tighter target for the broadcast benchmark.

use crate::check::{Results, Validity};
use crate::edn::Edn;

/// Upper bounds on (servers msgs-per-op, median, max stable latency in ms);
/// `inclusive` when the bound itself passes.
struct Bounds {
    msgs_per_op: f64,
    median_ms: f64,
    max_ms: f64,
    inclusive: bool,
}

/// Every challenge [`evaluate`] knows: the Gossip Glomers challenges, and `3d-strict`.
pub const CHALLENGES: [&str; 15] = [
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

/// The criteria `results` fails for `challenge` (one of [`CHALLENGES`]); an empty list
/// is a pass.
pub fn evaluate(challenge: &str, results: &Results) -> anyhow::Result<Vec<String>> {
    known(challenge).map_err(anyhow::Error::msg)?;
    let bounds = match challenge {
        "1" | "2" | "3a" | "3b" | "3c" | "4" | "5a" | "5b" | "5c" | "6a" | "6b" | "6c" => None,
        "3d" => Some(Bounds {
            msgs_per_op: 30.0,
            median_ms: 400.0,
            max_ms: 600.0,
            inclusive: false,
        }),
        "3e" => Some(Bounds {
            msgs_per_op: 20.0,
            median_ms: 1000.0,
            max_ms: 2000.0,
            inclusive: false,
        }),
        "3d-strict" => Some(Bounds {
            msgs_per_op: 3.0,
            median_ms: 300.0,
            max_ms: 500.0,
            inclusive: true,
        }),
        other => unreachable!("known() accepted {other:?} but it has no bounds"),
    };
    let mut unmet = Vec::new();
    if results.valid != Validity::True {
        unmet.push(format!(
            "the run is not valid (:valid? {})",
            results.valid.to_edn()
        ));
    }
    let Some(bounds) = bounds else {
        return Ok(unmet);
    };
    let relation = if bounds.inclusive { "≤" } else { "<" };
    let within = |value: f64, bound: f64| {
        if bounds.inclusive {
            value <= bound
        } else {
            value < bound
        }
    };
    let figures = [
        (
            "servers msgs-per-op",
            figure(&results.edn, &["net", "servers", "msgs-per-op"]),
            bounds.msgs_per_op,
        ),
        (
            "median stable latency (ms)",
            stable_latency(&results.edn, "0.5"),
            bounds.median_ms,
        ),
        (
            "maximum stable latency (ms)",
            stable_latency(&results.edn, "1"),
            bounds.max_ms,
        ),
    ];
    for (name, value, bound) in figures {
        match value {
            Some(value) if within(value, bound) => {}
            Some(value) => {
                // msgs-per-op is a float (EDN's f32 precision); latencies are whole ms.
                let shown = if value.fract() == 0.0 {
                    format!("{value}")
                } else {
                    format!("{value:.3}")
                };
                unmet.push(format!("{name} {shown} is not {relation} {bound}"));
            }
            None => unmet.push(format!("{name} is not in the results")),
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
            r#"unknown challenge "9z": expected one of 1, 2, 3a, 3b, 3c, 3d, 3e, 3d-strict, 4, 5a, 5b, 5c, 6a, 6b, 6c"#
        );
        assert!(!error.contains("--"), "{error}");
    }
}
