//! Citations of `docs/maelstrom.md` resolve: every `§N`, `§N.M` (or deeper) written in
//! a `*.rs` file, a `*.md` file or a `Makefile` anywhere in the repository names a
//! numbered heading of that file, and the reference's former name appears nowhere.
//!
//! Code, tests and chapters justify themselves by pointing at a section ("maelstrom.md
//! §3.3 set-full checker"); a pointer to a section that does not exist teaches nothing, so
//! it is a test failure, reported as `file:line: §X does not resolve`. The scan is plain
//! text, line by line, because citations live in comments and prose where no parser of
//! Rust or Markdown would look. A citation is `§`, optional spaces, then numbers joined by
//! dots; a dot not followed by a digit ends it ("§5.1." at the end of a sentence is §5.1).
//! A range written "§3.6–3.9" checks both ends. Any `§` counts, whatever word precedes it
//! ("spec §4" too): this repository has one numbered reference, so a number meant for a
//! document outside it does not resolve either.
//!
//! Left out: checking that a citation points at the *right* section (only a reader can);
//! files other than `*.rs`, `*.md` and `Makefile`; and the directories that hold no
//! sources of ours: `.git/`, `target*/`, `store/`, and the real Maelstrom that
//! `make maelstrom` unpacks into `./maelstrom/`.
//!
//! This file writes the section sign as `\u{a7}` and builds the old name from two halves,
//! so that its own examples of bad citations are not found by its own scan.

mod repository;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{ensure, Context};
use repository::{read_text, repository_root};

/// The section sign, written as an escape so that this file's examples are not citations.
const SECTION_SIGN: char = '\u{a7}';

/// The digest's file name, which every citation has been renamed from; split in two so
/// that this file does not contain it.
const OLD_NAME: &str = concat!("maelstrom", "-spec");

/// The reference, relative to the repository root.
const REFERENCE: &str = "docs/maelstrom.md";

/// The section numbers of a Markdown reference: every ATX heading whose text starts with
/// a number (`## 3. Workloads` → "3", `### 8.12 Rate limiting …` → "8.12"). Lines inside
/// fenced code blocks are not headings.
fn section_numbers(markdown: &str) -> BTreeSet<String> {
    let mut numbers = BTreeSet::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let Some(text) = heading_text(line) else {
            continue;
        };
        let (number, rest) = leading_number(text);
        // "3." as in "## 3. Workloads": the dot ends the number.
        let rest = rest.strip_prefix('.').unwrap_or(rest);
        if !number.is_empty() && (rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            numbers.insert(number);
        }
    }
    numbers
}

/// The text of an ATX heading (`#` to `######`, then a space), or `None`.
fn heading_text(line: &str) -> Option<&str> {
    let hashes = line.len() - line.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    rest.starts_with([' ', '\t']).then(|| rest.trim())
}

/// Splits `text` into a leading section number (`3`, `3.3`, `8.12`, `1.2.3`) and the rest.
/// A dot belongs to the number only when a digit follows it.
fn leading_number(text: &str) -> (String, &str) {
    let bytes = text.as_bytes();
    let mut end = 0;
    while let Some(&byte) = bytes.get(end) {
        let joins_two_numbers =
            byte == b'.' && end > 0 && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
        if !(byte.is_ascii_digit() || joins_two_numbers) {
            break;
        }
        end += 1;
    }
    (text[..end].to_string(), &text[end..])
}

/// Every section number a line cites: `§3 intro` → 3; `§3.3, §5` → 3.3 and 5;
/// `§1.1/§1.4` → 1.1 and 1.4; `§3.6–3.9` → 3.6 and 3.9. A `§` with no number after it is
/// the sign itself, not a citation.
fn citations(line: &str) -> Vec<String> {
    let mut cited = Vec::new();
    for (position, _) in line.match_indices(SECTION_SIGN) {
        let after = line[position + SECTION_SIGN.len_utf8()..].trim_start();
        let (number, rest) = leading_number(after);
        if number.is_empty() {
            continue;
        }
        cited.push(number);
        // A range's second end may omit the sign: "§3.6–3.9" (en dash) or "§3.6-3.9".
        if let Some(end) = rest.strip_prefix(['–', '-']) {
            let (end_number, _) = leading_number(end);
            if !end_number.is_empty() {
                cited.push(end_number);
            }
        }
    }
    cited
}

/// What is wrong with one line, as `path:line: …` messages.
fn line_problems(
    path: &str,
    line_number: usize,
    line: &str,
    sections: &BTreeSet<String>,
) -> Vec<String> {
    let mut problems: Vec<String> = citations(line)
        .into_iter()
        .filter(|number| !sections.contains(number))
        .map(|number| format!("{path}:{line_number}: {SECTION_SIGN}{number} does not resolve"))
        .collect();
    if line.contains(OLD_NAME) {
        problems.push(format!(
            "{path}:{line_number}: \"{OLD_NAME}\" is the old name; cite {REFERENCE}"
        ));
    }
    problems
}

/// Whether a directory holds no sources of ours (see the file's opening comment).
fn is_skipped_directory(root: &Path, directory: &Path) -> bool {
    let name = directory
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    name == ".git"
        || name.starts_with("target")
        || name == "store"
        || directory == root.join("maelstrom")
}

fn is_scanned_file(path: &Path) -> bool {
    let extension = path.extension().and_then(|extension| extension.to_str());
    matches!(extension, Some("rs" | "md"))
        || path.file_name().is_some_and(|name| name == "Makefile")
}

/// Every scanned file under `root`, in sorted order so that reports are stable. Symbolic
/// links are not followed (`store/latest` is one, and a link can make a cycle).
fn scanned_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut directories = vec![root.to_path_buf()];
    while let Some(directory) = directories.pop() {
        let entries =
            fs::read_dir(&directory).with_context(|| format!("listing {}", directory.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("listing {}", directory.display()))?;
            let file_type = entry
                .file_type()
                .context("reading a directory entry's type")?;
            let path = entry.path();
            if file_type.is_dir() && !is_skipped_directory(root, &path) {
                directories.push(path);
            } else if file_type.is_file() && is_scanned_file(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// maelstrom.md (opening): its numbers are how the repository points into it, so every
/// citation in the repository must name one of its sections, and the reference's former
/// name must be gone.
#[test]
fn every_citation_in_the_repository_names_a_section_of_the_reference() -> anyhow::Result<()> {
    let root = repository_root();
    let sections = section_numbers(&read_text(&root.join(REFERENCE))?);
    ensure!(!sections.is_empty(), "{REFERENCE} has no numbered headings");
    let mut problems = Vec::new();
    let mut citation_count = 0;
    for path in scanned_files(&root)? {
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        for (index, line) in read_text(&path)?.lines().enumerate() {
            citation_count += citations(line).len();
            problems.extend(line_problems(&relative, index + 1, line, &sections));
        }
    }
    println!("{citation_count} citations checked against {REFERENCE}");
    assert!(
        problems.is_empty(),
        "{} bad citations:\n{}",
        problems.len(),
        problems.join("\n")
    );
    Ok(())
}

/// maelstrom.md (opening): "the section numbers below are fixed". Each number existing
/// code cites, from §1.1 to §8.13, is still a heading, and no new one has been slipped
/// in between.
#[test]
fn the_reference_keeps_its_section_numbers() -> anyhow::Result<()> {
    let text = read_text(&repository_root().join(REFERENCE))?;
    let expected: BTreeSet<String> = ["1", "2", "3", "4", "5", "6", "7", "8"]
        .into_iter()
        .map(String::from)
        .chain((1..=5).map(|item| format!("1.{item}")))
        .chain((1..=9).map(|item| format!("3.{item}")))
        .chain((1..=4).map(|item| format!("5.{item}")))
        .chain((1..=13).map(|item| format!("8.{item}")))
        .collect();
    assert_eq!(section_numbers(&text), expected);
    Ok(())
}

/// maelstrom.md (opening): headings carry the numbers; a number in a code block or in a
/// heading's middle is not one.
#[test]
fn headings_give_their_leading_number() {
    let markdown = "# Title\n## 3. Workloads\n### 3.3 broadcast\n### 8.12 Rate limiting\n\
                    ## Sources\n#### 1.2.3 deep\n##3 not a heading\n### 4x4 grids\n\
                    ```sh\n# 9. a shell comment\n```\nText 7. not a heading\n";
    let numbers: Vec<String> = section_numbers(markdown).into_iter().collect();
    assert_eq!(numbers, ["1.2.3", "3", "3.3", "8.12"]);
}

/// maelstrom.md (opening): the forms citations take in this repository's prose.
#[test]
fn citations_are_read_in_every_form_the_prose_uses() {
    let cases: [(&str, &[&str]); 9] = [
        ("(maelstrom.md \u{a7}3 intro).", &["3"]),
        ("see \u{a7}3.3, \u{a7}5", &["3.3", "5"]),
        ("\u{a7}1.1/\u{a7}1.4", &["1.1", "1.4"]),
        ("not apply: spec \u{a7}4's equal-value quirk", &["4"]),
        ("read to a node, maelstrom.md \u{a7}5.1.)", &["5.1"]),
        ("lin-kv, kafka (\u{a7}3.6\u{2013}3.9).", &["3.6", "3.9"]),
        (
            "services and workloads (\u{a7}3\u{2013}\u{a7}5).",
            &["3", "5"],
        ),
        (
            "the \u{a7} sign alone, and \u{a7} 8.7 with a space",
            &["8.7"],
        ),
        ("no citation here, 3.3 and 5", &[]),
    ];
    for (line, expected) in cases {
        assert_eq!(citations(line), expected, "in {line:?}");
    }
}

/// maelstrom.md (opening): a citation of a missing section, or the old name, is reported
/// as `file:line: …`, and a good citation is not reported at all.
#[test]
fn a_bad_citation_is_reported_with_its_file_and_line() {
    let sections: BTreeSet<String> = ["3", "3.3"].into_iter().map(String::from).collect();
    let line = format!("//! Both (\u{a7}3.3, \u{a7}9.1) and {OLD_NAME} \u{a7}3.");
    assert_eq!(
        line_problems("src/lib.rs", 7, &line, &sections),
        [
            "src/lib.rs:7: \u{a7}9.1 does not resolve".to_string(),
            format!("src/lib.rs:7: \"{OLD_NAME}\" is the old name; cite {REFERENCE}"),
        ]
    );
    assert!(line_problems("a.md", 1, "\u{a7}3 and \u{a7}3.3", &sections).is_empty());
}
