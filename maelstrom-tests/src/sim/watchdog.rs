//! A node that never returns from a handler can't be interrupted in-process. A watchdog
//! thread notices it instead: if the same handler call is still running after its limit
//! ([`HANDLER_WALL_MAX`](super::HANDLER_WALL_MAX) by default) of wall time, it prints which node hangs and the command that
//! replays the run, and ends the process with exit code 255. Watching costs two atomic
//! stores per call; the watchdog looks once a second.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::cli::EXIT_CRASH;
use crate::run::Abort;

/// How often the watchdog looks.
const CHECK_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Debug, Default)]
struct Shared {
    /// Calls started so far; unchanged between two looks means the same call.
    calls: AtomicU64,
    inside: AtomicBool,
    stop: AtomicBool,
    /// The node whose handler runs, by index.
    node: AtomicUsize,
}

/// The watch over one simulation's handler calls.
#[derive(Debug)]
pub struct Watchdog {
    shared: Arc<Shared>,
}

impl Watchdog {
    /// Starts watching nodes called `names`; `replay` is printed if one hangs for `limit`.
    pub fn start(names: Vec<String>, replay: String, limit: Duration) -> Watchdog {
        let shared = Arc::new(Shared::default());
        let watched = shared.clone();
        std::thread::Builder::new()
            .name("sim-watchdog".into())
            .spawn(move || watch(&watched, &names, &replay, limit))
            .expect("spawning the watchdog thread");
        Watchdog { shared }
    }

    /// Runs one handler call of node number `node` under watch.
    pub fn watch(
        &self,
        node: usize,
        call: impl FnOnce() -> Result<(), Abort>,
    ) -> Result<(), Abort> {
        self.shared.calls.fetch_add(1, Ordering::Relaxed);
        self.shared.node.store(node, Ordering::Relaxed);
        self.shared.inside.store(true, Ordering::Release);
        let outcome = call();
        self.shared.inside.store(false, Ordering::Release);
        outcome
    }

    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop();
    }
}

fn watch(shared: &Shared, names: &[String], replay: &str, limit: Duration) {
    let mut last_calls = u64::MAX;
    let mut stuck_for = Duration::ZERO;
    while !shared.stop.load(Ordering::Acquire) {
        std::thread::sleep(CHECK_INTERVAL);
        let calls = shared.calls.load(Ordering::Relaxed);
        if shared.inside.load(Ordering::Acquire) && calls == last_calls {
            stuck_for += CHECK_INTERVAL;
        } else {
            stuck_for = Duration::ZERO;
        }
        last_calls = calls;
        if stuck_for >= limit && !shared.stop.load(Ordering::Acquire) {
            let node = names
                .get(shared.node.load(Ordering::Relaxed))
                .map_or("?", String::as_str);
            eprintln!(
                "error: node {node} has not returned from a handler for {} s of wall time (an endless loop?); the simulation can't go on",
                stuck_for.as_secs()
            );
            eprintln!("Replay: {replay}");
            std::process::exit(EXIT_CRASH);
        }
    }
}
