//! Who is asking: the `OperatorSession` extractor every `/inbox/api/*` route takes, and the
//! session cookie.
//!
//! The cookie `ferry_session` holds the session's random id; it is `HttpOnly` (no script reads
//! it), `SameSite=Strict` (no other site's page sends it), scoped to `/inbox`, and `Secure`
//! unless the relay is tried on plain http on loopback (`InboxOrigins::secure_cookie`). The
//! session names an operator by login only: their name and sites are read from the config on
//! every request, so an operator removed from the config, or moved to other sites, is out at
//! their next request rather than at the end of their session.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, HeaderValue, header, request::Parts},
};
use subtle::ConstantTimeEq;

use super::guard::{changes_state, csrf_failed};
use crate::error::ApiError;
use crate::http::AppState;
use crate::sessions::{self, ABSOLUTE_LIFETIME, SessionId};

/// The session cookie's name.
pub const COOKIE: &str = "ferry_session";
/// The header state-changing requests repeat the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in operator, as the config describes them now.
#[derive(Debug, Clone)]
pub struct OperatorSession {
    /// Their login, as the config spells it.
    pub login: String,
    /// Their display name.
    pub name: String,
    /// The sites whose conversations they see and answer.
    pub sites: Vec<String>,
    /// The session's CSRF token (for `GET /inbox/api/me`).
    pub csrf: String,
    /// The stored hash of the session's id (to sign out).
    pub(super) id_hash: String,
}

impl OperatorSession {
    /// Whether they serve `site`. Routes answer 404 for any other site, as if it did not exist.
    pub fn serves(&self, site: &str) -> bool {
        self.sites.iter().any(|own| own == site)
    }
}

fn not_signed_in() -> ApiError {
    ApiError::unauthorized("not_signed_in", "sign in to the inbox first")
}

impl FromRequestParts<AppState> for OperatorSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let id = session_id(&parts.headers).ok_or_else(not_signed_in)?;
        let store = state.store.as_ref();
        let session = sessions::resume(store, &id, state.clock.now())
            .await?
            .ok_or_else(not_signed_in)?;
        let Some(operator) = state
            .settings
            .operators
            .iter()
            .find(|operator| operator.login.eq_ignore_ascii_case(&session.login))
        else {
            // Ended for good: were the login declared again, an old session must not return.
            sessions::end(store, &id).await?;
            return Err(not_signed_in());
        };
        if changes_state(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .map(HeaderValue::as_bytes)
                .unwrap_or_default();
            if !bool::from(sent.ct_eq(session.csrf_token.as_bytes())) {
                return Err(csrf_failed(
                    "send the session's CSRF token (GET /inbox/api/me) in X-CSRF-Token",
                ));
            }
        }
        Ok(Self {
            login: operator.login.clone(),
            name: operator.name.clone(),
            sites: operator.sites.clone(),
            csrf: session.csrf_token,
            id_hash: session.id_hash,
        })
    }
}

/// The session id in the request's cookies, if one has an id's shape.
fn session_id(headers: &HeaderMap) -> Option<SessionId> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE)
        .find_map(|(_, value)| SessionId::parse(value))
}

/// The `Set-Cookie` value that hands `id` to the browser for the session's whole lifetime.
pub(super) fn cookie(id: &SessionId, secure: bool) -> HeaderValue {
    let max_age = ABSOLUTE_LIFETIME / 1000;
    set_cookie(
        &format!("{COOKIE}={}; Max-Age={max_age}", id.as_str()),
        secure,
    )
}

/// The `Set-Cookie` value that makes the browser forget the session.
pub(super) fn cleared_cookie(secure: bool) -> HeaderValue {
    set_cookie(&format!("{COOKIE}=; Max-Age=0"), secure)
}

fn set_cookie(start: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!("{start}; Path=/inbox; HttpOnly; SameSite=Strict{secure}");
    // Built from a base64url id and fixed text: always a valid header value.
    HeaderValue::try_from(value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_id_is_read_among_other_cookies() {
        let id = SessionId::generate();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::try_from(format!("theme=dark; {COOKIE}={}; lang=en", id.as_str()))
                .unwrap(),
        );
        assert_eq!(session_id(&headers), Some(id));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("ferry_session=not-an-id"),
        );
        assert_eq!(session_id(&headers), None);
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_scoped_to_the_inbox() {
        let id = SessionId::generate();
        let secure = cookie(&id, true);
        let secure = secure.to_str().unwrap();
        assert!(secure.starts_with(&format!("{COOKIE}={};", id.as_str())));
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Path=/inbox",
            "Secure",
            "Max-Age=604800",
        ] {
            assert!(secure.contains(part), "{part} missing from {secure}");
        }
        assert!(!cookie(&id, false).to_str().unwrap().contains("Secure"));
        assert!(
            cleared_cookie(true)
                .to_str()
                .unwrap()
                .starts_with("ferry_session=; Max-Age=0;")
        );
    }
}
