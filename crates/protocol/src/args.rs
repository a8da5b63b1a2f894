//! A node's own arguments, as it finds them in [`Context::args`](crate::Context::args):
//! `--flag`, `--name value` or `--name=value`.
//!
//! Maelstrom runs the binary with the positional arguments of `maelstrom test`
//! (maelstrom.md §2), so a learner writes them after `--`:
//! `... --bin target/release/broadcast --node-count 25 -- --flush-ms 300`; the simulation
//! takes them the same way. They tune a node or break it on purpose.
//!
//! A node must start whatever its command line says, so nothing here fails: each
//! argument comes back with its value, if it takes one, and what the node can't use
//! becomes a warning for its log ([`unknown`], [`positive_millis`]).

use std::time::Duration;

/// One argument: its name (`--flush-ms`) and, for a name in `with_values`, its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arg<'a> {
    pub name: &'a str,
    pub value: Option<&'a str>,
}

/// Reads `args`: a name listed in `with_values` takes the next argument as its value,
/// or what follows its `=`; any other argument is a flag (and `--flag=x` keeps `x` as
/// its value, for the node to refuse).
pub fn read<'a>(args: &'a [String], with_values: &[&str]) -> Vec<Arg<'a>> {
    let mut read = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let arg = match word.split_once('=') {
            Some((name, value)) => Arg {
                name,
                value: Some(value),
            },
            None if with_values.contains(&word.as_str()) => Arg {
                name: word,
                value: words.next().map(String::as_str),
            },
            None => Arg {
                name: word,
                value: None,
            },
        };
        read.push(arg);
    }
    read
}

/// The warning for an argument the node doesn't know.
pub fn unknown(arg: &Arg) -> String {
    match arg.value {
        Some(value) => format!(
            "ignoring unknown argument {:?}",
            format!("{}={value}", arg.name)
        ),
        None => format!("ignoring unknown argument {:?}", arg.name),
    }
}

/// A positive number of milliseconds within `range_ms`, or the warning that says why
/// `default` stays.
pub fn positive_millis(
    arg: &Arg,
    range_ms: std::ops::RangeInclusive<u64>,
    default: Duration,
) -> Result<Duration, String> {
    match arg.value.map(str::parse::<u64>) {
        Some(Ok(ms)) if ms > 0 && range_ms.contains(&ms) => Ok(Duration::from_millis(ms)),
        _ => Err(format!(
            "{} needs a number of milliseconds in {}..={}, got {:?}; using {default:?}",
            arg.name,
            range_ms.start(),
            range_ms.end(),
            arg.value.unwrap_or("nothing")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn values_come_after_their_name_or_after_an_equals_sign() {
        let args = words(&["--flush-ms", "300", "--no-retransmit", "--sync-ms=5", "-v"]);
        let read = read(&args, &["--flush-ms", "--sync-ms"]);
        let pairs: Vec<(&str, Option<&str>)> =
            read.iter().map(|arg| (arg.name, arg.value)).collect();
        assert_eq!(
            pairs,
            [
                ("--flush-ms", Some("300")),
                ("--no-retransmit", None),
                ("--sync-ms", Some("5")),
                ("-v", None)
            ]
        );
    }

    #[test]
    fn a_name_at_the_end_has_no_value() {
        let args = words(&["--flush-ms"]);
        assert_eq!(
            read(&args, &["--flush-ms"]),
            [Arg {
                name: "--flush-ms",
                value: None
            }]
        );
    }

    #[test]
    fn bad_millis_keep_the_default_and_say_so() {
        let default = Duration::from_millis(150);
        let arg = |value| Arg {
            name: "--flush-ms",
            value,
        };
        assert_eq!(
            positive_millis(&arg(Some("600")), 1..=10_000, default),
            Ok(Duration::from_millis(600))
        );
        for bad in [Some("0"), Some("-1"), Some("soon"), Some("20000"), None] {
            let warning = positive_millis(&arg(bad), 1..=10_000, default).expect_err("refused");
            assert!(
                warning.starts_with("--flush-ms needs a number of milliseconds in 1..=10000"),
                "{warning}"
            );
            assert!(warning.ends_with("using 150ms"), "{warning}");
        }
    }

    #[test]
    fn unknown_arguments_are_named_as_typed() {
        assert_eq!(
            unknown(&Arg {
                name: "-v",
                value: None
            }),
            "ignoring unknown argument \"-v\""
        );
        assert_eq!(
            unknown(&Arg {
                name: "--x",
                value: Some("1")
            }),
            "ignoring unknown argument \"--x=1\""
        );
    }
}
