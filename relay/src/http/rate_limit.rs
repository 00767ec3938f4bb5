//! Rate limits on the public widget API, per site and client address.
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

/// The widget API's limiter; `None` inside when limits are off.
#[derive(Clone)]
pub struct WidgetLimiter {
    limiter: Option<Arc<DefaultKeyedRateLimiter<(String, IpAddr)>>>,
    client_ip_header: Option<HeaderName>,
    /// Requests seen, to forget idle clients every few thousand.
    checks: Arc<std::sync::atomic::AtomicU64>,
}

impl WidgetLimiter {
    /// A limiter allowing `per_minute` requests per site and client (0 turns limits off).
    pub fn new(per_minute: u32, client_ip_header: Option<&str>) -> Self {
        let limiter =
            NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
        let client_ip_header = client_ip_header.and_then(|h| HeaderName::try_from(h).ok());
        Self {
            limiter,
            client_ip_header,
            checks: Arc::default(),
        }
    }

    fn client_ip(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
        let forwarded = self
            .client_ip_header
            .as_ref()
            .and_then(|name| headers.get(name))
            .and_then(|value| value.to_str().ok()?.rsplit(',').next()?.trim().parse().ok());
        forwarded.or(peer.map(|p| p.ip()))
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
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let Some(ip) = limits.client_ip(request.headers(), peer) else {
        return next.run(request).await;
    };
    match limiter.check_key(&(site, ip)) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            let seconds = wait.as_secs().max(1).to_string();
            let mut response = ApiError::RateLimited.into_response();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_header_names_the_client_when_configured() {
        let limiter = WidgetLimiter::new(10, Some("x-forwarded-for"));
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.7"),
        );
        let peer = Some(SocketAddr::from(([127, 0, 0, 1], 9)));
        assert_eq!(
            limiter.client_ip(&headers, peer),
            Some("198.51.100.7".parse().unwrap())
        );
        let direct = WidgetLimiter::new(10, None);
        assert_eq!(
            direct.client_ip(&headers, peer),
            Some("127.0.0.1".parse().unwrap()),
            "the header is ignored unless configured"
        );
    }
}
