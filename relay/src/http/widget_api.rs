//! The widget API under `/api/widget/{site}/`: routes, the origin check, and the site config.
//!
//! Browsers on the site's allowed origins only: every response carries CORS headers for the
//! caller's origin when it is allowed, and a request from any other origin gets 403. POSTs
//! must name their origin (browsers always do); a GET without one is a same-origin page or a
//! tool, and the config it reads is public anyway.

use axum::{
    Json, Router,
    extract::{Path, Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use ferry_wire::{ChannelButton, WidgetConfig};

use super::openapi::{ORIGIN, RATE_LIMITED, UNKNOWN_SITE, schemas as doc};
use super::{AppState, widget_chat, widget_events, widget_identity};
use crate::config::SiteSettings;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::texts;

/// Routes of this module, behind the origin check.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/widget/{site}/config", get(config).options(preflight))
        .route(
            "/api/widget/{site}/events",
            post(widget_events::record_event).options(preflight),
        )
        .route(
            "/api/widget/{site}/intents",
            post(widget_events::record_intent).options(preflight),
        )
        .route(
            "/api/widget/{site}/identity",
            post(widget_identity::status).options(preflight),
        )
        .route(
            "/api/widget/{site}/links",
            post(widget_identity::complete).options(preflight),
        )
        .route("/api/widget/{site}/qr.svg", get(widget_identity::qr))
        .route(
            "/api/widget/{site}/conversations",
            post(widget_chat::start).options(preflight),
        )
        .route(
            "/api/widget/{site}/conversation/messages",
            get(widget_chat::history)
                .post(widget_chat::send)
                .options(preflight),
        )
        .route(
            "/api/widget/{site}/conversation/events",
            get(super::widget_live::events).options(preflight),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .route_layer(middleware::from_fn_with_state(
            state,
            super::rate_limit::limit,
        ))
}

async fn check_origin(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    request: Request,
    next: Next,
) -> Response {
    let site_id = params
        .iter()
        .find(|(name, _)| name == "site")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let site = match state.site(site_id) {
        Ok(site) => site,
        Err(error) => return error.into_response(),
    };
    let origin = request.headers().get(header::ORIGIN).cloned();
    let allowed = match &origin {
        Some(origin) => {
            if !origin.to_str().is_ok_and(|o| site.allows_origin(o)) {
                return ApiError::forbidden(
                    "origin_not_allowed",
                    format!("this origin may not use site {}'s widget", site.id),
                )
                .into_response();
            }
            Some(origin.clone())
        }
        None if request.method() == Method::GET => None,
        None => {
            return ApiError::forbidden(
                "origin_required",
                "widget API writes must come from a browser page on an allowed origin",
            )
            .into_response();
        }
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}

async fn preflight() -> impl IntoResponse {
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST"),
            // The chat's token travels in a header of its own.
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "content-type, x-ferry-conversation, last-event-id",
            ),
            (header::ACCESS_CONTROL_MAX_AGE, "86400"),
        ],
    )
}

/// The widget's configuration.
///
/// Channels with deep-link templates, localised texts and colours.
#[utoipa::path(
    get,
    path = "/api/widget/{site}/config",
    tag = "widget",
    operation_id = "widget_config",
    params(doc::SitePath, doc::OriginHeader),
    responses(
        (status = 200, description = "The configuration", body = doc::WidgetConfig,
            headers(("Cache-Control" = String, description = "`public, max-age=60`"))),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = UNKNOWN_SITE),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
)]
async fn config(State(state): State<AppState>, Path(site): Path<String>) -> ApiResult<Response> {
    let site = state.site(&site)?;
    let config = WidgetConfig {
        site: site.id.clone(),
        name: site.name.clone(),
        locale: site.locale.code().to_owned(),
        accent: site.accent.clone(),
        position: ferry_wire::LauncherPosition::Right,
        texts: texts::widget(site.locale, &site.name),
        channels: channel_buttons(site, state.sandbox_base().as_deref()),
        chat: ferry_wire::ChatSettings {
            open_now: site
                .office_hours
                .as_ref()
                .is_none_or(|hours| hours.is_open(state.clock.now())),
            texts: texts::chat(site.locale),
        },
    };
    Ok((
        [(header::CACHE_CONTROL, "public, max-age=60")],
        Json(config),
    )
        .into_response())
}

/// The site's deep links with a `{ref}` placeholder, in display order; in sandbox mode they
/// lead to the local phone pages under `sandbox_base` instead of the real apps.
pub fn channel_buttons(site: &SiteSettings, sandbox_base: Option<&str>) -> Vec<ChannelButton> {
    site.accounts()
        .map(|account| {
            let kind = account.kind();
            ChannelButton {
                kind,
                label: kind.display_name().to_owned(),
                link: account.deep_link(site, sandbox_base),
                ref_kind: kind.ref_kind(),
            }
        })
        .collect()
}
