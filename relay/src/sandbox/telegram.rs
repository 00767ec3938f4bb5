//! Telegram's stand-in: updates as the Bot API posts them (with the secret token header), and a
//! fake `sendMessage`.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use super::stand_in::{
    Answer, ApiCall, Delivered, PersonAction, SimulatedWebhook, StandIn, empty_text,
    invalid_action, settings, wrong_account,
};
use super::{Failure, RecordedRequest};
use crate::channels::telegram::{SECRET_HEADER, TelegramSettings};
use crate::channels::{Account, LinkButton};
use crate::domain::{ChannelKind, now_millis};
use crate::error::ApiError;

/// Plays Telegram.
pub(super) struct TelegramStandIn;

impl StandIn for TelegramStandIn {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Telegram
    }

    fn title(&self, site_name: &str) -> String {
        format!("{site_name} Bot")
    }

    fn webhook(
        &self,
        account: &dyn Account,
        person: &PersonAction<'_>,
        next_id: &dyn Fn() -> i64,
    ) -> Result<SimulatedWebhook, ApiError> {
        let bot =
            settings::<TelegramSettings>(account).ok_or_else(|| wrong_account(self.kind()))?;
        // START sends `/start <ref>`; the chat shows only the command, as Telegram does.
        let (text, shown) = match (person.action, person.reference) {
            ("start", Some(reference)) => (format!("/start {reference}"), "/start".to_owned()),
            ("start", None) => ("/start".to_owned(), "/start".to_owned()),
            ("text", _) => {
                let text = person.text.ok_or_else(empty_text)?.to_owned();
                (text.clone(), text)
            }
            (action, _) => return Err(invalid_action(self.kind(), action)),
        };
        let user_id: i64 = person.user_id.parse().map_err(|_| {
            ApiError::bad_request("invalid_user", "a Telegram user id is a 64-bit number")
        })?;
        let update = update(
            next_id(),
            next_id(),
            user_id,
            person.user_name,
            &text,
            person.now / 1000,
        );
        Ok(SimulatedWebhook {
            body: update.to_string().into_bytes(),
            headers: vec![(SECRET_HEADER, bot.webhook_secret.expose().to_owned())],
            shown: Some(shown),
        })
    }

    fn api(&self) -> &'static str {
        "telegram"
    }

    fn answer(
        &self,
        account: &dyn Account,
        call: &ApiCall<'_>,
        next_id: &dyn Fn() -> i64,
    ) -> Option<Answer> {
        let bot = settings::<TelegramSettings>(account)?;
        // `bot<token>/<method>`
        let (token, method) = call.path.split_once('/')?;
        if token.strip_prefix("bot") != Some(bot.bot_token.expose()) {
            return None;
        }
        if method != "sendMessage" {
            return Some(Answer::refused(error(StatusCode::NOT_FOUND, "Not Found")));
        }
        Some(send_message(bot, call.body, next_id()))
    }

    fn no_such_account(&self, _call: &ApiCall<'_>) -> Response {
        error(StatusCode::UNAUTHORIZED, "Unauthorized")
    }

    fn failure(&self, failure: Failure) -> Response {
        match failure {
            Failure::RateLimited { retry_after } => {
                let body = json!({ "ok": false, "error_code": 429,
                    "description": format!("Too Many Requests: retry after {retry_after}"),
                    "parameters": { "retry_after": retry_after } });
                (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response()
            }
            Failure::ServerError => error(StatusCode::BAD_GATEWAY, "Bad Gateway"),
            Failure::Blocked => error(
                StatusCode::FORBIDDEN,
                "Forbidden: bot was blocked by the user",
            ),
            Failure::Code { code } => {
                let status = u16::try_from(code)
                    .ok()
                    .and_then(|c| StatusCode::from_u16(c).ok())
                    .filter(|s| s.is_client_error() || s.is_server_error())
                    .unwrap_or(StatusCode::BAD_REQUEST);
                error(status, &format!("Bad Request: error {code}"))
            }
            Failure::Timeout => error(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout"),
        }
    }
}

/// A Telegram update with a private-chat text message.
fn update(
    update_id: i64,
    message_id: i64,
    user_id: i64,
    first_name: &str,
    text: &str,
    date: i64,
) -> Value {
    let mut message = json!({
        "message_id": message_id,
        "from": { "id": user_id, "is_bot": false, "first_name": first_name, "language_code": "en" },
        "chat": { "id": user_id, "first_name": first_name, "type": "private" },
        "date": date,
        "text": text
    });
    if text.starts_with('/') {
        let command_length = text.split_whitespace().next().map_or(0, str::len);
        message["entities"] =
            json!([{ "offset": 0, "length": command_length, "type": "bot_command" }]);
    }
    json!({ "update_id": update_id, "message": message })
}

/// `sendMessage`, checked as the Bot API checks it.
fn send_message(bot: &TelegramSettings, body: &[u8], message_id: i64) -> Answer {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return Answer::refused(error(
            StatusCode::BAD_REQUEST,
            "Bad Request: can't parse JSON",
        ));
    };
    let recorded = Some(RecordedRequest {
        channel: ChannelKind::Telegram,
        path: "/bot<token>/sendMessage".into(),
        authorization: None,
        body: body.clone(),
        failure: None,
    });
    let refuse = |description: &str| Answer {
        recorded: recorded.clone(),
        delivered: None,
        response: error(StatusCode::BAD_REQUEST, description),
    };
    let chat_id = match &body["chat_id"] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let Some(chat_id) = chat_id else {
        return refuse("Bad Request: chat not found");
    };
    let text = body["text"].as_str().unwrap_or_default();
    if text.is_empty() || text.chars().count() > 4096 {
        return refuse("Bad Request: message text is empty or too long");
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
    let result = json!({
        "message_id": message_id % 1_000_000,
        "from": { "id": 123_456_789, "is_bot": true, "first_name": bot.bot_username, "username": bot.bot_username },
        "chat": { "id": chat_id, "type": "private" },
        "date": now_millis() / 1000,
        "text": text
    });
    Answer {
        recorded,
        delivered: Some(Delivered {
            to: chat_id.to_string(),
            text: text.to_owned(),
            buttons,
        }),
        response: Json(json!({ "ok": true, "result": result })).into_response(),
    }
}

fn error(status: StatusCode, description: &str) -> Response {
    (
        status,
        Json(json!({ "ok": false, "error_code": status.as_u16(), "description": description })),
    )
        .into_response()
}
