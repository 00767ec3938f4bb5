//! The OpenAPI 3 document of the HTTP API, served at `GET /v1/openapi.json`.
//!
//! Each handler describes itself with `#[utoipa::path]` next to its code, and the types it
//! answers with derive `ToSchema`; [`ApiDoc`] only lists the operations. The platforms' webhook
//! endpoints are the exception: one handler serves them all, so `webhooks` builds their
//! operations from the channel registry. The widget API's
//! bodies are `ferry-wire` types, which stay serde-only, so `schemas` describes them here.
//! The error codes each operation can answer are written out in the constants below, shared
//! by the handlers' attributes.

pub(super) mod schemas;
#[cfg(test)]
mod tests;
mod webhooks;

use std::sync::OnceLock;

use axum::{
    Json, Router,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use super::{
    AppState, health, merchant, merchant_conversations, widget_api, widget_chat, widget_events,
    widget_identity, widget_live,
};
use crate::views::MerchantWebhook;
pub(crate) use schemas::ChannelKind;
use webhooks::WebhookPaths;

/// The document: every operation of the relay's HTTP API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ferry relay API",
        version = env!("CARGO_PKG_VERSION"),
        description = DESCRIPTION,
    ),
    paths(
        merchant::list_subscribers,
        merchant::get_subscriber,
        merchant::unlink_subscriber,
        merchant::delete_subscriber,
        merchant_conversations::list,
        merchant_conversations::show,
        merchant_conversations::reply,
        openapi_json,
        widget_api::config,
        widget_events::record_event,
        widget_events::record_intent,
        widget_identity::status,
        widget_identity::complete,
        widget_identity::qr,
        widget_chat::start,
        widget_chat::send,
        widget_chat::history,
        widget_live::events,
        health::healthz,
        health::readyz,
    ),
    components(schemas(MerchantWebhook, schemas::HookReceipt, schemas::TimeBound)),
    modifiers(&ApiKeyScheme, &WebhookPaths),
    tags(
        (name = "merchant", description = "Subscribers of the site whose API key is sent."),
        (name = "widget", description = WIDGET_TAG),
        (name = "webhooks", description = "Events from the messaging platforms, one endpoint \
            per site and platform. A request failing the platform's authentication gets 401 or \
            403 and changes nothing; a valid one gets 200 once stored, also for ignored events."),
        (name = "operations", description = "Health checks and this document."),
    ),
)]
pub(super) struct ApiDoc;

const DESCRIPTION: &str = "Ferry's relay: the merchant API (`/v1`, `Authorization: Bearer \
<site API key>`), the widget API the embedded widget calls, and the platforms' webhooks.\n\n\
Errors answer `{\"error\": {\"code\", \"message\"}}` (schema `Error`); each operation lists its \
codes. Any endpoint may also answer `404 not_found` (no such route), `405 method_not_allowed` \
and `413 payload_too_large`, and one that reads a body `408 request_timeout` (the body arrived \
too slowly).\n\n\
Customer tokens (the widget's `token` fields) are JWTs signed by the merchant's backend: see \
\"Verified customers: signing the token\" in the README for the claims, algorithms and \
examples.\n\n\
**Webhooks to your backend.** With `[sites.webhook]` configured, Ferry POSTs a \
`MerchantWebhook` (see the schema) to the site's URL for `subscriber.created`, \
`subscriber.linked`, `subscriber.unlinked` and `subscriber.unsubscribed`, with the headers \
`Ferry-Event`, `Ferry-Delivery` and `Ferry-Signature: t=<unix seconds>,v1=<hex \
HMAC-SHA256(webhook secret, \"<t>.<raw body>\")>`. Verify the signature and refuse old \
timestamps; answer 2xx once stored, anything else is retried with backoff for about a day.";

const WIDGET_TAG: &str = "What the embedded widget calls. Answers only pages on the site's \
allowed origins (with CORS headers for them; `OPTIONS` preflights are answered too); writes \
must name their `Origin`. Limited per site and client address (429 with `Retry-After`).";

/// The security scheme of the merchant API (operations name it in `security(...)`).
pub(super) const API_KEY: &str = "site_api_key";

/// 401 of the merchant API.
pub(super) const NO_API_KEY: &str = "No valid API key: `missing_api_key` (no `Authorization: \
Bearer` header) or `invalid_api_key` (the key belongs to no site).";
/// 429 of the merchant API.
pub(super) const AUTH_THROTTLED: &str = "`rate_limited`: too many failed authentications from \
this client address; its requests are refused, whatever their key, until `Retry-After` \
seconds have passed.";
/// 404 of the subscriber operations.
pub(super) const NO_SUBSCRIBER: &str = "`subscriber_not_found`: no such subscriber on this site.";
/// 503 wherever storage is used.
pub(super) const STORAGE: &str = "`storage_unavailable`: storage failed; retry later.";
/// 403 of the widget API.
pub(super) const ORIGIN: &str = "`origin_not_allowed` (the `Origin` is not one of the site's \
allowed origins) or `origin_required` (a write without `Origin`).";
/// 404 of the widget API.
pub(super) const UNKNOWN_SITE: &str = "`unknown_site`: no such site on this relay.";
/// 429 of the widget API.
pub(super) const RATE_LIMITED: &str = "`rate_limited`: too many requests from this client for \
this site; `Retry-After` says how many seconds to wait.";
/// 415 of JSON bodies.
pub(super) const NOT_JSON: &str =
    "`unsupported_media_type`: the body must be sent as `Content-Type: application/json`.";
/// 401 where a customer token is checked.
pub(super) const BAD_TOKEN: &str = "The customer token was refused, with the precise reason: \
`malformed_token`, `bad_signature`, `expired`, `not_yet_valid`, `issued_in_future`, \
`missing_exp`, `lifetime_too_long`, `wrong_audience`, `wrong_issuer`, `missing_sub`, \
`invalid_claims`, `algorithm_not_allowed`, `untrusted_key_header`, `invalid_kid`, \
`unknown_kid`, `no_matching_key`, `jwks_unavailable` or `identity_not_configured`.";
/// 404 of the platform webhooks.
pub(super) const HOOK_NOT_FOUND: &str =
    "`unknown_site`, or `channel_not_enabled` (the site has no such channel configured).";

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/openapi.json", get(openapi_json))
}

/// The document, built once.
pub(super) fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(ApiDoc::openapi)
}

/// This document.
///
/// Needs no API key.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "operations",
    responses((
        status = 200,
        description = "The OpenAPI document",
        body = Object,
        headers(("Cache-Control" = String, description = "`public, max-age=300`")),
    )),
)]
async fn openapi_json() -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(document()),
    )
        .into_response()
}

/// Adds the bearer scheme the merchant operations name in their `security`.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "The site's API key (`api_key`, or the key whose `api_key_sha256` is \
                 configured), as `Authorization: Bearer <key>`.",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(API_KEY, SecurityScheme::Http(scheme));
    }
}
