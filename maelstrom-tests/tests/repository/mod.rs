//! What the tests that read the repository's own text share (`citations.rs`,
//! `snippets.rs`): where the repository is, and a bounded, forgiving read of a file.

// Each test file compiles this module for itself and uses part of it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{ensure, Context};

/// No hand-written document or source here comes near this; a larger file is generated
/// and is refused rather than read into memory.
pub const FILE_SIZE_BYTES_MAX: u64 = 4 * 1024 * 1024;

/// The repository root: this package lives in `<root>/maelstrom-tests`.
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("maelstrom-tests sits inside the repository")
        .to_path_buf()
}

/// A file's text; bytes that are not UTF-8 are replaced, never a reason to stop.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let size_bytes = fs::metadata(path)
        .with_context(|| format!("reading the size of {}", path.display()))?
        .len();
    ensure!(
        size_bytes <= FILE_SIZE_BYTES_MAX,
        "{} is {size_bytes} bytes, more than {FILE_SIZE_BYTES_MAX}: not a hand-written file",
        path.display()
    );
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// [`read_text`], or `None` when there is no such file.
pub fn read_text_if_file(path: &Path) -> anyhow::Result<Option<String>> {
    if !fs::metadata(path).is_ok_and(|metadata| metadata.is_file()) {
        return Ok(None);
    }
    read_text(path).map(Some)
}
