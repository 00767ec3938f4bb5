//! Messenger's stand-in: page webhooks (signed with the app secret) for Get Started, a referral
//! through an m.me link and texts, and a fake Send API.

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
use super::{Failure, meta};
use crate::channels::messenger::MessengerSettings;
use crate::channels::{Account, LinkButton};
use crate::domain::ChannelKind;
use crate::error::ApiError;

/// Plays Messenger.
pub(super) struct MessengerStandIn;

impl StandIn for MessengerStandIn {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Messenger
    }

    fn webhook(
        &self,
        account: &dyn Account,
        person: &PersonAction<'_>,
        next_id: &dyn Fn() -> i64,
    ) -> Result<SimulatedWebhook, ApiError> {
        let page =
            settings::<MessengerSettings>(account).ok_or_else(|| wrong_account(self.kind()))?;
        let mid = format!("m_sandbox{}", next_id());
        let referral = |reference: &str| json!({ "ref": reference, "source": "SHORTLINK", "type": "OPEN_THREAD" });
        let mut item = json!({ "sender": { "id": person.user_id }, "recipient": { "id": page.page_id }, "timestamp": person.now });
        let shown = match person.action {
            "get_started" => {
                let mut postback =
                    json!({ "mid": mid, "title": "Get Started", "payload": "GET_STARTED" });
                if let Some(reference) = person.reference {
                    postback["referral"] = referral(reference);
                }
                item["postback"] = postback;
                Some("Get Started".to_owned())
            }
            "referral" => {
                let reference = person.reference.ok_or_else(|| {
                    ApiError::bad_request("missing_ref", "a referral needs a ref")
                })?;
                item["referral"] = referral(reference);
                None
            }
            "text" => {
                let text = person.text.ok_or_else(empty_text)?;
                item["message"] = json!({ "mid": mid, "text": text });
                Some(text.to_owned())
            }
            action => return Err(invalid_action(self.kind(), action)),
        };
        let body = json!({ "object": "page", "entry": [{ "id": page.page_id, "time": person.now, "messaging": [item] }] })
            .to_string()
            .into_bytes();
        Ok(SimulatedWebhook {
            headers: vec![meta::signature(&page.app_secret, &body)],
            body,
            shown,
        })
    }

    fn api(&self) -> &'static str {
        meta::GRAPH
    }

    fn answer(
        &self,
        account: &dyn Account,
        call: &ApiCall<'_>,
        next_id: &dyn Fn() -> i64,
    ) -> Option<Answer> {
        let page = settings::<MessengerSettings>(account)?;
        let id = meta::messages_of(call).filter(|id| *id == page.page_id)?;
        let (recorded, body) = match meta::read(self.kind(), id, &page.page_access_token, call) {
            Ok(read) => read,
            Err(refused) => return Some(*refused),
        };
        let refuse = |message: &str| Answer {
            recorded: Some(recorded.clone()),
            delivered: None,
            response: meta::error(StatusCode::BAD_REQUEST, 100, message),
        };
        let Some(psid) = body["recipient"]["id"].as_str() else {
            return Some(refuse("(#100) The parameter recipient is required"));
        };
        let (text, buttons) = match content(&body["message"]) {
            Ok(content) => content,
            Err(message) => return Some(refuse(message)),
        };
        Some(Answer {
            recorded: Some(recorded),
            delivered: Some(Delivered {
                to: psid.to_owned(),
                text,
                buttons,
            }),
            response: Json(
                json!({ "recipient_id": psid, "message_id": format!("m_sandbox{}", next_id()) }),
            )
            .into_response(),
        })
    }

    fn no_such_account(&self, call: &ApiCall<'_>) -> Response {
        meta::no_such_object(call)
    }

    fn failure(&self, failure: Failure) -> Response {
        // Messenger's rate limit is code 613; a person who cannot be messaged is 551.
        meta::failure(failure, 613, 551)
    }
}

/// A text (at most 2000 characters) or a button template (at most 640, three buttons).
fn content(message: &Value) -> Result<(String, Vec<LinkButton>), &'static str> {
    if let Some(text) = message["text"].as_str() {
        return match text.chars().count() {
            0 => Err("(#100) Param message must be non-empty"),
            1..=2000 => Ok((text.to_owned(), Vec::new())),
            _ => Err("(#100) Length of param message[text] must be less than or equal to 2000"),
        };
    }
    let payload = &message["attachment"]["payload"];
    let text = payload["text"].as_str().unwrap_or_default();
    let buttons: Vec<LinkButton> = payload["buttons"]
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
    match (text.chars().count(), buttons.len()) {
        (0, _) => Err("(#100) Param message must be non-empty"),
        (641.., _) => Err(
            "(#100) Param message[attachment][payload][text] must be at most 640 characters long",
        ),
        (_, 4..) => {
            Err("(#100) Param message[attachment][payload][buttons] must have at most 3 elements")
        }
        _ => Ok((text.to_owned(), buttons)),
    }
}
