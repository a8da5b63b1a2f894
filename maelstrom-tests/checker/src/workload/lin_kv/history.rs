//! A lin-kv history read as operations on one register per key (maelstrom.md §3.6).
//!
//! Maelstrom records every value as a `[key value]` tuple (jepsen `independent`): a read
//! invokes `[0 nil]` and completes `[0 3]`, a write is `[0 4]`, a cas `[0 [4 1]]`. Each
//! key is checked on its own, so ops are grouped by key here.
//!
//! What each outcome means to a linearizability checker (Knossos):
//! - `:ok`: the op happened, between its invocation and its completion;
//! - `:fail`: the op did not happen, so it is left out entirely (its shape is not
//!   even read);
//! - `:info`, or no completion at all: the op may have happened at any moment after its
//!   invocation, or never. A read whose outcome is unknown says nothing, so it is left
//!   out; so is an `:ok` read of `nil` (always legal, maelstrom.md §8.6), which is kept
//!   only as a possible `:previous-ok` in a report.
//!
//! An op of any other shape cannot be judged; it is kept aside as malformed, never a
//! panic. Positions are places in the history slice, not `:index` fields, so a hostile
//! `:index` cannot reorder anything.

use std::collections::{BTreeMap, HashMap};

use crate::edn::Edn;
use crate::history::{Op, OpType, Process};

/// A register's name: the first element of the tuple.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Int(i64),
    Str(String),
}

impl Key {
    fn of(value: &Edn) -> Option<Key> {
        match value {
            Edn::Int(number) => Some(Key::Int(*number)),
            Edn::Str(text) => Some(Key::Str(text.clone())),
            _ => None,
        }
    }

    pub fn to_edn(&self) -> Edn {
        match self {
            Key::Int(number) => Edn::Int(*number),
            Key::Str(text) => Edn::Str(text.clone()),
        }
    }
}

/// A register value, interned: [`NIL`] is `nil`, every other value has its own number.
/// Values are compared by their EDN text, as Clojure `=` compares the integers and
/// strings a node returns.
pub type Value = u32;

/// The register's initial value, and the "unknown" read.
pub const NIL: Value = 0;

/// What one op asks of the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Call {
    Read(Value),
    Write(Value),
    Cas { from: Value, to: Value },
}

/// One op on one key that the register must explain.
#[derive(Debug)]
pub struct RegisterOp<'h> {
    pub invoke: &'h Op,
    /// The `:ok` completion; `None` when the outcome is unknown.
    pub ok: Option<&'h Op>,
    pub call: Call,
    /// Where the invocation and the `:ok` completion sit in the history.
    pub invoked_at: usize,
    pub completed_at: Option<usize>,
}

/// Every op on one key.
#[derive(Debug, Default)]
pub struct KeyHistory<'h> {
    pub ops: Vec<RegisterOp<'h>>,
    /// Every `:ok` completion on the key (nil reads included) with its position, in
    /// history order: where a report finds the `:previous-ok` of an op.
    pub oks: Vec<(usize, &'h Op)>,
}

/// The whole history, read.
#[derive(Debug, Default)]
pub struct Registers<'h> {
    pub keys: BTreeMap<Key, KeyHistory<'h>>,
    /// Client ops whose shape is not a lin-kv op, in history order.
    pub malformed: Vec<&'h Op>,
    /// Interned values by number (`values[0]` is `nil`).
    pub values: Vec<Edn>,
}

impl Registers<'_> {
    pub fn value(&self, value: Value) -> &Edn {
        self.values.get(value as usize).unwrap_or(&Edn::Nil)
    }
}

/// Reads every client op: pairs invocations with completions (a process has one op in
/// flight at a time) and sorts them by key.
pub fn read(history: &[Op]) -> Registers<'_> {
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    let mut pairs: Vec<(usize, Option<usize>)> = Vec::new();
    for (position, op) in history.iter().enumerate() {
        let Process::Client(process) = op.process else {
            continue;
        };
        if op.op_type == OpType::Invoke {
            open.insert(process, pairs.len());
            pairs.push((position, None));
        } else if let Some(pair) = open.remove(&process) {
            pairs[pair].1 = Some(position);
        }
    }

    let mut registers = Registers {
        values: vec![Edn::Nil],
        ..Registers::default()
    };
    let mut interned: HashMap<String, Value> = HashMap::new();
    for (invoked_at, completed_at) in pairs {
        let invoke = &history[invoked_at];
        let completion = completed_at.map(|at| &history[at]);
        match completion.map(|op| op.op_type) {
            Some(OpType::Fail) => continue,
            Some(OpType::Ok) => {}
            // `:info`, a second `:invoke` answering the first, or nothing: unknown.
            _ if invoke.f == "read" => continue,
            _ => {}
        }
        let ok = completion.filter(|op| op.op_type == OpType::Ok);
        let mut intern_value = |value: &Edn| intern(&mut registers.values, &mut interned, value);
        let Some((key, call)) = call_of(invoke, ok, &mut intern_value) else {
            registers.malformed.push(completion.unwrap_or(invoke));
            continue;
        };
        let key_history = registers.keys.entry(key).or_default();
        if let (Some(op), Some(at)) = (ok, completed_at) {
            key_history.oks.push((at, op));
        }
        if call == Call::Read(NIL) {
            continue;
        }
        key_history.ops.push(RegisterOp {
            invoke,
            ok,
            call,
            invoked_at,
            completed_at: completed_at.filter(|_| ok.is_some()),
        });
    }
    registers
}

/// The key and the call of one op: a read's value comes from its `:ok` completion, a
/// write's and a cas's from the invocation.
fn call_of(
    invoke: &Op,
    ok: Option<&Op>,
    intern: &mut impl FnMut(&Edn) -> Value,
) -> Option<(Key, Call)> {
    let tuple = |op: &Op| -> Option<(Key, Edn)> {
        match &op.value {
            Edn::Vector(pair) | Edn::List(pair) => match pair.as_slice() {
                [key, value] => Some((Key::of(key)?, value.clone())),
                _ => None,
            },
            _ => None,
        }
    };
    match invoke.f.as_str() {
        "read" => {
            let (key, value) = tuple(ok?)?;
            Some((key, Call::Read(intern(&value))))
        }
        "write" => {
            let (key, value) = tuple(invoke)?;
            Some((key, Call::Write(intern(&value))))
        }
        "cas" => {
            let (key, value) = tuple(invoke)?;
            let (Edn::Vector(pair) | Edn::List(pair)) = value else {
                return None;
            };
            let [from, to] = pair.as_slice() else {
                return None;
            };
            Some((
                key,
                Call::Cas {
                    from: intern(from),
                    to: intern(to),
                },
            ))
        }
        _ => None,
    }
}

fn intern(values: &mut Vec<Edn>, interned: &mut HashMap<String, Value>, value: &Edn) -> Value {
    if *value == Edn::Nil {
        return NIL;
    }
    *interned.entry(value.to_string()).or_insert_with(|| {
        values.push(value.clone());
        (values.len() - 1) as Value
    })
}

/// The op as Knossos prints it inside a key's results: the key taken out of the value
/// (jepsen `independent` unwraps the tuple), in Knossos's key order.
pub fn shown(op: &Op, value: &Edn) -> Edn {
    let process = match op.process {
        Process::Client(process) => Edn::Int(process as i64),
        Process::Nemesis => Edn::keyword("nemesis"),
    };
    Edn::kmap([
        ("process", process),
        ("type", Edn::keyword(op.op_type.keyword())),
        ("f", Edn::keyword(&op.f)),
        ("value", value.clone()),
        ("index", Edn::Int(op.index as i64)),
        ("time", Edn::Int(op.time_ns)),
    ])
}

/// The value of a `[key value]` tuple, or the whole value when it is not one.
pub fn untupled(op: &Op) -> Edn {
    match &op.value {
        Edn::Vector(pair) | Edn::List(pair) if pair.len() == 2 => pair[1].clone(),
        other => other.clone(),
    }
}
