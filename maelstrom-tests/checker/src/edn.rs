//! EDN values: the text format of Maelstrom's `history.edn` and `results.edn`.
//!
//! Only what those files use is modelled. Maps and sets keep insertion order
//! (a `Vec` of entries), so that what we write reads in the same key order as
//! Maelstrom's output, and so that equal inputs always print equally.

/// One EDN value.
#[derive(Clone, Debug, PartialEq)]
pub enum Edn {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A keyword without its leading colon: `:valid?` is `Keyword("valid?")`.
    Keyword(String),
    Symbol(String),
    Vector(Vec<Edn>),
    List(Vec<Edn>),
    Set(Vec<Edn>),
    Map(Vec<(Edn, Edn)>),
    /// A tagged literal such as `#jepsen.history.Op{...}`: the tag without `#`.
    Tagged(String, Box<Edn>),
}

impl Edn {
    /// `:name`.
    pub fn keyword(name: &str) -> Edn {
        Edn::Keyword(name.to_string())
    }

    /// A map with keyword keys, in the order given.
    pub fn kmap<I, K>(entries: I) -> Edn
    where
        I: IntoIterator<Item = (K, Edn)>,
        K: AsRef<str>,
    {
        Edn::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Edn::keyword(k.as_ref()), v))
                .collect(),
        )
    }

    /// Looks up a keyword key in a map (`None` for absent keys and non-maps).
    pub fn get(&self, keyword: &str) -> Option<&Edn> {
        match self {
            Edn::Map(entries) => entries.iter().find_map(|(k, v)| match k {
                Edn::Keyword(name) if name == keyword => Some(v),
                _ => None,
            }),
            _ => None,
        }
    }

    /// A JSON value as Maelstrom's clients record it in a history: arrays become
    /// vectors, objects become maps with string keys.
    pub fn from_json(value: &serde_json::Value) -> Edn {
        use serde_json::Value;
        match value {
            Value::Null => Edn::Nil,
            Value::Bool(b) => Edn::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Edn::Int(i),
                None => Edn::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Edn::Str(s.clone()),
            Value::Array(items) => Edn::Vector(items.iter().map(Edn::from_json).collect()),
            Value::Object(map) => Edn::Map(
                map.iter()
                    .map(|(k, v)| (Edn::Str(k.clone()), Edn::from_json(v)))
                    .collect(),
            ),
        }
    }
}

impl Edn {
    /// The value as JSON, for `results.json`: keywords become strings without
    /// the colon, sets and lists become arrays, map keys become strings (a
    /// non-string key is written as its EDN text, so `{0.5 20}` gives `{"0.5": 20}`).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Edn::Nil => Value::Null,
            Edn::Bool(b) => Value::Bool(*b),
            Edn::Int(i) => Value::from(*i),
            Edn::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Edn::Str(s) | Edn::Keyword(s) | Edn::Symbol(s) => Value::String(s.clone()),
            Edn::Vector(items) | Edn::List(items) | Edn::Set(items) => {
                Value::Array(items.iter().map(Edn::to_json).collect())
            }
            Edn::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| {
                        let key = match key {
                            Edn::Str(s) | Edn::Keyword(s) => s.clone(),
                            other => other.to_string(),
                        };
                        (key, value.to_json())
                    })
                    .collect(),
            ),
            Edn::Tagged(_, inner) => inner.to_json(),
        }
    }
}

/// EDN text as Clojure's `pr-str` prints it: `{:a 1, :b [1 2]}`.
impl std::fmt::Display for Edn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Edn::Nil => f.write_str("nil"),
            Edn::Bool(b) => write!(f, "{b}"),
            Edn::Int(i) => write!(f, "{i}"),
            Edn::Float(x) => write_float(f, *x),
            Edn::Str(s) => write_string(f, s),
            Edn::Keyword(k) => write!(f, ":{k}"),
            Edn::Symbol(s) => f.write_str(s),
            Edn::Vector(items) => write_seq(f, "[", items, "]"),
            Edn::List(items) => write_seq(f, "(", items, ")"),
            Edn::Set(items) => write_seq(f, "#{", items, "}"),
            Edn::Map(entries) => {
                f.write_str("{")?;
                for (position, (key, value)) in entries.iter().enumerate() {
                    if position > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{key} {value}")?;
                }
                f.write_str("}")
            }
            Edn::Tagged(tag, inner) => write!(f, "#{tag}{inner}"),
        }
    }
}

fn write_seq(
    f: &mut std::fmt::Formatter<'_>,
    open: &str,
    items: &[Edn],
    close: &str,
) -> std::fmt::Result {
    f.write_str(open)?;
    for (position, item) in items.iter().enumerate() {
        if position > 0 {
            f.write_str(" ")?;
        }
        write!(f, "{item}")?;
    }
    f.write_str(close)
}

/// Maelstrom's figures are Java floats (`(float x)`), printed shortest-first
/// (`2.0966184`); a value that is exactly a single-precision float prints that
/// way, anything else as a double. Whole numbers keep a `.0`.
fn write_float(f: &mut std::fmt::Formatter<'_>, x: f64) -> std::fmt::Result {
    if !x.is_finite() {
        return f.write_str(if x.is_nan() {
            "##NaN"
        } else if x > 0.0 {
            "##Inf"
        } else {
            "##-Inf"
        });
    }
    let single = x as f32;
    if f64::from(single) == x {
        write!(f, "{single:?}")
    } else {
        write!(f, "{x:?}")
    }
}

fn write_string(f: &mut std::fmt::Formatter<'_>, s: &str) -> std::fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            other => write!(f, "{other}")?,
        }
    }
    f.write_str("\"")
}
