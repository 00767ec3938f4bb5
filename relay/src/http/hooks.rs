//! Webhook endpoints: `/hooks/{site}/{platform}` for every platform in the registry (see
//! docs/contract.md).
//!
//! One pair of handlers serves every platform: the site's account checks the platform's
//! authentication on the raw body and parses it, the events are stored durably (group commit)
//! and only then is the request answered 200. Nothing here calls a platform: the worker is
//! woken to do the rest. Each platform gets its own route so metrics count them apart; a name
//! the registry does not know falls through to `/hooks/{site}/{platform}` and a 404.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::HeaderMap,
    routing::get,
};
use serde_json::{Value, json};

use super::{
    AppState,
    extract::{AppQuery, RawBody},
};
use crate::channels::{self, Account, Keyed};
use crate::config::SiteSettings;
use crate::domain::ChannelKind;
use crate::error::{ApiError, ApiResult};
use crate::store::NewInbound;

/// Routes of this module: one per registered platform, and the 404 for any other name.
pub fn router() -> Router<AppState> {
    let mut router = Router::new().route(
        "/hooks/{site}/{platform}",
        get(unknown_platform).post(unknown_platform),
    );
    for platform in channels::registry() {
        let kind = platform.kind();
        router = router.route(
            &format!("/hooks/{{site}}/{}", kind.as_str()),
            get(
                move |state: State<AppState>, site: Path<String>, query: AppQuery<Query>| {
                    handshake(kind, state, site, query)
                },
            )
            .post(
                move |state: State<AppState>,
                      site: Path<String>,
                      headers: HeaderMap,
                      body: RawBody| { receive(kind, state, site, headers, body) },
            ),
        );
    }
    router
}

type Query = Vec<(String, String)>;

/// A platform's webhook: authenticated, parsed, stored, answered.
async fn receive(
    kind: ChannelKind,
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Json<Value>> {
    let site = state.site(&site)?;
    let account = account(site, kind)?;
    account.authenticate(&headers, &body)?;
    let events = account.parse(&body)?;
    store(&state, site, kind, events).await
}

/// A platform's `GET` subscription handshake, for platforms that have one (405 otherwise).
async fn handshake(
    kind: ChannelKind,
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppQuery(query): AppQuery<Query>,
) -> ApiResult<String> {
    let site = state.site(&site)?;
    Ok(account(site, kind)?.handshake(&query)?)
}

/// Any name the registry does not know.
async fn unknown_platform(
    State(state): State<AppState>,
    Path((site, platform)): Path<(String, String)>,
) -> ApiError {
    if let Err(error) = state.site(&site) {
        return error;
    }
    ApiError::not_found(
        "unknown_platform",
        format!("this relay has no platform {platform:?}"),
    )
}

fn account(site: &SiteSettings, kind: ChannelKind) -> ApiResult<&dyn Account> {
    site.account(kind).ok_or_else(|| {
        ApiError::not_found(
            "channel_not_enabled",
            format!("site {} has no {} channel", site.id, kind.as_str()),
        )
    })
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
