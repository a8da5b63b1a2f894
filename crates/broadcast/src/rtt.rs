//! How long to wait for an acknowledgement before deciding that a peer is not
//! answering: the retransmission timeout of TCP (RFC 6298), measured per link.
//!
//! A fixed timeout would have to be chosen for one network: 400 ms is patient
//! with 100 ms links and hopeless with 500 ms ones. Instead each link measures
//! the time from sending a message to receiving its ack, keeps a smoothed mean
//! (`srtt`) and a smoothed mean deviation (`rttvar`), and waits
//! `srtt + 4 × rttvar`: long enough that a healthy peer almost never misses it,
//! short enough that a partition is noticed within a few round trips. The
//! round trip includes whatever the peer waits before acknowledging (the hub's
//! flush, a leaf's delayed ack), so each link learns its own peer's habits.
//!
//! Left out: Karn's rule about retransmitted messages. Here every message has
//! its own sequence number, so an ack always names the one message it answers.

use std::time::Duration;

/// A link's round-trip estimate, from which a timeout follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RttEstimator {
    /// Smoothed round trip; `None` until the first sample.
    srtt: Option<Duration>,
    /// Smoothed mean deviation of the round trip.
    rttvar: Duration,
}

/// What a timeout may be, before and after measuring. They come from what the
/// peer does: one that acknowledges at once is given less time than one that
/// waits to let acks ride on other messages, whatever the samples say. The
/// initial guess may lie below the floor: a first message can be answered
/// more promptly than the ones after it (a handshake).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeoutBounds {
    /// Before the first sample: a guess at what the peer needs.
    pub initial: Duration,
    /// Never less, once measured: a timer this short would fire on ordinary jitter.
    pub min: Duration,
    /// Never more: a peer silent this long is not answering, whatever the past said.
    pub max: Duration,
}

impl RttEstimator {
    /// Takes in one measured round trip (RFC 6298, section 2: gains 1/8 and 1/4).
    pub fn sample(&mut self, rtt: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                let deviation = srtt.abs_diff(rtt);
                self.rttvar = (self.rttvar * 3 + deviation) / 4;
                self.srtt = Some((srtt * 7 + rtt) / 8);
            }
        }
    }

    /// How long an ack may take before the peer counts as not answering.
    pub fn timeout(&self, bounds: TimeoutBounds) -> Duration {
        debug_assert!(
            bounds.min <= bounds.max,
            "timeout bounds out of order: {bounds:?}"
        );
        match self.srtt {
            None => bounds.initial,
            Some(srtt) => (srtt + self.rttvar * 4).clamp(bounds.min, bounds.max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: TimeoutBounds = TimeoutBounds {
        initial: Duration::from_millis(500),
        min: Duration::from_millis(100),
        max: Duration::from_secs(3),
    };

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    #[test]
    fn before_any_sample_the_timeout_is_the_initial_guess() {
        assert_eq!(RttEstimator::default().timeout(BOUNDS), ms(500));
    }

    /// RFC 6298, section 2.2: the first sample sets srtt = r and rttvar = r/2, so the
    /// timeout is three round trips.
    #[test]
    fn the_first_sample_gives_three_round_trips() {
        let mut rtt = RttEstimator::default();
        rtt.sample(ms(200));
        assert_eq!(rtt.timeout(BOUNDS), ms(600));
    }

    /// Steady round trips shrink the deviation, and the timeout settles just
    /// above them; erratic ones keep it wide.
    #[test]
    fn steady_round_trips_tighten_the_timeout_and_erratic_ones_widen_it() {
        let mut steady = RttEstimator::default();
        for _ in 0..50 {
            steady.sample(ms(250));
        }
        assert!(
            steady.timeout(BOUNDS) < ms(260),
            "{:?}",
            steady.timeout(BOUNDS)
        );
        let mut erratic = RttEstimator::default();
        for round in 0..50 {
            erratic.sample(ms(if round % 2 == 0 { 200 } else { 350 }));
        }
        assert!(
            erratic.timeout(BOUNDS) > ms(500),
            "{:?}",
            erratic.timeout(BOUNDS)
        );
    }

    #[test]
    fn the_timeout_stays_within_its_bounds() {
        let mut fast = RttEstimator::default();
        for _ in 0..50 {
            fast.sample(ms(1));
        }
        assert_eq!(fast.timeout(BOUNDS), BOUNDS.min);
        let mut slow = RttEstimator::default();
        slow.sample(ms(10_000));
        assert_eq!(slow.timeout(BOUNDS), BOUNDS.max);
    }
}
