//! A test's temporary directory: removed when the test passes, kept and named
//! when it fails, so that a failed run's store can still be read.
//!
//! Every harness run a test makes writes a store (history, results, node logs,
//! pictures: up to 10 MB for a kafka run), and `make check` makes over a
//! thousand of them; left behind, they fill the temporary directory run after
//! run. A [`Scratch`] goes when it is dropped, unless the thread is unwinding
//! from a failed assertion: then it stays, and its path is printed beside the
//! failure.

use std::ops::Deref;
use std::path::Path;

/// A fresh, empty directory under the system's temporary directory.
#[derive(Debug)]
pub struct Scratch {
    /// `None` only once `drop` has decided to keep it.
    dir: Option<tempfile::TempDir>,
}

impl Scratch {
    /// A new directory named `<prefix><random suffix>`.
    pub fn new(prefix: &str) -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .expect("the temporary directory is writable");
        Scratch { dir: Some(dir) }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        self.dir
            .as_ref()
            .expect("a scratch directory is only taken when dropped")
            .path()
    }
}

impl Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.path()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(dir) = self.dir.take() {
                eprintln!("kept for inspection: {}", dir.keep().display());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A passing test leaves nothing behind.
    #[test]
    fn a_scratch_directory_is_removed_when_dropped() {
        let scratch = Scratch::new("maelstrom-scratch-test-");
        std::fs::write(scratch.join("file"), "x").expect("writable");
        let path = scratch.to_path_buf();
        assert!(path.is_dir());
        drop(scratch);
        assert!(!path.exists(), "{} is still there", path.display());
    }

    /// A failing test keeps its directory, so its files can be read afterwards.
    #[test]
    fn a_scratch_directory_survives_a_failing_test() {
        let (sender, receiver) = std::sync::mpsc::channel();
        let failed = std::thread::spawn(move || {
            let scratch = Scratch::new("maelstrom-scratch-test-");
            sender
                .send(scratch.to_path_buf())
                .expect("the test listens");
            panic!("a failing assertion");
        })
        .join();
        assert!(failed.is_err(), "the thread failed");
        let path = receiver.recv().expect("the path was sent");
        assert!(path.is_dir(), "{} was removed", path.display());
        std::fs::remove_dir_all(&path).expect("removable");
    }
}
