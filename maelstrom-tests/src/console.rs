//! Standard output for people: a reader that goes away (`... | head`) ends nothing.
//!
//! `println!` panics when standard output is a closed pipe. The console is only a
//! report of the run; its results are the store and the exit code. So [`out!`] and
//! [`outln!`] write what they can and let the run go on: it finishes, stores
//! everything and exits with its verdict, whatever became of its reader. Standard
//! error, where the one-line problems go, keeps `eprintln!`.

use std::io::Write;

/// Writes `args` to standard output; a failed write is dropped (see the module doc).
pub fn write(args: std::fmt::Arguments) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_fmt(args);
}

/// Flushes standard output, for a line drawn without a newline.
pub fn flush() {
    let _ = std::io::stdout().flush();
}

/// `print!` that a closed standard output does not stop.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::console::write(format_args!($($arg)*))
    };
}

/// `println!` that a closed standard output does not stop.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::console::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};
