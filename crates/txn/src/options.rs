//! The node's command line: two ways to break it on purpose.
//!
//! Maelstrom runs the binary with the positional arguments of `maelstrom test`
//! (maelstrom.md §2), so both runners take them after a `--`:
//! `... --bin target/release/txn -- --commit-first-write`. They arrive through
//! [`protocol::Context::args`], which is also how a simulation or a unit test
//! sets them.
//!
//! - `--commit-first-write`: a transaction that writes a key twice commits the
//!   first value, an intermediate write; other transactions then read it, which
//!   read committed forbids (G1b, maelstrom.md §3.8). The checker names it.
//! - `--abort-after-commit`: every eighth transaction that writes is committed
//!   and then answered with error 30 (txn-conflict), so its client records it as
//!   failed while its writes stay, replicate and are read: an aborted read (G1a,
//!   maelstrom.md §3.8), which read committed proscribes and read uncommitted allows.
//! - `--apply-in-arrival-order`: a replica takes whatever write of a key arrives
//!   last, instead of the one with the highest stamp, so two replicas that swap
//!   concurrent writes keep each other's and never agree again. The checker cannot
//!   see this (txn-rw-register has no final reads, maelstrom.md §3); the
//!   convergence test in `tests/convergence.rs` does.
//!
//! An unknown argument is reported and ignored, never fatal: a node must start
//! whatever its command line says.

use crate::store::MergeRule;
use crate::transaction::CommitRule;

/// What the command line chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub commit_rule: CommitRule,
    pub merge_rule: MergeRule,
    /// Refuse some committed transactions with error 30 (broken on purpose).
    pub abort_after_commit: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            commit_rule: CommitRule::LastWrite,
            merge_rule: MergeRule::LastWriterWins,
            abort_after_commit: false,
        }
    }
}

impl Options {
    /// Reads `args`, and says what was wrong with them, for the log.
    pub fn parse(args: &[String]) -> (Options, Vec<String>) {
        let mut options = Options::default();
        let mut warnings = Vec::new();
        for arg in protocol::args::read(args, &[]) {
            match (arg.name, arg.value) {
                ("--commit-first-write", None) => options.commit_rule = CommitRule::FirstWrite,
                ("--apply-in-arrival-order", None) => options.merge_rule = MergeRule::ArrivalOrder,
                ("--abort-after-commit", None) => options.abort_after_commit = true,
                _ => warnings.push(protocol::args::unknown(&arg)),
            }
        }
        (options, warnings)
    }

    /// A line for the log for each way this node is broken on purpose.
    pub fn broken(&self) -> Vec<&'static str> {
        let mut broken = Vec::new();
        if self.commit_rule == CommitRule::FirstWrite {
            broken.push("--commit-first-write: commits intermediate writes (broken on purpose)");
        }
        if self.abort_after_commit {
            broken.push("--abort-after-commit: refuses committed transactions with error 30 (broken on purpose)");
        }
        if self.merge_rule == MergeRule::ArrivalOrder {
            broken.push(
                "--apply-in-arrival-order: replicas may keep different writes (broken on purpose)",
            );
        }
        broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| arg.to_string()).collect()
    }

    /// maelstrom.md §2: node arguments arrive on the command line; a node starts
    /// whatever they say.
    #[test]
    fn each_flag_breaks_one_thing_and_anything_else_is_reported() {
        assert_eq!(Options::parse(&args(&[])), (Options::default(), vec![]));
        assert_eq!(Options::default().broken(), Vec::<&str>::new());
        let (options, warnings) = Options::parse(&args(&["--commit-first-write", "-v"]));
        assert_eq!(options.commit_rule, CommitRule::FirstWrite);
        assert_eq!(options.merge_rule, MergeRule::LastWriterWins);
        assert_eq!(warnings, ["ignoring unknown argument \"-v\""]);
        let (options, _) = Options::parse(&args(&["--apply-in-arrival-order"]));
        assert_eq!(options.merge_rule, MergeRule::ArrivalOrder);
        assert_eq!(options.broken().len(), 1);
    }
}
