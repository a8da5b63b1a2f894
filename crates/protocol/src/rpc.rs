//! RPC options: how long to wait for a reply, and whether to try again.
//!
//! The engine owns the bookkeeping (see `engine.rs`): every attempt gets a
//! fresh `msg_id`, a late reply to *any* attempt completes the call, and when
//! the last attempt times out the call completes with a timeout error and
//! every trace of it is removed. Retrying is only safe for requests that may
//! be applied twice (reads, idempotent writes, set-union gossip); that is the
//! caller's judgement, which is why retry is opt-in.
//!
//! The jitter is drawn from the engine's seeded RNG, never from the OS, so a
//! simulated run that retries replays its retries at the same instants.

use std::time::Duration;

use rand::Rng;

/// How one RPC behaves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RpcOptions {
    /// How long each attempt waits for its reply.
    pub timeout: Duration,
    /// `None`: one attempt. `Some`: retry timed-out attempts per the policy.
    pub retry: Option<Backoff>,
}

impl Default for RpcOptions {
    fn default() -> RpcOptions {
        RpcOptions {
            timeout: Duration::from_secs(1),
            retry: None,
        }
    }
}

impl RpcOptions {
    pub fn with_timeout(timeout: Duration) -> RpcOptions {
        RpcOptions {
            timeout,
            retry: None,
        }
    }

    pub fn retrying(timeout: Duration, backoff: Backoff) -> RpcOptions {
        RpcOptions {
            timeout,
            retry: Some(backoff),
        }
    }
}

/// Exponential backoff with jitter, bounded in attempts and in delay.
///
/// Jitter spreads retries out so that many callers that failed together (a
/// partition healing) don't all try again at the same instant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    /// Delay before the second attempt.
    pub delay_base: Duration,
    /// No delay grows beyond this.
    pub delay_max: Duration,
    /// Each delay is scaled by a random factor in `[1 - jitter, 1 + jitter]`.
    pub jitter: f64,
    /// Total attempts, the first included. `u32::MAX` is "until it works".
    pub attempts_max: u32,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            delay_base: Duration::from_millis(100),
            delay_max: Duration::from_secs(2),
            jitter: 0.2,
            attempts_max: 5,
        }
    }
}

impl Backoff {
    /// The delay before attempt number `attempt` (1 is the first retry).
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        assert!(
            (0.0..1.0).contains(&self.jitter),
            "jitter must be in [0, 1), got {}",
            self.jitter
        );
        let exponent = attempt.saturating_sub(1).min(30);
        let grown = self.delay_base.saturating_mul(1u32 << exponent);
        let capped = grown.min(self.delay_max);
        let factor = if self.jitter > 0.0 {
            rng.gen_range(1.0 - self.jitter..=1.0 + self.jitter)
        } else {
            1.0
        };
        capped.mul_f64(factor)
    }

    /// Whether another attempt is allowed after `attempts_made`.
    pub fn allows(&self, attempts_made: u32) -> bool {
        attempts_made < self.attempts_max
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn backoff_doubles_until_its_cap_and_jitter_stays_within_bounds() {
        let backoff = Backoff {
            delay_base: Duration::from_millis(100),
            delay_max: Duration::from_millis(700),
            jitter: 0.25,
            attempts_max: 10,
        };
        let mut rng = StdRng::seed_from_u64(7);
        let expected_ms = [100.0, 200.0, 400.0, 700.0, 700.0];
        for (attempt, expected) in (1..).zip(expected_ms) {
            for _ in 0..100 {
                let delay_ms = backoff.delay(attempt, &mut rng).as_secs_f64() * 1000.0;
                assert!(
                    delay_ms >= expected * 0.75 - 1e-6 && delay_ms <= expected * 1.25 + 1e-6,
                    "attempt {attempt}: {delay_ms} ms outside {expected} ± 25%"
                );
            }
        }
    }

    #[test]
    fn backoff_allows_exactly_attempts_max_attempts() {
        let backoff = Backoff {
            attempts_max: 3,
            ..Backoff::default()
        };
        assert!(backoff.allows(1));
        assert!(backoff.allows(2));
        assert!(!backoff.allows(3));
    }
}
