//! The compare-and-set register that lin-kv must behave like, one per key
//! (maelstrom.md §3.6; Knossos `knossos.model/cas-register`, initial value `nil`).
//!
//! A sequential specification: given the register's value and one call, either the
//! call is legal and gives the next value, or it is not. A read of `v` is legal iff the
//! register holds `v`; a write sets it; a cas `[from to]` is legal iff the register holds
//! `from`, and then sets `to`. (Reads of `nil` never reach this model: they are always
//! legal, maelstrom.md §8.6, and are left out when the history is read.)
//!
//! Values are interned numbers ([`Value`]), so a state is one `u32` and the search can
//! copy and hash it for free.

use super::history::{Call, Value};

/// The register's value after `call`, or `None` when `call` is not legal from `value`.
pub fn step(value: Value, call: Call) -> Option<Value> {
    match call {
        Call::Read(read) => (read == value).then_some(value),
        Call::Write(written) => Some(written),
        Call::Cas { from, to } => (from == value).then_some(to),
    }
}

/// Why `call` is not legal from `value`, in Knossos's words (`knossos.model`), with
/// `show` printing a value as Clojure's `str` does (`nil` as nothing).
pub fn inconsistency(value: Value, call: Call, show: impl Fn(Value) -> String) -> String {
    match call {
        Call::Read(read) => format!("can't read {} from register {}", show(read), show(value)),
        Call::Cas { from, to } => format!(
            "can't CAS {} from {} to {}",
            show(value),
            show(from),
            show(to)
        ),
        Call::Write(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::lin_kv::history::NIL;

    /// maelstrom.md §3.6: the register starts as nil; a write sets it; a cas swaps only
    /// from the value it holds; a read sees only the value it holds.
    #[test]
    fn the_register_reads_writes_and_swaps_like_knossos_cas_register() {
        assert_eq!(step(NIL, Call::Write(3)), Some(3));
        assert_eq!(step(3, Call::Read(3)), Some(3));
        assert_eq!(step(3, Call::Read(4)), None);
        assert_eq!(step(3, Call::Cas { from: 3, to: 1 }), Some(1));
        assert_eq!(step(3, Call::Cas { from: 1, to: 2 }), None);
        assert_eq!(step(NIL, Call::Cas { from: 1, to: 2 }), None);
    }

    /// Knossos's messages, as they appear in real `results.edn` files.
    #[test]
    fn inconsistencies_read_as_knossos_writes_them() {
        let show = |value: Value| {
            if value == NIL {
                String::new()
            } else {
                value.to_string()
            }
        };
        assert_eq!(
            inconsistency(NIL, Call::Read(1), show),
            "can't read 1 from register "
        );
        assert_eq!(
            inconsistency(NIL, Call::Cas { from: 1, to: 3 }, show),
            "can't CAS  from 1 to 3"
        );
    }
}
