//! The broadcast node's command line: `--flush-ms N`, `--no-reroute` and
//! `--no-retransmit`.
//!
//! Maelstrom runs the binary with the positional arguments of `maelstrom
//! test` (maelstrom.md §2), so both runners take them after a `--`:
//! `... --bin target/release/broadcast --node-count 25 -- --flush-ms 300`.
//! They arrive through [`protocol::Context::args`], which is also how a
//! simulator or a unit test sets them.
//!
//! - `--flush-ms N` sets the hub's flush interval, to explore the trade-off
//!   between messages and latency without rebuilding.
//! - `--no-reroute` keeps the star as it was before routes: a leaf cut off
//!   from the hub waits for the heal. Still correct (the links keep resending),
//!   only slower; it is the baseline the benchmark compares against.
//! - `--no-retransmit` makes every link send each value once and forget it,
//!   and catch nothing up: a node broken on purpose, which loses a value
//!   whenever a partition drops the one message carrying it, so that a checker
//!   (or a simulator) can be seen finding the bug.
//!
//! A bad or unknown argument is reported and ignored, never fatal: a node must
//! start whatever its command line says.

use std::time::Duration;

use crate::node::FLUSH_INTERVAL;

/// What the command line chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// How often the hub sends what it has collected.
    pub flush_interval: Duration,
    /// Whether a leaf cut off from the hub looks for another way.
    pub reroute: bool,
    /// Whether links resend values their peer has not acknowledged.
    pub retransmit: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            flush_interval: FLUSH_INTERVAL,
            reroute: true,
            retransmit: true,
        }
    }
}

impl Options {
    /// Reads `args`, and says what was wrong with them, for the log.
    pub fn parse(args: &[String]) -> (Options, Vec<String>) {
        let mut options = Options::default();
        let mut warnings = Vec::new();
        for arg in protocol::args::read(args, &["--flush-ms"]) {
            match (arg.name, arg.value) {
                ("--no-retransmit", None) => options.retransmit = false,
                ("--no-reroute", None) => options.reroute = false,
                ("--flush-ms", _) => {
                    match protocol::args::positive_millis(&arg, 1..=FLUSH_MS_MAX, FLUSH_INTERVAL) {
                        Ok(interval) => options.flush_interval = interval,
                        Err(warning) => warnings.push(warning),
                    }
                }
                _ => warnings.push(protocol::args::unknown(&arg)),
            }
        }
        (options, warnings)
    }
}

/// `--flush-ms` at most: a minute.
const FLUSH_MS_MAX: u64 = 60_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> (Options, Vec<String>) {
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        Options::parse(&args)
    }

    #[test]
    fn no_arguments_mean_the_defaults() {
        assert_eq!(parse(&[]), (Options::default(), vec![]));
    }

    #[test]
    fn every_argument_is_read_in_either_form() {
        let expected = Options {
            flush_interval: Duration::from_millis(600),
            reroute: false,
            retransmit: false,
        };
        assert_eq!(
            parse(&["--flush-ms", "600", "--no-retransmit", "--no-reroute"]),
            (expected, vec![])
        );
        assert_eq!(
            parse(&["--no-reroute", "--no-retransmit", "--flush-ms=600"]),
            (expected, vec![])
        );
    }

    #[test]
    fn bad_values_and_unknown_arguments_are_reported_and_ignored() {
        for bad in [
            &["--flush-ms", "0"][..],
            &["--flush-ms", "soon"],
            &["--flush-ms"],
        ] {
            let (options, warnings) = parse(bad);
            assert_eq!(options, Options::default(), "{bad:?}");
            assert_eq!(warnings.len(), 1, "{bad:?}: {warnings:?}");
            assert!(
                warnings[0].starts_with("--flush-ms needs a number of milliseconds in 1..=60000"),
                "{warnings:?}"
            );
        }
        let (options, warnings) = parse(&["--fast"]);
        assert_eq!(options, Options::default());
        assert_eq!(warnings, ["ignoring unknown argument \"--fast\""]);
    }
}
