//! The partition nemesis (maelstrom.md §5.2, jepsen `nemesis/combined.clj`): start and
//! stop partitions in turn under a stagger of `--nemesis-interval`, the first start at
//! t≈0, for the main phase only. The final phase heals before its quiet period.
//!
//! Each start picks one of the four grudge shapes (`maelstrom-model`'s `grudge`) and
//! records two `:info` ops, as jepsen does: the invocation with the shape, and the
//! completion with the grudge as `[:isolated {dest #{srcs}}]`.

use maelstrom_checker::Edn;
use maelstrom_model::network::Network;
use maelstrom_model::{grudge, Grudge, GrudgeKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::history::Recorder;

/// The nemesis's schedule and state.
#[derive(Debug)]
pub struct Nemesis {
    rng: StdRng,
    interval_s: f64,
    /// When the next start or stop is due, in ns since the run began.
    next_ns: u64,
    partitioned: bool,
}

impl Nemesis {
    /// A nemesis whose first partition starts at `start_ns`.
    pub fn new(seed: u64, interval_s: f64, start_ns: u64) -> Nemesis {
        Nemesis {
            rng: StdRng::seed_from_u64(seed),
            interval_s,
            next_ns: start_ns,
            partitioned: false,
        }
    }

    pub fn next_ns(&self) -> u64 {
        self.next_ns
    }

    pub fn is_partitioned(&self) -> bool {
        self.partitioned
    }

    /// Flips the network at its scheduled time; `origin_ns` is the history's time zero.
    pub fn step(
        &mut self,
        nodes: &[String],
        net: &mut Network,
        recorder: &mut Recorder,
        origin_ns: u64,
    ) {
        let at_ns = self.next_ns - origin_ns;
        if self.partitioned {
            heal(net, recorder, at_ns);
        } else {
            let kind = GrudgeKind::random(&mut self.rng);
            recorder.nemesis("start-partition", Edn::keyword(kind.keyword()), at_ns);
            let grudge = grudge(kind, nodes, &mut self.rng);
            net.set_partitions(&grudge);
            recorder.nemesis(
                "start-partition",
                Edn::Vector(vec![Edn::keyword("isolated"), grudge_edn(&grudge)]),
                at_ns,
            );
        }
        self.partitioned = !self.partitioned;
        let gap_s = self.rng.gen_range(0.0..2.0 * self.interval_s);
        self.next_ns = self.next_ns.saturating_add((gap_s * 1e9) as u64);
    }

    /// The final heal (maelstrom.md §3 intro), whatever state the network is in.
    pub fn final_heal(&mut self, net: &mut Network, recorder: &mut Recorder, at_ns: u64) {
        heal(net, recorder, at_ns);
        self.partitioned = false;
    }
}

fn heal(net: &mut Network, recorder: &mut Recorder, at_ns: u64) {
    recorder.nemesis("stop-partition", Edn::Nil, at_ns);
    net.set_partitions(&Grudge::new());
    recorder.nemesis("stop-partition", Edn::keyword("network-healed"), at_ns);
}

/// `{"n0" #{"n1" "n2"}, ...}` as the history shows a grudge.
fn grudge_edn(grudge: &Grudge) -> Edn {
    Edn::Map(
        grudge
            .iter()
            .map(|(dest, sources)| {
                (
                    Edn::Str(dest.clone()),
                    Edn::Set(sources.iter().map(|src| Edn::Str(src.clone())).collect()),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use maelstrom_model::{Latency, LatencyDist};

    use super::*;

    /// maelstrom.md §5.2: starts and stops alternate, the first start at the origin, and
    /// the gaps are uniform in [0, 2·interval).
    #[test]
    fn partitions_start_at_once_then_alternate_with_bounded_gaps() {
        let nodes: Vec<String> = (0..5).map(|i| format!("n{i}")).collect();
        let latency = Latency::new(0, LatencyDist::Constant).expect("constant");
        let mut net = Network::new(latency, StdRng::seed_from_u64(1));
        let mut recorder = Recorder::default();
        let mut nemesis = Nemesis::new(7, 1.0, 0);
        let mut previous = 0;
        for step in 0..20 {
            let at = nemesis.next_ns();
            assert!(at - previous < 2_000_000_000, "gap below 2·interval");
            previous = at;
            nemesis.step(&nodes, &mut net, &mut recorder, 0);
            assert_eq!(nemesis.is_partitioned(), step % 2 == 0);
        }
        let fs: Vec<&str> = recorder.ops().iter().map(|op| op.f.as_str()).collect();
        assert_eq!(
            &fs[..4],
            [
                "start-partition",
                "start-partition",
                "stop-partition",
                "stop-partition"
            ]
        );
        assert_eq!(recorder.ops()[0].time_ns, 0, "the first start is at t=0");
    }
}
