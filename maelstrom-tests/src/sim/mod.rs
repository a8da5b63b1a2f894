//! The simulation driver: `<challenge binary> sim ...` runs the workload against the
//! binary's own node, in this process, on a virtual clock.
//!
//! It drives the same run core as `maelstrom-tests test` ([`World`]: network, services,
//! clients, schedule, nemesis, history, checkers), but the nodes are `protocol` engines
//! instead of processes, and time is a number this loop advances from one event to the
//! next instead of the wall clock. Nothing takes time: a node answers at the instant a
//! message arrives, so a 20 s test runs in a fraction of a second, and because every
//! choice — the harness's and each node's `Context::rng()` — comes from the seed, the
//! same command and seed give the same run, byte for byte. This is the discrete-event
//! loop of FoundationDB's simulator and of turmoil, at the scale of a learning project.
//!
//! The loop: deliver what is due now to the engines, hand what they print back to the
//! world, repeat until the instant is quiet; fire the engines' timers that are due; then
//! jump to the earliest deadline of the world or any engine.
//!
//! A node that panics, that keeps virtual time from moving (an event storm at one
//! instant), or that doesn't return from a handler ends the run like a misbehaving
//! process: the node, its last lines, the seed and the replay command, exit 255.
//!
//! Left out: processing time. Process mode's latencies include the nodes' own work and
//! the operating system's scheduling; here they don't, which is why the benchmark shows
//! both side by side.

mod engine;
mod entry;
mod sweep;
mod watchdog;

use std::time::Duration;

use protocol::{Engine, Node};

use crate::cli::TestConfig;
use crate::console::outln;
use crate::run::{Abort, Finished, World};
use engine::SimNode;
pub use entry::main;
use watchdog::Watchdog;

/// Events at one virtual instant before the run is declared stuck: something keeps
/// scheduling work "now" and virtual time can't move.
pub const EVENTS_PER_INSTANT_MAX: u64 = 1_000_000;
/// Lines one node may print while handling one event.
pub const LINES_PER_EVENT_MAX: usize = 100_000;
/// Wall time one handler call may take before the node is declared hung.
pub const HANDLER_WALL_MAX: Duration = Duration::from_secs(10);

/// A finished simulation: what the run recorded, what each node logged, and the nodes
/// themselves, for checks of their final state that no client can make.
pub struct Simulated<N: Node> {
    pub finished: Finished,
    /// Each node's stderr lines (bounded), by index, for `node-logs/`.
    pub logs: Vec<String>,
    /// Each node's report block (its last lines), by index.
    pub reports: Vec<String>,
    /// Each node's engine as the run left it, by index (`Engine::node()` is the node).
    pub engines: Vec<Engine<N>>,
}

impl<N: Node> std::fmt::Debug for Simulated<N> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Simulated")
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

/// Runs `world` to its end with one `N` engine per node. `replay` is the command that
/// replays this run, shown if a node hangs.
pub fn simulate<N: Node>(
    config: &TestConfig,
    world: World,
    replay: &str,
    console: bool,
) -> Simulated<N> {
    simulate_with_hang_limit(config, world, replay, console, HANDLER_WALL_MAX)
}

/// [`simulate`], declaring a node hung after `hang_limit` of wall time in one handler.
pub fn simulate_with_hang_limit<N: Node>(
    config: &TestConfig,
    mut world: World,
    replay: &str,
    console: bool,
    hang_limit: Duration,
) -> Simulated<N> {
    let names: Vec<String> = world.node_names().map(str::to_string).collect();
    let mut nodes: Vec<SimNode<N>> = names
        .iter()
        .enumerate()
        .map(|(index, name)| SimNode::new(index, name, world.seeds().node(index), &config.args))
        .collect();
    let watchdog = Watchdog::start(names.clone(), replay.to_string(), hang_limit);
    let mut deliveries = Vec::new();
    let mut now_ns = 0;
    let mut events_at_instant = 0u64;
    'run: loop {
        world.advance(now_ns, &mut deliveries);
        print_notices(&mut world, console);
        loop {
            let mut acted = false;
            for (index, line) in std::mem::take(&mut deliveries) {
                acted = true;
                let outcome = watchdog.watch(index, || nodes[index].handle_line(&line, now_ns));
                if let Err(abort) =
                    outcome.and_then(|()| hand_over(&mut world, &mut nodes[index], index, now_ns))
                {
                    world.abort(abort);
                    break 'run;
                }
            }
            if !acted {
                for (index, node) in nodes.iter_mut().enumerate() {
                    if node.next_deadline_ns().is_some_and(|due| due <= now_ns) {
                        acted = true;
                        let outcome = watchdog.watch(index, || node.handle_deadlines(now_ns));
                        if let Err(abort) =
                            outcome.and_then(|()| hand_over(&mut world, node, index, now_ns))
                        {
                            world.abort(abort);
                            break 'run;
                        }
                    }
                }
            }
            if !acted {
                break;
            }
            events_at_instant += 1;
            if events_at_instant > EVENTS_PER_INSTANT_MAX {
                world.abort(stuck(now_ns));
                break 'run;
            }
            world.advance(now_ns, &mut deliveries);
            print_notices(&mut world, console);
        }
        if world.is_over() {
            break;
        }
        let engines_next = nodes.iter().filter_map(SimNode::next_deadline_ns).min();
        let next = match (world.next_deadline(), engines_next) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a
                .or(b)
                .expect("a running world always has a deadline (its phases end on timers)"),
        };
        if next > now_ns {
            events_at_instant = 0;
        }
        now_ns = next.max(now_ns);
    }
    print_notices(&mut world, console);
    watchdog.stop();
    let reports = names
        .iter()
        .zip(&nodes)
        .map(|(name, node)| node.report(name))
        .collect();
    Simulated {
        logs: nodes.iter().map(SimNode::log_text).collect(),
        reports,
        finished: world.finish(),
        engines: nodes.into_iter().map(SimNode::into_engine).collect(),
    }
}

/// What node `index` printed goes to the world; a node that prints without bound is
/// misbehaving.
fn hand_over<N: Node>(
    world: &mut World,
    node: &mut SimNode<N>,
    index: usize,
    now_ns: u64,
) -> Result<(), Abort> {
    let lines = node.take_lines();
    if lines.len() > LINES_PER_EVENT_MAX {
        return Err(Abort {
            message: format!(
                "node {} printed {} lines while handling one event (more than {LINES_PER_EVENT_MAX})",
                node.name(),
                lines.len()
            ),
            node: Some(index),
        });
    }
    for line in lines {
        world.on_node_line(index, &line, now_ns);
        node.keep_line(line);
    }
    Ok(())
}

fn stuck(now_ns: u64) -> Abort {
    Abort {
        message: format!(
            "virtual time stopped at {:.3} s: more than {EVENTS_PER_INSTANT_MAX} events at one instant (a timer that re-arms itself with no delay?)",
            now_ns as f64 / 1e9
        ),
        node: None,
    }
}

fn print_notices(world: &mut World, console: bool) {
    for notice in world.take_notices() {
        if !console {
            continue;
        }
        if notice.warning {
            eprintln!("{}", notice.text);
        } else {
            outln!("{}", notice.text);
        }
    }
}
