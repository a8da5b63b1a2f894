//! After the run: the store files, the checkers, the console summary, the verdict and
//! its exit code (maelstrom.md §6), the same for both drivers.
//!
//! Exit codes are Maelstrom's: 0 valid, 1 invalid, 2 unknown, 255 a node crashed or
//! misbehaved. A run that is not valid prints `Replay:`, the command that replays it.
//! An interrupted run keeps what it recorded, marks `test.json` `"interrupted": true`,
//! writes results with `:valid? :unknown`, and exits 130 (SIGINT) or 143 (SIGTERM).

use std::path::{Path, PathBuf};

use maelstrom_checker::{
    CheckOptions, Edn, NetCounts, NetStats, OpType, Process, Results, Validity,
};
use maelstrom_model::network::{Counts, Journal, Traffic};

use super::{End, Finished};
use crate::cli::{
    TestConfig, EXIT_BAD_ARGUMENTS, EXIT_CRASH, EXIT_INVALID, EXIT_UNKNOWN, EXIT_VALID,
};
use crate::console::outln;
use crate::store;

/// Exit codes of a harness that was interrupted, as a shell reports a signal (128 + n).
pub const EXIT_SIGINT: i32 = 130;
pub const EXIT_SIGTERM: i32 = 143;

/// Everything `finish` needs to know about the run besides what it recorded.
#[derive(Debug)]
pub struct RunContext<'a> {
    pub config: &'a TestConfig,
    /// The command line as typed, for `test.json` and the replay line.
    pub command_line: &'a [String],
    pub run_dir: &'a Path,
    /// `process` or `sim`.
    pub mode: &'a str,
    /// Print the summary, verdict, store and replay lines (a seed sweep doesn't).
    pub console: bool,
}

/// A node that exited before teardown (process mode): name, status, its last lines.
#[derive(Clone, Debug)]
pub struct Crashed {
    pub node: String,
    pub status: String,
    pub report: String,
}

/// What the run came to.
#[derive(Debug)]
pub struct Verdict {
    pub exit_code: i32,
    /// The checkers' results, when they ran.
    pub results: Option<Results>,
    /// Unmet challenge criteria (`--check`).
    pub unmet: Vec<String>,
    /// Why the run did not reach its checkers, one report per problem, when it didn't.
    pub problems: Vec<String>,
    /// The signal that interrupted the run, if one did.
    pub interrupted: Option<String>,
}

impl Verdict {
    pub fn is_valid(&self) -> bool {
        self.exit_code == EXIT_VALID
    }
}

/// Judges, stores and prints: what a single run does at its end.
pub fn finish(
    context: &RunContext,
    finished: &Finished,
    crashed: &[Crashed],
    node_report: &dyn Fn(usize) -> String,
) -> anyhow::Result<Verdict> {
    let verdict = judge(context.config, finished, crashed, node_report)?;
    store(context, finished, &verdict)?;
    if context.console {
        print(context, finished, &verdict, node_report);
    }
    Ok(verdict)
}

/// Runs the checkers (unless the run was aborted or interrupted) and works out the exit
/// code. No files, no console. `node_report(i)` shows node `i`'s last lines, for a
/// report that blames it.
pub fn judge(
    config: &TestConfig,
    finished: &Finished,
    crashed: &[Crashed],
    node_report: &dyn Fn(usize) -> String,
) -> anyhow::Result<Verdict> {
    let mut problems = Vec::new();
    let mut named = None;
    if let End::Aborted(abort) = &finished.end {
        named = abort.node;
        let mut text = format!("error: {}", abort.message);
        if let Some(node) = abort.node {
            text.push('\n');
            text.push_str(&node_report(node));
        }
        problems.push(text);
    }
    for crash in crashed {
        if named.is_some_and(|index| config.nodes.get(index) == Some(&crash.node)) {
            continue; // The abort already named it.
        }
        problems.push(format!(
            "error: node {} had already exited ({}) at teardown: :node-crashed\n{}",
            crash.node, crash.status, crash.report
        ));
    }
    let verdict = |exit_code, results, unmet, problems, interrupted| Verdict {
        exit_code,
        results,
        unmet,
        problems,
        interrupted,
    };
    if !problems.is_empty() {
        return Ok(verdict(EXIT_CRASH, None, Vec::new(), problems, None));
    }
    if let End::Interrupted(signal) = &finished.end {
        let code = if signal == "SIGTERM" {
            EXIT_SIGTERM
        } else {
            EXIT_SIGINT
        };
        return Ok(verdict(
            code,
            None,
            Vec::new(),
            Vec::new(),
            Some(signal.clone()),
        ));
    }
    let options = check_options(config);
    let mut results = maelstrom_checker::check(
        &options,
        &finished.history,
        Some(&net_stats(finished.traffic)),
    )?;
    if !has_invocations(finished) {
        results = nothing_was_tested(results);
    }
    let mut exit_code = exit_code_of(results.valid);
    let mut unmet = Vec::new();
    if let Some(challenge) = &config.check {
        unmet = maelstrom_checker::criteria::evaluate(challenge, &results)
            .map_err(|error| anyhow::anyhow!("--check: {error}"))?;
        if !unmet.is_empty() {
            exit_code = exit_code.max(EXIT_INVALID);
        }
    }
    Ok(verdict(exit_code, Some(results), unmet, Vec::new(), None))
}

/// The store files: `history.edn`, `test.json`, and the results (`results.edn`,
/// `results.json`; unjudged `:valid? :unknown` for an interrupted run).
pub fn store(context: &RunContext, finished: &Finished, verdict: &Verdict) -> anyhow::Result<()> {
    store::write_history(context.run_dir, &finished.history)?;
    let net = net_stats(finished.traffic);
    let interrupted = verdict.interrupted.as_deref();
    store::write_test_json(
        context.run_dir,
        context.config,
        context.command_line,
        &net,
        context.mode,
        interrupted,
    )?;
    if let Some(results) = &verdict.results {
        store::write_results(context.run_dir, results)?;
    } else if let Some(signal) = interrupted {
        store::write_interrupted_results(context.run_dir, signal)?;
    }
    let journal = pictures_journal(&finished.journal, finished.origin_ns);
    maelstrom_pictures::write_all(context.run_dir, &finished.history, &journal)
}

/// The network's journal as the pictures read it: times relative to the history's
/// time zero (messages before the main phase, such as `init`, have negative times).
fn pictures_journal(journal: &Journal, origin_ns: u64) -> maelstrom_pictures::Journal {
    let relative = |ns: u64| {
        i64::try_from(ns).unwrap_or(i64::MAX) - i64::try_from(origin_ns).unwrap_or(i64::MAX)
    };
    maelstrom_pictures::Journal {
        messages: journal
            .entries
            .iter()
            .map(|entry| maelstrom_pictures::MessageRecord {
                id: entry.id,
                src: entry.src.to_string(),
                dest: entry.dest.to_string(),
                sent_ns: relative(entry.sent_ns),
                received_ns: entry.received_ns.map(relative),
                error: entry.kind == "error",
                kind: entry.kind.clone(),
                body: entry.body.clone(),
            })
            .collect(),
        truncated: journal.truncated,
    }
}

/// The console end of a run: muted nodes, problems or the summary, the verdict line,
/// where the run is stored, and how to replay it.
pub fn print(
    context: &RunContext,
    finished: &Finished,
    verdict: &Verdict,
    node_report: &dyn Fn(usize) -> String,
) {
    let config = context.config;
    for (node, muted) in &finished.muted {
        let index = config
            .nodes
            .iter()
            .position(|name| name == node)
            .unwrap_or(0);
        eprintln!(
            "WARN: node {node} was muted: its stdout line {:?} was refused ({}), and Maelstrom reads nothing more from a node after that.\n{}",
            muted.line,
            muted.reason,
            node_report(index)
        );
    }
    let stored = shown_path(context.run_dir);
    if !verdict.problems.is_empty() {
        verdict
            .problems
            .iter()
            .for_each(|problem| eprintln!("{problem}"));
        eprintln!("Store: {}", stored.display());
        eprintln!(
            "Replay: {}",
            replay_command(context.command_line, config.seed)
        );
        return;
    }
    if let Some(signal) = &verdict.interrupted {
        eprintln!(
            "Interrupted by {signal}: the history so far is stored, unjudged (:valid? :unknown)."
        );
        eprintln!("Store: {}", stored.display());
        return;
    }
    let Some(results) = &verdict.results else {
        return;
    };
    let summary = maelstrom_checker::summary::render(results, &check_options(config));
    let palette = Palette::for_stdout();
    for line in summary.lines() {
        outln!("{}", palette.verdicts_in(line));
    }
    if !has_invocations(finished) {
        outln!("No operation was invoked (--rate 0 or --time-limit 0?): nothing was tested.");
    }
    print_verdict(results.valid, config.check.as_deref(), &verdict.unmet);
    outln!("Store: {}", stored.display());
    if verdict.exit_code != EXIT_VALID {
        outln!(
            "Replay: {}",
            replay_command(context.command_line, config.seed)
        );
    }
}

fn check_options(config: &TestConfig) -> CheckOptions {
    CheckOptions {
        workload: config.workload.clone(),
        availability: config.availability,
        consistency_models: config.consistency_models.clone(),
    }
}

fn has_invocations(finished: &Finished) -> bool {
    finished
        .history
        .iter()
        .any(|op| op.op_type == OpType::Invoke && op.process != Process::Nemesis)
}

/// A run with no client operations tested nothing: `:valid? :unknown`, never "looks good".
fn nothing_was_tested(results: Results) -> Results {
    let Edn::Map(mut entries) = results.edn else {
        return results;
    };
    for (key, value) in &mut entries {
        if *key == Edn::keyword("valid?") {
            *value = Edn::keyword("unknown");
        }
    }
    entries.push((
        Edn::keyword("error"),
        Edn::Str("no operation was invoked: nothing was tested".into()),
    ));
    Results {
        valid: Validity::Unknown,
        edn: Edn::Map(entries),
    }
}

/// The exit code of a verdict (maelstrom.md §6).
pub fn exit_code_of(valid: Validity) -> i32 {
    match valid {
        Validity::True => EXIT_VALID,
        Validity::False => EXIT_INVALID,
        Validity::Unknown => EXIT_UNKNOWN,
    }
}

/// One verdict line, and the challenge's criteria when `--check` asked for them. A run
/// that is valid but misses its criteria does not first say "Everything looks good!".
pub fn print_verdict(valid: Validity, challenge: Option<&str>, unmet: &[String]) {
    let palette = Palette::for_stdout();
    if let Some(challenge) = challenge {
        if unmet.is_empty() {
            let line = format!("Challenge {challenge}: every pass criterion is met.");
            outln!("{}", palette.paint(GREEN, &line));
        } else {
            let heading = format!(
                "Challenge {challenge}: {} criterion(s) not met:",
                unmet.len()
            );
            outln!("{}", palette.paint(RED, &heading));
            unmet.iter().for_each(|line| outln!("  - {line}"));
        }
    }
    let (colour, line) = match valid {
        Validity::True if unmet.is_empty() => (GREEN, "Everything looks good! ヽ(‘ー`)ノ"),
        Validity::True | Validity::False => (RED, "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻"),
        Validity::Unknown => (
            YELLOW,
            "Errors occurred during analysis, but no anomalies found. ಠ~ಠ",
        ),
    };
    outln!("{}", palette.paint(colour, line));
}

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

/// Colour on a terminal, unless `NO_COLOR` is set to anything (no-color.org).
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    enabled: bool,
}

impl Palette {
    pub fn for_stdout() -> Palette {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Palette {
            enabled: !no_color && std::io::stdout().is_terminal(),
        }
    }

    pub fn paint(self, colour: &str, text: &str) -> String {
        if self.enabled {
            format!("{colour}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// A summary line with its `:valid?` verdicts coloured: true green, false red,
    /// unknown yellow.
    pub fn verdicts_in(self, line: &str) -> String {
        if !self.enabled {
            return line.to_string();
        }
        [
            (":valid? true", GREEN),
            (":valid? false", RED),
            (":valid? :unknown", YELLOW),
        ]
        .iter()
        .fold(line.to_string(), |line, (verdict, colour)| {
            line.replace(verdict, &format!("{colour}{verdict}{RESET}"))
        })
    }
}

/// Judges stored results against a challenge (`criteria` and `--check`); the flag named
/// in an error is the caller's.
pub fn judge_criteria(challenge: &str, results: &Results, flag: &str) -> i32 {
    match maelstrom_checker::criteria::evaluate(challenge, results) {
        Ok(unmet) => {
            print_verdict(results.valid, Some(challenge), &unmet);
            if unmet.is_empty() && results.valid == Validity::True {
                EXIT_VALID
            } else {
                EXIT_INVALID
            }
        }
        Err(error) => {
            eprintln!("error: {flag}: {error}");
            EXIT_BAD_ARGUMENTS
        }
    }
}

/// The network's counts as the checker's `:net` input.
pub fn net_stats(traffic: Traffic) -> NetStats {
    let counts = |counts: Counts| NetCounts {
        send_count: counts.send_count,
        recv_count: counts.recv_count,
        msg_count: counts.msg_count,
    };
    let (clients, servers) = (counts(traffic.clients), counts(traffic.servers));
    NetStats {
        all: NetCounts {
            send_count: clients.send_count + servers.send_count,
            recv_count: clients.recv_count + servers.recv_count,
            msg_count: clients.msg_count + servers.msg_count,
        },
        clients,
        servers,
    }
}

/// The same command line with `--seed N` (and without `--seed`/`--seeds`), so the run
/// can be replayed. Node arguments after `--` are part of the line, so they are kept.
pub fn replay_command(command_line: &[String], seed: u64) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut skip_next = false;
    let mut after_separator = false;
    for word in command_line {
        if after_separator {
            words.push(word.clone());
        } else if skip_next {
            skip_next = false;
        } else if word == "--seed" || word == "--seeds" {
            skip_next = true;
        } else if word.starts_with("--seed=") || word.starts_with("--seeds=") {
        } else {
            after_separator = word == "--";
            words.push(word.clone());
        }
    }
    let insert_at = words
        .iter()
        .position(|word| word == "test" || word == "sim")
        .map_or(words.len(), |i| i + 1);
    words.insert(insert_at, "--seed".into());
    words.insert(insert_at + 1, seed.to_string());
    words
        .iter()
        .map(|word| shell_word(word))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word as a shell reads it back: quoted when it holds anything but plain characters.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// `path` relative to the current directory when it is under it (pasted output then
/// shows `store/...`, not the machine's absolute path).
pub fn shown_path(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            let cwd = std::fs::canonicalize(cwd).ok()?;
            path.strip_prefix(&cwd).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &[&str]) -> Vec<String> {
        line.iter().map(|word| word.to_string()).collect()
    }

    /// A non-valid run prints the command that replays it, with its seed.
    #[test]
    fn the_replay_command_pins_the_seed() {
        let line = words(&["mt", "test", "-w", "echo", "--seed", "3", "--bin", "b"]);
        assert_eq!(
            replay_command(&line, 42),
            "mt test --seed 42 -w echo --bin b"
        );
    }

    /// A sweep's replay names one seed, and node arguments after `--` are kept (a knob
    /// that changes the run is part of its replay).
    #[test]
    fn the_replay_of_a_sweep_names_one_seed_and_keeps_node_arguments() {
        let line = words(&[
            "bin/broadcast",
            "sim",
            "-w",
            "broadcast",
            "--seeds",
            "0..100",
            "--",
            "--flush-ms",
            "600",
            "--seed",
            "x",
        ]);
        assert_eq!(
            replay_command(&line, 7),
            "bin/broadcast sim --seed 7 -w broadcast -- --flush-ms 600 --seed x"
        );
    }

    /// NO_COLOR (or a pipe) means plain text; a terminal gets the verdicts coloured.
    #[test]
    fn colour_only_paints_when_enabled() {
        let plain = Palette { enabled: false };
        assert_eq!(
            plain.verdicts_in("stats: :valid? false"),
            "stats: :valid? false"
        );
        let colour = Palette { enabled: true };
        assert_eq!(
            colour.verdicts_in("x :valid? false"),
            "x \x1b[31m:valid? false\x1b[0m"
        );
        assert_eq!(colour.paint(GREEN, "ok"), "\x1b[32mok\x1b[0m");
    }

    #[test]
    fn words_a_shell_would_split_are_quoted() {
        let line = words(&["mt", "test", "--bin", "my node", "it's"]);
        assert_eq!(
            replay_command(&line, 1),
            "mt test --seed 1 --bin 'my node' 'it'\\''s'"
        );
    }
}
