//! The checker crate's entry points the runner calls: history files, `check`,
//! the EDN/JSON text of results, the console summary and challenge criteria.
//!
//! `maelstrom-checker` is being written at the same time as this crate, so until
//! it provides them this module holds small stand-ins with the same meaning
//! (`fallback_*`); every caller goes through this module, so switching to the real
//! crate is a change here only.

pub use fallback_checking::*;
pub use maelstrom_checker::{CheckOptions, Edn, NetStats, Op, OpType, Process, Results, Validity};

mod fallback_checking {
    use std::collections::BTreeMap;
    use std::path::Path;

    use maelstrom_checker::{CheckOptions, Edn, NetStats, Op, OpType, Process, Results, Validity};

    /// Stand-in for `Edn`'s `Display`.
    pub fn edn_text(value: &Edn) -> String {
        match value {
            Edn::Nil => "nil".into(),
            Edn::Bool(b) => b.to_string(),
            Edn::Int(i) => i.to_string(),
            Edn::Float(f) => format!("{f:?}"),
            Edn::Str(s) => serde_json::to_string(s).unwrap_or_default(),
            Edn::Keyword(k) => format!(":{k}"),
            Edn::Symbol(s) => s.clone(),
            Edn::Vector(items) => format!("[{}]", join(items, " ")),
            Edn::List(items) => format!("({})", join(items, " ")),
            Edn::Set(items) => format!("#{{{}}}", join(items, " ")),
            Edn::Map(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{} {}", edn_text(k), edn_text(v)))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            Edn::Tagged(tag, inner) => format!("#{tag}{}", edn_text(inner)),
        }
    }

    fn join(items: &[Edn], separator: &str) -> String {
        items
            .iter()
            .map(edn_text)
            .collect::<Vec<_>>()
            .join(separator)
    }

    /// Stand-in for `Edn::to_json`.
    pub fn edn_json(value: &Edn) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Edn::Nil => Value::Null,
            Edn::Bool(b) => Value::Bool(*b),
            Edn::Int(i) => Value::from(*i),
            Edn::Float(f) => Value::from(*f),
            Edn::Str(s) | Edn::Keyword(s) | Edn::Symbol(s) => Value::String(s.clone()),
            Edn::Vector(items) | Edn::List(items) | Edn::Set(items) => {
                Value::Array(items.iter().map(edn_json).collect())
            }
            Edn::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Edn::Str(s) | Edn::Keyword(s) => s.clone(),
                            other => edn_text(other),
                        };
                        (key, edn_json(v))
                    })
                    .collect(),
            ),
            Edn::Tagged(_, inner) => edn_json(inner),
        }
    }

    fn op_type_keyword(op_type: OpType) -> &'static str {
        match op_type {
            OpType::Invoke => "invoke",
            OpType::Ok => "ok",
            OpType::Fail => "fail",
            OpType::Info => "info",
        }
    }

    /// Stand-in for `Op::to_edn_line`.
    pub fn op_line(op: &Op) -> String {
        let process = match op.process {
            Process::Client(p) => Edn::Int(p as i64),
            Process::Nemesis => Edn::keyword("nemesis"),
        };
        let mut entries = vec![
            ("index".to_string(), Edn::Int(op.index as i64)),
            ("time".to_string(), Edn::Int(op.time_ns)),
            (
                "type".to_string(),
                Edn::keyword(op_type_keyword(op.op_type)),
            ),
            ("process".to_string(), process),
            ("f".to_string(), Edn::keyword(&op.f)),
            ("value".to_string(), op.value.clone()),
        ];
        entries.extend(op.extra.iter().cloned());
        edn_text(&Edn::kmap(entries))
    }

    /// Stand-in for `history::write_history`.
    pub fn write_history(path: &Path, ops: &[Op]) -> anyhow::Result<()> {
        let text: String = ops.iter().map(|op| op_line(op) + "\n").collect();
        std::fs::write(path, text)?;
        Ok(())
    }

    /// Stand-in for `check`: only the workload checks the runner's tests need.
    pub fn check(
        options: &CheckOptions,
        history: &[Op],
        net: Option<&NetStats>,
    ) -> anyhow::Result<Results> {
        let workload = match options.workload.as_str() {
            "echo" => check_echo(history),
            "unique-ids" => check_unique_ids(history),
            "broadcast" | "g-set" => check_final_reads_contain_adds(history),
            "g-counter" | "pn-counter" => check_counter(history),
            other => anyhow::bail!("no checker for workload {other:?}"),
        };
        let _ = net;
        let valid = if workload {
            Validity::True
        } else {
            Validity::False
        };
        let edn = Edn::kmap([
            ("workload", Edn::kmap([("valid?", Edn::Bool(workload))])),
            ("valid?", Edn::Bool(workload)),
        ]);
        Ok(Results { valid, edn })
    }

    fn completions(history: &[Op]) -> Vec<(&Op, &Op)> {
        let mut open: BTreeMap<Process, &Op> = BTreeMap::new();
        let mut pairs = Vec::new();
        for op in history.iter().filter(|op| op.process != Process::Nemesis) {
            if op.op_type == OpType::Invoke {
                open.insert(op.process, op);
            } else if let Some(invoke) = open.remove(&op.process) {
                pairs.push((invoke, op));
            }
        }
        pairs
    }

    fn check_echo(history: &[Op]) -> bool {
        completions(history).iter().all(|(invoke, done)| {
            done.op_type == OpType::Ok && echo_of(&done.value) == Some(&invoke.value)
        })
    }

    /// The `"echo"` entry of an `echo_ok` body recorded as a map.
    fn echo_of(value: &Edn) -> Option<&Edn> {
        let Edn::Map(entries) = value else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| *k == Edn::Str("echo".into()))
            .map(|(_, v)| v)
    }

    fn check_unique_ids(history: &[Op]) -> bool {
        let mut seen = Vec::new();
        for op in history.iter().filter(|op| op.op_type == OpType::Ok) {
            if seen.contains(&&op.value) {
                return false;
            }
            seen.push(&op.value);
        }
        true
    }

    fn check_final_reads_contain_adds(history: &[Op]) -> bool {
        let added: Vec<&Edn> = history
            .iter()
            .filter(|op| op.op_type == OpType::Ok && op.f != "read")
            .map(|op| &op.value)
            .collect();
        history
            .iter()
            .filter(|op| op.op_type == OpType::Ok && op.is_final())
            .all(|read| match &read.value {
                Edn::Vector(items) => added.iter().all(|value| items.contains(value)),
                _ => false,
            })
    }

    fn check_counter(history: &[Op]) -> bool {
        let sum: i64 = history
            .iter()
            .filter(|op| op.op_type == OpType::Ok && op.f == "add")
            .filter_map(|op| {
                if let Edn::Int(i) = op.value {
                    Some(i)
                } else {
                    None
                }
            })
            .sum();
        history
            .iter()
            .filter(|op| op.op_type == OpType::Ok && op.is_final())
            .all(|read| read.value == Edn::Int(sum))
    }

    /// Stand-in for `summary::render`.
    pub fn summary(results: &Results, _options: &CheckOptions) -> String {
        edn_text(&results.edn)
    }

    /// Stand-in for `criteria::evaluate`.
    pub fn criteria(challenge: &str, results: &Results) -> anyhow::Result<Vec<String>> {
        match challenge {
            "1" | "2" | "3a" | "3b" | "3c" | "4" => Ok(if results.valid == Validity::True {
                Vec::new()
            } else {
                vec!["the run is not valid".into()]
            }),
            other => anyhow::bail!("unknown challenge {other:?}"),
        }
    }

    /// Stand-in for `analyze::load`.
    pub fn analyze_load(path: &Path) -> anyhow::Result<(CheckOptions, Vec<Op>, Option<NetStats>)> {
        anyhow::bail!(
            "reading {} needs the checker's EDN reader, which is not available yet",
            path.display()
        )
    }
}
