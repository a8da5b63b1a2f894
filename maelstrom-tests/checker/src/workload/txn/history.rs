//! Transactions from a history: each `:txn` invocation paired with its completion,
//! its micro-ops parsed, and what Elle calls its *external* reads and writes
//! (maelstrom.md §3.8; elle `txn.clj` `ext-reads`, `ext-writes`).
//!
//! A transaction's status decides what we may believe about it:
//! - `:ok` is **committed**: its completion value says what every read saw.
//! - `:info` (or no completion at all) is **indeterminate**: it may have taken effect,
//!   so its writes can be read by others, but its reads are unknown. The `nil` in an
//!   info op's `[:r k nil]` is "not known", not "read nothing".
//! - `:fail` is **aborted**: nothing it wrote may ever be seen (G1a).
//!
//! External reads are the first read of each key, when no write of that key came before
//! it in the transaction: the only reads that observe another transaction's state.
//! External writes are the last write of each key: the only writes others may observe.
//!
//! Keys and values are integers, as Maelstrom's generator makes them. A micro-op that
//! is not `[:r k v]` or `[:w k v]` over integers is reported as an error rather than
//! guessed at. Left out: list-append's `:append` micro-ops (maelstrom.md §3.9).

use anyhow::Context;

use crate::edn::Edn;
use crate::history::{Op, OpType};
use crate::workload::pairs;

pub type Key = i64;
pub type Value = i64;

/// One micro-operation: `[:r k v]` (v is `None` for a read of nothing) or `[:w k v]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mop {
    Read { key: Key, value: Option<Value> },
    Write { key: Key, value: Value },
}

impl Mop {
    pub fn key(self) -> Key {
        match self {
            Mop::Read { key, .. } | Mop::Write { key, .. } => key,
        }
    }

    /// `[:r 1 nil]`, as the history writes it.
    pub fn to_edn(self) -> Edn {
        match self {
            Mop::Read { key, value } => Edn::Vector(vec![
                Edn::keyword("r"),
                Edn::Int(key),
                value.map_or(Edn::Nil, Edn::Int),
            ]),
            Mop::Write { key, value } => {
                Edn::Vector(vec![Edn::keyword("w"), Edn::Int(key), Edn::Int(value)])
            }
        }
    }
}

/// What the history lets us believe about a transaction (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Committed,
    Indeterminate,
    Aborted,
}

/// One transaction: an invocation and its completion, if any.
#[derive(Debug)]
pub struct Txn<'h> {
    pub status: Status,
    pub process: u64,
    pub invocation: &'h Op,
    pub completion: Option<&'h Op>,
    pub mops: Vec<Mop>,
    /// `(key, value read, mop index)` of each external read, sorted by key. Empty
    /// unless committed: only an `:ok` says what was read.
    pub ext_reads: Vec<(Key, Option<Value>, usize)>,
    /// `(key, value written, mop index)` of each key's final write, sorted by key.
    pub ext_writes: Vec<(Key, Value, usize)>,
}

impl Txn<'_> {
    /// The op Elle prints for this transaction: the completion, else the invocation.
    pub fn op(&self) -> &Op {
        self.completion.unwrap_or(self.invocation)
    }

    /// The external read of `key`: the value and its mop index.
    pub fn ext_read(&self, key: Key) -> Option<(Option<Value>, usize)> {
        let position = self
            .ext_reads
            .binary_search_by_key(&key, |(k, _, _)| *k)
            .ok()?;
        let (_, value, index) = self.ext_reads[position];
        Some((value, index))
    }

    /// The external (final) write of `key`: the value and its mop index.
    pub fn ext_write(&self, key: Key) -> Option<(Value, usize)> {
        let position = self
            .ext_writes
            .binary_search_by_key(&key, |(k, _, _)| *k)
            .ok()?;
        let (_, value, index) = self.ext_writes[position];
        Some((value, index))
    }
}

/// Every `:txn` operation of the history, in invocation order.
pub fn transactions(history: &[Op]) -> anyhow::Result<Vec<Txn<'_>>> {
    pairs(history)
        .into_iter()
        .filter(|(invocation, _)| invocation.f == "txn")
        .map(|(invocation, completion)| {
            transaction(invocation, completion)
                .with_context(|| format!("the txn invoked at :index {}", invocation.index))
        })
        .collect()
}

fn transaction<'h>(invocation: &'h Op, completion: Option<&'h Op>) -> anyhow::Result<Txn<'h>> {
    let status = match completion.map(|op| op.op_type) {
        Some(OpType::Ok) => Status::Committed,
        Some(OpType::Fail) => Status::Aborted,
        _ => Status::Indeterminate,
    };
    let crate::history::Process::Client(process) = invocation.process else {
        anyhow::bail!("a txn from the nemesis");
    };
    // An :ok completion carries what was read; otherwise the invocation says what
    // was attempted (Maelstrom copies it into :info and :fail completions anyway).
    let value = match (status, completion) {
        (Status::Committed, Some(op)) => &op.value,
        _ => &invocation.value,
    };
    let mops = parse_mops(value)?;
    let ext_reads = if status == Status::Committed {
        external_reads(&mops)
    } else {
        Vec::new()
    };
    let ext_writes = external_writes(&mops);
    Ok(Txn {
        status,
        process,
        invocation,
        completion,
        mops,
        ext_reads,
        ext_writes,
    })
}

fn parse_mops(value: &Edn) -> anyhow::Result<Vec<Mop>> {
    let (Edn::Vector(items) | Edn::List(items)) = value else {
        anyhow::bail!("a txn value is a vector of micro-ops, not {value}");
    };
    items.iter().map(parse_mop).collect()
}

fn parse_mop(mop: &Edn) -> anyhow::Result<Mop> {
    let bad = || anyhow::anyhow!("{mop} is not [:r key value] or [:w key value] over integers");
    let (Edn::Vector(parts) | Edn::List(parts)) = mop else {
        return Err(bad());
    };
    let [Edn::Keyword(f), Edn::Int(key), value] = parts.as_slice() else {
        return Err(bad());
    };
    match (f.as_str(), value) {
        ("r", Edn::Nil) => Ok(Mop::Read {
            key: *key,
            value: None,
        }),
        ("r", Edn::Int(value)) => Ok(Mop::Read {
            key: *key,
            value: Some(*value),
        }),
        ("w", Edn::Int(value)) => Ok(Mop::Write {
            key: *key,
            value: *value,
        }),
        _ => Err(bad()),
    }
}

/// elle `txn.clj` `ext-reads`: the first mop on each key, when it is a read.
fn external_reads(mops: &[Mop]) -> Vec<(Key, Option<Value>, usize)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut reads = Vec::new();
    for (index, mop) in mops.iter().enumerate() {
        if !seen.insert(mop.key()) {
            continue;
        }
        if let Mop::Read { key, value } = *mop {
            reads.push((key, value, index));
        }
    }
    reads.sort_by_key(|(key, _, _)| *key);
    reads
}

/// elle `txn.clj` `ext-writes`: the last write of each key.
fn external_writes(mops: &[Mop]) -> Vec<(Key, Value, usize)> {
    let mut last = std::collections::BTreeMap::new();
    for (index, mop) in mops.iter().enumerate() {
        if let Mop::Write { key, value } = *mop {
            last.insert(key, (value, index));
        }
    }
    last.into_iter()
        .map(|(key, (value, index))| (key, value, index))
        .collect()
}

/// Who wrote a version: the transaction, and whether it was that transaction's final
/// write of the key (an intermediate write must never be seen: G1b).
#[derive(Clone, Copy, Debug)]
pub struct Writer {
    pub txn: usize,
    pub final_write: bool,
}

/// Every `(key, value)` written, by whom. Maelstrom's generator never writes the same
/// value to a key twice; if a history does anyway, the committed writer wins over an
/// indeterminate one, which wins over an aborted one, and then the earliest invoked.
#[derive(Debug, Default)]
pub struct Writes {
    by_version: std::collections::HashMap<(Key, Value), Writer>,
}

impl Writes {
    pub fn index(txns: &[Txn<'_>]) -> Writes {
        let mut writes = Writes::default();
        for (id, txn) in txns.iter().enumerate() {
            for (index, mop) in txn.mops.iter().enumerate() {
                let Mop::Write { key, value } = *mop else {
                    continue;
                };
                let final_write = txn.ext_write(key) == Some((value, index));
                let candidate = Writer {
                    txn: id,
                    final_write,
                };
                let rank = |writer: &Writer| (txns[writer.txn].status, !writer.final_write);
                writes
                    .by_version
                    .entry((key, value))
                    .and_modify(|current| {
                        if rank(&candidate) < rank(current) {
                            *current = candidate;
                        }
                    })
                    .or_insert(candidate);
            }
        }
        writes
    }

    /// Who wrote `value` to `key`, if anyone did.
    pub fn writer(&self, key: Key, value: Value) -> Option<Writer> {
        self.by_version.get(&(key, value)).copied()
    }
}
