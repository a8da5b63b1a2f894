//! `maelstrom-checker`: Maelstrom's histories and the checkers that judge them.
//!
//! A Maelstrom run produces a history: one [`Op`] per invocation and completion,
//! written as EDN lines (`{:index 0, :time 26720424, :type :invoke, ...}`). This
//! crate reads and writes that format, and turns a history into the same results
//! map that Jepsen's checkers write to `results.edn`: the workload checker
//! (`:workload`), `:stats`, `:availability`, `:net`, `:exceptions`, and the
//! always-valid `:perf` and `:timeline`. It does no I/O of its own beyond reading
//! files it is pointed at, so the runner (`maelstrom-tests`) and `analyze` share it.
//!
//! Modules: [`edn`] (the value type and its text form), [`history`] (ops),
//! [`net`] (message counts the runner measures; a history cannot show them),
//! [`check()`] (the entry point that composes every checker).

pub mod analyze;
pub mod check;
pub mod criteria;
pub mod edn;
mod edn_read;
pub mod history;
pub mod net;
mod sections;
pub mod summary;
mod workload;

pub use check::{check, CheckOptions, Results, Validity};
pub use edn::Edn;
pub use edn_read::{parse as parse_edn, MAX_NESTING_DEPTH};
pub use history::{Op, OpType, Process};
pub use net::{NetCounts, NetStats};
