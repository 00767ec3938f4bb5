//! The phone page's API: which account a handle is, "the person did X", and the chat so far.
//! What X means on the wire is the platform's stand-in's business (`stand_in::StandIn`).

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, State},
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Sandbox;
use super::stand_in::{PersonAction, StandIn};
use super::stand_in_for;
use crate::channels::Account;
use crate::config::SiteSettings;
use crate::domain::{ChannelKind, now_millis};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{AppJson, AppQuery};

/// `GET /sandbox/api/{platform}/{handle}`
pub(super) async fn info(
    State(sandbox): State<Arc<Sandbox>>,
    Path((platform, handle)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (stand_in, site, _) = resolve(&sandbox, &platform, &handle)?;
    Ok(Json(json!({
        "platform": stand_in.kind().as_str(),
        "handle": handle,
        "site": site.id,
        "title": stand_in.title(&site.name),
    })))
}

/// Body of `POST /sandbox/api/{platform}/{handle}/send`.
#[derive(Deserialize)]
pub(super) struct Send {
    user: SimulatedUser,
    action: String,
    text: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
}

#[derive(Deserialize)]
struct SimulatedUser {
    id: String,
    name: String,
}

/// `POST /sandbox/api/{platform}/{handle}/send`: plays the platform, calling our own webhook.
pub(super) async fn send(
    State(sandbox): State<Arc<Sandbox>>,
    Path((platform, handle)): Path<(String, String)>,
    AppJson(send): AppJson<Send>,
) -> ApiResult<Json<Value>> {
    let (stand_in, site, account) = resolve(&sandbox, &platform, &handle)?;
    let user = send.user.id.trim().to_owned();
    if user.is_empty() || user.len() > 64 || !user.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request(
            "invalid_user",
            "user.id must be digits",
        ));
    }
    let person = PersonAction {
        user_id: &user,
        user_name: &send.user.name,
        action: &send.action,
        text: send
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty()),
        reference: send.reference.as_deref().filter(|r| !r.is_empty()),
        now: now_millis(),
    };
    let webhook = stand_in.webhook(account, &person, &|| sandbox.next())?;
    let kind = stand_in.kind();
    if let Some(shown) = webhook.shown {
        sandbox.append((kind, handle, user), "user", shown, Vec::new());
    }
    let url = format!("{}/hooks/{}/{}", sandbox.public_url, site.id, kind.as_str());
    let mut request = sandbox
        .http
        .post(url)
        .header("content-type", "application/json")
        .body(webhook.body);
    for (name, value) in webhook.headers {
        request = request.header(name, value);
    }
    let status = request
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(502);
    Ok(Json(json!({ "webhook_status": status })))
}

/// Query of `GET /sandbox/api/{platform}/{handle}/messages`.
#[derive(Deserialize)]
pub(super) struct MessagesQuery {
    user: String,
    #[serde(default)]
    after: i64,
}

/// `GET /sandbox/api/{platform}/{handle}/messages?user=&after=`
pub(super) async fn messages(
    State(sandbox): State<Arc<Sandbox>>,
    Path((platform, handle)): Path<(String, String)>,
    AppQuery(query): AppQuery<MessagesQuery>,
) -> ApiResult<Json<Value>> {
    let (stand_in, _, _) = resolve(&sandbox, &platform, &handle)?;
    let entries = sandbox.transcript(&(stand_in.kind(), handle, query.user), query.after);
    Ok(Json(json!({ "messages": entries })))
}

/// The stand-in for `platform`, and the site and account whose public handle is `handle`.
pub(super) fn resolve<'a>(
    sandbox: &'a Sandbox,
    platform: &str,
    handle: &str,
) -> ApiResult<(&'static dyn StandIn, &'a SiteSettings, &'a dyn Account)> {
    let stand_in = ChannelKind::parse(platform)
        .and_then(stand_in_for)
        .ok_or_else(|| {
            ApiError::not_found("unknown_platform", format!("no platform {platform:?}"))
        })?;
    let kind = stand_in.kind();
    let (site, account) = sandbox.account_by_handle(kind, handle).ok_or_else(|| {
        ApiError::not_found(
            "unknown_handle",
            format!("no site has the {} account {handle:?}", kind.display_name()),
        )
    })?;
    Ok((stand_in, site, account))
}
