//! The phone page's API: which account a handle is, "the person did X", and the chat so far.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, State},
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Sandbox, payloads};
use crate::channels::{meta, telegram};
use crate::config::SiteSettings;
use crate::domain::{ChannelKind, now_millis};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{AppJson, AppQuery};

/// `GET /sandbox/api/{platform}/{handle}`
pub(super) async fn info(
    State(sandbox): State<Arc<Sandbox>>,
    Path((platform, handle)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (channel, site) = resolve(&sandbox, &platform, &handle)?;
    let title = match channel {
        ChannelKind::Telegram => format!("{} Bot", site.name),
        _ => site.name.clone(),
    };
    Ok(Json(
        json!({ "platform": channel.as_str(), "handle": handle, "site": site.id, "title": title }),
    ))
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
    let (channel, site) = resolve(&sandbox, &platform, &handle)?;
    let user = send.user.id.trim().to_owned();
    if user.is_empty() || user.len() > 64 || !user.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_request(
            "invalid_user",
            "user.id must be digits",
        ));
    }
    let text = send
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let reference = send.reference.as_deref().filter(|r| !r.is_empty());
    let now = now_millis();
    let key = (channel, handle.clone(), user.clone());
    let (body, headers, shown) = match (channel, send.action.as_str()) {
        (ChannelKind::Telegram, "start" | "text") => {
            let bot = site.telegram.as_ref().ok_or_else(not_enabled)?;
            let text = match (send.action.as_str(), reference) {
                ("start", Some(reference)) => format!("/start {reference}"),
                ("start", None) => "/start".to_owned(),
                _ => text.ok_or_else(empty_text)?.to_owned(),
            };
            let user_id: i64 = user.parse().map_err(|_| {
                ApiError::bad_request("invalid_user", "a Telegram user id is a 64-bit number")
            })?;
            let update = payloads::telegram_update(
                sandbox.next(),
                sandbox.next(),
                user_id,
                &send.user.name,
                &text,
                now / 1000,
            );
            let shown = if send.action == "start" {
                "/start".to_owned()
            } else {
                text
            };
            (
                update,
                vec![(
                    telegram::SECRET_HEADER,
                    bot.webhook_secret.expose().to_owned(),
                )],
                Some(shown),
            )
        }
        (ChannelKind::Messenger, action @ ("get_started" | "referral" | "text")) => {
            let page = site.messenger.as_ref().ok_or_else(not_enabled)?;
            let mid = format!("m_sandbox{}", sandbox.next());
            let (event, shown) = match action {
                "get_started" => (
                    payloads::MessengerAction::GetStarted(reference),
                    Some("Get Started".to_owned()),
                ),
                "referral" => (
                    payloads::MessengerAction::Referral(reference.ok_or_else(|| {
                        ApiError::bad_request("missing_ref", "a referral needs a ref")
                    })?),
                    None,
                ),
                _ => {
                    let text = text.ok_or_else(empty_text)?;
                    (payloads::MessengerAction::Text(text), Some(text.to_owned()))
                }
            };
            let body = payloads::messenger_body(&page.page_id, &user, now, &mid, &event);
            (body, Vec::new(), shown)
        }
        (ChannelKind::Whatsapp, "text") => {
            let number = site.whatsapp.as_ref().ok_or_else(not_enabled)?;
            let text = text.ok_or_else(empty_text)?;
            let wamid = format!("wamid.SANDBOX{}", sandbox.next());
            let body = payloads::whatsapp_body(
                &number.phone_number_id,
                &number.phone_number,
                &user,
                &send.user.name,
                &wamid,
                now / 1000,
                text,
            );
            (body, Vec::new(), Some(text.to_owned()))
        }
        _ => {
            return Err(ApiError::bad_request(
                "invalid_action",
                format!("{} has no action {:?}", channel.as_str(), send.action),
            ));
        }
    };
    let raw = serde_json::to_vec(&body)
        .map_err(|e| ApiError::bad_request("invalid_payload", e.to_string()))?;
    let mut headers = headers;
    let signature;
    if let Some(secret) = meta_secret(site, channel) {
        signature = meta::sign(secret, &raw);
        headers.push((meta::SIGNATURE_HEADER, signature.clone()));
    }
    if let Some(shown) = shown {
        sandbox.append(key, "user", shown, Vec::new());
    }
    let url = format!(
        "{}/hooks/{}/{}",
        sandbox.public_url,
        site.id,
        channel.as_str()
    );
    let mut request = sandbox
        .http
        .post(url)
        .header("content-type", "application/json")
        .body(raw);
    for (name, value) in headers {
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
    let (channel, _) = resolve(&sandbox, &platform, &handle)?;
    let entries = sandbox.transcript(&(channel, handle, query.user), query.after);
    Ok(Json(json!({ "messages": entries })))
}

fn resolve<'a>(
    sandbox: &'a Sandbox,
    platform: &str,
    handle: &str,
) -> ApiResult<(ChannelKind, &'a SiteSettings)> {
    let channel = ChannelKind::parse(platform).ok_or_else(|| {
        ApiError::not_found("unknown_platform", format!("no platform {platform:?}"))
    })?;
    let site = sandbox.site_by_handle(channel, handle).ok_or_else(|| {
        ApiError::not_found(
            "unknown_handle",
            format!(
                "no site has the {} account {handle:?}",
                channel.display_name()
            ),
        )
    })?;
    Ok((channel, site))
}

fn meta_secret(site: &SiteSettings, channel: ChannelKind) -> Option<&str> {
    match channel {
        ChannelKind::Messenger => site.messenger.as_ref().map(|m| m.app_secret.expose()),
        ChannelKind::Whatsapp => site.whatsapp.as_ref().map(|w| w.app_secret.expose()),
        ChannelKind::Telegram => None,
    }
}

fn not_enabled() -> ApiError {
    ApiError::not_found(
        "channel_not_enabled",
        "this site does not offer that platform",
    )
}

fn empty_text() -> ApiError {
    ApiError::bad_request("empty_text", "text must not be empty")
}
