//! The operator inbox under `/inbox`: its pages, its sign-in, and what guards every request to
//! it.
//!
//! - `guard`: security headers on every `/inbox` answer, and the same-origin check on every
//!   state-changing `/inbox/api/*` request (a top-level middleware, so routes added anywhere
//!   under `/inbox/api/` are covered);
//! - `session`: the `OperatorSession` extractor (cookie → session → operator in the config, and
//!   the CSRF token of state-changing requests) and the cookie itself;
//! - `sign_in`: `POST /inbox/api/login`, `POST /inbox/api/logout`, `GET /inbox/api/me`;
//! - `conversations`: the list, one conversation, replying, closing, reopening, reading;
//! - `events`: the live stream of which conversations changed;
//! - `throttle`: failed sign-ins per client address and per login.
//!
//! Pages are static files from `static/inbox/`; their data comes from the API, so a page itself
//! holds nothing an operator has not signed in for.

mod conversations;
mod events;
mod guard;
mod session;
mod sign_in;
mod throttle;

use std::path::Path;

use axum::{
    Router,
    extract::{Request, State},
    response::{IntoResponse, Redirect, Response},
    routing::{any, get, post},
};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::AppState;
use crate::error::ApiError;
pub use guard::{InboxOrigins, guard};
pub use session::OperatorSession;
pub use throttle::SignInThrottle;

/// What the inbox's handlers share, built once with the relay.
#[derive(Clone)]
pub struct InboxState {
    /// The origins a state-changing request may come from, and whether cookies are `Secure`.
    pub origins: InboxOrigins,
    /// Failed sign-ins per client address and per login.
    pub throttle: SignInThrottle,
}

impl InboxState {
    /// The inbox of a relay reached at `public_url`, reading client addresses from
    /// `client_ip_header` when behind a proxy.
    pub fn new(public_url: &str, client_ip_header: Option<&str>) -> Self {
        Self {
            origins: InboxOrigins::of(public_url),
            throttle: SignInThrottle::new(client_ip_header),
        }
    }
}

/// Routes of this module.
pub fn router(static_dir: &Path) -> Router<AppState> {
    let pages = static_dir.join("inbox");
    Router::new()
        .route("/inbox", get(|| async { Redirect::permanent("/inbox/") }))
        .route("/inbox/", get(inbox_page))
        .route("/inbox/login", get(login_page))
        .route("/inbox/api/login", post(sign_in::login))
        .route("/inbox/api/logout", post(sign_in::logout))
        .route("/inbox/api/me", get(sign_in::me))
        .route("/inbox/api/conversations", get(conversations::list))
        .route(
            "/inbox/api/conversations/{site}/{id}",
            get(conversations::show),
        )
        .route(
            "/inbox/api/conversations/{site}/{id}/messages",
            post(conversations::reply),
        )
        .route(
            "/inbox/api/conversations/{site}/{id}/close",
            post(conversations::close),
        )
        .route(
            "/inbox/api/conversations/{site}/{id}/reopen",
            post(conversations::reopen),
        )
        .route(
            "/inbox/api/conversations/{site}/{id}/read",
            post(conversations::read),
        )
        .route("/inbox/api/events", get(events::stream))
        .route("/inbox/api/{*rest}", any(unknown_api_route))
        .nest_service("/inbox/assets", ServeDir::new(pages.join("assets")))
}

/// The inbox itself, for a signed-in operator; anyone else is sent to sign in.
async fn inbox_page(
    State(state): State<AppState>,
    session: Result<OperatorSession, ApiError>,
    request: Request,
) -> Response {
    match session {
        Ok(_) => page(&state, "index.html", request).await,
        Err(ApiError::Unauthorized { .. }) => Redirect::to("/inbox/login").into_response(),
        Err(error) => error.into_response(),
    }
}

/// The sign-in page; an operator already signed in goes straight to the inbox.
async fn login_page(
    State(state): State<AppState>,
    session: Result<OperatorSession, ApiError>,
    request: Request,
) -> Response {
    match session {
        Ok(_) => Redirect::to("/inbox/").into_response(),
        Err(_) => page(&state, "login.html", request).await,
    }
}

async fn page(state: &AppState, file: &str, request: Request) -> Response {
    let path = state.static_dir.join("inbox").join(file);
    match ServeFile::new(path).oneshot(request).await {
        Ok(response) if response.status().is_success() => response.into_response(),
        _ => {
            ApiError::not_found("not_found", "the inbox's pages are not installed").into_response()
        }
    }
}

/// Any other `/inbox/api/*` path: not found, but only to a signed-in operator, so the API
/// tells nobody else what it has.
async fn unknown_api_route(_: OperatorSession) -> ApiError {
    ApiError::not_found("not_found", "no such endpoint")
}
