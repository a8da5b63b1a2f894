//! Operations: the lines of `history.edn`.

use crate::edn::Edn;

/// `:type` of an op.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OpType {
    Invoke,
    Ok,
    Fail,
    Info,
}

/// `:process`: a client worker's process number, or the nemesis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Process {
    Client(u64),
    Nemesis,
}

/// One history entry, e.g.
/// `{:index 3, :time 160955894, :type :ok, :process 1, :f :read, :value [1 2]}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    /// Dense position in the history, from 0.
    pub index: u64,
    /// Nanoseconds since the start of the test.
    pub time_ns: i64,
    pub op_type: OpType,
    pub process: Process,
    /// The operation's function without its colon: `read`, `broadcast`, `add`, ...
    pub f: String,
    pub value: Edn,
    /// Any further keys in the order they appeared or should be written
    /// (`:final?`, `:error`, `:exception`, ...), keyword names without colons.
    pub extra: Vec<(String, Edn)>,
}

impl Op {
    /// The value of an extra key such as `final?` or `error`.
    pub fn extra(&self, key: &str) -> Option<&Edn> {
        self.extra.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// True for `:final? true` ops (the reads after the final heal).
    pub fn is_final(&self) -> bool {
        matches!(self.extra("final?"), Some(Edn::Bool(true)))
    }
}

impl OpType {
    /// `invoke`, `ok`, `fail`, `info`.
    pub fn keyword(self) -> &'static str {
        match self {
            OpType::Invoke => "invoke",
            OpType::Ok => "ok",
            OpType::Fail => "fail",
            OpType::Info => "info",
        }
    }
}

impl Op {
    /// The op as an EDN map, keys in Maelstrom's order.
    pub fn to_edn(&self) -> Edn {
        let process = match self.process {
            Process::Client(process) => Edn::Int(process as i64),
            Process::Nemesis => Edn::keyword("nemesis"),
        };
        let mut entries = vec![
            (Edn::keyword("index"), Edn::Int(self.index as i64)),
            (Edn::keyword("time"), Edn::Int(self.time_ns)),
            (Edn::keyword("type"), Edn::keyword(self.op_type.keyword())),
            (Edn::keyword("process"), process),
            (Edn::keyword("f"), Edn::keyword(&self.f)),
            (Edn::keyword("value"), self.value.clone()),
        ];
        for (key, value) in &self.extra {
            entries.push((Edn::keyword(key), value.clone()));
        }
        Edn::Map(entries)
    }

    /// One line of `history.edn`.
    pub fn to_edn_line(&self) -> String {
        self.to_edn().to_string()
    }
}

/// Writes `history.edn`: one op per line.
pub fn write_history(path: &std::path::Path, ops: &[Op]) -> anyhow::Result<()> {
    use std::io::Write;
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::new(file);
    for op in ops {
        writeln!(out, "{}", op.to_edn_line())?;
    }
    out.flush()?;
    Ok(())
}

impl Op {
    /// An op from one parsed `history.edn` line (or a `#jepsen.history.Op{...}`).
    pub fn from_edn(value: &Edn) -> anyhow::Result<Op> {
        let value = match value {
            Edn::Tagged(_, inner) => inner,
            other => other,
        };
        let Edn::Map(entries) = value else {
            anyhow::bail!("an op is a map, not {value}");
        };
        let get = |key: &str| {
            value
                .get(key)
                .ok_or_else(|| anyhow::anyhow!("op without :{key}: {value}"))
        };
        let int = |key: &str| match get(key)? {
            Edn::Int(i) => Ok(*i),
            other => anyhow::bail!(":{key} is not an integer: {other}"),
        };
        let op_type = match get("type")? {
            Edn::Keyword(k) if k == "invoke" => OpType::Invoke,
            Edn::Keyword(k) if k == "ok" => OpType::Ok,
            Edn::Keyword(k) if k == "fail" => OpType::Fail,
            Edn::Keyword(k) if k == "info" => OpType::Info,
            other => anyhow::bail!("unknown :type {other}"),
        };
        let process = match get("process")? {
            Edn::Int(p) => Process::Client(*p as u64),
            Edn::Keyword(k) if k == "nemesis" => Process::Nemesis,
            other => anyhow::bail!("unknown :process {other}"),
        };
        let f = match get("f")? {
            Edn::Keyword(f) => f.clone(),
            other => anyhow::bail!(":f is not a keyword: {other}"),
        };
        let standard = ["index", "time", "type", "process", "f", "value"];
        let extra = entries
            .iter()
            .filter_map(|(key, value)| match key {
                Edn::Keyword(name) if !standard.contains(&name.as_str()) => {
                    Some((name.clone(), value.clone()))
                }
                _ => None,
            })
            .collect();
        Ok(Op {
            index: int("index")? as u64,
            time_ns: int("time")?,
            op_type,
            process,
            f,
            value: value.get("value").cloned().unwrap_or(Edn::Nil),
            extra,
        })
    }
}

/// Reads `history.edn`: one op per line (blank lines skipped). Histories that
/// are one big vector of ops are read too.
pub fn read_history(path: &std::path::Path) -> anyhow::Result<Vec<Op>> {
    use anyhow::Context;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_history(&text, path)
}

/// The ops in the text of a `history.edn` read from `origin`, which every error
/// names, with the line where it happened.
pub fn parse_history(text: &str, origin: &std::path::Path) -> anyhow::Result<Vec<Op>> {
    use anyhow::Context;
    let origin = origin.display();
    if text.trim_start().starts_with('[') {
        let Edn::Vector(ops) = crate::edn_read::parse(text).with_context(|| origin.to_string())?
        else {
            anyhow::bail!("{origin} is not a vector of ops");
        };
        return ops
            .iter()
            .enumerate()
            .map(|(position, op)| {
                Op::from_edn(op).with_context(|| format!("{origin}: op {position} of the vector"))
            })
            .collect();
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            let value = crate::edn_read::parse_from_line(line, number + 1)
                .with_context(|| origin.to_string())?;
            Op::from_edn(&value).with_context(|| format!("{origin}:{}", number + 1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// maelstrom.md §6 (`analyze`): a hostile history is an error naming the file
    /// and the line, not an abort.
    #[test]
    fn a_hostile_history_is_an_error_naming_the_file_and_line() {
        let good = "{:index 0, :time 1, :type :invoke, :process 0, :f :read, :value nil}";
        let text = format!("{good}\n{}\n", "[".repeat(20_000));
        let error = parse_history(&text, Path::new("store/x/history.edn")).expect_err("hostile");
        let message = format!("{error:#}");
        assert!(message.starts_with("store/x/history.edn: "), "{message}");
        assert!(message.contains("nesting deeper than"), "{message}");
        assert!(message.contains("at line 2, column 257"), "{message}");

        let vector = "[".repeat(20_000);
        let error = parse_history(&vector, Path::new("h.edn")).expect_err("hostile");
        assert!(
            format!("{error:#}").starts_with("h.edn: nesting deeper"),
            "{error:#}"
        );
    }

    /// maelstrom.md §6: a line that reads but is not an op names the file and line.
    #[test]
    fn a_line_that_is_not_an_op_names_the_file_and_line() {
        let error = parse_history("\n{:index 0}\n", Path::new("h.edn")).expect_err("no :type");
        assert_eq!(
            format!("{error:#}"),
            "h.edn:2: op without :type: {:index 0}"
        );
    }
}
