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
