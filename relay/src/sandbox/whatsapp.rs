//! WhatsApp's stand-in: Cloud API `messages` webhooks (signed with the app secret) for the text a
//! person sends, and a fake `POST /<PHONE_NUMBER_ID>/messages`.

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
use crate::channels::Account;
use crate::channels::whatsapp::WhatsappSettings;
use crate::domain::ChannelKind;
use crate::error::ApiError;

/// Plays WhatsApp.
pub(super) struct WhatsappStandIn;

impl StandIn for WhatsappStandIn {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Whatsapp
    }

    fn webhook(
        &self,
        account: &dyn Account,
        person: &PersonAction<'_>,
        next_id: &dyn Fn() -> i64,
    ) -> Result<SimulatedWebhook, ApiError> {
        let number =
            settings::<WhatsappSettings>(account).ok_or_else(|| wrong_account(self.kind()))?;
        if person.action != "text" {
            return Err(invalid_action(self.kind(), person.action));
        }
        let text = person.text.ok_or_else(empty_text)?;
        let wamid = format!("wamid.SANDBOX{}", next_id());
        let body = body(number, person, &wamid, text).to_string().into_bytes();
        Ok(SimulatedWebhook {
            headers: vec![meta::signature(&number.app_secret, &body)],
            body,
            shown: Some(text.to_owned()),
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
        let number = settings::<WhatsappSettings>(account)?;
        let id = meta::messages_of(call).filter(|id| *id == number.phone_number_id)?;
        let (recorded, body) = match meta::read(self.kind(), id, &number.access_token, call) {
            Ok(read) => read,
            Err(refused) => return Some(*refused),
        };
        let refuse = |message: &str| Answer {
            recorded: Some(recorded.clone()),
            delivered: None,
            response: meta::error(StatusCode::BAD_REQUEST, 100, message),
        };
        let (Some(to), Some(text)) = (body["to"].as_str(), body["text"]["body"].as_str()) else {
            return Some(refuse("(#100) The parameter to and text.body are required"));
        };
        if body["messaging_product"] != "whatsapp" {
            return Some(refuse("(#100) The parameter messaging_product is required"));
        }
        if text.chars().count() > 4096 {
            return Some(refuse(
                "(#100) Param text['body'] must be at most 4096 characters long",
            ));
        }
        let wamid = format!("wamid.SANDBOX{}", next_id());
        let reply = json!({ "messaging_product": "whatsapp", "contacts": [{ "input": to, "wa_id": to }], "messages": [{ "id": wamid }] });
        Some(Answer {
            recorded: Some(recorded),
            delivered: Some(Delivered {
                to: to.to_owned(),
                text: text.to_owned(),
                buttons: Vec::new(),
            }),
            response: Json(reply).into_response(),
        })
    }

    fn no_such_account(&self, call: &ApiCall<'_>) -> Response {
        meta::no_such_object(call)
    }

    fn failure(&self, failure: Failure) -> Response {
        // WhatsApp's rate limit is code 130429; an undeliverable message (a blocked or gone
        // number) is 131026.
        meta::failure(failure, 130_429, 131_026)
    }
}

/// A Cloud API webhook body with one text message.
fn body(number: &WhatsappSettings, person: &PersonAction<'_>, wamid: &str, text: &str) -> Value {
    let wa_id = person.user_id;
    json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "102290129340398", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": number.phone_number, "phone_number_id": number.phone_number_id },
            "contacts": [{ "profile": { "name": person.user_name }, "wa_id": wa_id }],
            "messages": [{ "from": wa_id, "id": wamid, "timestamp": (person.now / 1000).to_string(), "type": "text", "text": { "body": text } }]
        } }] }]
    })
}
