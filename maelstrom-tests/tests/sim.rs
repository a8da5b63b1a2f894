//! The simulation against nodes that misbehave on purpose (maelstrom.md §2: a node that
//! crashes or misbehaves ends a Maelstrom run with a report and exit 255). Here the
//! nodes are `protocol` nodes written in the test, run in-process by
//! `maelstrom_tests::sim`: one panics, one keeps virtual time from moving, one never
//! returns from a handler. Each ends the run with the node named; none takes the
//! harness down.

use std::time::{Duration, Instant};

use clap::Parser;
use maelstrom_tests::cli::{SimArgs, TestConfig};
use maelstrom_tests::run::{End, World};
use maelstrom_tests::sim::{simulate, simulate_with_hang_limit};
use protocol::{Context, Init, Message, Node};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Payload {
    Echo { echo: serde_json::Value },
    EchoOk { echo: serde_json::Value },
}

fn config(flags: &[&str]) -> TestConfig {
    let words = ["sim"].iter().chain(flags).copied();
    let args = SimArgs::try_parse_from(words).expect("the flags parse").run;
    let executable = std::env::current_exe().expect("the test knows its path");
    TestConfig::from_args(&args, &executable).expect("valid flags")
}

const ECHO_RUN: [&str; 8] = [
    "-w",
    "echo",
    "--node-count",
    "2",
    "--time-limit",
    "5",
    "--seed",
    "1",
];

/// Echoes, and panics on its fifth request.
#[derive(Debug)]
struct PanicsOnTheFifth {
    seen: u32,
}

impl Node for PanicsOnTheFifth {
    type Payload = Payload;
    type Tick = ();

    fn from_init(_init: &Init, _ctx: &mut Context<()>) -> Self {
        PanicsOnTheFifth { seen: 0 }
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<()>) {
        self.seen += 1;
        assert!(self.seen < 5, "the fifth request is one too many");
        if let Payload::Echo { echo } = &request.body.payload {
            let echo = echo.clone();
            ctx.reply(&request, Payload::EchoOk { echo });
        }
    }
}

/// A node that panics ends the run like a crashed process: the node and its panic are
/// named, the verdict is exit 255, and the harness itself carries on.
#[test]
fn a_node_that_panics_ends_the_run_with_its_name_and_message() {
    let config = config(&ECHO_RUN);
    let world = World::new(&config).expect("a valid world");
    let simulated = simulate::<PanicsOnTheFifth>(&config, world, "(replay)", false);
    let End::Aborted(abort) = &simulated.finished.end else {
        panic!("expected an abort, got {:?}", simulated.finished.end);
    };
    assert!(abort.message.starts_with("node n"), "{}", abort.message);
    assert!(abort.message.contains("panicked"), "{}", abort.message);
    assert!(
        abort.message.contains("the fifth request is one too many"),
        "{}",
        abort.message
    );
    assert!(abort.node.is_some());
    let verdict =
        maelstrom_tests::run::report::judge(&config, &simulated.finished, &[], &|_| String::new())
            .expect("judging works");
    assert_eq!(verdict.exit_code, 255);
}

#[derive(Debug, Clone)]
struct Again;

/// Re-arms a zero-delay timer forever: virtual time can never move past it.
#[derive(Debug)]
struct StopsTime;

impl Node for StopsTime {
    type Payload = Payload;
    type Tick = Again;

    fn from_init(_init: &Init, ctx: &mut Context<Again>) -> Self {
        ctx.after(Duration::from_millis(500), Again);
        StopsTime
    }

    fn on_message(&mut self, _request: Message<Payload>, _ctx: &mut Context<Again>) {}

    fn on_tick(&mut self, _tick: Again, ctx: &mut Context<Again>) {
        ctx.after(Duration::ZERO, Again);
    }
}

/// A node that keeps scheduling work "now" can't stall the simulation forever: past a
/// bound of events at one instant, the run ends and says where virtual time stopped.
#[test]
fn a_node_that_stops_virtual_time_ends_the_run() {
    let config = config(&ECHO_RUN);
    let world = World::new(&config).expect("a valid world");
    let simulated = simulate::<StopsTime>(&config, world, "(replay)", false);
    let End::Aborted(abort) = &simulated.finished.end else {
        panic!("expected an abort, got {:?}", simulated.finished.end);
    };
    assert!(
        abort.message.contains("virtual time stopped at 0.500 s"),
        "{}",
        abort.message
    );
}

/// Loops forever inside its first request's handler.
#[derive(Debug)]
struct NeverReturns;

impl Node for NeverReturns {
    type Payload = Payload;
    type Tick = ();

    fn from_init(_init: &Init, _ctx: &mut Context<()>) -> Self {
        NeverReturns
    }

    #[allow(clippy::empty_loop)] // The endless loop is the point.
    fn on_message(&mut self, _request: Message<Payload>, _ctx: &mut Context<()>) {
        loop {
            std::hint::spin_loop();
        }
    }
}

/// The child half of the next test: runs a node that never returns.
#[test]
#[ignore = "run by a_node_that_never_returns_is_reported_and_the_process_exits_255"]
fn hang_child() {
    let config = config(&ECHO_RUN);
    let world = World::new(&config).expect("a valid world");
    let replay = "target/release/echo sim --seed 1 -w echo";
    simulate_with_hang_limit::<NeverReturns>(&config, world, replay, false, Duration::from_secs(1));
    unreachable!("the watchdog ends the process");
}

/// A handler that never returns can't be interrupted in-process; the watchdog reports
/// the node and the replay command, then ends the process with 255.
#[test]
fn a_node_that_never_returns_is_reported_and_the_process_exits_255() {
    let started = Instant::now();
    let output =
        std::process::Command::new(std::env::current_exe().expect("the test knows its path"))
            .args(["--exact", "hang_child", "--ignored", "--nocapture"])
            .output()
            .expect("the child runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(255), "stderr: {stderr}");
    assert!(
        stderr.contains("error: node n0 has not returned from a handler"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Replay: target/release/echo sim --seed 1 -w echo"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "reported promptly"
    );
}
