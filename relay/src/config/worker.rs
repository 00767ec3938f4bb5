//! `[worker]`: how the background worker claims and delivers work.

use serde::Deserialize;

/// How the worker loops claim work and how much they deliver at once.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerSettings {
    /// Webhook events claimed and committed together.
    pub batch: u32,
    /// How long a claim lasts, in seconds. A relay that dies holding work leaves it to the
    /// others once this has passed; it must exceed `platforms.timeout_secs` with room to spare.
    pub lease_secs: u64,
    /// Messages (and merchant webhooks) in flight at once, per relay.
    pub max_in_flight: usize,
    /// Of those, at most this many per site and platform, so one slow platform or merchant
    /// endpoint cannot take every slot.
    pub max_in_flight_per_lane: usize,
    /// How often an idle loop looks for work that became due (retries), in milliseconds. New
    /// work wakes the loops at once, on PostgreSQL across relays too.
    pub poll_interval_ms: u64,
    /// How long a loop may keep failing (the database unreachable, say) before the relay gives
    /// up and exits non-zero, for its supervisor to restart it. `/readyz` fails meanwhile.
    pub give_up_after_secs: u64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            batch: 256,
            lease_secs: 60,
            max_in_flight: 256,
            max_in_flight_per_lane: 64,
            poll_interval_ms: 1000,
            give_up_after_secs: 30,
        }
    }
}

impl WorkerSettings {
    pub(super) fn validate(&self, platform_timeout_secs: u64) -> Result<(), String> {
        if self.batch == 0 || self.max_in_flight == 0 || self.max_in_flight_per_lane == 0 {
            return Err(
                "worker.batch, max_in_flight and max_in_flight_per_lane must be at least 1".into(),
            );
        }
        if self.lease_secs <= platform_timeout_secs {
            return Err(format!(
                "worker.lease_secs ({}) must be longer than platforms.timeout_secs ({platform_timeout_secs}): \
                 a claim must outlast the slowest send",
                self.lease_secs
            ));
        }
        if self.poll_interval_ms == 0 {
            return Err("worker.poll_interval_ms must be at least 1".into());
        }
        Ok(())
    }
}
