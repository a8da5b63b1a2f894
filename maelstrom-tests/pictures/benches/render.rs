//! Times each picture on a busy synthetic run: 25 nodes, 20 s, rate 100, about 4,000
//! history entries and 10,000 messages. A run's pictures are drawn once, at its end,
//! so the budget is the whole set in under a second (release build).
//!
//! `cargo bench -p maelstrom-pictures` prints one line per picture and the total.

use std::time::{Duration, Instant};

use maelstrom_pictures::synthetic::{self, Shape};
use maelstrom_pictures::{render, PairedHistory, FILE_NAMES};

/// Each picture is drawn this many times; the best time is reported, the one least
/// disturbed by whatever else the machine is doing.
const REPEATS: usize = 5;

fn main() -> anyhow::Result<()> {
    let (history, journal) = synthetic::run(Shape::benchmark());
    println!(
        "synthetic run: {} history entries, {} messages",
        history.len(),
        journal.messages.len()
    );
    let started = Instant::now();
    let paired = PairedHistory::new(&history);
    let pairing = started.elapsed();
    println!("{:<24} {:>9.2} ms", "pairing the history", ms(pairing));
    let mut total = pairing;
    for name in FILE_NAMES {
        let mut best = Duration::MAX;
        let mut bytes = 0;
        for _ in 0..REPEATS {
            let started = Instant::now();
            let text = render(name, &paired, &journal)?;
            best = best.min(started.elapsed());
            bytes = text.len();
        }
        total += best;
        println!("{name:<24} {:>9.2} ms  {:>8} KiB", ms(best), bytes / 1024);
    }
    println!("{:<24} {:>9.2} ms", "all pictures", ms(total));
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
