//! `analyze` (re-check a stored run) and `criteria` (judge a stored run against a
//! challenge): the checkers on files, with no run.
//!
//! Both read files that may come from anywhere, the real Maelstrom's included, so every
//! problem with them is one line naming the file, and exit 255; a flag that names
//! nothing valid is exit 254.

use anyhow::Context;
use maelstrom_checker::{Edn, Results, Validity};

use crate::cli::{parse_availability, split_models, AnalyzeArgs, CriteriaArgs, EXIT_BAD_ARGUMENTS};
use crate::console::outln;
use crate::run::report::{exit_code_of, judge_criteria, print_verdict};

/// `analyze PATH`: the checkers again, on a run directory or a `history.edn`. Flags win
/// over what the files say (and over guessing the workload from the history).
pub fn analyze(args: AnalyzeArgs) -> anyhow::Result<i32> {
    let availability = match args
        .availability
        .as_deref()
        .map(parse_availability)
        .transpose()
    {
        Ok(availability) => availability,
        Err(problem) => {
            eprintln!("error: --availability: {problem}");
            return Ok(EXIT_BAD_ARGUMENTS);
        }
    };
    let overrides = maelstrom_checker::analyze::Overrides {
        workload: args.workload,
        availability,
        consistency_models: (!args.consistency_models.is_empty())
            .then(|| split_models(&args.consistency_models)),
    };
    let (options, history, net) = maelstrom_checker::analyze::load_with(&args.path, &overrides)?;
    let results = maelstrom_checker::check(&options, &history, net.as_ref())?;
    outln!("{}", maelstrom_checker::summary::render(&results, &options));
    print_verdict(results.valid, None, &[]);
    Ok(exit_code_of(results.valid))
}

/// `criteria PATH --challenge N`: reads a stored `results.edn` — the real Maelstrom's
/// included, which has no `--check` of its own — and exits as `test --check` would:
/// 0 when the run is valid and every criterion is met, 1 otherwise.
pub fn criteria(args: CriteriaArgs) -> anyhow::Result<i32> {
    if let Err(problem) = maelstrom_checker::criteria::known(&args.challenge) {
        eprintln!("error: --challenge: {problem}");
        return Ok(EXIT_BAD_ARGUMENTS);
    }
    let path = if args.path.is_dir() {
        args.path.join("results.edn")
    } else {
        args.path.clone()
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let edn = maelstrom_checker::parse_edn(&text)
        .with_context(|| format!("parsing {}", path.display()))?;
    let valid = match edn.get("valid?") {
        Some(Edn::Bool(true)) => Validity::True,
        Some(Edn::Bool(false)) => Validity::False,
        _ => Validity::Unknown,
    };
    let results = Results { valid, edn };
    Ok(judge_criteria(&args.challenge, &results, "--challenge"))
}
