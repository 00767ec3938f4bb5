//! Parsing Messenger webhook bodies
//! (https://developers.facebook.com/docs/messenger-platform/webhooks).

use serde::Deserialize;

use crate::channels::{InboundEvent, InboundKind, Keyed, PayloadError, checks};
use crate::domain::{Millis, PlatformUserId};

const PLATFORM: &str = "messenger";

#[derive(Deserialize)]
struct Body {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

/// One page's batch; its items are read only once it is known to be for this page.
#[derive(Deserialize)]
struct Entry {
    id: Option<String>,
    #[serde(default)]
    messaging: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Messaging {
    sender: Sender,
    recipient: Option<Recipient>,
    // Delivery and read receipts carry a watermark instead of a timestamp; some senders write
    // milliseconds as a float (`1492414608982.0`), so it is read as a number of any kind.
    #[serde(default, deserialize_with = "checks::optional_millis")]
    timestamp: Option<Millis>,
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
struct Recipient {
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

/// Parses a page webhook body into the events for `page_id`: messages, Get Started and other
/// postbacks, referrals and opt-ins. Echoes of the page's own messages, deliveries, reads and
/// everything addressed to another page yield nothing; an item with an absurd time or sender
/// makes the whole body malformed.
pub fn parse(body: &[u8], page_id: &str) -> Result<Vec<Keyed>, PayloadError> {
    let malformed = |e: serde_json::Error| PayloadError::malformed(PLATFORM, e.to_string());
    let body: Body = serde_json::from_slice(body).map_err(malformed)?;
    if body.object != "page" {
        return Err(PayloadError::WrongObject {
            expected: "page",
            got: body.object,
        });
    }
    let mut events = Vec::new();
    for entry in body.entry {
        if entry.id.as_deref() != Some(page_id) {
            tracing::warn!(page_id = ?entry.id, "messenger webhook entry for another page ignored");
            continue;
        }
        for item in entry.messaging {
            let item: Messaging = serde_json::from_value(item).map_err(malformed)?;
            // Echoes of the page's own messages are addressed to the person, not the page.
            if item.message.as_ref().is_some_and(|m| m.is_echo) {
                continue;
            }
            let addressee = item.recipient.as_ref().and_then(|r| r.id.as_deref());
            if let Some(other) = addressee.filter(|id| *id != page_id) {
                tracing::warn!(
                    recipient = other,
                    "messenger event for another page ignored"
                );
                continue;
            }
            events.extend(event(item)?);
        }
    }
    Ok(events)
}

fn event(item: Messaging) -> Result<Option<Keyed>, PayloadError> {
    let Some(id) = item.sender.id else {
        return Ok(None);
    };
    let user = checks::user(PLATFORM, "sender.id", id)?;
    let timestamp = item.timestamp.unwrap_or_else(crate::domain::now_millis);
    let key = |what: &str| format!("{what}:{}:{timestamp}", user.as_str());
    let (kind, dedupe_key) = if let Some(postback) = item.postback {
        let dedupe_key = postback.mid.unwrap_or_else(|| key("postback"));
        let kind = match postback.referral {
            Some(referral) => start(referral),
            // A Get Started tap without a link is still how a new conversation begins.
            None => match postback.title {
                Some(title) => InboundKind::Text { text: title },
                None => InboundKind::Other,
            },
        };
        (kind, dedupe_key)
    } else if let Some(referral) = item.referral {
        (start(referral), key("referral"))
    } else if let Some(optin) = item.optin {
        (start(optin), key("optin"))
    } else if let Some(message) = item.message {
        let dedupe_key = message.mid.unwrap_or_else(|| key("message"));
        let kind = message
            .text
            .map_or(InboundKind::Other, |text| InboundKind::Text { text });
        (kind, dedupe_key)
    } else {
        return Ok(None);
    };
    Ok(Some(keyed(user, timestamp, kind, dedupe_key)))
}

/// A start through a link; a ref no deep link could have carried counts as none.
fn start(referral: Referral) -> InboundKind {
    InboundKind::Start {
        reference: checks::link_ref(referral.reference),
    }
}

fn keyed(user: PlatformUserId, at: Millis, kind: InboundKind, dedupe_key: String) -> Keyed {
    Keyed {
        dedupe_key,
        event: InboundEvent {
            user,
            name: None,
            at,
            kind,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const PAGE: &str = "707356222221168";

    fn wrap(item: &Value) -> Vec<u8> {
        json!({"object": "page", "entry": [{"id": PAGE, "time": 1522222894827_i64, "messaging": [item]}]})
            .to_string()
            .into_bytes()
    }

    fn referral(reference: &str) -> Value {
        json!({
            "recipient": {"id": PAGE}, "timestamp": 1511111143921_i64, "sender": {"id": "1476077111119289"},
            "referral": {"ref": reference, "source": "SHORTLINK", "type": "OPEN_THREAD"}
        })
    }

    #[test]
    fn get_started_after_a_link_carries_the_ref() {
        let body = wrap(&json!({
            "recipient": {"id": PAGE}, "timestamp": 1522222894827_i64, "sender": {"id": "1476077422222289"},
            "postback": {"payload": "__GET_STARTED__", "referral": {"source": "SHORTLINK", "type": "OPEN_THREAD", "ref": "aaaa"}, "title": "Get Started"}
        }));
        let events = parse(&body, PAGE).unwrap();
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
        assert_eq!(
            parse(&wrap(&referral("aaaa")), PAGE).unwrap()[0].event.kind,
            InboundKind::Start {
                reference: Some("aaaa".into())
            }
        );
    }

    #[test]
    fn a_ref_no_link_could_carry_is_no_ref() {
        for junk in [
            "x".repeat(65),
            "<script>alert(1)</script>".into(),
            "r".repeat(10_240),
        ] {
            assert_eq!(
                parse(&wrap(&referral(&junk)), PAGE).unwrap()[0].event.kind,
                InboundKind::Start { reference: None }
            );
        }
    }

    #[test]
    fn echoes_and_receipts_are_ignored_but_batches_are_read_whole() {
        let echo = wrap(
            &json!({"sender": {"id": "1"}, "recipient": {"id": "2"}, "timestamp": 1,
            "message": {"is_echo": true, "app_id": 1517776481860111_i64, "mid": "mid.1", "text": "hi"}}),
        );
        assert!(parse(&echo, PAGE).unwrap().is_empty());
        let batch = json!({"object": "page", "entry": [
            {"id": "1", "time": 1, "messaging": [{"sender": {"id": "9"}, "recipient": {"id": "1"}, "timestamp": 1, "message": {"mid": "mid.a", "text": "test 1"}}]},
            {"id": "1", "time": 1, "messaging": [{"sender": {"id": "9"}, "recipient": {"id": "1"}, "timestamp": 2, "message": {"mid": "mid.b", "text": "test 2"}}]}
        ]});
        let events = parse(batch.to_string().as_bytes(), "1").unwrap();
        assert_eq!(
            events
                .iter()
                .map(|k| k.dedupe_key.as_str())
                .collect::<Vec<_>>(),
            ["mid.a", "mid.b"]
        );
    }

    #[test]
    fn events_for_another_page_are_ignored() {
        let body = wrap(&referral("aaaa"));
        assert!(parse(&body, "101112131415161").unwrap().is_empty());
        let mut addressed_elsewhere = referral("aaaa");
        addressed_elsewhere["recipient"]["id"] = json!("101112131415161");
        assert!(parse(&wrap(&addressed_elsewhere), PAGE).unwrap().is_empty());
    }

    #[test]
    fn absurd_timestamps_and_sender_ids_are_malformed() {
        for timestamp in [json!(-1e19), json!(1e300), json!(9.3e18), json!(-1)] {
            let mut item = referral("aaaa");
            item["timestamp"] = timestamp.clone();
            assert!(parse(&wrap(&item), PAGE).is_err(), "{timestamp}");
        }
        for sender in [String::new(), "ünïcode".into(), "1".repeat(129)] {
            let mut item = referral("aaaa");
            item["sender"]["id"] = json!(sender);
            assert!(parse(&wrap(&item), PAGE).is_err(), "{sender:?}");
        }
    }

    #[test]
    fn an_instagram_body_is_refused_on_the_messenger_endpoint() {
        assert!(matches!(
            parse(br#"{"object":"instagram","entry":[]}"#, PAGE),
            Err(PayloadError::WrongObject { .. })
        ));
    }
}
