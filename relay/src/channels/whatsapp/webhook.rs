//! Parsing WhatsApp Cloud API webhook bodies (field `messages`).

use serde::Deserialize;

use crate::channels::{InboundEvent, InboundKind, Keyed, PayloadError, checks};
use crate::domain::Millis;

const PLATFORM: &str = "whatsapp";

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

/// A change's value; its messages are read only once it is known to be for this number.
#[derive(Deserialize)]
struct Value {
    metadata: Metadata,
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<serde_json::Value>,
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
    #[serde(deserialize_with = "checks::seconds_text")]
    timestamp: Millis,
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
/// fields and other numbers' messages yield nothing; a message with an absurd time or sender
/// makes the whole body malformed.
pub fn parse(body: &[u8], phone_number_id: &str) -> Result<Vec<Keyed>, PayloadError> {
    let malformed = |e: serde_json::Error| PayloadError::malformed(PLATFORM, e.to_string());
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
            let message: Message = serde_json::from_value(message).map_err(malformed)?;
            events.push(event(message, &value.contacts)?);
        }
    }
    Ok(events)
}

fn event(message: Message, contacts: &[Contact]) -> Result<Keyed, PayloadError> {
    let contact = contacts
        .iter()
        .find(|c| c.wa_id.is_some() && c.wa_id == message.from)
        .or(contacts.first());
    // The phone number is the address; people with usernames may only have a BSUID.
    let (what, user) = match (message.from, contact.and_then(|c| c.user_id.clone())) {
        (Some(from), _) => ("messages[].from", from),
        (None, Some(user_id)) => ("contacts[].user_id", user_id),
        (None, None) => {
            return Err(PayloadError::malformed(
                PLATFORM,
                "a message has neither from nor a contact's user_id",
            ));
        }
    };
    let kind = match (message.kind.as_str(), message.text, message.button) {
        ("text", Some(text), _) => InboundKind::Text { text: text.body },
        ("button", _, Some(button)) => InboundKind::Text { text: button.text },
        // The person opened the chat for the first time (no message yet).
        ("request_welcome", _, _) => InboundKind::Start { reference: None },
        _ => InboundKind::Other,
    };
    Ok(Keyed {
        dedupe_key: message.id,
        event: InboundEvent {
            user: checks::user(PLATFORM, what, user)?,
            name: contact
                .and_then(|c| c.profile.as_ref())
                .and_then(|p| p.name.clone()),
            at: message.timestamp,
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

    fn text_message(from: &str, timestamp: &str) -> serde_json::Value {
        json!({"from": from, "id": "wamid.xyzxyz", "timestamp": timestamp, "text": {"body": "Hi (ref K7M2Q9AB)"}, "type": "text"})
    }

    #[test]
    fn a_text_message_is_read_with_the_senders_name() {
        let message = text_message("972987654321", "1697043223");
        let events = parse(&body("1122334455667", &message), "1122334455667").unwrap();
        assert_eq!(events[0].dedupe_key, "wamid.xyzxyz");
        assert_eq!(events[0].event.user.as_str(), "972987654321");
        assert_eq!(events[0].event.name.as_deref(), Some("Test Name"));
        assert_eq!(events[0].event.at, 1_697_043_223_000);
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
        let absurd = text_message("", "-1");
        assert!(
            parse(&body("999", &absurd), "1122334455667")
                .unwrap()
                .is_empty(),
            "another number's messages are not even read"
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

    #[test]
    fn absurd_timestamps_and_senders_are_malformed() {
        for timestamp in ["-9223372036854775", "9223372036854775807", "soon"] {
            let message = text_message("972987654321", timestamp);
            assert!(parse(&body("5", &message), "5").is_err(), "{timestamp}");
        }
        for from in [String::new(), "９７２".into(), "9".repeat(129)] {
            let message = text_message(&from, "1697043223");
            assert!(parse(&body("5", &message), "5").is_err(), "{from:?}");
        }
    }
}
