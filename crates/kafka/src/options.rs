//! The kafka node's command line: `--replicate-ms N` and `--break NAME`.
//!
//! Maelstrom runs the binary with the positional arguments of `maelstrom
//! test` (maelstrom.md §2), so both runners take them after a `--`:
//! `... --bin target/release/kafka --node-count 2 -- --replicate-ms 200`.
//! They arrive through [`protocol::Context::args`], which is also how a
//! simulator or a unit test sets them.
//!
//! - `--replicate-ms N` sets how often a node sends its peers what is new, to
//!   explore the trade-off between messages and how soon a copy catches up
//!   with its leader, without rebuilding.
//! - `--break NAME` turns the node into one of four experiments, each a bug a
//!   log could really have, kept runnable so that the kafka checker can be seen
//!   naming it (maelstrom.md §3.7, the checker's error types):
//!   - `drop-sends`: a leader acknowledges every seventh send with an offset
//!     and never stores it (`:lost-write`);
//!   - `local-log`: every node takes every send itself and replicates nothing:
//!     no leaders, one log per node (`:inconsistent-offsets` as soon as two
//!     nodes write one key);
//!   - `poll-gap`: a poll that returns three or more messages of a key leaves
//!     out the second (`:int-poll-skip`);
//!   - `countdown-offsets`: offsets count down from a million, so each
//!     producer's next message lands *before* its last one
//!     (`:nonmonotonic-send`).
//!
//! A bad or unknown argument is reported and ignored, never fatal: a node must
//! start whatever its command line says.

use std::time::Duration;

/// How often a node sends each peer what is new when nothing says otherwise:
/// copies lag their leaders by about this much, and two nodes exchange about
/// 2 / interval messages a second under load (40 at 50 ms), whatever the rate.
pub const REPLICATE_INTERVAL: Duration = Duration::from_millis(50);

/// A bug built in on purpose (`--break NAME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Break {
    DropSends,
    LocalLog,
    PollGap,
    CountdownOffsets,
}

impl Break {
    /// Every experiment, by its name on the command line.
    pub const ALL: [(&'static str, Break); 4] = [
        ("drop-sends", Break::DropSends),
        ("local-log", Break::LocalLog),
        ("poll-gap", Break::PollGap),
        ("countdown-offsets", Break::CountdownOffsets),
    ];

    pub fn name(self) -> &'static str {
        Break::ALL
            .iter()
            .find(|(_, broken)| *broken == self)
            .map(|(name, _)| *name)
            .expect("every break is in ALL")
    }

    fn from_name(name: &str) -> Option<Break> {
        Break::ALL
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, broken)| *broken)
    }
}

/// What the command line chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// How often a node sends each peer its new records and commits.
    pub replicate_interval: Duration,
    /// The bug this node has on purpose, if any.
    pub broken: Option<Break>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            replicate_interval: REPLICATE_INTERVAL,
            broken: None,
        }
    }
}

impl Options {
    /// Reads `args`, and says what was wrong with them, for the log.
    pub fn parse(args: &[String]) -> (Options, Vec<String>) {
        let mut options = Options::default();
        let mut warnings = Vec::new();
        for arg in protocol::args::read(args, &["--replicate-ms", "--break"]) {
            match arg.name {
                "--replicate-ms" => {
                    match protocol::args::positive_millis(
                        &arg,
                        1..=REPLICATE_MS_MAX,
                        REPLICATE_INTERVAL,
                    ) {
                        Ok(interval) => options.replicate_interval = interval,
                        Err(warning) => warnings.push(warning),
                    }
                }
                "--break" => match arg.value.and_then(Break::from_name) {
                    Some(broken) => options.broken = Some(broken),
                    None => {
                        let names: Vec<&str> = Break::ALL.iter().map(|(name, _)| *name).collect();
                        warnings.push(format!(
                            "--break needs one of {}, got {:?}; the node stays correct",
                            names.join(", "),
                            arg.value.unwrap_or("nothing")
                        ));
                    }
                },
                _ => warnings.push(protocol::args::unknown(&arg)),
            }
        }
        (options, warnings)
    }
}

/// `--replicate-ms` at most: a minute.
const REPLICATE_MS_MAX: u64 = 60_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> (Options, Vec<String>) {
        let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
        Options::parse(&args)
    }

    #[test]
    fn no_arguments_mean_a_correct_node_with_the_default_interval() {
        assert_eq!(parse(&[]), (Options::default(), vec![]));
    }

    #[test]
    fn both_flags_are_read_in_either_form() {
        let expected = Options {
            replicate_interval: Duration::from_millis(200),
            broken: Some(Break::PollGap),
        };
        assert_eq!(
            parse(&["--replicate-ms", "200", "--break", "poll-gap"]),
            (expected, vec![])
        );
        assert_eq!(
            parse(&["--break=poll-gap", "--replicate-ms=200"]),
            (expected, vec![])
        );
    }

    #[test]
    fn every_break_is_named_on_the_command_line_by_its_own_name() {
        for (name, broken) in Break::ALL {
            assert_eq!(parse(&["--break", name]).0.broken, Some(broken));
            assert_eq!(broken.name(), name);
        }
    }

    #[test]
    fn bad_values_and_unknown_arguments_are_reported_and_ignored() {
        for bad in [
            &["--replicate-ms", "0"][..],
            &["--replicate-ms", "soon"],
            &["--replicate-ms"],
            &["--break", "everything"],
            &["--break"],
            &["--verbose"],
        ] {
            let (options, warnings) = parse(bad);
            assert_eq!(options, Options::default(), "{bad:?}");
            assert_eq!(warnings.len(), 1, "{bad:?}: {warnings:?}");
        }
    }
}
