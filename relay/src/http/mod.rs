//! The HTTP surface: every route, the shared state, and the layers around them.

mod assets;
mod auth_throttle;
mod conversation_cursor;
pub mod extract;
mod failure_throttle;
mod health;
mod hooks;
pub mod inbox;
mod merchant;
mod merchant_conversations;
pub(crate) mod openapi;
pub mod rate_limit;
pub mod server;
mod widget_api;
mod widget_chat;
mod widget_events;
mod widget_identity;
mod widget_live;

use std::{path::PathBuf, sync::Arc};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderValue, header},
    middleware,
};
use tower_http::{set_header::SetResponseHeaderLayer, trace::TraceLayer};

use crate::config::{Settings, SiteSettings};
use crate::error::ApiError;
use crate::sandbox::Sandbox;
use crate::store::Store;
pub use widget_api::channel_buttons;

/// What handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Loaded settings.
    pub settings: Arc<Settings>,
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The URL browsers and platforms reach this relay at (no trailing slash).
    pub public_url: Arc<str>,
    /// The clock every time decision reads.
    pub clock: crate::clock::SharedClock,
    /// What is wrong with the relay's parts right now (for `/readyz`).
    pub health: crate::health::Health,
    /// The platform stand-ins, in sandbox mode.
    pub sandbox: Option<Arc<Sandbox>>,
    /// Folder with the widget build, the demo shop and the sandbox pages.
    pub static_dir: Arc<PathBuf>,
    /// (site id, SHA-256 of its API key), for the merchant API.
    pub api_keys: Arc<Vec<(String, [u8; 32])>>,
    /// Verifies merchants' customer tokens (with the JWKS cache).
    pub verifier: crate::identity::Verifier,
    /// Per-client limits on the widget API.
    pub widget_limiter: rate_limit::WidgetLimiter,
    /// Conversations' changes, for the live streams.
    pub changes: crate::store::ConversationChanges,
    /// Cancelled when the relay begins to shut down: live streams end so clients reconnect to
    /// another relay instead of holding the shutdown up.
    pub closing: tokio_util::sync::CancellationToken,
    /// The inbox's origins and its sign-in throttle.
    pub inbox: inbox::InboxState,
}

impl AppState {
    /// The site with this id, or the API's 404.
    pub fn site(&self, id: &str) -> Result<&SiteSettings, ApiError> {
        self.settings.site(id).ok_or_else(|| {
            ApiError::not_found("unknown_site", format!("no site {id:?} on this relay"))
        })
    }

    /// In sandbox mode, the base URL of the local stand-ins that deep links lead to.
    pub fn sandbox_base(&self) -> Option<Arc<str>> {
        self.sandbox.is_some().then(|| self.public_url.clone())
    }
}

/// The whole application as a router, ready to serve.
pub fn router(state: AppState) -> Router {
    let auth_throttle =
        auth_throttle::AuthThrottle::new(state.settings.server.client_ip_header.as_deref());
    let mut router = Router::new()
        .merge(health::router())
        .merge(hooks::router())
        .merge(widget_api::router(state.clone()))
        .merge(
            merchant::router()
                .merge(merchant_conversations::router())
                .route_layer(middleware::from_fn_with_state(
                    auth_throttle,
                    auth_throttle::guard,
                )),
        )
        .merge(openapi::router())
        .merge(inbox::router(&state.static_dir))
        .merge(assets::router(&state.static_dir, state.sandbox.is_some()));
    if let Some(sandbox) = &state.sandbox {
        router = router.merge(crate::sandbox::router(sandbox.clone(), &state.static_dir));
    }
    router
        .fallback(assets::not_found)
        .method_not_allowed_fallback(assets::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.settings.server.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            state.inbox.clone(),
            inbox::guard,
        ))
        // Browsers must take JSON for JSON (and scripts for scripts), never sniff it into HTML.
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn(crate::metrics::track_http))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
