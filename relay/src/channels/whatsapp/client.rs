//! Sending a text through the Cloud API. Link buttons become lines of the text: WhatsApp's
//! interactive URL button takes one link only and free-form text is always allowed in the window.

use serde::Deserialize;
use serde_json::json;

use super::WhatsappSettings;
use crate::channels::{OutboundMessage, SendError, meta, send::fit_text};

/// The longest text body the Cloud API takes.
const MAX_BODY: usize = 4096;

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
pub(super) async fn send(
    http: &reqwest::Client,
    graph_base: &str,
    number: &WhatsappSettings,
    to: &str,
    message: &OutboundMessage,
) -> Result<Option<String>, SendError> {
    let links: String = message
        .buttons
        .iter()
        .map(|button| format!("\n{}: {}", button.text, button.url))
        .collect();
    // The links must survive whole, so the text gives way to them.
    let room = MAX_BODY.saturating_sub(links.encode_utf16().count());
    let text = format!("{}{links}", fit_text(&message.text, room));
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
    let reply = meta::post(http, url, &number.access_token, &body).await?;
    let sent = serde_json::from_str::<Sent>(&reply).ok();
    Ok(sent
        .and_then(|s| s.messages.into_iter().next())
        .map(|m| m.id))
}
