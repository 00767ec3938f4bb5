//! Parsing Telegram updates (https://core.telegram.org/bots/api#update).

use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::channels::{InboundEvent, InboundKind, Keyed, PayloadError, checks};
use crate::domain::{Millis, PlatformUserId};

/// The header carrying the webhook's secret token.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Whether the header equals the configured secret (compared in constant time).
pub fn verify_secret(expected: &str, header: Option<&[u8]>) -> bool {
    header.is_some_and(|given| given.ct_eq(expected.as_bytes()).into())
}

#[derive(Deserialize)]
struct Update {
    update_id: i64,
    message: Option<Message>,
    my_chat_member: Option<ChatMemberUpdated>,
}

#[derive(Deserialize)]
struct Message {
    from: Option<User>,
    chat: Chat,
    #[serde(deserialize_with = "checks::seconds")]
    date: Millis,
    text: Option<String>,
}

#[derive(Deserialize)]
struct User {
    #[serde(default)]
    is_bot: bool,
    first_name: String,
    last_name: Option<String>,
}

#[derive(Deserialize)]
struct Chat {
    // A number, so a chat id that is not one is a malformed update.
    id: i64,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct ChatMemberUpdated {
    chat: Chat,
    from: User,
    #[serde(deserialize_with = "checks::seconds")]
    date: Millis,
    new_chat_member: ChatMember,
}

#[derive(Deserialize)]
struct ChatMember {
    status: String,
}

/// Parses one update into the events Ferry cares about: private-chat messages from people and
/// the user blocking the bot. Group chats, edits and other update types yield nothing; a date
/// outside 1970–3000 or a chat id that is not a number is malformed.
pub fn parse(body: &[u8]) -> Result<Vec<Keyed>, PayloadError> {
    let update: Update = serde_json::from_slice(body)
        .map_err(|e| PayloadError::malformed("telegram", e.to_string()))?;
    let dedupe_key = update.update_id.to_string();
    let event = if let Some(message) = update.message {
        from_message(message)
    } else if let Some(member) = update.my_chat_member {
        from_member_change(&member)
    } else {
        None
    };
    Ok(event
        .map(|event| Keyed { dedupe_key, event })
        .into_iter()
        .collect())
}

fn from_message(message: Message) -> Option<InboundEvent> {
    let from = message.from.filter(|user| !user.is_bot)?;
    // In a private chat the chat id is the user id; it is also where replies go.
    if message.chat.kind != "private" {
        return None;
    }
    let kind = match message.text.as_deref() {
        Some(text) => match start_payload(text) {
            Some(reference) => InboundKind::Start { reference },
            None => InboundKind::Text {
                text: text.to_owned(),
            },
        },
        None => InboundKind::Other,
    };
    Some(InboundEvent {
        user: PlatformUserId::parse(message.chat.id.to_string())?,
        name: Some(display_name(&from)),
        at: message.date,
        kind,
    })
}

fn from_member_change(change: &ChatMemberUpdated) -> Option<InboundEvent> {
    if change.chat.kind != "private" || change.from.is_bot {
        return None;
    }
    let kind = match change.new_chat_member.status.as_str() {
        "kicked" | "left" => InboundKind::Blocked,
        _ => InboundKind::Other,
    };
    Some(InboundEvent {
        user: PlatformUserId::parse(change.chat.id.to_string())?,
        name: Some(display_name(&change.from)),
        at: change.date,
        kind,
    })
}

fn display_name(user: &User) -> String {
    match &user.last_name {
        Some(last) => format!("{} {last}", user.first_name),
        None => user.first_name.clone(),
    }
}

/// `Some(ref)` for a `/start` command (`Some(None)` without a payload). Accepts the
/// `/start@bot_name` form Telegram uses when several bots share a chat.
fn start_payload(text: &str) -> Option<Option<String>> {
    let rest = text.strip_prefix("/start")?;
    let rest = match rest.strip_prefix('@') {
        Some(addressed) => addressed
            .split_once(char::is_whitespace)
            .map_or("", |(_, payload)| payload),
        None if rest.is_empty() || rest.starts_with(char::is_whitespace) => rest,
        None => return None, // "/starting", not a start command
    };
    Some(checks::link_ref(Some(rest.trim().to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn update(text: &str) -> Vec<u8> {
        json!({
            "update_id": 2342342343242_i64,
            "message": {
                "message_id": 1,
                "from": {"id": 23, "is_bot": false, "first_name": "Sojan", "last_name": "Jose", "language_code": "en"},
                "chat": {"id": 23, "first_name": "Sojan", "type": "private"},
                "date": 1631132077,
                "text": text,
                "entities": [{"offset": 0, "length": 6, "type": "bot_command"}]
            }
        })
        .to_string()
        .into_bytes()
    }

    fn kind_of(body: &[u8]) -> InboundKind {
        parse(body).unwrap().remove(0).event.kind
    }

    #[test]
    fn a_start_command_carries_its_payload_as_the_ref() {
        assert_eq!(
            kind_of(&update("/start dGVzdA")),
            InboundKind::Start {
                reference: Some("dGVzdA".into())
            }
        );
        assert_eq!(
            kind_of(&update("/start@northwind_demo_bot abc_-1")),
            InboundKind::Start {
                reference: Some("abc_-1".into())
            }
        );
    }

    #[test]
    fn a_start_without_payload_is_a_direct_start() {
        assert_eq!(
            kind_of(&update("/start")),
            InboundKind::Start { reference: None }
        );
        assert_eq!(
            kind_of(&update("/start not/valid")),
            InboundKind::Start { reference: None }
        );
    }

    #[test]
    fn other_text_is_a_message() {
        assert_eq!(
            kind_of(&update("/starting")),
            InboundKind::Text {
                text: "/starting".into()
            }
        );
        assert_eq!(
            kind_of(&update("hello")),
            InboundKind::Text {
                text: "hello".into()
            }
        );
    }

    #[test]
    fn update_ids_beyond_32_bits_are_kept_exactly() {
        let parsed = parse(&update("hi")).unwrap();
        assert_eq!(parsed[0].dedupe_key, "2342342343242");
        assert_eq!(parsed[0].event.user.as_str(), "23");
        assert_eq!(parsed[0].event.name.as_deref(), Some("Sojan Jose"));
        assert_eq!(parsed[0].event.at, 1_631_132_077_000);
    }

    #[test]
    fn malformed_json_is_refused() {
        assert!(parse(b"{not json").is_err());
        assert!(parse(br#"{"message":{}}"#).is_err());
    }

    #[test]
    fn dates_outside_1970_to_3000_and_non_numeric_chat_ids_are_malformed() {
        let with = |field: &str, value: serde_json::Value| {
            let mut body: serde_json::Value = serde_json::from_slice(&update("hi")).unwrap();
            match field {
                "date" => body["message"]["date"] = value,
                _ => body["message"]["chat"]["id"] = value,
            }
            body.to_string().into_bytes()
        };
        for date in [
            json!(-9_223_372_036_854_775_i64),
            json!(i64::MAX),
            json!(-1),
        ] {
            assert!(parse(&with("date", date.clone())).is_err(), "{date}");
        }
        assert!(parse(&with("date", json!(0))).is_ok());
        assert!(parse(&with("chat", json!("not-a-number"))).is_err());
    }

    #[test]
    fn the_secret_is_compared_exactly() {
        assert!(verify_secret("abc", Some(b"abc")));
        assert!(!verify_secret("abc", Some(b"abd")));
        assert!(!verify_secret("abc", Some(b"ab")));
        assert!(!verify_secret("abc", None));
    }
}
