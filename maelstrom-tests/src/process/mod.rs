//! The process driver: `maelstrom-tests test`, nodes as child processes in real time,
//! the way Maelstrom runs them.
//!
//! One task owns the run core ([`World`]) and loops: hand it the lines nodes printed,
//! let it advance to the current time, write what it delivers to the nodes' stdins,
//! and sleep until its next deadline or the next line, whichever comes first. The node
//! processes' pipes are served by their own tasks ([`node`]). Time is real: the run
//! core's clock is nanoseconds since the run began, read from `std::time::Instant`.
//! That, and the transport, is all that differs from the simulation.
//!
//! The run ends early, exit 255, when a node exits, prints an over-long line or stops
//! reading its input. SIGINT or SIGTERM stop it too: every node's process group is
//! killed, what was recorded is stored, and the harness exits 130 or 143.

pub mod node;

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

use crate::cli::{TestConfig, EXIT_BAD_ARGUMENTS};
use crate::console::{out, outln};
use crate::run::report::{self, Crashed, RunContext};
use crate::run::{Abort, Finished, World};
use crate::store;
use node::{NodeEvent, NodeProcess, SpawnOptions};

/// Lines read from nodes and not yet handled; readers wait when it is full, and so, in
/// turn, do the nodes writing them.
const NODE_EVENTS_MAX: usize = 4096;
/// Events handled between two advances of the run core.
const EVENTS_PER_TURN_MAX: usize = 256;
/// How often the progress line is redrawn on a terminal.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(500);

/// Runs one test with real processes; returns the exit code.
pub async fn run(config: TestConfig, command_line: Vec<String>) -> anyhow::Result<i32> {
    outln!("seed: {}", config.seed);
    let world = match World::new(&config) {
        Ok(world) => world,
        Err(line) => {
            eprintln!("{line}");
            return Ok(EXIT_BAD_ARGUMENTS);
        }
    };
    let run_dir = store::create_run_dir(&config.store, &config.workload)?;
    let executed = execute(&config, world, &run_dir, true).await?;
    let context = RunContext {
        config: &config,
        command_line: &command_line,
        run_dir: &run_dir,
        mode: "process",
        console: true,
    };
    let node_report = |index: usize| executed.reports.get(index).cloned().unwrap_or_default();
    let verdict = report::finish(
        &context,
        &executed.finished,
        &executed.crashed,
        &node_report,
    )?;
    Ok(verdict.exit_code)
}

/// What a run with real processes leaves behind.
#[derive(Debug)]
pub struct Executed {
    pub finished: Finished,
    /// Nodes that had exited by themselves before teardown.
    pub crashed: Vec<Crashed>,
    /// Each node's last lines, by index.
    pub reports: Vec<String>,
}

/// Spawns the nodes, drives `world` to its end in real time, and tears everything down.
/// `console`: print the run's notices and a progress line.
pub async fn execute(
    config: &TestConfig,
    mut world: World,
    run_dir: &Path,
    console: bool,
) -> anyhow::Result<Executed> {
    let started = std::time::Instant::now();
    let now_ns = || u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let options = SpawnOptions {
        bin: config.bin.clone(),
        args: config.args.clone(),
        log_dir: run_dir.join("node-logs"),
        log_stderr: config.log_stderr,
    };
    let (events_sender, mut events) = mpsc::channel(NODE_EVENTS_MAX);
    let mut nodes = Vec::new();
    for (index, name) in config.nodes.iter().enumerate() {
        match NodeProcess::spawn(index, name, &options, events_sender.clone()) {
            Ok(node) => nodes.push(node),
            Err(error) => {
                world.abort(Abort {
                    message: format!("{error:#}"),
                    node: None,
                });
                break;
            }
        }
    }
    drop(events_sender);
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let progress = Progress::new(console);
    let mut deliveries = Vec::new();
    loop {
        world.advance(now_ns(), &mut deliveries);
        deliver(&mut world, &nodes, &mut deliveries);
        print_notices(&mut world, &progress, console);
        if world.is_over() {
            break;
        }
        let deadline = world.next_deadline();
        tokio::select! {
            biased;
            _ = interrupt.recv() => world.interrupt("SIGINT"),
            _ = terminate.recv() => world.interrupt("SIGTERM"),
            event = events.recv() => {
                let Some(event) = event else {
                    // Every reader is gone: no node can say anything more.
                    world.abort(Abort { message: "every node's output closed".into(), node: None });
                    continue;
                };
                handle(&mut world, &nodes, event, now_ns());
                for _ in 1..EVENTS_PER_TURN_MAX {
                    match events.try_recv() {
                        Ok(event) => handle(&mut world, &nodes, event, now_ns()),
                        Err(_) => break,
                    }
                }
            }
            () = sleep_until(started, deadline) => {}
            () = progress.tick() => progress.draw(&world),
        }
    }
    progress.clear();
    nodes.iter().for_each(NodeProcess::stop_reading);
    let mut crashed = Vec::new();
    let mut reports = Vec::new();
    for node in nodes {
        let (name, logs) = (node.name.clone(), node.logs.clone());
        if let Some(status) = node.teardown().await {
            crashed.push(Crashed {
                report: logs.report(&name),
                node: name.clone(),
                status,
            });
        }
        reports.push(logs.report(&name));
    }
    Ok(Executed {
        finished: world.finish(),
        crashed,
        reports,
    })
}

fn handle(world: &mut World, nodes: &[NodeProcess], event: NodeEvent, now_ns: u64) {
    match event {
        NodeEvent::Line(index, line) => {
            world.on_node_line(index, &line, now_ns);
            if world.is_muted(index) {
                nodes[index].stop_reading();
            }
        }
        NodeEvent::LineTooLong(index) => world.abort(Abort {
            message: format!(
                "node {} printed a stdout line longer than {} bytes; Maelstrom can't read it as a message",
                nodes[index].name,
                node::STDOUT_LINE_BYTES_MAX
            ),
            node: Some(index),
        }),
        NodeEvent::Exited(index, status) => world.abort(Abort {
            message: format!(
                "node {} exited during the run ({status}); Maelstrom would fail with :node-crashed",
                nodes[index].name
            ),
            node: Some(index),
        }),
    }
}

/// Writes what the network delivered to the nodes' stdins.
fn deliver(world: &mut World, nodes: &[NodeProcess], deliveries: &mut Vec<(usize, String)>) {
    for (index, line) in deliveries.drain(..) {
        if nodes[index].write_line(line).is_err() {
            world.abort(Abort {
                message: format!(
                    "node {} is not reading its stdin: more than {} bytes are waiting for it",
                    nodes[index].name,
                    node::STDIN_PENDING_BYTES_MAX
                ),
                node: Some(index),
            });
        }
    }
}

fn print_notices(world: &mut World, progress: &Progress, console: bool) {
    let notices = world.take_notices();
    if notices.is_empty() || !console {
        return;
    }
    progress.clear();
    for notice in notices {
        if notice.warning {
            eprintln!("{}", notice.text);
        } else {
            outln!("{}", notice.text);
        }
    }
}

async fn sleep_until(started: std::time::Instant, deadline_ns: Option<u64>) {
    match deadline_ns {
        Some(deadline_ns) => {
            let at = started + Duration::from_nanos(deadline_ns);
            tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
        }
        None => std::future::pending().await,
    }
}

/// A one-line progress display, on a terminal only: elapsed / time limit, ops,
/// messages and the nemesis's state. Off when stdout is not a terminal.
struct Progress {
    enabled: bool,
}

impl Progress {
    fn new(console: bool) -> Progress {
        Progress {
            enabled: console && std::io::stdout().is_terminal(),
        }
    }

    async fn tick(&self) {
        if self.enabled {
            tokio::time::sleep(PROGRESS_INTERVAL).await;
        } else {
            std::future::pending().await
        }
    }

    fn draw(&self, world: &World) {
        let progress = world.progress();
        let nemesis = if progress.partitioned {
            "partitioned"
        } else {
            "healed"
        };
        out!(
            "\r\x1b[2K[{}] {:.1} / {} s, {} ops, {} msgs, network {nemesis}",
            progress.phase,
            progress.elapsed_ns as f64 / 1e9,
            progress.time_limit_ns / 1_000_000_000,
            progress.invocations,
            progress.messages,
        );
        crate::console::flush();
    }

    fn clear(&self) {
        if self.enabled {
            out!("\r\x1b[2K");
            crate::console::flush();
        }
    }
}
