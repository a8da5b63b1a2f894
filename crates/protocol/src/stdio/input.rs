//! stdin, read on its own thread, handed to the loop in chunks of whole lines.
//!
//! The thread reads as much as the pipe holds (up to [`READ_CHUNK_BYTES`]) in
//! one blocking `read`, cuts the bytes after the last newline off for the next
//! chunk, and sends the rest, a run of whole lines, through a bounded channel.
//! The loop splits the chunk into lines in place. So the cost of a channel hop
//! (and of waking the loop) is paid once per chunk, hundreds of lines, not once
//! per line, and no line is copied into a `String` of its own.
//!
//! Why a thread at all: the loop must wait for "input or the next timer,
//! whichever comes first", and a blocking `read` can't be raced against a
//! timer. tokio's own stdin is a blocking read on a thread pool too, with more
//! hops. Why not `BufRead::lines`: one allocation and one hop per line, which
//! is what capped the old loop well below a million messages a second.
//!
//! Two bounds keep memory flat whatever arrives. The channel holds at most
//! [`INCOMING_CHUNKS_MAX`] chunks: when the loop falls behind (or is blocked
//! writing to a stdout nobody reads), `blocking_send` blocks this thread, it
//! stops reading, and the pipe pushes back on the writer. And a line may be at
//! most [`LINE_BYTES_MAX`] long: the rest of a longer one is skipped, with a
//! note to the loop, which logs it, and the next line is read as usual.

use std::io::{ErrorKind, Read};

use tokio::sync::mpsc;

/// How much one `read` asks for. A Linux pipe holds 64 KiB, so this empties
/// it in one call.
pub(crate) const READ_CHUNK_BYTES: usize = 64 * 1024;

/// Chunks read and not yet handled. With [`READ_CHUNK_BYTES`] chunks of short
/// lines that is about 256 KiB of input in memory, at most.
pub(crate) const INCOMING_CHUNKS_MAX: usize = 4;

/// The longest line kept, in bytes. Maelstrom's messages are far shorter. A
/// line that grows past this before its newline arrives is skipped whole
/// rather than growing the buffer without end. (One that ends within the same
/// read may be up to `READ_CHUNK_BYTES` longer, and is kept.)
pub const LINE_BYTES_MAX: usize = 16 * 1024 * 1024;

/// What the reader thread hands to the loop.
#[derive(Debug)]
pub(crate) enum Input {
    /// Whole lines, each ended by `\n`, except that the last chunk before end
    /// of input may end with a line that has no newline.
    Lines(Vec<u8>),
    /// A line longer than [`LINE_BYTES_MAX`] was skipped.
    LineSkipped,
    /// stdin failed; no more input will come.
    ReadFailed(std::io::Error),
}

/// Starts the reader thread on stdin and returns the loop's end of its channel.
pub(crate) fn spawn_stdin_reader() -> mpsc::Receiver<Input> {
    let (chunks, receiver) = mpsc::channel(INCOMING_CHUNKS_MAX);
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || read_chunks(std::io::stdin().lock(), &chunks))
        .expect("spawning the stdin thread");
    receiver
}

/// Reads `input` until it ends (or the loop goes away), sending whole lines.
pub(crate) fn read_chunks(mut input: impl Read, chunks: &mpsc::Sender<Input>) {
    let mut buffer: Vec<u8> = Vec::with_capacity(READ_CHUNK_BYTES);
    // Inside a line longer than LINE_BYTES_MAX: dropping bytes until its end.
    let mut skipping = false;
    loop {
        let start = buffer.len();
        buffer.resize(start + READ_CHUNK_BYTES, 0);
        let read = match input.read(&mut buffer[start..]) {
            Ok(read) => read,
            Err(error) if error.kind() == ErrorKind::Interrupted => {
                buffer.truncate(start);
                continue; // A signal arrived mid-read: read again.
            }
            Err(error) => {
                let _ = chunks.blocking_send(Input::ReadFailed(error));
                return;
            }
        };
        buffer.truncate(start + read);
        if read == 0 {
            if !buffer.is_empty() && !skipping {
                // The last line had no newline; it is a line all the same.
                let _ = chunks.blocking_send(Input::Lines(buffer));
            }
            return;
        }
        // Only the bytes just read can hold a newline: what was kept from the
        // last read is a partial line. (Searching it again would make a long
        // line cost time quadratic in its length.)
        let mut fresh_from = start;
        if skipping {
            let Some(end) = memchr::memchr(b'\n', &buffer) else {
                buffer.clear();
                continue;
            };
            buffer.drain(..=end);
            skipping = false;
            fresh_from = 0;
        }
        match memchr::memrchr(b'\n', &buffer[fresh_from..]) {
            Some(last) => {
                let last = fresh_from + last;
                // Keep the partial line after the last newline for the next chunk.
                let mut next = Vec::with_capacity(READ_CHUNK_BYTES);
                next.extend_from_slice(&buffer[last + 1..]);
                buffer.truncate(last + 1);
                let lines = std::mem::replace(&mut buffer, next);
                if chunks.blocking_send(Input::Lines(lines)).is_err() {
                    return; // The loop is gone: nobody wants more input.
                }
            }
            None if buffer.len() > LINE_BYTES_MAX => {
                buffer.clear();
                skipping = true;
                if chunks.blocking_send(Input::LineSkipped).is_err() {
                    return;
                }
            }
            None => {} // The line goes on: read more of it.
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out its bytes `piece` at a time, as a pipe fed by
    /// small writes does.
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        piece: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, into: &mut [u8]) -> std::io::Result<usize> {
            let count = self.piece.min(into.len()).min(self.bytes.len() - self.at);
            into[..count].copy_from_slice(&self.bytes[self.at..self.at + count]);
            self.at += count;
            Ok(count)
        }
    }

    /// Everything the reader thread sends for `bytes` read `piece` at a time.
    fn read_all(bytes: Vec<u8>, piece: usize) -> Vec<Input> {
        let (sender, mut receiver) = mpsc::channel(INCOMING_CHUNKS_MAX);
        let reader = std::thread::spawn(move || {
            read_chunks(
                Trickle {
                    bytes,
                    at: 0,
                    piece,
                },
                &sender,
            );
        });
        let mut received = Vec::new();
        while let Some(input) = receiver.blocking_recv() {
            received.push(input);
        }
        reader.join().expect("the reader thread does not panic");
        received
    }

    fn lines_of(inputs: &[Input]) -> Vec<String> {
        let mut lines = Vec::new();
        for input in inputs {
            if let Input::Lines(chunk) = input {
                let text = String::from_utf8_lossy(chunk);
                // Clipped, so that a failure does not print 16 MiB.
                lines.extend(
                    text.split_terminator('\n')
                        .map(|line| line.chars().take(40).collect::<String>()),
                );
            }
        }
        lines
    }

    #[test]
    fn lines_cut_by_reads_arrive_whole_and_every_chunk_ends_a_line() {
        let text = "first line\nsecond\n\nthird, the longest of them all\nlast";
        for piece in [1, 3, 7, 64, 4096] {
            let inputs = read_all(text.as_bytes().to_vec(), piece);
            assert_eq!(
                lines_of(&inputs),
                [
                    "first line",
                    "second",
                    "",
                    "third, the longest of them all",
                    "last"
                ],
                "read {piece} bytes at a time"
            );
            let chunks = inputs.len();
            for (index, input) in inputs.iter().enumerate() {
                let Input::Lines(chunk) = input else {
                    panic!("only lines: {input:?}")
                };
                assert!(
                    chunk.ends_with(b"\n") || index + 1 == chunks,
                    "only the last chunk may end mid-line"
                );
            }
        }
    }

    #[test]
    fn a_line_longer_than_the_bound_is_skipped_and_the_next_line_still_arrives() {
        let mut bytes = b"before\n".to_vec();
        // Longer than the bound by more than a read, so no read holds its end.
        bytes.extend(std::iter::repeat_n(
            b'x',
            LINE_BYTES_MAX + 2 * READ_CHUNK_BYTES,
        ));
        bytes.extend_from_slice(b"still the long line\nafter\n");
        let inputs = read_all(bytes, READ_CHUNK_BYTES);
        assert_eq!(lines_of(&inputs), ["before", "after"]);
        let skipped = inputs
            .iter()
            .filter(|input| matches!(input, Input::LineSkipped))
            .count();
        assert_eq!(skipped, 1, "one note for one skipped line");
    }
}
