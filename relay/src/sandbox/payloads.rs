//! Webhook bodies in each platform's real wire format, as the platform would send them.

use serde_json::{Value, json};

/// A Telegram update with a private-chat text message.
pub fn telegram_update(
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

/// What a person did in the simulated Messenger thread.
pub enum MessengerAction<'a> {
    /// Tapped Get Started (with the m.me link's ref, if any).
    GetStarted(Option<&'a str>),
    /// Opened an existing thread through an m.me link.
    Referral(&'a str),
    /// Sent a text.
    Text(&'a str),
}

/// A Messenger page webhook body with one event.
pub fn messenger_body(
    page_id: &str,
    psid: &str,
    timestamp_ms: i64,
    mid: &str,
    action: &MessengerAction<'_>,
) -> Value {
    let referral =
        |reference: &str| json!({ "ref": reference, "source": "SHORTLINK", "type": "OPEN_THREAD" });
    let mut item = json!({ "sender": { "id": psid }, "recipient": { "id": page_id }, "timestamp": timestamp_ms });
    match action {
        MessengerAction::GetStarted(reference) => {
            let mut postback =
                json!({ "mid": mid, "title": "Get Started", "payload": "GET_STARTED" });
            if let Some(reference) = reference {
                postback["referral"] = referral(reference);
            }
            item["postback"] = postback;
        }
        MessengerAction::Referral(reference) => item["referral"] = referral(reference),
        MessengerAction::Text(text) => item["message"] = json!({ "mid": mid, "text": text }),
    }
    json!({ "object": "page", "entry": [{ "id": page_id, "time": timestamp_ms, "messaging": [item] }] })
}

/// A WhatsApp Cloud API webhook body with one text message.
pub fn whatsapp_body(
    phone_number_id: &str,
    display_number: &str,
    wa_id: &str,
    name: &str,
    wamid: &str,
    timestamp_s: i64,
    text: &str,
) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "102290129340398", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": display_number, "phone_number_id": phone_number_id },
            "contacts": [{ "profile": { "name": name }, "wa_id": wa_id }],
            "messages": [{ "from": wa_id, "id": wamid, "timestamp": timestamp_s.to_string(), "type": "text", "text": { "body": text } }]
        } }] }]
    })
}
