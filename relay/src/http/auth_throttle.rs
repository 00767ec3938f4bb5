//! Throttling failed merchant authentication per client address. What a valid key is, is the
//! `MerchantSite` extractor's business; this only counts its refusals.
//!
//! An API key is a bearer credential, so without a limit wrong keys could be tried online as
//! fast as the relay answers. Every 401 on the merchant routes counts as a failure of its
//! client address (found like the widget limit's, `server.client_ip_header` included): a burst
//! of `FAILURE_BURST` is allowed, then one more every `FAILURE_PERIOD` (GCRA). An address over
//! that gets `429 rate_limited` with `Retry-After` until its next try is due, *before* its key
//! is looked at, so a right guess made meanwhile is not recognised either. Successful requests
//! count for nothing. The counts live in this process: several relays count separately.

use std::{
    collections::HashMap,
    net::IpAddr,
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::Response,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};

use super::rate_limit::{ClientAddress, rate_limited};

/// Failures an address may have in a row before it is throttled.
const FAILURE_BURST: NonZeroU32 = NonZeroU32::new(10).expect("ten is not zero");
/// How often a throttled address gets one more try.
const FAILURE_PERIOD: Duration = Duration::from_secs(60);
/// Throttled addresses kept before expired ones are swept out.
const SWEEP_AT: usize = 1024;

/// Failed authentications per client address; clones share the counts.
#[derive(Clone)]
pub struct AuthThrottle {
    /// GCRA over failures: refuses once an address has used its burst.
    failures: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses refused by `failures`, and when their next try is due. Kept apart because
    /// governor cannot be asked about an address without counting a failure.
    throttled: Arc<Mutex<HashMap<IpAddr, Instant>>>,
    client_address: ClientAddress,
}

impl AuthThrottle {
    /// A throttle reading client addresses like the widget limit (`client_ip_header`).
    pub fn new(client_ip_header: Option<&str>) -> Self {
        let quota = Quota::with_period(FAILURE_PERIOD)
            .expect("the period is not zero")
            .allow_burst(FAILURE_BURST);
        Self {
            failures: Arc::new(RateLimiter::keyed(quota)),
            throttled: Arc::default(),
            client_address: ClientAddress::new(client_ip_header),
        }
    }

    /// How long `ip` must still wait, if it is throttled.
    fn wait_of(&self, ip: IpAddr) -> Option<Duration> {
        let mut throttled = self.throttled.lock().unwrap_or_else(|e| e.into_inner());
        let until = *throttled.get(&ip)?;
        let wait = until.checked_duration_since(Instant::now());
        if wait.is_none() {
            throttled.remove(&ip);
        }
        wait
    }

    /// Counts a failure of `ip`; returns how long it must wait if this one was too many.
    fn fail(&self, ip: IpAddr) -> Option<Duration> {
        let not_until = self.failures.check_key(&ip).err()?;
        let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
        let mut throttled = self.throttled.lock().unwrap_or_else(|e| e.into_inner());
        if throttled.len() >= SWEEP_AT {
            let now = Instant::now();
            throttled.retain(|_, until| *until > now);
            self.failures.retain_recent();
        }
        throttled.insert(ip, Instant::now() + wait);
        Some(wait)
    }
}

/// Middleware on the merchant routes.
pub async fn guard(State(throttle): State<AuthThrottle>, request: Request, next: Next) -> Response {
    let Some(ip) = throttle.client_address.of(&request) else {
        return next.run(request).await;
    };
    if let Some(wait) = throttle.wait_of(ip) {
        return rate_limited(wait);
    }
    let response = next.run(request).await;
    if response.status() == StatusCode::UNAUTHORIZED
        && let Some(wait) = throttle.fail(ip)
    {
        tracing::warn!(client = %ip, "merchant API: too many failed authentications; throttled");
        return rate_limited(wait);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_throttled_after_its_burst_of_failures_and_others_are_not() {
        let throttle = AuthThrottle::new(None);
        let guesser: IpAddr = "203.0.113.9".parse().unwrap();
        let merchant: IpAddr = "198.51.100.7".parse().unwrap();

        for attempt in 1..=FAILURE_BURST.get() {
            assert_eq!(throttle.fail(guesser), None, "failure {attempt} is allowed");
        }
        let wait = throttle.fail(guesser).expect("one failure too many");

        assert!(wait > Duration::ZERO && wait <= FAILURE_PERIOD, "{wait:?}");
        assert!(throttle.wait_of(guesser).is_some());
        assert_eq!(throttle.wait_of(merchant), None);
    }
}
