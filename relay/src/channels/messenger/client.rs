//! Sending through the Messenger Send API (`POST /<PAGE_ID>/messages`).
//!
//! Messages are sent with `messaging_type: RESPONSE` inside the 24-hour window the person's own
//! action opened, and as `MESSAGE_TAG` with the message's tag (an operator's `HUMAN_AGENT`
//! reply within 7 days) when the reply policy gave it one.

use serde::Deserialize;
use serde_json::json;

use super::MessengerSettings;
use crate::channels::{OutboundMessage, SendError, meta, send::fit_text};

/// The longest text of a button template (a plain text may have 2000 characters).
const MAX_TEMPLATE_TEXT: usize = 640;
/// A button template holds at most three buttons.
const MAX_BUTTONS: usize = 3;

#[derive(Deserialize)]
struct Sent {
    message_id: Option<String>,
}

/// Sends a text, or a button template when the message has buttons.
pub(super) async fn send(
    http: &reqwest::Client,
    graph_base: &str,
    page: &MessengerSettings,
    psid: &str,
    message: &OutboundMessage,
) -> Result<Option<String>, SendError> {
    let content = if message.buttons.is_empty() {
        json!({ "text": message.text })
    } else {
        let buttons: Vec<_> = message
            .buttons
            .iter()
            .take(MAX_BUTTONS)
            .map(|b| json!({ "type": "web_url", "url": b.url, "title": b.text }))
            .collect();
        let text = fit_text(&message.text, MAX_TEMPLATE_TEXT);
        json!({ "attachment": { "type": "template", "payload": {
            "template_type": "button", "text": text, "buttons": buttons } } })
    };
    let body = match &message.tag {
        Some(tag) => json!({ "recipient": { "id": psid }, "messaging_type": "MESSAGE_TAG",
            "tag": tag, "message": content }),
        None => {
            json!({ "recipient": { "id": psid }, "messaging_type": "RESPONSE", "message": content })
        }
    };
    let url = format!(
        "{}/{}/messages",
        graph_base.trim_end_matches('/'),
        page.page_id
    );
    let reply = meta::post(http, url, &page.page_access_token, &body).await?;
    Ok(serde_json::from_str::<Sent>(&reply)
        .ok()
        .and_then(|s| s.message_id))
}
