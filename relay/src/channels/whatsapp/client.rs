//! Sending a text through the Cloud API. Link buttons become lines of the text: WhatsApp's
//! interactive URL button takes one link only and free-form text is always allowed in the window.

use serde::Deserialize;
use serde_json::json;

use crate::channels::{OutboundMessage, SendError, meta, transport_error};
use crate::config::WhatsappSettings;

#[derive(Deserialize)]
struct Sent {
    #[serde(default)]
    messages: Vec<SentId>,
}

#[derive(Deserialize)]
struct SentId {
    id: String,
}

/// Sends a text message to a WhatsApp user (`to` = wa_id).
pub async fn send(
    http: &reqwest::Client,
    graph_base: &str,
    number: &WhatsappSettings,
    to: &str,
    message: &OutboundMessage,
) -> Result<Option<String>, SendError> {
    let mut text = message.text.clone();
    for button in &message.buttons {
        text.push_str(&format!("\n{}: {}", button.text, button.url));
    }
    let body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": { "preview_url": false, "body": text }
    });
    let url = format!(
        "{}/{}/messages",
        graph_base.trim_end_matches('/'),
        number.phone_number_id
    );
    let response = http
        .post(url)
        .bearer_auth(number.access_token.expose())
        .json(&body)
        .send()
        .await
        .map_err(|e| transport_error(&e))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| transport_error(&e))?;
    if status.is_success() {
        let sent = serde_json::from_str::<Sent>(&text).ok();
        Ok(sent
            .and_then(|s| s.messages.into_iter().next())
            .map(|m| m.id))
    } else {
        Err(meta::graph_failure(status, &text))
    }
}
