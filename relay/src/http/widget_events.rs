//! Funnel events and intents from the widget: validated, attributed, stored. Routed (behind
//! the origin check and the rate limit) by `widget_api`.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use ferry_wire::{IntentReceipt, NewIntent, WidgetEvent};
use serde_json::json;

use super::openapi::{NOT_JSON, ORIGIN, RATE_LIMITED, STORAGE, UNKNOWN_SITE, schemas as doc};
use super::{AppState, extract::AppJson, widget_identity};
use crate::config::SiteSettings;
use crate::domain::{Attribution, ChannelKind, IntentRef};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::intents::{self, IntentOutcome};
use crate::store::{Intent, NewEvent};

/// Longest `order_id` a page may send, in characters.
pub(super) const MAX_ORDER_ID_CHARS: usize = 128;

/// Record a funnel step (view, open, click).
#[utoipa::path(
    post,
    path = "/api/widget/{site}/events",
    tag = "widget",
    operation_id = "record_widget_event",
    params(doc::SitePath, doc::OriginHeader),
    request_body = doc::WidgetEvent,
    responses(
        (status = 202, description = "Recorded", body = doc::Accepted),
        (status = 400, body = ErrorBody, description = "`invalid_json`, `invalid_visit` or \
            `channel_not_enabled`."),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = UNKNOWN_SITE),
        (status = 415, body = ErrorBody, description = NOT_JSON),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
pub(super) async fn record_event(
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppJson(event): AppJson<WidgetEvent>,
) -> ApiResult<Response> {
    let site = state.site(&site)?;
    if let Some(channel) = event.channel {
        enabled(site, channel)?;
    }
    let attribution = Attribution::from_visit(&event.visit)?;
    state
        .store
        .record_event(NewEvent {
            site: site.id.clone(),
            kind: event.kind.as_str().to_owned(),
            channel: event.channel,
            at: state.clock.now(),
            attribution: Some(attribution),
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": true }))).into_response())
}

/// Record a tap on a channel button, before the visitor leaves for the messenger.
///
/// With `token`, the subscriber who arrives with this ref is linked to the token's customer.
/// With the visitor's `X-Ferry-Conversation` header, the web chat continues in the messenger:
/// the visitor who arrives with this ref gets a recap there, and the conversation moves there.
/// A header that opens no conversation is ignored, so a stale one never stops a subscription.
#[utoipa::path(
    post,
    path = "/api/widget/{site}/intents",
    tag = "widget",
    operation_id = "record_intent",
    params(doc::SitePath, doc::OriginHeader),
    request_body = doc::NewIntent,
    responses(
        (status = 201, description = "Recorded", body = doc::IntentReceipt),
        (status = 200, description = "Already recorded (a retry)", body = doc::IntentReceipt),
        (status = 400, body = ErrorBody, description = "`invalid_json`, `invalid_ref`, \
            `invalid_visit`, `invalid_order_id` or `channel_not_enabled`."),
        (status = 401, body = ErrorBody, description = super::openapi::BAD_TOKEN),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = UNKNOWN_SITE),
        (status = 409, body = ErrorBody, description = "`ref_taken`: another visit uses this \
            ref; generate a new one."),
        (status = 415, body = ErrorBody, description = NOT_JSON),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
pub(super) async fn record_intent(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    AppJson(intent): AppJson<NewIntent>,
) -> ApiResult<Response> {
    let site = state.site(&site)?;
    enabled(site, intent.channel)?;
    let conversation = match headers.contains_key(ferry_wire::CONVERSATION_HEADER) {
        true => super::widget_chat::conversation(&state, site, &headers)
            .await
            .ok()
            .map(|conversation| conversation.id),
        false => None,
    };
    let reference = IntentRef::parse(intent.channel.ref_kind(), &intent.reference)?;
    let attribution = Attribution::from_visit(&intent.visit)?;
    if intent
        .order_id
        .as_deref()
        .is_some_and(|o| o.chars().count() > MAX_ORDER_ID_CHARS)
    {
        return Err(ApiError::bad_request(
            "invalid_order_id",
            format!("order_id is at most {MAX_ORDER_ID_CHARS} characters"),
        ));
    }
    let order_from_page = intent
        .order_id
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
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
    let intent = Intent {
        site: site.id.clone(),
        channel: intent.channel,
        reference: reference.as_str().to_owned(),
        created_at: state.clock.now(),
        attribution,
        customer,
        order_id,
        linked_at: None,
        conversation,
    };
    let outcome = intents::record(state.store.as_ref(), &intent).await?;
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
    site.account(channel).map(|_| ()).ok_or_else(|| {
        ApiError::bad_request(
            "channel_not_enabled",
            format!("site {} has no {} channel", site.id, channel.as_str()),
        )
    })
}
