//! What both drivers keep of a node's output: its last lines of each stream, for the
//! report that blames it (Maelstrom keeps a 32-line ring buffer, maelstrom.md §2), and
//! its stderr in `node-logs/<node>.log`, bounded.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// One node's `node-logs/<node>.log` stops growing here, with a marker.
pub const LOG_FILE_BYTES_MAX: u64 = 64 * 1024 * 1024;
/// How many recent lines of each stream a report shows, as Maelstrom's ring buffer.
pub const RECENT_LINES: usize = 32;
/// A recent line is shown up to this many characters.
pub const RECENT_LINE_CHARS_MAX: usize = 1000;
/// The last lines of one stream.
#[derive(Debug, Default)]
pub struct Recent {
    lines: VecDeque<String>,
}

impl Recent {
    /// Keeps `line` itself (no copy), clipped if it is long; the oldest goes.
    pub fn keep(&mut self, mut line: String) {
        if line.len() > RECENT_LINE_CHARS_MAX {
            line = line.chars().take(RECENT_LINE_CHARS_MAX).collect();
        }
        if self.lines.len() == RECENT_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// Keeps a copy of `line`, clipped; the oldest slot's allocation is reused, so a
    /// busy node's ring costs a copy per line, not an allocation.
    pub fn remember(&mut self, line: &str) {
        let mut slot = if self.lines.len() == RECENT_LINES {
            self.lines.pop_front().unwrap_or_default()
        } else {
            String::new()
        };
        slot.clear();
        if line.len() <= RECENT_LINE_CHARS_MAX {
            slot.push_str(line);
        } else {
            slot.extend(line.chars().take(RECENT_LINE_CHARS_MAX));
        }
        self.lines.push_back(slot);
    }
}

/// What a report can still show about a node after the fact.
#[derive(Debug, Default)]
pub struct NodeLogs {
    stdout: Mutex<Recent>,
    stderr: Mutex<Recent>,
}

impl NodeLogs {
    pub fn remember_stdout(&self, line: &str) {
        self.stdout
            .lock()
            .expect("log lock poisoned")
            .remember(line);
    }

    pub fn remember_stderr(&self, line: &str) {
        self.stderr
            .lock()
            .expect("log lock poisoned")
            .remember(line);
    }

    /// Keeps `line` (no copy) as the latest stdout line.
    pub fn keep_stdout(&self, line: String) {
        self.stdout.lock().expect("log lock poisoned").keep(line);
    }

    /// The report block: the node's last stdout and stderr lines.
    pub fn report(&self, node: &str) -> String {
        let mut text = String::new();
        for (name, recent) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let recent = recent.lock().expect("log lock poisoned");
            text.push_str(&format!(
                "  last {} {name} lines of {node}:\n",
                recent.lines.len()
            ));
            for line in &recent.lines {
                text.push_str(&format!("    {line}\n"));
            }
        }
        text
    }
}

/// `node-logs/<node>.log`, growing up to [`LOG_FILE_BYTES_MAX`].
#[derive(Debug)]
pub struct LogFile {
    file: Option<std::fs::File>,
    written_bytes: u64,
}

impl LogFile {
    pub fn open(path: &Path) -> LogFile {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok();
        LogFile {
            file,
            written_bytes: 0,
        }
    }

    pub fn append(&mut self, line: &str) {
        let Some(file) = self.file.as_mut() else {
            return;
        };
        let length = line.len() as u64 + 1;
        if self.written_bytes + length > LOG_FILE_BYTES_MAX {
            let _ = writeln!(
                file,
                "[… node-logs cap of {LOG_FILE_BYTES_MAX} bytes reached; later lines are not kept]"
            );
            self.file = None;
            return;
        }
        self.written_bytes += length;
        // A full disk must not stop the run; the ring buffer still has the line.
        let _ = writeln!(file, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_shows_the_last_lines_clipped() {
        let logs = NodeLogs::default();
        for i in 0..40 {
            logs.stderr
                .lock()
                .expect("lock")
                .remember(&format!("line {i}"));
        }
        logs.stdout
            .lock()
            .expect("lock")
            .remember(&"x".repeat(5000));
        let report = logs.report("n0");
        assert!(report.contains("last 32 stderr lines of n0"));
        assert!(!report.contains("line 7\n") && report.contains("line 39"));
        assert!(report
            .lines()
            .all(|line| line.chars().count() <= RECENT_LINE_CHARS_MAX + 4));
    }
}
