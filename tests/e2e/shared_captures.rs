//! Other projects' captured webhook payloads (../shared/fixtures), run through our parsers when
//! that folder is beside the checkout. Skipped on a clone without it.

use ferry_relay::channels::{InboundKind, messenger, telegram, whatsapp};
use ferry_tests::fixtures::shared_captures;
use serde_json::{Value, json};

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_else(|_| Vec::new());
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_shared_telegram_capture_parses() {
    let Some(root) = shared_captures() else {
        return eprintln!("../shared/fixtures not present; skipped");
    };
    let captures = files(&root.join("telegram"));
    assert!(!captures.is_empty());
    for (name, body) in captures {
        // Some captures lack update_id (they come from API docs); Telegram always sends one.
        let mut update: Value = serde_json::from_slice(&body).unwrap();
        update
            .as_object_mut()
            .unwrap()
            .entry("update_id")
            .or_insert(json!(1));
        let events = telegram::parse(update.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        match name.as_str() {
            "DERIVED_start_payload_plain.json" => assert_eq!(
                events[0].event.kind,
                InboundKind::Start {
                    reference: Some("test".into())
                }
            ),
            "DERIVED_start_payload_base64url.json" => assert_eq!(
                events[0].event.kind,
                InboundKind::Start {
                    reference: Some("dGVzdA".into())
                }
            ),
            "DERIVED_start_no_payload.json" => {
                assert_eq!(events[0].event.kind, InboundKind::Start { reference: None });
            }
            "autogram_my_chat_member_private_blocked.json" => {
                assert_eq!(events[0].event.kind, InboundKind::Blocked);
            }
            n if n.contains("group") => {
                assert!(events.is_empty(), "{name}: group chats are ignored");
            }
            _ => {}
        }
    }
}

#[test]
fn every_shared_messenger_capture_parses() {
    let Some(root) = shared_captures() else {
        return eprintln!("../shared/fixtures not present; skipped");
    };
    for (name, body) in files(&root.join("messenger")) {
        let value: Value = serde_json::from_slice(&body).unwrap();
        // Single messaging items are wrapped in the page envelope, as Meta sends them, and each
        // capture is read as the page it is addressed to.
        let (page, envelope) = if value.get("object").is_some() {
            (value["entry"][0]["id"].as_str().unwrap().to_owned(), value)
        } else {
            let page = value["recipient"]["id"].as_str().unwrap().to_owned();
            let envelope = json!({ "object": "page", "entry": [{ "id": page, "time": 1, "messaging": [value] }] });
            (page, envelope)
        };
        let events = messenger::parse(envelope.to_string().as_bytes(), &page)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        match name.as_str() {
            "messaging_postback_get_started_with_referral.json"
            | "messaging_referral_shortlink_ref.json" => {
                assert_eq!(
                    events[0].event.kind,
                    InboundKind::Start {
                        reference: Some("aaaa".into())
                    },
                    "{name}"
                );
            }
            "messaging_echo.json"
            | "webhook_body_echo.json"
            | "messaging_delivery.json"
            | "messaging_read.json" => assert!(events.is_empty(), "{name}"),
            // The second entry names another page (its id is a digit short), so only the
            // first page's event is this page's.
            "webhook_body_batch.json" => assert_eq!(events.len(), 1),
            _ => {}
        }
    }
}

#[test]
fn every_shared_whatsapp_capture_parses() {
    let Some(root) = shared_captures() else {
        return eprintln!("../shared/fixtures not present; skipped");
    };
    for (name, body) in files(&root.join("whatsapp")) {
        let events =
            whatsapp::parse(&body, "1122334455667").unwrap_or_else(|e| panic!("{name}: {e}"));
        match name.as_str() {
            "message_text.json" => assert_eq!(
                events[0].event.kind,
                InboundKind::Text {
                    text: "Body Text".into()
                }
            ),
            "message_text_with_ctwa_referral.json" => {
                assert_eq!(events[0].event.user.as_str(), "972987654321");
            }
            n if n.starts_with("status_") || n.starts_with("user_marketing") => {
                assert!(events.is_empty(), "{name}");
            }
            _ => {}
        }
    }
}
