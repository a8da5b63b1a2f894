//! The counter node's command line: `--no-freshness-write`.
//!
//! Maelstrom runs the binary with the positional arguments of `maelstrom
//! test` (maelstrom.md §2), so both runners take them after a `--`:
//! `... --bin target/release/g-counter -- --no-freshness-write`. They arrive
//! through [`protocol::Context::args`], which is also how a simulator or a
//! unit test sets them.
//!
//! `--no-freshness-write` breaks the node on purpose: a sync reads the other
//! nodes' keys without first writing its own, so seq-kv may serve it stale
//! sums for ever (maelstrom.md §4), and final reads can miss acknowledged
//! adds. It exists so that a checker (or a simulator) can be seen catching
//! exactly the bug the freshness write prevents.
//!
//! An unknown argument is reported and ignored, never fatal: a node must start
//! whatever its command line says.

/// What the command line chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Whether a sync bumps this node's own key before reading the others.
    pub freshness_write: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            freshness_write: true,
        }
    }
}

impl Options {
    /// Reads `args`, and says what was wrong with them, for the log.
    pub fn parse(args: &[String]) -> (Options, Vec<String>) {
        let mut options = Options::default();
        let mut warnings = Vec::new();
        for arg in args {
            match arg.as_str() {
                "--no-freshness-write" => options.freshness_write = false,
                _ => warnings.push(format!("ignoring unknown argument {arg:?}")),
            }
        }
        (options, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_turns_the_freshness_write_off_and_anything_else_is_reported() {
        let args = |args: &[&str]| args.iter().map(|arg| arg.to_string()).collect::<Vec<_>>();
        assert_eq!(Options::parse(&args(&[])), (Options::default(), vec![]));
        let (options, warnings) = Options::parse(&args(&["--no-freshness-write", "-v"]));
        assert!(!options.freshness_write);
        assert_eq!(warnings, ["ignoring unknown argument \"-v\""]);
    }
}
