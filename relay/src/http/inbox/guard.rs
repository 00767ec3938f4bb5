//! What every `/inbox` answer carries, and the same-origin rule for state-changing requests.
//!
//! The inbox is a page operators keep open all day with the session cookie in it, so it gets the
//! strictest headers the relay sends: a Content-Security-Policy that allows only the relay's own
//! scripts, styles and connections (no inline script, so an injected `<script>` does not run),
//! no framing (clickjacking), no `Referer` to other sites, and nothing cached of what the API
//! answers. A `POST`, `PUT`, `PATCH` or `DELETE` under `/inbox/api/` must come from a page of
//! the relay itself (`Origin`, else `Referer`), or it is refused with 403 `csrf_failed` before
//! any handler runs; the session's CSRF token is checked on top of that by `OperatorSession`.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::InboxState;
use crate::error::ApiError;

/// Only the relay's own files; no inline script or style, no plugins, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The origins the inbox's pages are served from, as a browser names them in `Origin`.
#[derive(Debug, Clone)]
pub struct InboxOrigins {
    allowed: Vec<String>,
    secure_cookie: bool,
}

impl InboxOrigins {
    /// The origin of `public_url`. A relay on a loopback address answers to all its loopback
    /// names (`localhost`, `127.0.0.1`, `[::1]`) on the same port: the demo prints one, and
    /// people type the other.
    pub fn of(public_url: &str) -> Self {
        let Ok(url) = url::Url::parse(public_url) else {
            return Self {
                allowed: Vec::new(),
                secure_cookie: true,
            };
        };
        let own = url.origin().ascii_serialization();
        let loopback = match url.host() {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        let mut allowed = vec![own];
        if loopback {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            for host in ["localhost", "127.0.0.1", "[::1]"] {
                let origin = format!("{}://{host}{port}", url.scheme());
                if !allowed.contains(&origin) {
                    allowed.push(origin);
                }
            }
        }
        Self {
            allowed,
            // A browser keeps a Secure cookie only from https (and from http on loopback, but
            // not every browser): plain http is for trying the relay on one's own machine.
            secure_cookie: !(url.scheme() == "http" && loopback),
        }
    }

    /// Whether session cookies carry `Secure`: always, except on plain http on loopback.
    pub fn secure_cookie(&self) -> bool {
        self.secure_cookie
    }

    /// Whether the request comes from one of these origins, by `Origin` or else `Referer`.
    pub fn allow(&self, headers: &HeaderMap) -> bool {
        let origin = match headers.get(header::ORIGIN) {
            Some(origin) => origin.to_str().ok().map(str::to_owned),
            None => headers
                .get(header::REFERER)
                .and_then(|referer| referer.to_str().ok())
                .and_then(|referer| url::Url::parse(referer).ok())
                .map(|referer| referer.origin().ascii_serialization()),
        };
        origin.is_some_and(|origin| {
            self.allowed
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(&origin))
        })
    }
}

/// Whether a request may change something (anything but a read).
pub(super) fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The 403 of a request that failed the cross-site checks.
pub(super) fn csrf_failed(message: &str) -> ApiError {
    ApiError::forbidden("csrf_failed", message)
}

/// Middleware on the whole relay; acts on `/inbox` paths only.
pub async fn guard(State(inbox): State<InboxState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path != "/inbox" && !path.starts_with("/inbox/") {
        return next.run(request).await;
    }
    let api = path.starts_with("/inbox/api/");
    let asset = path.starts_with("/inbox/assets/");
    let mut response =
        if api && changes_state(request.method()) && !inbox.origins.allow(request.headers()) {
            csrf_failed("this request must come from the inbox's own pages").into_response()
        } else {
            next.run(request).await
        };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Pages and answers depend on who is signed in; scripts and styles are checked for changes.
    let caching = if asset { "no-cache" } else { "no-store" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn a_public_relay_allows_its_own_origin_only_and_sets_secure_cookies() {
        let origins = InboxOrigins::of("https://ferry.example.com");
        assert!(origins.allow(&from(header::ORIGIN, "https://ferry.example.com")));
        assert!(!origins.allow(&from(header::ORIGIN, "https://evil.example")));
        assert!(!origins.allow(&from(header::ORIGIN, "http://ferry.example.com")));
        assert!(!origins.allow(&from(header::ORIGIN, "null")));
        assert!(!origins.allow(&HeaderMap::new()), "no origin at all");
        assert!(origins.allow(&from(header::REFERER, "https://ferry.example.com/inbox/")));
        assert!(!origins.allow(&from(header::REFERER, "https://evil.example/inbox/")));
        assert!(origins.secure_cookie());
    }

    #[test]
    fn a_relay_on_loopback_answers_to_each_loopback_name_on_its_port() {
        let origins = InboxOrigins::of("http://127.0.0.1:8080");
        for origin in [
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(origins.allow(&from(header::ORIGIN, origin)), "{origin}");
        }
        assert!(!origins.allow(&from(header::ORIGIN, "http://localhost:9090")));
        assert!(!origins.secure_cookie(), "plain http on loopback");
        assert!(InboxOrigins::of("http://ferry.internal:8080").secure_cookie());
    }
}
