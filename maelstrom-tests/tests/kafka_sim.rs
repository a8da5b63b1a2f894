//! The kafka workload end to end in the simulation (maelstrom.md §3.7): a single-node
//! log written in the test passes; the same log broken on purpose (it acknowledges every
//! seventh send without storing it) is caught by the kafka checker. This is the harness
//! testing itself: the generator, the multi-step client (poll then commit, assigns with
//! no RPC, crashes), the final phase and the checker, against nodes whose behaviour the
//! test controls.

use std::collections::BTreeMap;

use clap::Parser;
use maelstrom_checker::Edn;
use maelstrom_tests::cli::{SimArgs, TestConfig};
use maelstrom_tests::run::report::judge;
use maelstrom_tests::run::{End, World};
use maelstrom_tests::sim::simulate;
use protocol::{Context, Init, Message, Node};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Payload {
    Send {
        key: String,
        msg: i64,
    },
    SendOk {
        offset: u64,
    },
    Poll {
        offsets: BTreeMap<String, u64>,
    },
    PollOk {
        msgs: BTreeMap<String, Vec<(u64, i64)>>,
    },
    CommitOffsets {
        offsets: BTreeMap<String, u64>,
    },
    CommitOffsetsOk,
    ListCommittedOffsets {
        keys: Vec<String>,
    },
    ListCommittedOffsetsOk {
        offsets: BTreeMap<String, u64>,
    },
}

/// One node holding every log; with `drop_every` set, every n-th send is acknowledged
/// and thrown away.
#[derive(Debug, Default)]
struct Log<const DROP_EVERY: u64> {
    logs: BTreeMap<String, Vec<(u64, i64)>>,
    next_offset: BTreeMap<String, u64>,
    committed: BTreeMap<String, u64>,
    sends: u64,
}

impl<const DROP_EVERY: u64> Node for Log<DROP_EVERY> {
    type Payload = Payload;
    type Tick = ();

    fn from_init(_init: &Init, _ctx: &mut Context<()>) -> Self {
        Log::default()
    }

    fn on_message(&mut self, request: Message<Payload>, ctx: &mut Context<()>) {
        match &request.body.payload {
            Payload::Send { key, msg } => {
                self.sends += 1;
                let next = self.next_offset.entry(key.clone()).or_insert(0);
                let offset = *next;
                *next += 1;
                if DROP_EVERY == 0 || self.sends % DROP_EVERY != 0 {
                    self.logs
                        .entry(key.clone())
                        .or_default()
                        .push((offset, *msg));
                }
                ctx.reply(&request, Payload::SendOk { offset });
            }
            Payload::Poll { offsets } => {
                let msgs = offsets
                    .iter()
                    .filter_map(|(key, from)| {
                        let log = self.logs.get(key)?;
                        let found: Vec<(u64, i64)> = log
                            .iter()
                            .filter(|(offset, _)| offset >= from)
                            .take(10)
                            .copied()
                            .collect();
                        (!found.is_empty()).then(|| (key.clone(), found))
                    })
                    .collect();
                ctx.reply(&request, Payload::PollOk { msgs });
            }
            Payload::CommitOffsets { offsets } => {
                for (key, offset) in offsets {
                    let committed = self.committed.entry(key.clone()).or_insert(0);
                    *committed = (*committed).max(*offset);
                }
                ctx.reply(&request, Payload::CommitOffsetsOk);
            }
            Payload::ListCommittedOffsets { keys } => {
                let offsets = keys
                    .iter()
                    .filter_map(|key| self.committed.get(key).map(|offset| (key.clone(), *offset)))
                    .collect();
                ctx.reply(&request, Payload::ListCommittedOffsetsOk { offsets });
            }
            _ => {}
        }
    }
}

/// Challenge 5a's command, shortened.
const CHALLENGE_5A: [&str; 12] = [
    "-w",
    "kafka",
    "--node-count",
    "1",
    "--concurrency",
    "2n",
    "--time-limit",
    "10",
    "--rate",
    "1000",
    "--seed",
    "3",
];

fn run<N: Node>() -> (maelstrom_tests::run::Finished, maelstrom_checker::Results) {
    let words = ["sim"].iter().chain(&CHALLENGE_5A).copied();
    let args = SimArgs::try_parse_from(words).expect("the flags parse").run;
    let config = TestConfig::from_args(&args, &std::env::current_exe().expect("a path"))
        .expect("valid flags");
    let world = World::new(&config).expect("a valid world");
    let simulated = simulate::<N>(&config, world, "(replay)", false);
    assert_eq!(simulated.finished.end, End::Completed);
    let verdict = judge(&config, &simulated.finished, &[], &|_| String::new()).expect("judged");
    (simulated.finished, verdict.results.expect("results"))
}

/// maelstrom.md §3.7: a correct log passes; every kafka op happened, crashes included.
#[test]
fn a_correct_single_node_log_passes_the_kafka_workload() {
    let (finished, results) = run::<Log<0>>();
    assert_eq!(
        results.edn.get("valid?"),
        Some(&Edn::Bool(true)),
        "{}",
        results.edn
    );
    let fs: std::collections::BTreeSet<&str> =
        finished.history.iter().map(|op| op.f.as_str()).collect();
    for f in ["send", "poll", "assign", "crash"] {
        assert!(fs.contains(f), "the history has {f} ops: {fs:?}");
    }
}

/// maelstrom.md §3.7: a log that acknowledges sends it never stores is caught: the
/// acknowledged messages are lost (a later poll skipped them) or never seen.
#[test]
fn a_log_that_drops_acknowledged_sends_is_invalid() {
    let (_, results) = run::<Log<7>>();
    assert_eq!(
        results.edn.get("valid?"),
        Some(&Edn::Bool(false)),
        "{}",
        results.edn
    );
    let bad = results
        .edn
        .get("workload")
        .and_then(|workload| workload.get("bad-error-types"))
        .map(Edn::to_string)
        .unwrap_or_default();
    assert!(
        bad.contains("lost-write") || bad.contains("unseen"),
        "bad error types: {bad}"
    );
}
