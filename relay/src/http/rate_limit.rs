//! Rate limits on the public widget API, per site and client address, and how a request's
//! client address is found (the merchant API's `auth_throttle` uses the same).
//!
//! The widget API answers anonymous browsers, so one client could flood events and intents.
//! Each (site, client IP) gets `server.widget_rate_limit_per_minute` requests a minute (GCRA,
//! bursts up to the same number); beyond that the answer is 429 with `Retry-After`. Behind a
//! reverse proxy every request comes from the proxy, so `server.client_ip_header` names the
//! header the proxy puts the client's address in (its last entry is the one the proxy added).

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};

use super::AppState;
use crate::error::ApiError;

/// Where a request comes from: the trusted proxy's header when one is configured and present,
/// else the connection's peer. Shared by every per-client limit.
#[derive(Clone)]
pub struct ClientAddress {
    header: Option<HeaderName>,
}

impl ClientAddress {
    /// Reads `header` (e.g. `X-Forwarded-For`) when given, else the peer address.
    pub fn new(header: Option<&str>) -> Self {
        Self {
            header: header.and_then(|h| HeaderName::try_from(h).ok()),
        }
    }

    /// The client's address, if known.
    pub fn of(&self, request: &Request) -> Option<IpAddr> {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        self.in_headers_or_peer(request.headers(), peer)
    }

    fn in_headers_or_peer(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
        let forwarded = self
            .header
            .as_ref()
            .and_then(|name| headers.get(name))
            .and_then(|value| value.to_str().ok()?.rsplit(',').next()?.trim().parse().ok());
        forwarded.or(peer.map(|p| p.ip()))
    }
}

/// The widget API's limiter; `None` inside when limits are off.
#[derive(Clone)]
pub struct WidgetLimiter {
    limiter: Option<Arc<DefaultKeyedRateLimiter<(String, IpAddr)>>>,
    client_address: ClientAddress,
    /// Requests seen, to forget idle clients every few thousand.
    checks: Arc<std::sync::atomic::AtomicU64>,
}

impl WidgetLimiter {
    /// A limiter allowing `per_minute` requests per site and client (0 turns limits off).
    pub fn new(per_minute: u32, client_ip_header: Option<&str>) -> Self {
        let limiter =
            NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
        Self {
            limiter,
            client_address: ClientAddress::new(client_ip_header),
            checks: Arc::default(),
        }
    }

    /// Forgets clients idle long enough to be back at a full quota (bounds memory).
    fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
        }
    }
}

/// Middleware on the widget routes.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = &state.widget_limiter;
    let Some(limiter) = &limits.limiter else {
        return next.run(request).await;
    };
    if limits
        .checks
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        % 4096
        == 0
    {
        limits.forget_idle();
    }
    let site = request
        .uri()
        .path()
        .split('/')
        .nth(3)
        .unwrap_or_default()
        .to_owned();
    let Some(ip) = limits.client_address.of(&request) else {
        return next.run(request).await;
    };
    match limiter.check_key(&(site, ip)) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            rate_limited(not_until.wait_time_from(governor::clock::DefaultClock::default().now()))
        }
    }
}

/// The 429 answer, with `Retry-After` in whole seconds (at least one).
pub fn rate_limited(wait: Duration) -> Response {
    let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut response = ApiError::RateLimited.into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_header_names_the_client_when_configured() {
        let behind_proxy = ClientAddress::new(Some("x-forwarded-for"));
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.7"),
        );
        let peer = Some(SocketAddr::from(([127, 0, 0, 1], 9)));
        assert_eq!(
            behind_proxy.in_headers_or_peer(&headers, peer),
            Some("198.51.100.7".parse().unwrap())
        );
        let direct = ClientAddress::new(None);
        assert_eq!(
            direct.in_headers_or_peer(&headers, peer),
            Some("127.0.0.1".parse().unwrap()),
            "the header is ignored unless configured"
        );
    }
}
