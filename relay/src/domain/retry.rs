//! When a failed piece of work is tried again, and when it is given up: one policy for every queue.
//!
//! Inbound processing, messages to subscribers and webhooks to the merchant all back off the same
//! way — 2 s doubling to an hour, or what the platform asked for with `retry_after` — and differ
//! only in how long they keep trying. The numbers live here and nowhere else; the store only
//! records the decision.

use super::Millis;

/// How a queue retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after which the work is given up (parked, or failed for good).
    pub max_attempts: u32,
    /// Delay after the first failure.
    pub first_delay_ms: Millis,
    /// The longest delay between two attempts.
    pub max_delay_ms: Millis,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextAttempt {
    /// Try again at this time.
    At(Millis),
    /// Stop trying.
    GiveUp,
}

impl RetryPolicy {
    /// Processing a stored webhook event: a few quick retries for a database hiccup (an error
    /// that is not a hiccup is parked at once by the worker, without waiting for these).
    pub const INBOUND: Self = Self {
        max_attempts: 10,
        first_delay_ms: 2_000,
        max_delay_ms: 3_600_000,
    };

    /// A message to a subscriber: about two hours of retries; later than that a welcome or an
    /// answer is no longer worth sending.
    pub const MESSAGES: Self = Self {
        max_attempts: 12,
        first_delay_ms: 2_000,
        max_delay_ms: 3_600_000,
    };

    /// A signed webhook to the merchant's backend: about a day, so a receiver that is down
    /// overnight loses nothing.
    pub const MERCHANT_WEBHOOKS: Self = Self {
        max_attempts: 32,
        first_delay_ms: 2_000,
        max_delay_ms: 3_600_000,
    };

    /// The delay before attempt `attempts + 1`, after `attempts` failures so far (0-based),
    /// honouring a platform's `retry_after` (capped at the longest delay).
    pub fn delay_ms(&self, attempts: u32, retry_after_secs: Option<u64>) -> Millis {
        if let Some(seconds) = retry_after_secs {
            let asked = Millis::try_from(seconds).unwrap_or(Millis::MAX);
            return asked.saturating_mul(1000).min(self.max_delay_ms);
        }
        let doublings = attempts.min(40);
        self.first_delay_ms
            .saturating_mul(1_i64 << doublings.min(62))
            .min(self.max_delay_ms)
    }

    /// What follows the failure of attempt number `attempts_before + 1` at `now`.
    pub fn after_failure(
        &self,
        attempts_before: u32,
        now: Millis,
        retry_after_secs: Option<u64>,
    ) -> NextAttempt {
        if attempts_before.saturating_add(1) >= self.max_attempts {
            NextAttempt::GiveUp
        } else {
            NextAttempt::At(now.saturating_add(self.delay_ms(attempts_before, retry_after_secs)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour_and_honours_retry_after() {
        let policy = RetryPolicy::MESSAGES;
        assert_eq!(policy.delay_ms(0, None), 2_000);
        assert_eq!(policy.delay_ms(3, None), 16_000);
        assert_eq!(policy.delay_ms(40, None), 3_600_000);
        assert_eq!(policy.delay_ms(u32::MAX, None), 3_600_000);
        assert_eq!(policy.delay_ms(0, Some(7)), 7_000);
        assert_eq!(policy.delay_ms(0, Some(u64::MAX)), 3_600_000);
    }

    #[test]
    fn work_is_given_up_after_the_last_attempt() {
        let policy = RetryPolicy::MESSAGES;
        assert_eq!(policy.after_failure(0, 100, None), NextAttempt::At(2_100));
        assert_eq!(
            policy.after_failure(10, 0, None),
            NextAttempt::At(2_048_000)
        );
        assert_eq!(policy.after_failure(11, 0, None), NextAttempt::GiveUp);
    }

    #[test]
    fn merchant_webhooks_are_retried_for_about_a_day() {
        let policy = RetryPolicy::MERCHANT_WEBHOOKS;
        let total: Millis = (0..policy.max_attempts - 1)
            .map(|n| policy.delay_ms(n, None))
            .sum();
        let hours = total / 3_600_000;
        assert!((20..=28).contains(&hours), "{hours} hours");
    }
}
