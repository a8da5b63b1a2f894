use proptest::prelude::*;

use super::*;

/// maelstrom.md §6: `--concurrency` is `K` or `Kn` (K × node count), bounded.
#[test]
fn concurrency_counts_workers_per_node_with_an_n_suffix() {
    assert_eq!(parse_concurrency("2n", 3), Ok(6));
    assert_eq!(parse_concurrency("4", 3), Ok(4));
    assert!(parse_concurrency("n", 3).is_err());
    assert!(parse_concurrency("0", 3).is_err());
    assert!(
        parse_concurrency("9223372036854775807n", 3).is_err(),
        "K × n must not wrap"
    );
    assert!(parse_concurrency("10001", 1).is_err());
}

/// maelstrom.md §6: `--nemesis-interval` is read like Clojure's `read-string`, and must
/// be finite and in range.
#[test]
fn nemesis_intervals_accept_fractions_and_ratios_within_range() {
    assert_eq!(parse_seconds("10"), Ok(10.0));
    assert_eq!(parse_seconds("0.5"), Ok(0.5));
    assert_eq!(parse_seconds("1/4"), Ok(0.25));
    for bad in ["0", "soon", "1e300", "NaN", "inf", "1/0", "-1"] {
        assert!(parse_seconds(bad).is_err(), "{bad}");
    }
}

/// maelstrom.md §6: `--consistency-models` takes a comma-separated list and may be
/// repeated; without it, strict-serializable.
#[test]
fn consistency_models_are_comma_separated_and_repeatable() {
    let flags = |flags: &[&str]| {
        split_models(
            &flags
                .iter()
                .map(|flag| flag.to_string())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(flags(&[]), vec!["strict-serializable"]);
    assert_eq!(flags(&["read-committed"]), vec!["read-committed"]);
    assert_eq!(flags(&["a , b"]), vec!["a", "b"]);
    assert_eq!(flags(&["a,b", "c"]), vec!["a", "b", "c"]);
}

/// maelstrom.md §1.1: without `--node-count`, jepsen's default nodes n1..n5.
#[test]
fn default_nodes_are_n1_to_n5() {
    assert_eq!(node_names(None), vec!["n1", "n2", "n3", "n4", "n5"]);
    assert_eq!(node_names(Some(2)), vec!["n0", "n1"]);
}

#[test]
fn seed_ranges_exclude_or_include_their_end() {
    assert_eq!(parse_seed_range("0..100"), Ok(0..=99));
    assert_eq!(parse_seed_range("5..=7"), Ok(5..=7));
    assert!(
        parse_seed_range("3..3").is_err(),
        "an empty range runs nothing"
    );
    for bad in ["7", "a..b", "0..", "0..=18446744073709551615", "9..2x"] {
        assert!(parse_seed_range(bad).is_err(), "{bad}");
    }
}

fn run_args(flags: &[&str]) -> Result<RunArgs, clap::Error> {
    let words = ["sim"].iter().chain(flags).copied();
    SimArgs::try_parse_from(words).map(|args| args.run)
}

fn config(flags: &[&str]) -> Result<TestConfig, BadArgument> {
    let args = run_args(flags).expect("the flags parse");
    TestConfig::from_args(&args, std::path::Path::new("/bin/sh"))
}

/// Every numeric flag is checked against its documented range before anything starts.
#[test]
fn out_of_range_flags_are_refused_naming_the_flag() {
    let cases: [(&[&str], &str); 10] = [
        (&["--time-limit", "18446744073709551615"], "--time-limit"),
        (&["--rate", "1e-300x"], "--rate"),
        (&["--rate", "NaN"], "--rate"),
        (&["--nemesis-interval", "1e300"], "--nemesis-interval"),
        (&["--concurrency", "9223372036854775807n"], "--concurrency"),
        (&["--node-count", "20000"], "--node-count"),
        (&["--node-count", "0"], "--node-count"),
        (&["--check", "9z"], "--check"),
        (&["--latency", "100000000"], "--latency"),
        (&["-w", "nope"], "--workload"),
    ];
    for (flags, flag) in cases {
        let error = config(flags).expect_err("refused");
        assert_eq!(error.flag, flag, "{flags:?}");
        assert!(error.to_string().starts_with(&format!("error: {flag}: ")));
    }
}

/// maelstrom.md §3.6, §8.13: lin-kv runs each key on 2n threads, so a concurrency that
/// is not a multiple of 2n is refused up front, naming `--concurrency`; other workloads
/// take any concurrency.
#[test]
fn lin_kv_refuses_a_concurrency_that_is_not_a_multiple_of_two_n() {
    let lin_kv = |concurrency: &str| {
        config(&[
            "-w",
            "lin-kv",
            "--node-count",
            "3",
            "--concurrency",
            concurrency,
        ])
    };
    assert_eq!(lin_kv("2n").expect("2n is fine").concurrency, 6);
    assert_eq!(lin_kv("12").expect("4n is fine").concurrency, 12);
    for concurrency in ["1n", "3", "7", "3n"] {
        let error = lin_kv(concurrency).expect_err("refused");
        assert_eq!(error.flag, "--concurrency", "{concurrency}");
        assert!(error.to_string().contains("multiple of 6"), "{error}");
    }
    let default = config(&["-w", "lin-kv", "--node-count", "3"]).expect_err("1n is refused");
    assert_eq!(default.flag, "--concurrency");
    assert!(config(&["-w", "echo", "--node-count", "3", "--concurrency", "1n"]).is_ok());
}

#[test]
fn the_node_binary_must_be_an_executable_file() {
    let args = run_args(&["-w", "echo"]).expect("parses");
    let directory = TestConfig::from_args(&args, std::path::Path::new("/"));
    assert_eq!(directory.expect_err("a directory").flag, "--bin");
    let not_executable = TestConfig::from_args(&args, std::path::Path::new("/etc/passwd"));
    assert_eq!(not_executable.expect_err("not executable").flag, "--bin");
    let missing = TestConfig::from_args(&args, std::path::Path::new("/no/such/node"));
    assert_eq!(missing.expect_err("missing").flag, "--bin");
}

proptest! {
    /// Random values for every flag: the parser answers Ok or a BadArgument, never panics.
    #[test]
    fn random_flag_values_never_panic_the_parser(
        values in proptest::collection::vec(".{0,24}", 9),
        seed in any::<u64>(),
    ) {
        let flags = [
            "--node-count", "--time-limit", "--rate", "--concurrency", "--latency",
            "--nemesis-interval", "--availability", "--key-count", "--max-txn-length",
        ];
        let mut words = vec!["-w".to_string(), "echo".to_string(), "--seed".to_string(), seed.to_string()];
        for (flag, value) in flags.iter().zip(&values) {
            words.push(format!("{flag}={value}"));
        }
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        if let Ok(args) = run_args(&words) {
            let _ = TestConfig::from_args(&args, std::path::Path::new("/bin/sh"));
        }
    }
}
