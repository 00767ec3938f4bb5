//! Fake Telegram Bot API and Graph API: check credentials and shapes like the real ones,
//! answer in their wire format, and record what was sent for the phone page and for tests.

use std::sync::Arc;

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use super::{RecordedRequest, Sandbox, handle_of};
use crate::channels::LinkButton;
use crate::domain::{ChannelKind, now_millis};
use crate::http::extract::RawBody;

/// `POST /sandbox/platform/telegram/bot<token>/<method>`
pub(super) async fn telegram(
    State(sandbox): State<Arc<Sandbox>>,
    Path((token, method)): Path<(String, String)>,
    RawBody(body): RawBody,
) -> Response {
    let site = token.strip_prefix("bot").and_then(|token| {
        sandbox.settings.sites.iter().find(|s| {
            s.telegram
                .as_ref()
                .is_some_and(|t| t.bot_token.expose() == token)
        })
    });
    let Some(site) = site else {
        return telegram_error(StatusCode::UNAUTHORIZED, "Unauthorized");
    };
    if method != "sendMessage" {
        return telegram_error(StatusCode::NOT_FOUND, "Not Found");
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return telegram_error(StatusCode::BAD_REQUEST, "Bad Request: can't parse JSON");
    };
    sandbox.record_request(RecordedRequest {
        channel: ChannelKind::Telegram,
        path: "/bot<token>/sendMessage".into(),
        authorization: None,
        body: body.clone(),
    });
    let chat_id = match &body["chat_id"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let Some(chat_id) = chat_id else {
        return telegram_error(StatusCode::BAD_REQUEST, "Bad Request: chat not found");
    };
    let text = body["text"].as_str().unwrap_or_default();
    if text.is_empty() || text.chars().count() > 4096 {
        return telegram_error(
            StatusCode::BAD_REQUEST,
            "Bad Request: message text is empty or too long",
        );
    }
    let buttons = body["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(|b| {
            Some(LinkButton {
                text: b["text"].as_str()?.to_owned(),
                url: b["url"].as_str()?.to_owned(),
            })
        })
        .collect();
    let handle = handle_of(site, ChannelKind::Telegram).unwrap_or_default();
    sandbox.append(
        (ChannelKind::Telegram, handle.clone(), chat_id.to_string()),
        "bot",
        text.to_owned(),
        buttons,
    );
    let result = json!({
        "message_id": sandbox.next() % 1_000_000,
        "from": { "id": 123_456_789, "is_bot": true, "first_name": site.name, "username": handle },
        "chat": { "id": chat_id, "type": "private" },
        "date": now_millis() / 1000,
        "text": text
    });
    Json(json!({ "ok": true, "result": result })).into_response()
}

fn telegram_error(status: StatusCode, description: &str) -> Response {
    (
        status,
        Json(json!({ "ok": false, "error_code": status.as_u16(), "description": description })),
    )
        .into_response()
}

/// `POST /sandbox/platform/graph/<version>/<id>/messages` for Messenger pages and WhatsApp numbers.
pub(super) async fn graph(
    State(sandbox): State<Arc<Sandbox>>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bearer = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or_default();
    let account = sandbox.settings.sites.iter().find_map(|site| {
        if let Some(page) = site.messenger.as_ref().filter(|p| p.page_id == id) {
            return Some((
                site,
                ChannelKind::Messenger,
                page.page_access_token.expose() == bearer,
            ));
        }
        let number = site.whatsapp.as_ref().filter(|w| w.phone_number_id == id)?;
        Some((
            site,
            ChannelKind::Whatsapp,
            number.access_token.expose() == bearer,
        ))
    });
    let Some((site, channel, authorised)) = account else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            100,
            &format!("Unsupported post request. Object with ID '{id}' does not exist"),
        );
    };
    if !authorised {
        return graph_error(
            StatusCode::UNAUTHORIZED,
            190,
            "Invalid OAuth access token - Cannot parse access token",
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return graph_error(StatusCode::BAD_REQUEST, 100, "Invalid JSON");
    };
    let masked = authorization.map(|_| "Bearer <token>".to_owned());
    sandbox.record_request(RecordedRequest {
        channel,
        path: format!("/{id}/messages"),
        authorization: masked,
        body: body.clone(),
    });
    let handle = handle_of(site, channel).unwrap_or_default();
    match channel {
        ChannelKind::Whatsapp => {
            let (Some(to), Some(text)) = (body["to"].as_str(), body["text"]["body"].as_str())
            else {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    100,
                    "(#100) The parameter to and text.body are required",
                );
            };
            if body["messaging_product"] != "whatsapp" {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    100,
                    "(#100) The parameter messaging_product is required",
                );
            }
            sandbox.append(
                (channel, handle, to.to_owned()),
                "bot",
                text.to_owned(),
                Vec::new(),
            );
            let wamid = format!("wamid.SANDBOX{}", sandbox.next());
            Json(json!({ "messaging_product": "whatsapp", "contacts": [{ "input": to, "wa_id": to }], "messages": [{ "id": wamid }] })).into_response()
        }
        _ => {
            let Some(psid) = body["recipient"]["id"].as_str() else {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    100,
                    "(#100) The parameter recipient is required",
                );
            };
            let message = &body["message"];
            let payload = &message["attachment"]["payload"];
            let (text, buttons) = match message["text"].as_str() {
                Some(text) => (text.to_owned(), Vec::new()),
                None => {
                    let buttons = payload["buttons"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|b| {
                            Some(LinkButton {
                                text: b["title"].as_str()?.to_owned(),
                                url: b["url"].as_str()?.to_owned(),
                            })
                        })
                        .collect();
                    (
                        payload["text"].as_str().unwrap_or_default().to_owned(),
                        buttons,
                    )
                }
            };
            if text.is_empty() {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    100,
                    "(#100) Param message must be non-empty",
                );
            }
            sandbox.append((channel, handle, psid.to_owned()), "bot", text, buttons);
            Json(json!({ "recipient_id": psid, "message_id": format!("m_sandbox{}", sandbox.next()) })).into_response()
        }
    }
}

fn graph_error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = json!({ "error": { "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "SANDBOX" } });
    (status, Json(body)).into_response()
}
