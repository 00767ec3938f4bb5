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

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::Response,
};

use super::failure_throttle::FailureThrottle;
use super::rate_limit::{ClientAddress, rate_limited};

/// Failures an address may have in a row before it is throttled.
const FAILURE_BURST: NonZeroU32 = NonZeroU32::new(10).expect("ten is not zero");
/// How often a throttled address gets one more try.
const FAILURE_PERIOD: Duration = Duration::from_secs(60);

/// Failed authentications per client address; clones share the counts.
#[derive(Clone)]
pub struct AuthThrottle {
    failures: FailureThrottle<IpAddr>,
    client_address: ClientAddress,
}

impl AuthThrottle {
    /// A throttle reading client addresses like the widget limit (`client_ip_header`).
    pub fn new(client_ip_header: Option<&str>) -> Self {
        Self {
            failures: FailureThrottle::new(FAILURE_BURST, FAILURE_PERIOD),
            client_address: ClientAddress::new(client_ip_header),
        }
    }
}

/// Middleware on the merchant routes.
pub async fn guard(State(throttle): State<AuthThrottle>, request: Request, next: Next) -> Response {
    let Some(ip) = throttle.client_address.of(&request) else {
        return next.run(request).await;
    };
    if let Some(wait) = throttle.failures.wait_of(&ip) {
        return rate_limited(wait);
    }
    let response = next.run(request).await;
    if response.status() == StatusCode::UNAUTHORIZED
        && let Some(wait) = throttle.failures.fail(ip)
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
            assert_eq!(
                throttle.failures.fail(guesser),
                None,
                "failure {attempt} is allowed"
            );
        }
        let wait = throttle
            .failures
            .fail(guesser)
            .expect("one failure too many");

        assert!(wait > Duration::ZERO && wait <= FAILURE_PERIOD, "{wait:?}");
        assert!(throttle.failures.wait_of(&guesser).is_some());
        assert_eq!(throttle.failures.wait_of(&merchant), None);
    }
}
