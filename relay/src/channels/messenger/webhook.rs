//! Parsing Messenger webhook bodies
//! (https://developers.facebook.com/docs/messenger-platform/webhooks).

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
    messaging: Vec<Messaging>,
}

#[derive(Deserialize)]
struct Messaging {
    sender: Sender,
    // Delivery and read receipts carry a watermark instead of a timestamp; some senders write
    // milliseconds as a float (`1492414608982.0`), so it is read as a number of any kind.
    timestamp: Option<f64>,
    message: Option<Message>,
    postback: Option<Postback>,
    referral: Option<Referral>,
    /// Send-to-Messenger and checkbox opt-ins carry the plugin's `ref` here.
    optin: Option<Referral>,
}

#[derive(Deserialize)]
struct Sender {
    // Plugins sent `user_ref` instead of an id; those people cannot be messaged by PSID.
    id: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    mid: Option<String>,
    text: Option<String>,
    #[serde(default)]
    is_echo: bool,
}

#[derive(Deserialize)]
struct Postback {
    mid: Option<String>,
    title: Option<String>,
    referral: Option<Referral>,
}

#[derive(Deserialize)]
struct Referral {
    #[serde(rename = "ref")]
    reference: Option<String>,
}

/// Parses a page webhook body into events: messages, Get Started and other postbacks, and
/// referrals. Echoes of the page's own messages, deliveries and reads yield nothing.
pub fn parse(body: &[u8]) -> Result<Vec<Keyed>, PayloadError> {
    let body: Body = serde_json::from_slice(body).map_err(|e| PayloadError::Malformed {
        platform: "messenger",
        detail: e.to_string(),
    })?;
    if body.object != "page" {
        return Err(PayloadError::WrongObject {
            expected: "page",
            got: body.object,
        });
    }
    Ok(body
        .entry
        .into_iter()
        .flat_map(|entry| entry.messaging)
        .filter_map(event)
        .collect())
}

fn event(item: Messaging) -> Option<Keyed> {
    let user = PlatformUserId::parse(item.sender.id?)?;
    #[allow(clippy::cast_possible_truncation)] // milliseconds since 1970 fit an i64 exactly
    let timestamp = item
        .timestamp
        .map_or_else(crate::domain::now_millis, |t| t as i64);
    let (kind, dedupe_key) = if let Some(postback) = item.postback {
        let key = postback
            .mid
            .unwrap_or_else(|| format!("postback:{}:{timestamp}", user.as_str()));
        let kind = match postback.referral {
            Some(referral) => InboundKind::Start {
                reference: referral.reference,
            },
            // A Get Started tap without a link is still how a new conversation begins.
            None => match postback.title {
                Some(title) => InboundKind::Text { text: title },
                None => InboundKind::Other,
            },
        };
        (kind, key)
    } else if let Some(referral) = item.referral {
        let key = format!("referral:{}:{timestamp}", user.as_str());
        (
            InboundKind::Start {
                reference: referral.reference,
            },
            key,
        )
    } else if let Some(optin) = item.optin {
        let key = format!("optin:{}:{timestamp}", user.as_str());
        let reference = optin.reference;
        (InboundKind::Start { reference }, key)
    } else if let Some(message) = item.message {
        if message.is_echo {
            return None;
        }
        let key = message
            .mid
            .unwrap_or_else(|| format!("message:{}:{timestamp}", user.as_str()));
        let kind = message
            .text
            .map_or(InboundKind::Other, |text| InboundKind::Text { text });
        (kind, key)
    } else {
        return None;
    };
    Some(Keyed {
        dedupe_key,
        event: InboundEvent {
            user,
            name: None,
            at: timestamp,
            kind,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn wrap(item: &Value) -> Vec<u8> {
        json!({"object": "page", "entry": [{"id": "707356222221168", "time": 1522222894827_i64, "messaging": [item]}]})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn get_started_after_a_link_carries_the_ref() {
        let body = wrap(&json!({
            "recipient": {"id": "707356222221168"}, "timestamp": 1522222894827_i64, "sender": {"id": "1476077422222289"},
            "postback": {"payload": "__GET_STARTED__", "referral": {"source": "SHORTLINK", "type": "OPEN_THREAD", "ref": "aaaa"}, "title": "Get Started"}
        }));
        let events = parse(&body).unwrap();
        assert_eq!(
            events[0].event.kind,
            InboundKind::Start {
                reference: Some("aaaa".into())
            }
        );
        assert_eq!(events[0].event.user.as_str(), "1476077422222289");
    }

    #[test]
    fn a_referral_in_an_existing_thread_carries_the_ref() {
        let body = wrap(&json!({
            "recipient": {"id": "701111199441168"}, "timestamp": 1511111143921_i64, "sender": {"id": "1476077111119289"},
            "referral": {"ref": "aaaa", "source": "SHORTLINK", "type": "OPEN_THREAD"}
        }));
        assert_eq!(
            parse(&body).unwrap()[0].event.kind,
            InboundKind::Start {
                reference: Some("aaaa".into())
            }
        );
    }

    #[test]
    fn echoes_and_receipts_are_ignored_but_batches_are_read_whole() {
        let echo = wrap(
            &json!({"sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": 1,
            "message": {"is_echo": true, "app_id": 1517776481860111_i64, "mid": "mid.1", "text": "hi"}}),
        );
        assert!(parse(&echo).unwrap().is_empty());
        let batch = json!({"object": "page", "entry": [
            {"id": "1", "time": 1, "messaging": [{"sender": {"id": "9"}, "recipient": {"id": "1"}, "timestamp": 1, "message": {"mid": "mid.a", "text": "test 1"}}]},
            {"id": "1", "time": 1, "messaging": [{"sender": {"id": "9"}, "recipient": {"id": "1"}, "timestamp": 2, "message": {"mid": "mid.b", "text": "test 2"}}]}
        ]});
        let events = parse(batch.to_string().as_bytes()).unwrap();
        assert_eq!(
            events
                .iter()
                .map(|k| k.dedupe_key.as_str())
                .collect::<Vec<_>>(),
            ["mid.a", "mid.b"]
        );
    }

    #[test]
    fn an_instagram_body_is_refused_on_the_messenger_endpoint() {
        assert!(matches!(
            parse(br#"{"object":"instagram","entry":[]}"#),
            Err(PayloadError::WrongObject { .. })
        ));
    }
}
