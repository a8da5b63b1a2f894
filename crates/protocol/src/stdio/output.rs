//! stdout: every message appended to one buffer, written out in big writes.
//!
//! A message costs a `memcpy` into the buffer, not a syscall: the loop writes
//! the buffer out when it has no input left to handle (so a lone reply leaves
//! at once) or when the buffer reaches [`OUTGOING_BYTES_MAX`] (so a flood
//! leaves in large writes). The write happens on the loop's own thread and
//! blocks while the pipe is full. That is the backpressure: while stdout
//! can't take more, the loop takes no more input, the reader thread blocks on
//! its full channel, and the node stops reading stdin. Memory stays at one
//! buffer's worth however long the reader of stdout stays away.
//!
//! The alternative, a writer thread fed by an unbounded queue, never blocks the
//! loop, and that is its flaw: a node whose stdout is not read keeps reading
//! requests and queueing replies, and its memory grows with every request.
//!
//! A write that fails (the reader closed the pipe) is logged once; later
//! output is dropped, and the node keeps reading until its input ends, as
//! Maelstrom expects of a node it has stopped listening to.

use std::io::Write;

/// The most bytes the buffer holds before it is written out. Large enough to
/// make a write per few thousand replies, small enough not to matter.
pub(crate) const OUTGOING_BYTES_MAX: usize = 256 * 1024;

/// Lines waiting for stdout (or any writer a test provides).
#[derive(Debug)]
pub(crate) struct LineBuffer<W: Write> {
    buffer: Vec<u8>,
    writer: W,
    /// A write failed: everything from then on is dropped.
    broken: bool,
}

impl<W: Write> LineBuffer<W> {
    pub(crate) fn new(writer: W) -> LineBuffer<W> {
        LineBuffer {
            // One line past the bound, so appending rarely reallocates.
            buffer: Vec::with_capacity(OUTGOING_BYTES_MAX + 4096),
            writer,
            broken: false,
        }
    }

    /// Appends one line and its newline; writes out if the buffer is full.
    pub(crate) fn push(&mut self, line: &str) {
        debug_assert!(!line.contains('\n'), "one message per line: {line:?}");
        self.buffer.extend_from_slice(line.as_bytes());
        self.buffer.push(b'\n');
        if self.buffer.len() >= OUTGOING_BYTES_MAX {
            self.write_out();
        }
    }

    /// Writes everything buffered, blocking until the writer has taken it.
    pub(crate) fn write_out(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        if !self.broken {
            let written = self
                .writer
                .write_all(&self.buffer)
                .and_then(|()| self.writer.flush());
            if let Err(error) = written {
                eprintln!("stdout: write failed, stopping output: {error}");
                self.broken = true;
            }
        }
        self.buffer.clear();
    }

    /// Bytes waiting to be written.
    #[cfg(test)]
    pub(crate) fn buffered_len(&self) -> usize {
        self.buffer.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wait_in_the_buffer_until_written_out() {
        let mut out = LineBuffer::new(Vec::new());
        out.push("{\"a\":1}");
        out.push("{\"b\":2}");
        assert!(out.writer.is_empty(), "no write per line");
        out.write_out();
        assert_eq!(out.writer, b"{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(out.buffered_len(), 0);
    }

    #[test]
    fn a_full_buffer_is_written_out_at_once_so_it_never_grows_past_its_bound() {
        let mut out = LineBuffer::new(Vec::new());
        let line = "x".repeat(1000);
        for _ in 0..1000 {
            out.push(&line);
            assert!(out.buffered_len() < OUTGOING_BYTES_MAX);
        }
        out.write_out();
        assert_eq!(out.writer.len(), 1000 * 1001);
    }

    /// A writer whose reader has gone away.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _bytes: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn after_a_failed_write_output_is_dropped_and_nothing_accumulates() {
        let mut out = LineBuffer::new(ClosedPipe);
        out.push("{}");
        out.write_out();
        assert!(out.broken);
        out.push("{}");
        out.write_out();
        assert_eq!(out.buffered_len(), 0);
    }
}
