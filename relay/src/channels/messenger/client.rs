//! Sending through the Messenger Send API (`POST /<PAGE_ID>/messages`).
//!
//! Messages are sent with `messaging_type: RESPONSE`: Ferry only writes inside the 24-hour
//! window the person's own action opened.

use serde::Deserialize;
use serde_json::json;

use crate::channels::{OutboundMessage, SendError, meta, transport_error};
use crate::config::MessengerSettings;

#[derive(Deserialize)]
struct Sent {
    message_id: Option<String>,
}

/// Sends a text, or a button template when the message has buttons.
pub async fn send(
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
            .take(3)
            .map(|b| json!({ "type": "web_url", "url": b.url, "title": b.text }))
            .collect();
        json!({ "attachment": { "type": "template", "payload": {
            "template_type": "button", "text": message.text, "buttons": buttons } } })
    };
    let body =
        json!({ "recipient": { "id": psid }, "messaging_type": "RESPONSE", "message": content });
    let url = format!(
        "{}/{}/messages",
        graph_base.trim_end_matches('/'),
        page.page_id
    );
    let response = http
        .post(url)
        .bearer_auth(page.page_access_token.expose())
        .json(&body)
        .send()
        .await
        .map_err(|e| transport_error(&e))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| transport_error(&e))?;
    if status.is_success() {
        Ok(serde_json::from_str::<Sent>(&text)
            .ok()
            .and_then(|s| s.message_id))
    } else {
        Err(meta::graph_failure(status, &text))
    }
}
