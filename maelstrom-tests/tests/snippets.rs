//! Code in the chapters is the code in the crates: every ```rust block in `README.md` and
//! `docs/*.md` names the file it was taken from on its first line, and must still appear
//! there, verbatim. A snippet that drifted from its source teaches something the
//! repository no longer does, so it is a test failure, reported as
//! `doc:line: snippet not found in <file>`.
//!
//! The convention (docs/README.md, "Snippets"):
//! - the block's first line is a comment naming the file, relative to the repository
//!   root: `// crates/echo/src/main.rs`; anything after the path and a space is a note
//!   for the reader (`// crates/g-counter/src/node/tests.rs, the trap`);
//! - the lines after it appear in that file as consecutive lines, character for
//!   character, except that the snippet may drop an indentation that all its lines share
//!   in the source (a loop taken out of a function body reads at the left margin);
//! - a line `// ...` leaves lines out: the parts on either side of it must appear in the
//!   file in that order, each one verbatim.
//!
//! Blocks in other languages (`json`, `text`, `sh`, `diff`) are messages, outputs and
//! commands, not copies of a source file, and are not checked here; a ```rust block
//! that names no file is reported, so that no snippet escapes the check.
//!
//! The same documents must not name a path of the machine they were written on: an
//! output pasted from `/home/someone/repo` teaches a path no reader has. The harness
//! prints store paths relative to the repository when it runs from the root
//! (`Store: store/broadcast/…`), and that is how chapters show them. A line that names
//! one of [`BUILD_MACHINE_PATHS`] is reported as `doc:line: <path> is a path of the
//! machine the document was written on`.
//!
//! Left out: whether a snippet still *compiles* or still means what the prose around it
//! says (only a reader can tell), and snippets in `*.rs` doc comments, which rustdoc
//! already compiles as doctests. The path check knows only the prefixes listed; an
//! absolute path elsewhere (`/srv/…`, `C:\…`) passes.

mod repository;

use std::fs;
use std::path::{Component, Path};

use anyhow::{ensure, Context};
use repository::{read_text_if_file, repository_root};

/// The documents whose snippets are checked, besides every `*.md` directly in `docs/`.
const TOP_LEVEL_DOCUMENTS: [&str; 1] = ["README.md"];

/// The directory of the chapters, relative to the repository root.
const DOCS_DIRECTORY: &str = "docs";

/// The line that leaves lines out of a snippet.
const ELISION: &str = "// ...";

/// Where a build machine keeps checkouts, homes and scratch runs: an absolute path that
/// starts with one of these in a document was pasted from a machine, not written for a
/// reader. (`/tmp` alone is not one: the reference says Maelstrom runs in `/tmp`.)
const BUILD_MACHINE_PATHS: [&str; 5] = ["/work/", "/home/", "/root/", "/Users/", "/tmp/maelstrom"];

/// A ```rust block of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Snippet {
    /// The 1-based line of the block's first line inside the fence.
    first_line: usize,
    /// The block's lines, the file-naming comment included, without the fence's own
    /// indentation.
    lines: Vec<String>,
}

/// A fence that opened a code block: its character (`` ` `` or `~`), its length, its
/// indentation, and whether the block is Rust.
#[derive(Clone, Copy, Debug)]
struct Fence {
    character: char,
    length: usize,
    indentation: usize,
    is_rust: bool,
}

/// The fence a line opens (up to three spaces, then three or more backticks or tildes,
/// then an info string whose first word is the language; after backticks, an info string
/// with a backtick in it makes the line inline code instead), or `None`.
fn opening_fence(line: &str) -> Option<Fence> {
    let indentation = line.len() - line.trim_start_matches(' ').len();
    if indentation > 3 {
        return None;
    }
    let rest = &line[indentation..];
    let character = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = rest.len() - rest.trim_start_matches(character).len();
    if length < 3 {
        return None;
    }
    let info = &rest[length..];
    // A backtick fence's info string holds no backtick: "```` ```rust ````" at the start
    // of a line is inline code, not a fence.
    if character == '`' && info.contains('`') {
        return None;
    }
    let language = info.split_whitespace().next().unwrap_or_default();
    Some(Fence {
        character,
        length,
        indentation,
        is_rust: language == "rust",
    })
}

/// Whether `line` closes a block opened by `fence`: the same character, at least as
/// many of it, and nothing else.
fn closes(line: &str, fence: Fence) -> bool {
    let trimmed = line.trim();
    let length = trimmed.len() - trimmed.trim_start_matches(fence.character).len();
    length >= fence.length && length == trimmed.len()
}

/// Every ```rust block of a Markdown document, in order. A block left open at the end
/// of the document runs to its end, as Markdown renders it.
fn rust_snippets(markdown: &str) -> Vec<Snippet> {
    let mut snippets = Vec::new();
    let mut open: Option<(Fence, Snippet)> = None;
    for (index, line) in markdown.lines().enumerate() {
        match &mut open {
            None => {
                if let Some(fence) = opening_fence(line) {
                    let snippet = Snippet {
                        first_line: index + 2,
                        lines: Vec::new(),
                    };
                    open = Some((fence, snippet));
                }
            }
            Some((fence, snippet)) => {
                if closes(line, *fence) {
                    let (fence, snippet) = open.take().expect("a block is open");
                    if fence.is_rust {
                        snippets.push(snippet);
                    }
                } else {
                    let drop = line.len() - line.trim_start_matches(' ').len();
                    let drop = drop.min(fence.indentation);
                    snippet.lines.push(line[drop..].to_string());
                }
            }
        }
    }
    if let Some((fence, snippet)) = open {
        if fence.is_rust {
            snippets.push(snippet);
        }
    }
    snippets
}

/// The file a snippet names on its first line (`// crates/echo/src/main.rs`, maybe
/// followed by a space and a note), or `None` when the first line names none.
fn named_file(snippet: &Snippet) -> Option<&str> {
    let first = snippet.lines.first()?.trim();
    let path = first.strip_prefix("// ")?.split_whitespace().next()?;
    let path = path.trim_end_matches([',', ':', ';']);
    (path.contains('/') || path.contains('.')).then_some(path)
}

/// Whether a path stays inside the repository: relative, with no `..`.
fn is_inside_repository(path: &str) -> bool {
    Path::new(path)
        .components()
        .all(|component| matches!(component, Component::Normal(_) | Component::CurDir))
}

/// A run of snippet lines between elisions, and where its first line is in the document.
#[derive(Debug)]
struct Part<'a> {
    first_line: usize,
    lines: &'a [String],
}

/// The parts of a snippet's body (everything after the naming line), split at `// ...`
/// lines, with blank lines at either end of each part dropped. Empty parts are skipped.
fn parts(snippet: &Snippet) -> Vec<Part<'_>> {
    let body = snippet.lines.get(1..).unwrap_or_default();
    let mut parts = Vec::new();
    let mut start = 0;
    for end in 0..=body.len() {
        let at_boundary = end == body.len() || body[end].trim() == ELISION;
        if !at_boundary {
            continue;
        }
        let mut lines = &body[start..end];
        let mut first = start;
        while lines.first().is_some_and(|line| line.trim().is_empty()) {
            lines = &lines[1..];
            first += 1;
        }
        while lines.last().is_some_and(|line| line.trim().is_empty()) {
            lines = &lines[..lines.len() - 1];
        }
        if !lines.is_empty() {
            parts.push(Part {
                // +1 for the naming line, +1 for 1-based numbering.
                first_line: snippet.first_line + first + 1,
                lines,
            });
        }
        start = end + 1;
    }
    parts
}

/// Whether `source` line matches `snippet` line once `indentation` is put back: equal
/// text after it, or both blank.
fn line_matches(source: &str, snippet: &str, indentation: &str) -> bool {
    if snippet.trim().is_empty() {
        return source.trim().is_empty();
    }
    source.strip_prefix(indentation) == Some(snippet)
}

/// The indentation the source has in front of the snippet's first line at `source`, if
/// the line is that one indented by whitespace.
fn indentation_at<'s>(source: &'s str, snippet_first: &str) -> Option<&'s str> {
    let indentation = source.strip_suffix(snippet_first)?;
    indentation
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(indentation)
}

/// How many of `part`'s lines match `source` from line index `start` on, with the
/// indentation the source gives the first of them (0 if the first does not match).
fn matching_prefix(source: &[&str], part: &[String], start: usize) -> usize {
    let Some(indentation) = part
        .first()
        .and_then(|first| indentation_at(source[start], first))
    else {
        return 0;
    };
    source[start..]
        .iter()
        .zip(part)
        .take_while(|(source_line, snippet_line)| {
            line_matches(source_line, snippet_line, indentation)
        })
        .count()
}

/// Where `part` appears in `source` at or after line index `from`: `Ok` with the index
/// one past its last line, or `Err` with the offset in `part` of the first line that
/// differs from the source where most of it matches (0 when even its first line is
/// nowhere), so that a report can point at the line that drifted.
fn find_part(source: &[&str], part: &[String], from: usize) -> Result<usize, usize> {
    let mut longest = 0;
    for start in from..source.len() {
        let matched = matching_prefix(source, part, start);
        if matched == part.len() {
            return Ok(start + matched);
        }
        longest = longest.max(matched);
    }
    Err(longest)
}

/// What is wrong with one snippet of `document`, as `doc:line: …` messages.
/// `read_source` gives a named file's text, or `None` when there is no such file.
fn snippet_problems(
    document: &str,
    snippet: &Snippet,
    read_source: &dyn Fn(&str) -> anyhow::Result<Option<String>>,
) -> anyhow::Result<Vec<String>> {
    let at = |line: usize| format!("{document}:{line}");
    let Some(path) = named_file(snippet) else {
        return Ok(vec![format!(
            "{}: a rust snippet names its file on its first line, as `// crates/echo/src/main.rs`",
            at(snippet.first_line)
        )]);
    };
    if !is_inside_repository(path) {
        return Ok(vec![format!(
            "{}: {path} is not a path inside the repository",
            at(snippet.first_line)
        )]);
    }
    let Some(source) = read_source(path)? else {
        return Ok(vec![format!(
            "{}: {path} does not exist",
            at(snippet.first_line)
        )]);
    };
    let source_lines: Vec<&str> = source.lines().collect();
    let parts = parts(snippet);
    if parts.is_empty() {
        return Ok(vec![format!(
            "{}: the snippet of {path} has no code",
            at(snippet.first_line)
        )]);
    }
    let mut from = 0;
    for part in parts {
        match find_part(&source_lines, part.lines, from) {
            Ok(end) => from = end,
            Err(drifted) => {
                return Ok(vec![format!(
                    "{}: snippet not found in {path}",
                    at(part.first_line + drifted)
                )])
            }
        }
    }
    Ok(Vec::new())
}

/// `README.md` and every `*.md` directly in `docs/`, relative to the root, sorted.
fn documents(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut documents: Vec<String> = TOP_LEVEL_DOCUMENTS.map(String::from).to_vec();
    let directory = root.join(DOCS_DIRECTORY);
    let entries =
        fs::read_dir(&directory).with_context(|| format!("listing {}", directory.display()))?;
    let mut chapters = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", directory.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && entry.path().is_file() {
            chapters.push(format!("{DOCS_DIRECTORY}/{name}"));
        }
    }
    chapters.sort();
    documents.extend(chapters);
    Ok(documents)
}

/// docs/README.md, "Snippets": every ```rust block of the README and the chapters names
/// its file and appears in it verbatim, so that the code a chapter teaches is the code
/// the repository runs.
#[test]
fn every_rust_snippet_in_the_docs_appears_verbatim_in_the_file_it_names() -> anyhow::Result<()> {
    let root = repository_root();
    let read_source = |path: &str| read_text_if_file(&root.join(path));
    let mut problems = Vec::new();
    let mut snippet_count = 0;
    for document in documents(&root)? {
        let text = read_text_if_file(&root.join(&document))?
            .with_context(|| format!("{document} is listed but cannot be read"))?;
        for snippet in rust_snippets(&text) {
            snippet_count += 1;
            problems.extend(snippet_problems(&document, &snippet, &read_source)?);
        }
    }
    println!("{snippet_count} rust snippets checked against their sources");
    ensure!(
        snippet_count > 0,
        "no rust snippet found: is the scan broken?"
    );
    assert!(
        problems.is_empty(),
        "{} snippets do not match their sources:\n{}",
        problems.len(),
        problems.join("\n")
    );
    Ok(())
}

/// Whether the text before a match ends where a path may start: at the line's start, or
/// after a character that cannot be part of a longer path or URL (`github.com/home/` is
/// no path of a machine).
fn starts_a_path(before: &str) -> bool {
    before.chars().next_back().is_none_or(|previous| {
        !(previous.is_alphanumeric() || matches!(previous, '.' | '-' | '_' | '~' | '/' | ':'))
    })
}

/// Every absolute path of a build machine in `text`, as `doc:line: …` messages, in the
/// order they appear.
fn build_machine_path_problems(document: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut found: Vec<(usize, &str)> = BUILD_MACHINE_PATHS
            .iter()
            .flat_map(|prefix| line.match_indices(prefix))
            .filter(|(start, _)| starts_a_path(&line[..*start]))
            .collect();
        found.sort_unstable();
        for (start, _) in found {
            let rest = &line[start..];
            let end = rest
                .find(|c: char| {
                    c.is_whitespace() || matches!(c, '`' | '"' | '\'' | ')' | '<' | '>')
                })
                .unwrap_or(rest.len());
            // A sentence's punctuation after the path is not part of it.
            let path = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            problems.push(format!(
                "{document}:{}: {path} is a path of the machine the document was written on",
                index + 1,
            ));
        }
    }
    problems
}

/// docs/README.md: every command in the chapters runs from the repository's root, so
/// paths in their outputs are relative to it; a path that only exists on the machine a
/// document was written on is reported with its document and line.
#[test]
fn no_document_names_an_absolute_path_of_a_build_machine() -> anyhow::Result<()> {
    let root = repository_root();
    let documents = documents(&root)?;
    ensure!(
        documents.len() > TOP_LEVEL_DOCUMENTS.len(),
        "no chapter found in {DOCS_DIRECTORY}/: is the scan broken?"
    );
    let mut problems = Vec::new();
    for document in &documents {
        let text = read_text_if_file(&root.join(document))?
            .with_context(|| format!("{document} is listed but cannot be read"))?;
        problems.extend(build_machine_path_problems(document, &text));
    }
    println!(
        "{} documents scanned for build machine paths",
        documents.len()
    );
    assert!(
        problems.is_empty(),
        "{} lines name a path of a build machine; show it relative to the repository:\n{}",
        problems.len(),
        problems.join("\n")
    );
    Ok(())
}

/// A pasted store path, a home directory and a scratch run are each reported at their
/// line; a relative path, `/tmp` by itself and a URL that merely contains `/home/` are not.
#[test]
fn pasted_machine_paths_are_reported_with_their_document_and_line() {
    let markdown = "# Run\n\
                    Store: store/broadcast/20261201T161812.595Z\n\
                    Store: /work/main/store/broadcast/20261130T155455.535Z\n\
                    Built in `/home/someone/gossip` and (/root/repo), then /Users/me/x;\n\
                    Scratch: /tmp/maelstrom-bench-42/run\n\
                    Maelstrom runs in `/tmp`, see https://example.com/home/page and ~/work/x.\n";
    assert_eq!(
        build_machine_path_problems("docs/x.md", markdown),
        [
            "docs/x.md:3: /work/main/store/broadcast/20261130T155455.535Z is a path of the machine the document was written on",
            "docs/x.md:4: /home/someone/gossip is a path of the machine the document was written on",
            "docs/x.md:4: /root/repo is a path of the machine the document was written on",
            "docs/x.md:4: /Users/me/x is a path of the machine the document was written on",
            "docs/x.md:5: /tmp/maelstrom-bench-42/run is a path of the machine the document was written on",
        ]
    );
}

/// The source file the unit tests below check snippets against.
const SOURCE: &str = "\
fn main() {
    for value in [1, 2] {
        println!(\"{value}\");

        println!(\"again\");
    }
    done();
}
";

fn check(markdown: &str) -> Vec<String> {
    let read_source = |path: &str| Ok((path == "src/main.rs").then(|| SOURCE.to_string()));
    rust_snippets(markdown)
        .iter()
        .flat_map(|snippet| {
            snippet_problems("docs/x.md", snippet, &read_source).expect("the source is in memory")
        })
        .collect()
}

/// docs/README.md, "Snippets": a snippet may drop the indentation its lines share in the
/// source, and a blank line matches a blank line.
#[test]
fn a_dedented_snippet_with_a_blank_line_matches() {
    let markdown =
        "Text\n\n```rust\n// src/main.rs\nprintln!(\"{value}\");\n\nprintln!(\"again\");\n```\n";
    assert_eq!(check(markdown), Vec::<String>::new());
}

/// docs/README.md, "Snippets": a snippet whose text changed is reported at the first line
/// of the document that differs from the source.
#[test]
fn a_snippet_that_drifted_is_reported_with_its_document_and_line() {
    let markdown =
        "# Title\n\n```rust\n// src/main.rs\nfn main() {\n    for value in [1, 2, 3] {\n```\n";
    assert_eq!(
        check(markdown),
        ["docs/x.md:6: snippet not found in src/main.rs"]
    );
}

/// docs/README.md, "Snippets": `// ...` leaves lines out, but the parts must still come
/// in the source's order.
#[test]
fn elided_parts_match_only_in_the_order_of_the_source() {
    let in_order = "```rust\n// src/main.rs\nfn main() {\n// ...\n    done();\n}\n```\n";
    assert_eq!(check(in_order), Vec::<String>::new());
    let swapped = "```rust\n// src/main.rs\n    done();\n// ...\nfn main() {\n```\n";
    assert_eq!(
        check(swapped),
        ["docs/x.md:5: snippet not found in src/main.rs"]
    );
}

/// docs/README.md, "Snippets": indentation is only ever dropped, never invented, so a
/// snippet indented more than its source does not match.
#[test]
fn a_snippet_indented_more_than_its_source_is_reported() {
    let markdown = "```rust\n// src/main.rs\n    fn main() {\n```\n";
    assert_eq!(
        check(markdown),
        ["docs/x.md:3: snippet not found in src/main.rs"]
    );
}

/// docs/README.md, "Snippets": a rust block that names no file, a missing file, and a
/// path out of the repository are reported; other languages are not checked.
#[test]
fn a_snippet_without_a_file_it_can_be_checked_against_is_reported() {
    let markdown = "```rust\nfn main() {}\n```\n\
                    ```rust\n// src/gone.rs\nfn main() {}\n```\n\
                    ```rust\n// ../elsewhere/main.rs\nfn main() {}\n```\n\
                    ```text\nnot checked\n```\n\
                    ```json\n{\"type\": \"echo\"}\n```\n";
    assert_eq!(
        check(markdown),
        [
            "docs/x.md:2: a rust snippet names its file on its first line, as `// crates/echo/src/main.rs`",
            "docs/x.md:5: src/gone.rs does not exist",
            "docs/x.md:9: ../elsewhere/main.rs is not a path inside the repository",
        ]
    );
}

/// CommonMark fences: backticks with a backtick after them are inline code, a longer
/// fence holds a shorter one, tildes hold backticks, a fence in a list keeps its
/// indentation out of the lines, and a note may follow the path.
#[test]
fn fences_are_read_as_markdown_reads_them() {
    let markdown = "```` ```rust ```` is inline code\n\
                    ````text\n```rust\nnot a snippet\n```\n````\n\
                    ~~~rust\n// src/main.rs: the loop\n    for value in [1, 2] {\n~~~\n\
                    - item\n\n  ```rust\n  // src/main.rs\n  fn main() {\n  ```\n";
    let snippets = rust_snippets(markdown);
    assert_eq!(snippets.len(), 2);
    assert_eq!(snippets[1].lines, ["// src/main.rs", "fn main() {"]);
    assert_eq!(check(markdown), Vec::<String>::new());
}
