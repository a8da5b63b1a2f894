//! Time as the engine sees it: an [`Instant`] is nanoseconds since the engine's epoch.
//!
//! The engine never reads a clock. Whoever drives it hands it the time with
//! every event, and that value is all the node ever sees ([`Context::now`]).
//! The stdio loop counts nanoseconds since the process started; a simulator
//! counts them on a virtual clock it advances itself. `std::time::Instant`
//! can't play that part: it can only be read from the OS, never built from a
//! number, so a test or a simulator could not say "it is now 1.5 s".
//!
//! The epoch means nothing beyond "when this engine's clock started"; two
//! engines' instants are only comparable if their driver says so (a simulator
//! runs every engine on one clock). `u64` nanoseconds last 584 years.
//!
//! Left out: no conversion to wall-clock time, which a node has no use for.
//!
//! [`Context::now`]: crate::Context::now

use std::ops::{Add, AddAssign, Sub};
use std::time::Duration;

/// A point in time, in nanoseconds since the engine's epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    nanos: u64,
}

impl Instant {
    /// The epoch: the time a test context and a simulator start at.
    pub const ZERO: Instant = Instant { nanos: 0 };

    pub const fn from_nanos(nanos: u64) -> Instant {
        Instant { nanos }
    }

    pub const fn as_nanos(self) -> u64 {
        self.nanos
    }

    /// How long after `earlier` this is, or zero if it is not after it (like
    /// `std::time::Instant::saturating_duration_since`).
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.nanos.saturating_sub(earlier.nanos))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates at the end of time (584 years) instead of wrapping: a timer
    /// armed with `Duration::MAX` simply never fires.
    fn add(self, duration: Duration) -> Instant {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        Instant {
            nanos: self.nanos.saturating_add(nanos),
        }
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, duration: Duration) {
        *self = *self + duration;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Saturating, as `std::time::Instant`'s subtraction is: never negative.
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_and_subtracting_durations_round_trips_and_never_goes_negative() {
        let start = Instant::from_nanos(1_000);
        let later = start + Duration::from_millis(2);
        assert_eq!(later.as_nanos(), 2_001_000);
        assert_eq!(later - start, Duration::from_millis(2));
        assert_eq!(start - later, Duration::ZERO, "saturating, like std");
        let mut moved = start;
        moved += Duration::from_nanos(5);
        assert_eq!(moved, Instant::from_nanos(1_005));
        assert!(Instant::ZERO < start && start < later);
    }

    #[test]
    fn adding_a_huge_duration_saturates_at_the_end_of_time() {
        assert_eq!(
            Instant::from_nanos(1) + Duration::MAX,
            Instant::from_nanos(u64::MAX)
        );
    }
}
