//! The counter node's command line: `--sync-interval-ms MS` and
//! `--no-freshness-write`.
//!
//! Maelstrom runs the binary with the positional arguments of `maelstrom
//! test` (maelstrom.md §2), so both runners take them after a `--`:
//! `... --bin target/release/g-counter -- --no-freshness-write`. They arrive
//! through [`protocol::Context::args`], which is also how a simulator or a
//! unit test sets them.
//!
//! `--sync-interval-ms` is a tuning knob: how often a node writes its sum and
//! reads the others'. Every accepted value keeps the node correct: two syncs
//! after the last add (one to write it, one for everyone else to read it)
//! must complete within the 10 s between the heal and the final reads
//! (maelstrom.md §3), and [`SYNC_INTERVAL_MS_MAX`] leaves them that margin.
//!
//! `--no-freshness-write` breaks the node on purpose: a sync with nothing new
//! to write reads the other nodes' keys without bumping its own first, so
//! seq-kv may serve it stale sums (maelstrom.md §4). At the default interval
//! the many syncs of the quiet 10 s hide the bug; at 3 s they don't (see
//! `tests/sim.rs`).
//!
//! An unknown or out-of-range argument is reported and ignored, never fatal:
//! a node must start whatever its command line says.

use std::time::Duration;

/// The default sync interval: ten syncs in the quiet 10 s before the final reads.
pub const SYNC_INTERVAL_MS_DEFAULT: u64 = 1_000;
/// The fastest sync accepted: each sync costs six messages per node, and
/// Maelstrom's seq-kv answers them one at a time (maelstrom.md §4).
pub const SYNC_INTERVAL_MS_MIN: u64 = 100;
/// The slowest sync accepted: two syncs after the last add still fit in the
/// quiet 10 s with a margin. At 6,000 ms only one does, and a node that
/// wrote first at that instant reads too early to see the others' last adds.
pub const SYNC_INTERVAL_MS_MAX: u64 = 4_000;

/// What the command line chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Whether a sync with nothing new to write bumps this node's own key
    /// before reading the others (off only to break the node).
    pub freshness_write: bool,
    /// How often a node writes its sum and reads the others'.
    pub sync_interval: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            freshness_write: true,
            sync_interval: Duration::from_millis(SYNC_INTERVAL_MS_DEFAULT),
        }
    }
}

impl Options {
    /// Reads `args`, and says what was wrong with them, for the log.
    pub fn parse(args: &[String]) -> (Options, Vec<String>) {
        let mut options = Options::default();
        let mut warnings = Vec::new();
        for arg in protocol::args::read(args, &["--sync-interval-ms"]) {
            match (arg.name, arg.value) {
                ("--no-freshness-write", None) => options.freshness_write = false,
                ("--sync-interval-ms", _) => {
                    let range = SYNC_INTERVAL_MS_MIN..=SYNC_INTERVAL_MS_MAX;
                    let default = Duration::from_millis(SYNC_INTERVAL_MS_DEFAULT);
                    match protocol::args::positive_millis(&arg, range, default) {
                        Ok(interval) => options.sync_interval = interval,
                        Err(warning) => warnings.push(warning),
                    }
                }
                _ => warnings.push(protocol::args::unknown(&arg)),
            }
        }
        (options, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn the_flag_turns_the_freshness_write_off_and_anything_else_is_reported() {
        assert_eq!(Options::parse(&args(&[])), (Options::default(), vec![]));
        let (options, warnings) = Options::parse(&args(&["--no-freshness-write", "-v"]));
        assert!(!options.freshness_write);
        assert_eq!(warnings, ["ignoring unknown argument \"-v\""]);
    }

    #[test]
    fn the_sync_interval_is_taken_in_either_form_and_only_within_its_bounds() {
        let interval = |line: &[&str]| Options::parse(&args(line)).0.sync_interval;
        assert_eq!(
            interval(&["--sync-interval-ms", "3000"]),
            Duration::from_secs(3)
        );
        assert_eq!(
            interval(&["--sync-interval-ms=250"]),
            Duration::from_millis(250)
        );
        let default = Options::default().sync_interval;
        for bad in [
            &["--sync-interval-ms"][..],
            &["--sync-interval-ms", "0"],
            &["--sync-interval-ms", "-5"],
            &["--sync-interval-ms", "99"],
            &["--sync-interval-ms", "4001"],
            &["--sync-interval-ms=soon"],
        ] {
            let (options, warnings) = Options::parse(&args(bad));
            assert_eq!(options.sync_interval, default, "{bad:?} keeps the default");
            assert_eq!(warnings.len(), 1, "{bad:?} is reported: {warnings:?}");
        }
    }
}
