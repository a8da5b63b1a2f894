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
