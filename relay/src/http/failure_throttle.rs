//! Counting failed attempts per key (a client address, a login) and refusing a key that failed
//! too often: a burst of failures is allowed, then one more every period (GCRA, by governor).
//! The merchant API's `auth_throttle` and the inbox's sign-in use it; what counts as a failure
//! and what a refusal looks like is theirs to say.
//!
//! The counts live in this process: several relays count separately.

use std::{
    collections::HashMap,
    hash::Hash,
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};

/// Throttled keys kept before expired ones are swept out.
const SWEEP_AT: usize = 1024;

/// Failures per key; clones share the counts.
pub struct FailureThrottle<K: Hash + Eq + Clone> {
    /// GCRA over failures: refuses once a key has used its burst.
    failures: Arc<DefaultKeyedRateLimiter<K>>,
    /// Keys refused by `failures`, and when their next try is due. Kept apart because governor
    /// cannot be asked about a key without counting a failure.
    throttled: Arc<Mutex<HashMap<K, Instant>>>,
}

impl<K: Hash + Eq + Clone> Clone for FailureThrottle<K> {
    fn clone(&self) -> Self {
        Self {
            failures: self.failures.clone(),
            throttled: self.throttled.clone(),
        }
    }
}

impl<K: Hash + Eq + Clone> FailureThrottle<K> {
    /// Allows `burst` failures in a row, then one more every `period`.
    pub fn new(burst: NonZeroU32, period: Duration) -> Self {
        let quota = Quota::with_period(period)
            .expect("the period is not zero")
            .allow_burst(burst);
        Self {
            failures: Arc::new(RateLimiter::keyed(quota)),
            throttled: Arc::default(),
        }
    }

    /// How long `key` must still wait, if it is throttled.
    pub fn wait_of(&self, key: &K) -> Option<Duration> {
        let mut throttled = self.throttled.lock().unwrap_or_else(|e| e.into_inner());
        let until = *throttled.get(key)?;
        let wait = until.checked_duration_since(Instant::now());
        if wait.is_none() {
            throttled.remove(key);
        }
        wait
    }

    /// Counts a failure of `key`; returns how long it must wait if this one was too many.
    pub fn fail(&self, key: K) -> Option<Duration> {
        let not_until = self.failures.check_key(&key).err()?;
        let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
        let mut throttled = self.throttled.lock().unwrap_or_else(|e| e.into_inner());
        if throttled.len() >= SWEEP_AT {
            let now = Instant::now();
            throttled.retain(|_, until| *until > now);
            self.failures.retain_recent();
        }
        throttled.insert(key, Instant::now() + wait);
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_throttled_after_its_burst_of_failures_and_others_are_not() {
        let burst = NonZeroU32::new(3).unwrap();
        let period = Duration::from_secs(60);
        let throttle = FailureThrottle::new(burst, period);

        for attempt in 1..=burst.get() {
            assert_eq!(
                throttle.fail("guesser"),
                None,
                "failure {attempt} is allowed"
            );
        }
        let wait = throttle.fail("guesser").expect("one failure too many");

        assert!(wait > Duration::ZERO && wait <= period, "{wait:?}");
        assert!(throttle.wait_of(&"guesser").is_some());
        assert_eq!(throttle.wait_of(&"someone else"), None);
    }
}
