//! The widget API under `/api/widget/{site}/`: config, funnel events and intents.
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
use ferry_wire::{ChannelButton, IntentReceipt, NewIntent, RefKind, WidgetConfig, WidgetEvent};
use serde_json::json;

use super::{AppState, extract::AppJson, widget_identity};
use crate::config::SiteSettings;
use crate::domain::{Attribution, ChannelKind, IntentRef, now_millis};
use crate::error::{ApiError, ApiResult};
use crate::store::{Intent, IntentOutcome, NewEvent};
use crate::texts;

/// Routes of this module, behind the origin check.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/widget/{site}/config", get(config).options(preflight))
        .route(
            "/api/widget/{site}/events",
            post(record_event).options(preflight),
        )
        .route(
            "/api/widget/{site}/intents",
            post(record_intent).options(preflight),
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
            (header::ACCESS_CONTROL_ALLOW_HEADERS, "content-type"),
            (header::ACCESS_CONTROL_MAX_AGE, "86400"),
        ],
    )
}

async fn config(State(state): State<AppState>, Path(site): Path<String>) -> ApiResult<Response> {
    let site = state.site(&site)?;
    let config = WidgetConfig {
        site: site.id.clone(),
        name: site.name.clone(),
        locale: site.locale.clone(),
        accent: site.accent.clone(),
        position: ferry_wire::LauncherPosition::Right,
        texts: texts::widget(&site.locale, &site.name),
        channels: channel_buttons(site, state.sandbox_base().as_deref()),
    };
    Ok((
        [(header::CACHE_CONTROL, "public, max-age=60")],
        Json(config),
    )
        .into_response())
}

/// The site's deep links with a `{ref}` placeholder; in sandbox mode they lead to the local
/// phone pages under `sandbox_base` instead of the real apps.
pub fn channel_buttons(site: &SiteSettings, sandbox_base: Option<&str>) -> Vec<ChannelButton> {
    let base = |real: &str, platform: &str| match sandbox_base {
        Some(base) => format!("{base}/sandbox/{platform}"),
        None => real.to_owned(),
    };
    let mut buttons = Vec::new();
    if let Some(bot) = &site.telegram {
        let link = format!(
            "{}/{}?start={{ref}}",
            base("https://t.me", "telegram"),
            bot.bot_username
        );
        buttons.push(button(ChannelKind::Telegram, link, RefKind::Token));
    }
    if let Some(number) = &site.whatsapp {
        let (before, after) = texts::whatsapp_prefill(&site.locale, &site.name);
        let encode = |text: &str| {
            url::form_urlencoded::byte_serialize(text.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        };
        let link = format!(
            "{}/{}?text={}{{ref}}{}",
            base("https://wa.me", "whatsapp"),
            number.phone_number,
            encode(&before),
            encode(after)
        );
        buttons.push(button(ChannelKind::Whatsapp, link, RefKind::Code));
    }
    if let Some(page) = &site.messenger {
        let link = format!(
            "{}/{}?ref={{ref}}",
            base("https://m.me", "messenger"),
            page.page_username
        );
        buttons.push(button(ChannelKind::Messenger, link, RefKind::Token));
    }
    buttons
}

fn button(kind: ChannelKind, link: String, ref_kind: RefKind) -> ChannelButton {
    ChannelButton {
        kind,
        label: kind.display_name().to_owned(),
        link,
        ref_kind,
    }
}

async fn record_event(
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppJson(event): AppJson<WidgetEvent>,
) -> ApiResult<Response> {
    let site = state.site(&site)?;
    if let Some(channel) = event.channel {
        enabled(site, channel)?;
    }
    let attribution = Attribution::from_visit(&event.visit)
        .map_err(|e| ApiError::bad_request("invalid_visit", e.to_string()))?;
    state
        .store
        .record_event(NewEvent {
            site: site.id.clone(),
            kind: event.kind.as_str().to_owned(),
            channel: event.channel,
            at: now_millis(),
            attribution: Some(attribution),
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": true }))).into_response())
}

async fn record_intent(
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppJson(intent): AppJson<NewIntent>,
) -> ApiResult<Response> {
    let site = state.site(&site)?;
    enabled(site, intent.channel)?;
    let kind = if intent.channel == ChannelKind::Whatsapp {
        RefKind::Code
    } else {
        RefKind::Token
    };
    let reference = IntentRef::parse(kind, &intent.reference)
        .map_err(|e| ApiError::bad_request("invalid_ref", e.to_string()))?;
    let attribution = Attribution::from_visit(&intent.visit)
        .map_err(|e| ApiError::bad_request("invalid_visit", e.to_string()))?;
    let order_from_page = intent
        .order_id
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    if order_from_page.is_some_and(|o| o.len() > 128) {
        return Err(ApiError::bad_request(
            "invalid_order_id",
            "order_id is at most 128 characters",
        ));
    }
    // A bad token rejects the whole intent (nothing is stored); the widget then retries
    // without it, so the visit is still attributed but links nobody.
    let identity = match intent.token.as_deref() {
        Some(token) => Some(widget_identity::verify(&state, site, token).await?),
        None => None,
    };
    let customer = identity.as_ref().map(widget_identity::customer);
    let order_id = identity
        .as_ref()
        .and_then(|i| i.order_id.clone())
        .or_else(|| order_from_page.map(str::to_owned));
    let masked = customer.as_ref().map(crate::domain::Customer::masked);
    let outcome = state
        .store
        .record_intent(Intent {
            site: site.id.clone(),
            channel: intent.channel,
            reference: reference.as_str().to_owned(),
            created_at: now_millis(),
            attribution,
            customer,
            order_id,
            linked_at: None,
        })
        .await?;
    let body = Json(IntentReceipt {
        reference: reference.as_str().to_owned(),
        customer: masked,
    });
    match outcome {
        IntentOutcome::Created => Ok((StatusCode::CREATED, body).into_response()),
        IntentOutcome::AlreadyRecorded => Ok((StatusCode::OK, body).into_response()),
        IntentOutcome::Conflict => Err(ApiError::conflict(
            "ref_taken",
            "another visit already uses this ref; generate a new one",
        )),
    }
}

fn enabled(site: &SiteSettings, channel: ChannelKind) -> ApiResult<()> {
    let on = match channel {
        ChannelKind::Telegram => site.telegram.is_some(),
        ChannelKind::Whatsapp => site.whatsapp.is_some(),
        ChannelKind::Messenger => site.messenger.is_some(),
    };
    on.then_some(()).ok_or_else(|| {
        ApiError::bad_request(
            "channel_not_enabled",
            format!("site {} has no {} channel", site.id, channel.as_str()),
        )
    })
}
