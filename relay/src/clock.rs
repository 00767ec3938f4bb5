//! Where the relay's "now" comes from: the system clock in production, a movable one in tests.
//!
//! Everything that compares times — intent and link windows, retry schedules, leases on work
//! queues — asks an injected `Clock` instead of the system, so tests move time forward instead
//! of editing stored rows, and the store never decides what time it is.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use crate::domain::Millis;

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now(&self) -> Millis;
}

/// Shared handle to a clock.
pub type SharedClock = Arc<dyn Clock>;

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        system_now()
    }
}

fn system_now() -> Millis {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    Millis::try_from(nanos / 1_000_000).unwrap_or(Millis::MAX)
}

/// A clock tests move by hand. It either runs with the system clock plus an offset (so a
/// relay under test behaves normally until a test skips ahead) or stands still at a set time.
#[derive(Debug, Default)]
pub struct ManualClock {
    /// Added to the base time.
    offset: AtomicI64,
    /// `None`: follow the system clock; `Some(t)`: stand still at `t` (plus the offset).
    frozen_at: Option<Millis>,
}

impl ManualClock {
    /// Follows the system clock until moved.
    pub fn following_system() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Stands still at `at` until moved.
    pub fn frozen(at: Millis) -> Arc<Self> {
        Arc::new(Self {
            offset: AtomicI64::new(0),
            frozen_at: Some(at),
        })
    }

    /// Moves the clock forward (or back, with a negative amount) by `millis`.
    pub fn advance(&self, millis: Millis) {
        self.offset.fetch_add(millis, Ordering::SeqCst);
    }

    /// Moves the clock forward by whole seconds.
    pub fn advance_secs(&self, seconds: i64) {
        self.advance(seconds.saturating_mul(1000));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        let base = self.frozen_at.unwrap_or_else(system_now);
        base.saturating_add(self.offset.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let clock = ManualClock::frozen(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance_secs(90);
        assert_eq!(clock.now(), 91_000);
    }

    #[test]
    fn a_following_clock_keeps_its_offset_from_the_system() {
        let clock = ManualClock::following_system();
        clock.advance_secs(3600);
        let ahead = clock.now() - SystemClock.now();
        assert!((3_599_000..=3_601_000).contains(&ahead), "{ahead}");
    }
}
