//! `make bench-sim` (part): how many messages the simulation routes per second of wall
//! time. Twenty-five flood nodes (each keeps 16 messages in flight to random peers and
//! answers every message with a new one) run for 60 virtual seconds on 10 ms links; the
//! figure is messages delivered between nodes per second of wall time, every node's
//! JSON parsing and encoding included. A benchmark: it prints, it does not judge.

use std::time::{Duration, Instant};

use clap::Parser;
use maelstrom_tests::cli::{SimArgs, TestConfig};
use maelstrom_tests::run::World;
use protocol::{Context, Init, Message, Node};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// Messages each node keeps in flight.
const IN_FLIGHT: usize = 16;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Payload {
    Flood,
}

#[derive(Debug)]
struct Flood {
    peers: Vec<String>,
}

impl Flood {
    fn send_one(&self, ctx: &mut Context<()>) {
        if let Some(peer) = self.peers.choose(ctx.rng()).cloned() {
            ctx.send(&peer, Payload::Flood);
        }
    }
}

impl Node for Flood {
    type Payload = Payload;
    type Tick = ();

    fn from_init(init: &Init, ctx: &mut Context<()>) -> Flood {
        let node = Flood {
            peers: init.peers().cloned().collect(),
        };
        (0..IN_FLIGHT).for_each(|_| node.send_one(ctx));
        node
    }

    fn on_message(&mut self, _message: Message<Payload>, ctx: &mut Context<()>) {
        self.send_one(ctx);
    }
}

fn main() {
    let flags = [
        "sim",
        "-w",
        "echo",
        "--node-count",
        "25",
        "--time-limit",
        "60",
        "--rate",
        "0",
        "--latency",
        "10",
        "--seed",
        "1",
    ];
    let args = SimArgs::try_parse_from(flags).expect("valid flags").run;
    let executable = std::env::current_exe().expect("the bench knows its path");
    let config = TestConfig::from_args(&args, &executable).expect("valid flags");
    let world = World::new(&config).expect("a valid world");
    let started = Instant::now();
    let simulated = maelstrom_tests::sim::simulate::<Flood>(&config, world, "(bench)", false);
    let wall = started.elapsed();
    let routed = simulated.finished.traffic.servers.recv_count;
    println!(
        "sim routing: {routed} messages between 25 nodes in {:.2} s of wall time ({:.0} s simulated): {:.0} messages/s",
        wall.as_secs_f64(),
        simulated.finished.end_ns as f64 / 1e9,
        routed as f64 / wall.max(Duration::from_millis(1)).as_secs_f64()
    );
}
