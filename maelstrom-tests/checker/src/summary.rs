//! The console summary of a results map: the figures a person looks for first.

use crate::check::{CheckOptions, Results};
use crate::criteria::{figure, stable_latency};
use crate::edn::Edn;

/// A few lines: the workload's own figures, stats, availability, messages.
pub fn render(results: &Results, options: &CheckOptions) -> String {
    let edn = &results.edn;
    let mut lines = Vec::new();
    let workload = edn.get("workload");
    let verdict = |section: Option<&Edn>| {
        section
            .and_then(|s| s.get("valid?"))
            .map_or("?".to_string(), Edn::to_string)
    };
    lines.push(format!(
        "workload ({}): :valid? {}",
        options.workload,
        verdict(workload)
    ));
    if let Some(workload) = workload {
        lines.extend(workload_lines(&options.workload, workload, edn));
    }
    if let Some(stats) = edn.get("stats") {
        let count = |key| stats.get(key).map_or("?".into(), Edn::to_string);
        let mut line = format!(
            "stats: :valid? {}; {} completions: {} ok, {} fail, {} info",
            verdict(Some(stats)),
            count("count"),
            count("ok-count"),
            count("fail-count"),
            count("info-count")
        );
        if let Some(Edn::Map(by_f)) = stats.get("by-f") {
            let parts: Vec<String> = by_f
                .iter()
                .map(|(f, counts)| {
                    let get = |key| counts.get(key).map_or("?".into(), Edn::to_string);
                    format!("{f} {}/{} ok", get("ok-count"), get("count"))
                })
                .collect();
            line.push_str(&format!(" ({})", parts.join(", ")));
        }
        lines.push(line);
    }
    if let Some(availability) = edn.get("availability") {
        lines.push(format!(
            "availability: :valid? {}; ok-fraction {}",
            verdict(Some(availability)),
            availability
                .get("ok-fraction")
                .map_or("?".into(), Edn::to_string)
        ));
    }
    match (
        figure(edn, &["net", "all", "msgs-per-op"]),
        figure(edn, &["net", "servers", "msgs-per-op"]),
    ) {
        (Some(all), Some(servers)) => lines.push(format!(
            "net: msgs-per-op {all:.3} all, {servers:.3} servers ({} server messages)",
            figure(edn, &["net", "servers", "msg-count"]).unwrap_or(0.0)
        )),
        // No ops, so no msgs-per-op; the counts themselves were measured.
        _ if figure(edn, &["net", "servers", "msg-count"]).is_some() => lines.push(format!(
            "net: no ops; {} server messages",
            figure(edn, &["net", "servers", "msg-count"]).unwrap_or(0.0)
        )),
        _ => {
            lines.push("net: message counts unknown (a history alone does not record them)".into())
        }
    }
    lines.join("\n")
}

fn workload_lines(workload: &str, section: &Edn, results: &Edn) -> Vec<String> {
    let get = |key: &str| section.get(key).map_or("?".to_string(), Edn::to_string);
    match workload {
        "echo" => vec![format!("  errors: {}", count_of(section.get("errors")))],
        "unique-ids" => vec![format!(
            "  {} attempted, {} acknowledged, {} duplicated; range {}",
            get("attempted-count"),
            get("acknowledged-count"),
            get("duplicated-count"),
            get("range")
        )],
        "broadcast" | "g-set" => {
            let mut lines = vec![format!(
                "  {} attempted: {} stable ({} stale), {} lost, {} never read",
                get("attempt-count"),
                get("stable-count"),
                get("stale-count"),
                get("lost-count"),
                get("never-read-count")
            )];
            let quantile = |point| {
                stable_latency(results, point).map_or("?".to_string(), |ms| format!("{ms}"))
            };
            lines.push(format!(
                "  stable latency ms: min {}, median {}, p95 {}, p99 {}, max {}",
                quantile("0"),
                quantile("0.5"),
                quantile("0.95"),
                quantile("0.99"),
                quantile("1")
            ));
            if section.get("lost-count") != Some(&Edn::Int(0)) {
                lines.push(format!("  lost: {}", get("lost")));
            }
            lines
        }
        "g-counter" | "pn-counter" => vec![format!(
            "  final reads {}; acceptable {}",
            get("final-reads"),
            get("acceptable")
        )],
        "txn-rw-register" => vec![txn_line(section, results)],
        "kafka" => kafka_lines(section, results),
        "lin-kv" => lin_kv_lines(section),
        _ => Vec::new(),
    }
}

/// `  anomaly types (:G1a); 14029 txns: 14000 ok, 20 info, 9 fail`, the counts from
/// `:stats` (maelstrom.md §3.8, §5.4).
fn txn_line(section: &Edn, results: &Edn) -> String {
    let counts = results
        .get("stats")
        .and_then(|stats| stats.get("by-f"))
        .and_then(|by_f| by_f.get("txn"));
    let count = |key| {
        counts
            .and_then(|c| c.get(key))
            .map_or("0".to_string(), Edn::to_string)
    };
    format!(
        "  anomaly types {}; {} txns: {} ok, {} info, {} fail",
        section
            .get("anomaly-types")
            .map_or("?".to_string(), Edn::to_string),
        count("count"),
        count("ok-count"),
        count("info-count"),
        count("fail-count")
    )
}

/// kafka (maelstrom.md §3.7): error types (the bad ones decide), how many sends and polls
/// succeeded, how many acknowledged messages no poll returned, and the worst lag.
fn kafka_lines(section: &Edn, results: &Edn) -> Vec<String> {
    let get = |key: &str| section.get(key).map_or("?".to_string(), Edn::to_string);
    let completions = |f: &str| {
        let by_f = results.get("stats").and_then(|s| s.get("by-f"));
        let counts = by_f.and_then(|by_f| by_f.get(f));
        let get = |key| {
            counts
                .and_then(|c| c.get(key))
                .map_or("0".into(), Edn::to_string)
        };
        format!("{} {} ok of {}", f, get("ok-count"), get("count"))
    };
    let unseen = section
        .get("unseen")
        .and_then(|unseen| unseen.get("count"))
        .map_or("0".to_string(), Edn::to_string);
    vec![
        format!(
            "  error types {}; bad {}",
            get("error-types"),
            get("bad-error-types")
        ),
        format!(
            "  {}, {}; {unseen} acknowledged messages unseen",
            completions("send"),
            completions("poll")
        ),
        format!("  worst realtime lag {}", get("worst-realtime-lag")),
    ]
}

/// lin-kv (maelstrom.md §3.6): how many keys were judged and which failed; for the first
/// failing key, the op no order explains and the values the register could hold before it.
fn lin_kv_lines(section: &Edn) -> Vec<String> {
    let keys = match section.get("results") {
        Some(Edn::Map(keys)) => keys.as_slice(),
        _ => &[],
    };
    let unknown = keys
        .iter()
        .filter(|(_, result)| result.get("valid?") == Some(&Edn::keyword("unknown")))
        .count();
    let failures = section.get("failures").map_or("?".into(), Edn::to_string);
    let mut lines = vec![format!(
        "  keys checked {}; failures {failures}; unknown {unknown}",
        keys.len()
    )];
    let Some(Edn::Vector(failed)) = section.get("failures") else {
        return lines;
    };
    let first = failed
        .first()
        .and_then(|key| keys.iter().find(|(other, _)| other == key));
    if let Some((key, result)) = first {
        let linearizable = result.get("linearizable");
        let op = linearizable
            .and_then(|l| l.get("op"))
            .map_or("?".into(), Edn::to_string);
        let mut values: Vec<String> = Vec::new();
        if let Some(Edn::List(configs) | Edn::Vector(configs)) =
            linearizable.and_then(|l| l.get("configs"))
        {
            for config in configs {
                let model = match config.get("model") {
                    Some(Edn::Tagged(_, model)) => model.get("value"),
                    other => other.and_then(|model| model.get("value")),
                };
                let value = model.map_or("?".into(), Edn::to_string);
                if !values.contains(&value) {
                    values.push(value);
                }
            }
        }
        lines.push(format!(
            "  key {key}: no order explains {op}; the register could hold {} before it",
            values.join(" or ")
        ));
    }
    lines
}

fn count_of(value: Option<&Edn>) -> usize {
    match value {
        Some(Edn::List(items) | Edn::Vector(items)) => items.len(),
        _ => 0,
    }
}
