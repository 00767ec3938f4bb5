//! Sending through the Bot API's `sendMessage` (https://core.telegram.org/bots/api#sendmessage).

use serde::Deserialize;
use serde_json::json;

use super::TelegramSettings;
use crate::channels::{OutboundMessage, SendError, send::transport_error};

#[derive(Deserialize)]
struct Reply {
    ok: bool,
    result: Option<SentMessage>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

#[derive(Deserialize)]
struct SentMessage {
    message_id: i64,
}

#[derive(Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
}

/// Sends a text with optional URL buttons to a chat.
pub(super) async fn send(
    http: &reqwest::Client,
    api_base: &str,
    bot: &TelegramSettings,
    chat_id: &str,
    message: &OutboundMessage,
) -> Result<Option<String>, SendError> {
    let chat_id: i64 = chat_id.parse().map_err(|_| SendError::Permanent {
        reason: format!("telegram chat id {chat_id:?} is not a number"),
    })?;
    let mut body = json!({ "chat_id": chat_id, "text": message.text });
    if !message.buttons.is_empty() {
        let rows: Vec<_> = message
            .buttons
            .iter()
            .map(|b| json!([{ "text": b.text, "url": b.url }]))
            .collect();
        body["reply_markup"] = json!({ "inline_keyboard": rows });
    }
    let url = format!(
        "{}/bot{}/sendMessage",
        api_base.trim_end_matches('/'),
        bot.bot_token.expose()
    );
    let response = http
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| transport_error(&e.without_url()))?;
    let status = response.status();
    let reply: Option<Reply> = response.json().await.ok();
    match reply {
        Some(Reply {
            ok: true,
            result: Some(sent),
            ..
        }) => Ok(Some(sent.message_id.to_string())),
        reply => Err(failure(status, reply)),
    }
}

fn failure(status: reqwest::StatusCode, reply: Option<Reply>) -> SendError {
    let description = reply
        .as_ref()
        .and_then(|r| r.description.clone())
        .unwrap_or_default();
    let reason = format!("telegram {status}: {description}");
    match status.as_u16() {
        // "Forbidden: bot was blocked by the user" and friends: never retried.
        403 => SendError::Blocked { reason },
        429 => SendError::Retry {
            after: reply.and_then(|r| r.parameters).and_then(|p| p.retry_after),
            reason,
        },
        500..=599 => SendError::Retry {
            after: None,
            reason,
        },
        _ => SendError::Permanent { reason },
    }
}
