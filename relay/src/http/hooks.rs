//! Webhook endpoints: `/hooks/{site}/{telegram|messenger|whatsapp}` (see docs/contract.md).
//!
//! Each handler checks the platform's authentication on the raw body, parses it, stores the
//! events durably (group commit) and only then answers 200. Nothing here calls a platform:
//! the worker is woken to do the rest.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::HeaderMap,
    routing::{get, post},
};
use serde_json::{Value, json};

use super::{
    AppState,
    extract::{AppQuery, RawBody},
};
use crate::channels::{Keyed, messenger, meta, telegram, whatsapp};
use crate::config::{Secret, SiteSettings};
use crate::domain::ChannelKind;
use crate::error::{ApiError, ApiResult};
use crate::store::NewInbound;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hooks/{site}/telegram", post(telegram_update))
        .route(
            "/hooks/{site}/messenger",
            get(messenger_handshake).post(messenger_event),
        )
        .route(
            "/hooks/{site}/whatsapp",
            get(whatsapp_handshake).post(whatsapp_event),
        )
}

/// Receive a Telegram `Update`.
#[utoipa::path(
    post,
    path = "/hooks/{site}/telegram",
    tag = "webhooks",
    params(
        super::openapi::schemas::SitePath,
        ("X-Telegram-Bot-Api-Secret-Token" = String, Header,
            description = "Equals the bot's `webhook_secret` (`setWebhook … secret_token=`)"),
    ),
    request_body(content = Object, description = "A Telegram Bot API `Update`"),
    responses(
        (status = 200, description = "Stored, or ignored", body = super::openapi::schemas::HookReceipt),
        (status = 400, body = crate::error::ErrorBody,
            description = "`malformed_payload` or `unreadable_body`."),
        (status = 401, body = crate::error::ErrorBody,
            description = "`missing_secret_token`: the header is missing."),
        (status = 403, body = crate::error::ErrorBody,
            description = "`invalid_secret_token`: the header is wrong."),
        (status = 404, body = crate::error::ErrorBody, description = super::openapi::HOOK_NOT_FOUND),
        (status = 503, body = crate::error::ErrorBody, description = super::openapi::STORAGE),
    ),
)]
async fn telegram_update(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let site = state.site(&site)?;
    let bot = site
        .telegram
        .as_ref()
        .ok_or_else(|| not_enabled(site, ChannelKind::Telegram))?;
    let Some(given) = headers.get(telegram::SECRET_HEADER) else {
        return Err(ApiError::unauthorized(
            "missing_secret_token",
            "the X-Telegram-Bot-Api-Secret-Token header is missing",
        ));
    };
    if !telegram::verify_secret(bot.webhook_secret.expose(), Some(given.as_bytes())) {
        return Err(ApiError::forbidden(
            "invalid_secret_token",
            "the X-Telegram-Bot-Api-Secret-Token header is wrong",
        ));
    }
    let events = telegram::parse(&body)?;
    store(&state, site, ChannelKind::Telegram, events).await
}

/// Receive a Messenger webhook (`object: page`).
#[utoipa::path(
    post,
    path = "/hooks/{site}/messenger",
    tag = "webhooks",
    params(
        super::openapi::schemas::SitePath,
        ("X-Hub-Signature-256" = String, Header, description = super::openapi::META_SIGNATURE),
    ),
    request_body(content = Object, description = "A Messenger webhook (`object: page`)"),
    responses(
        (status = 200, description = "Stored, or ignored", body = super::openapi::schemas::HookReceipt),
        (status = 400, body = crate::error::ErrorBody,
            description = "`malformed_payload` or `unreadable_body`."),
        (status = 401, body = crate::error::ErrorBody,
            description = "`missing_signature`: the header is missing."),
        (status = 403, body = crate::error::ErrorBody,
            description = "`invalid_signature`: the signature does not match the body."),
        (status = 404, body = crate::error::ErrorBody, description = super::openapi::HOOK_NOT_FOUND),
        (status = 503, body = crate::error::ErrorBody, description = super::openapi::STORAGE),
    ),
)]
async fn messenger_event(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let site = state.site(&site)?;
    let page = site
        .messenger
        .as_ref()
        .ok_or_else(|| not_enabled(site, ChannelKind::Messenger))?;
    check_meta_signature(&page.app_secret, &headers, &body)?;
    let events = messenger::parse(&body)?;
    store(&state, site, ChannelKind::Messenger, events).await
}

/// Receive a WhatsApp Cloud API webhook (`object: whatsapp_business_account`).
#[utoipa::path(
    post,
    path = "/hooks/{site}/whatsapp",
    tag = "webhooks",
    params(
        super::openapi::schemas::SitePath,
        ("X-Hub-Signature-256" = String, Header, description = super::openapi::META_SIGNATURE),
    ),
    request_body(content = Object, description = "A WhatsApp Cloud API webhook (`object: whatsapp_business_account`)"),
    responses(
        (status = 200, description = "Stored, or ignored", body = super::openapi::schemas::HookReceipt),
        (status = 400, body = crate::error::ErrorBody,
            description = "`malformed_payload` or `unreadable_body`."),
        (status = 401, body = crate::error::ErrorBody,
            description = "`missing_signature`: the header is missing."),
        (status = 403, body = crate::error::ErrorBody,
            description = "`invalid_signature`: the signature does not match the body."),
        (status = 404, body = crate::error::ErrorBody, description = super::openapi::HOOK_NOT_FOUND),
        (status = 503, body = crate::error::ErrorBody, description = super::openapi::STORAGE),
    ),
)]
async fn whatsapp_event(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let site = state.site(&site)?;
    let number = site
        .whatsapp
        .as_ref()
        .ok_or_else(|| not_enabled(site, ChannelKind::Whatsapp))?;
    check_meta_signature(&number.app_secret, &headers, &body)?;
    let events = whatsapp::parse(&body, &number.phone_number_id)?;
    store(&state, site, ChannelKind::Whatsapp, events).await
}

/// Meta's subscription handshake for Messenger.
#[utoipa::path(
    get,
    path = "/hooks/{site}/messenger",
    tag = "webhooks",
    params(
        super::openapi::schemas::SitePath,
        ("hub.mode" = String, Query, description = "`subscribe`"),
        ("hub.verify_token" = String, Query, description = "Equals the configured `verify_token`"),
        ("hub.challenge" = String, Query, description = "Echoed back"),
    ),
    responses(
        (status = 200, description = "The challenge", body = String, content_type = "text/plain"),
        (status = 400, body = crate::error::ErrorBody, description = "`invalid_query`."),
        (status = 403, body = crate::error::ErrorBody, description = "`invalid_verify_token`: \
            `hub.mode` is not `subscribe` or `hub.verify_token` does not match."),
        (status = 404, body = crate::error::ErrorBody, description = super::openapi::HOOK_NOT_FOUND),
    ),
)]
async fn messenger_handshake(
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppQuery(handshake): AppQuery<meta::Handshake>,
) -> ApiResult<String> {
    let site = state.site(&site)?;
    let page = site
        .messenger
        .as_ref()
        .ok_or_else(|| not_enabled(site, ChannelKind::Messenger))?;
    answer_handshake(&handshake, &page.verify_token)
}

/// Meta's subscription handshake for WhatsApp.
#[utoipa::path(
    get,
    path = "/hooks/{site}/whatsapp",
    tag = "webhooks",
    params(
        super::openapi::schemas::SitePath,
        ("hub.mode" = String, Query, description = "`subscribe`"),
        ("hub.verify_token" = String, Query, description = "Equals the configured `verify_token`"),
        ("hub.challenge" = String, Query, description = "Echoed back"),
    ),
    responses(
        (status = 200, description = "The challenge", body = String, content_type = "text/plain"),
        (status = 400, body = crate::error::ErrorBody, description = "`invalid_query`."),
        (status = 403, body = crate::error::ErrorBody, description = "`invalid_verify_token`: \
            `hub.mode` is not `subscribe` or `hub.verify_token` does not match."),
        (status = 404, body = crate::error::ErrorBody, description = super::openapi::HOOK_NOT_FOUND),
    ),
)]
async fn whatsapp_handshake(
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppQuery(handshake): AppQuery<meta::Handshake>,
) -> ApiResult<String> {
    let site = state.site(&site)?;
    let number = site
        .whatsapp
        .as_ref()
        .ok_or_else(|| not_enabled(site, ChannelKind::Whatsapp))?;
    answer_handshake(&handshake, &number.verify_token)
}

fn answer_handshake(handshake: &meta::Handshake, verify_token: &Secret) -> ApiResult<String> {
    handshake
        .accept(verify_token.expose())
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::forbidden(
                "invalid_verify_token",
                "hub.mode must be subscribe and hub.verify_token must match",
            )
        })
}

fn check_meta_signature(app_secret: &Secret, headers: &HeaderMap, body: &[u8]) -> ApiResult<()> {
    let header = headers
        .get(meta::SIGNATURE_HEADER)
        .map(|v| v.to_str().unwrap_or(""));
    meta::verify_signature(app_secret.expose(), header, body).map_err(|error| match error {
        meta::SignatureError::Missing => {
            ApiError::unauthorized("missing_signature", error.to_string())
        }
        _ => ApiError::forbidden("invalid_signature", error.to_string()),
    })
}

fn not_enabled(site: &SiteSettings, channel: ChannelKind) -> ApiError {
    ApiError::not_found(
        "channel_not_enabled",
        format!("site {} has no {} channel", site.id, channel.as_str()),
    )
}

async fn store(
    state: &AppState,
    site: &SiteSettings,
    channel: ChannelKind,
    events: Vec<Keyed>,
) -> ApiResult<Json<Value>> {
    let received_at = state.clock.now();
    let batch: Vec<NewInbound> = events
        .into_iter()
        .map(|keyed| NewInbound {
            site: site.id.clone(),
            channel,
            dedupe_key: keyed.dedupe_key,
            event: keyed.event,
            received_at,
        })
        .collect();
    let received = batch.len();
    let stored = if batch.is_empty() {
        0
    } else {
        state.store.record_inbound(batch).await?
    };
    if stored > 0 {
        metrics::counter!("ferry_inbound_events_total", "platform" => channel.as_str())
            .increment(stored as u64);
    }
    Ok(Json(
        json!({ "ok": true, "received": received, "new": stored }),
    ))
}
