//! Message latency: one draw per node-to-node or node-to-service message
//! (maelstrom.md §5.1).
//!
//! Maelstrom draws from an incanter distribution and truncates to whole milliseconds;
//! we draw from the caller's seeded RNG so runs replay. Client links have zero latency,
//! but that is the network's rule, not the distribution's, so it lives in the runner.
//! Left out: incanter's exact sampling algorithms (a BigInteger rejection sampler for
//! `uniform`); only the distributions' shapes and ranges are reproduced.

use rand::rngs::StdRng;
use rand::Rng;

/// `--latency-dist`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatencyDist {
    /// Always the mean.
    Constant,
    /// An integer in `[0, 2·mean)`.
    Uniform,
    /// Exponential with the given mean, truncated to whole ms.
    Exponential,
}

impl std::str::FromStr for LatencyDist {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "constant" => Ok(LatencyDist::Constant),
            "uniform" => Ok(LatencyDist::Uniform),
            "exponential" => Ok(LatencyDist::Exponential),
            other => Err(format!(
                "expected constant, uniform or exponential, got {other:?}"
            )),
        }
    }
}

/// A validated latency setting: `--latency` mean in ms and its distribution.
#[derive(Clone, Copy, Debug)]
pub struct Latency {
    mean_ms: u64,
    dist: LatencyDist,
}

impl Latency {
    /// Maelstrom aborts at start-up when `uniform` or `exponential` get a mean of 0
    /// (an AssertionError and a divide-by-zero, §5.1, §8.13); we refuse it the same way.
    pub fn new(mean_ms: u64, dist: LatencyDist) -> Result<Latency, String> {
        if mean_ms == 0 && dist != LatencyDist::Constant {
            return Err("latency distribution needs a mean above 0".into());
        }
        Ok(Latency { mean_ms, dist })
    }

    /// One message's delay in ms.
    pub fn draw_ms(&self, rng: &mut StdRng) -> u64 {
        match self.dist {
            LatencyDist::Constant => self.mean_ms,
            LatencyDist::Uniform => rng.gen_range(0..2 * self.mean_ms),
            // Inverse transform: −ln(1−U)·mean, with 1−U in (0, 1] so ln is finite.
            LatencyDist::Exponential => {
                (-(1.0 - rng.gen::<f64>()).ln() * self.mean_ms as f64) as u64
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// maelstrom.md §5.1, §8.13: uniform and exponential need a mean above 0.
    #[test]
    fn a_zero_mean_is_refused_except_for_constant() {
        assert!(Latency::new(0, LatencyDist::Constant).is_ok());
        assert!(Latency::new(0, LatencyDist::Uniform).is_err());
        assert!(Latency::new(0, LatencyDist::Exponential).is_err());
    }

    /// maelstrom.md §5.1: uniform draws are integers in [0, 2·mean), exponential draws
    /// average the mean.
    #[test]
    fn draws_fall_in_the_documented_ranges() {
        let mut rng = StdRng::seed_from_u64(1);
        let uniform = Latency::new(10, LatencyDist::Uniform).expect("valid");
        assert!((0..1000).all(|_| uniform.draw_ms(&mut rng) < 20));
        let exponential = Latency::new(100, LatencyDist::Exponential).expect("valid");
        let total: u64 = (0..10_000).map(|_| exponential.draw_ms(&mut rng)).sum();
        let mean = total as f64 / 10_000.0;
        // Truncation to whole ms lowers the mean by about half a millisecond.
        assert!((90.0..110.0).contains(&mean), "mean {mean}");
    }

    #[test]
    fn unknown_distribution_names_are_refused() {
        assert!("normal".parse::<LatencyDist>().is_err());
        assert_eq!("uniform".parse(), Ok(LatencyDist::Uniform));
    }
}
