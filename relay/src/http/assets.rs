//! Static files: the widget (`/widget.js`, `/widget/*`), the demo shop and the sandbox pages.
//!
//! The widget is served precompressed (brotli, gzip, written by `widget/build.sh`). Its app
//! files carry a content hash in their names, so they are cached for a year; the loader's URL is
//! the one merchants embed, so it is cached briefly and picks up new builds within minutes.

use std::path::Path;

use axum::{
    Router,
    http::{HeaderValue, header},
    response::Redirect,
    routing::get,
};
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

use super::AppState;
use crate::error::ApiError;

/// Routes of this module; the sandbox pages only in sandbox mode.
pub fn router(static_dir: &Path, sandbox: bool) -> Router<AppState> {
    let widget_dir = static_dir.join("widget");
    let loader = ServeFile::new(widget_dir.join("widget.js"))
        .precompressed_br()
        .precompressed_gzip();
    let app_files = ServeDir::new(&widget_dir)
        .precompressed_br()
        .precompressed_gzip();
    // Merchant pages import the app module and fetch the wasm cross-origin: both need CORS.
    let public = SetResponseHeaderLayer::overriding(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    let loader_routes = Router::new().route_service("/widget.js", loader).layer(
        SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ),
    );
    let app_routes =
        Router::new()
            .nest_service("/widget", app_files)
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ));
    let mut router = loader_routes
        .merge(app_routes)
        .layer(public)
        // Each URL has brotli, gzip and plain variants: caches must key on the encoding.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
        .nest_service("/demo", ServeDir::new(static_dir.join("demo")));
    if sandbox {
        router = router
            .route("/", get(|| async { Redirect::temporary("/demo/") }))
            .nest_service("/sandbox/assets", ServeDir::new(static_dir.join("sandbox")));
    }
    router
}

/// The JSON 404 for anything unrouted.
pub async fn not_found() -> ApiError {
    ApiError::not_found("not_found", "no such endpoint")
}

/// The JSON 405 for a known path with another method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
