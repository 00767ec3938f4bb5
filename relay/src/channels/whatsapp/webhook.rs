//! Parsing WhatsApp Cloud API webhook bodies (field `messages`).

use serde::Deserialize;

use crate::channels::{InboundEvent, InboundKind, Keyed, PayloadError};
use crate::domain::PlatformUserId;

#[derive(Deserialize)]
struct Body {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    field: String,
    value: serde_json::Value,
}

#[derive(Deserialize)]
struct Value {
    metadata: Metadata,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<Message>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: String,
}

#[derive(Deserialize)]
struct Contact {
    wa_id: Option<String>,
    /// Business-scoped user id, sent since 2026; the only id for people with usernames.
    user_id: Option<String>,
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    from: Option<String>,
    id: String,
    timestamp: String,
    #[serde(rename = "type")]
    kind: String,
    text: Option<Text>,
    button: Option<Button>,
}

#[derive(Deserialize)]
struct Text {
    body: String,
}

#[derive(Deserialize)]
struct Button {
    text: String,
}

/// Parses a webhook body into the messages sent to `phone_number_id`. Status updates, other
/// fields and other numbers' messages yield nothing.
pub fn parse(body: &[u8], phone_number_id: &str) -> Result<Vec<Keyed>, PayloadError> {
    let malformed = |e: serde_json::Error| PayloadError::Malformed {
        platform: "whatsapp",
        detail: e.to_string(),
    };
    let body: Body = serde_json::from_slice(body).map_err(malformed)?;
    if body.object != "whatsapp_business_account" {
        return Err(PayloadError::WrongObject {
            expected: "whatsapp_business_account",
            got: body.object,
        });
    }
    let mut events = Vec::new();
    for change in body.entry.into_iter().flat_map(|entry| entry.changes) {
        if change.field != "messages" {
            continue;
        }
        let value: Value = serde_json::from_value(change.value).map_err(malformed)?;
        if value.metadata.phone_number_id != phone_number_id {
            tracing::warn!(phone_number_id = %value.metadata.phone_number_id, "whatsapp webhook for another number ignored");
            continue;
        }
        for message in value.messages {
            if let Some(event) = event(message, &value.contacts) {
                events.push(event);
            }
        }
    }
    Ok(events)
}

fn event(message: Message, contacts: &[Contact]) -> Option<Keyed> {
    let contact = contacts
        .iter()
        .find(|c| c.wa_id.is_some() && c.wa_id == message.from)
        .or(contacts.first());
    // The phone number is the address; people with usernames may only have a BSUID.
    let user = message
        .from
        .clone()
        .or_else(|| contact.and_then(|c| c.user_id.clone()))?;
    let kind = match (message.kind.as_str(), message.text, message.button) {
        ("text", Some(text), _) => InboundKind::Text { text: text.body },
        ("button", _, Some(button)) => InboundKind::Text { text: button.text },
        // The person opened the chat for the first time (no message yet).
        ("request_welcome", _, _) => InboundKind::Start { reference: None },
        _ => InboundKind::Other,
    };
    let seconds: i64 = message.timestamp.parse().ok()?;
    Some(Keyed {
        dedupe_key: message.id,
        event: InboundEvent {
            user: PlatformUserId::parse(user)?,
            name: contact
                .and_then(|c| c.profile.as_ref())
                .and_then(|p| p.name.clone()),
            at: seconds * 1000,
            kind,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(phone_number_id: &str, message: &serde_json::Value) -> Vec<u8> {
        json!({"object": "whatsapp_business_account", "entry": [{"id": "1234567890987654321", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "972123456789", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": "Test Name"}, "wa_id": "972987654321", "user_id": "US.13491208655302741918"}],
            "messages": [message]
        }}]}]})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn a_text_message_is_read_with_the_senders_name() {
        let message = json!({"from": "972987654321", "id": "wamid.xyzxyz", "timestamp": "1697043223", "text": {"body": "Hi (ref K7M2Q9AB)"}, "type": "text"});
        let events = parse(&body("1122334455667", &message), "1122334455667").unwrap();
        assert_eq!(events[0].dedupe_key, "wamid.xyzxyz");
        assert_eq!(events[0].event.user.as_str(), "972987654321");
        assert_eq!(events[0].event.name.as_deref(), Some("Test Name"));
        assert_eq!(
            events[0].event.kind,
            InboundKind::Text {
                text: "Hi (ref K7M2Q9AB)".into()
            }
        );
    }

    #[test]
    fn messages_to_another_number_are_ignored() {
        let message = json!({"from": "972987654321", "id": "wamid.1", "timestamp": "1697043223", "text": {"body": "x"}, "type": "text"});
        assert!(
            parse(&body("999", &message), "1122334455667")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn status_updates_yield_no_events() {
        let status = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"display_phone_number": "1", "phone_number_id": "5"},
            "statuses": [{"id": "wamid.x", "status": "sent", "timestamp": "1698266945", "recipient_id": "972987654321"}]}}]}]});
        assert!(
            parse(status.to_string().as_bytes(), "5")
                .unwrap()
                .is_empty()
        );
    }
}
