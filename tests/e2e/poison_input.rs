//! Webhooks that pass the platform's authentication but carry values no platform sends: refused
//! at the door with `400 malformed_payload` and nothing stored — or, where a refusal would only
//! make Meta retry (another page's events, a junk ref), acknowledged and kept out.

use ferry_tests::{META_APP_SECRET, TELEGRAM_SECRET, TestApp, fixtures, spawn_app};
use serde_json::{Value, json};

async fn status_and_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
    )
}

fn malformed() -> (u16, String) {
    (400, "malformed_payload".to_owned())
}

async fn post_meta_json(app: &TestApp, platform: &str, body: &Value) -> reqwest::Response {
    app.post_meta(platform, body.to_string().as_bytes(), Some(META_APP_SECRET))
        .await
}

fn messenger_referral(reference: &str) -> Value {
    fixtures::load("messenger/referral.json", reference)
}

fn whatsapp_text() -> Value {
    fixtures::load("whatsapp/text_with_code.json", "K7M2Q9AB")
}

#[tokio::test]
async fn a_telegram_update_with_an_extreme_date_is_malformed_and_stores_nothing() {
    // Arrange
    let app = spawn_app().await;
    let before = app.snapshot().await;

    for date in [json!(-9_223_372_036_854_775_i64), json!(i64::MAX)] {
        let mut update = fixtures::telegram_start(1, 900_069_535, &fixtures::token());
        update["message"]["date"] = date.clone();

        // Act
        let response = app.post_telegram(&update, Some(TELEGRAM_SECRET)).await;

        // Assert
        assert_eq!(status_and_code(response).await, malformed(), "date {date}");
    }
    app.drain().await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_whatsapp_message_with_an_extreme_timestamp_is_malformed_and_stores_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;

    for timestamp in ["-9223372036854775", "9223372036854775807"] {
        let mut body = whatsapp_text();
        body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = timestamp.into();

        let response = post_meta_json(&app, "whatsapp", &body).await;

        assert_eq!(status_and_code(response).await, malformed(), "{timestamp}");
    }
    app.drain().await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_messenger_event_with_an_extreme_timestamp_is_malformed_and_stores_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;

    for timestamp in [json!(-1e19), json!(1e300), json!(9.3e18)] {
        let mut body = messenger_referral(&fixtures::token());
        body["entry"][0]["messaging"][0]["timestamp"] = timestamp.clone();

        let response = post_meta_json(&app, "messenger", &body).await;

        assert_eq!(status_and_code(response).await, malformed(), "{timestamp}");
    }
    app.drain().await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn absurd_sender_and_chat_ids_are_malformed_and_store_nothing() {
    // Arrange
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let absurd_ids = [String::new(), "ünïcödé-psid".to_owned(), "7".repeat(129)];

    // Act & Assert: Messenger senders and WhatsApp numbers
    for id in &absurd_ids {
        let mut referral = messenger_referral(&fixtures::token());
        referral["entry"][0]["messaging"][0]["sender"]["id"] = id.as_str().into();
        let response = post_meta_json(&app, "messenger", &referral).await;
        assert_eq!(status_and_code(response).await, malformed(), "{id:?}");

        let mut text = whatsapp_text();
        text["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = id.as_str().into();
        let response = post_meta_json(&app, "whatsapp", &text).await;
        assert_eq!(status_and_code(response).await, malformed(), "{id:?}");
    }

    // Act & Assert: a Telegram chat id is a number
    for chat in [json!("900069535abc"), json!(1.5), json!(null)] {
        let mut update = fixtures::telegram_start(2, 900_069_535, &fixtures::token());
        update["message"]["chat"]["id"] = chat.clone();
        let response = app.post_telegram(&update, Some(TELEGRAM_SECRET)).await;
        assert_eq!(status_and_code(response).await, malformed(), "{chat}");
    }
    app.drain().await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_messenger_ref_no_link_could_carry_is_treated_as_no_ref() {
    // Arrange: refs too long, with markup, and of 10 KB, each from another person
    let app = spawn_app().await;
    let junk = [
        "a".repeat(65),
        "<script>alert(1)</script>".to_owned(),
        "r".repeat(10 * 1024),
    ];

    // Act
    for (person, reference) in junk.iter().enumerate() {
        let mut referral = messenger_referral(reference);
        referral["entry"][0]["messaging"][0]["sender"]["id"] =
            format!("14760774222222{person}").into();
        let response = post_meta_json(&app, "messenger", &referral).await;
        assert_eq!(response.status(), 200);
    }
    app.drain().await;

    // Assert: subscribed all the same, attributed as direct, the junk stored nowhere
    let subscribers = app.subscribers("channel=messenger").await;
    assert_eq!(subscribers.len(), junk.len());
    for subscriber in &subscribers {
        assert_eq!(subscriber["attribution"]["source"], "direct");
        assert_eq!(subscriber["attribution"]["ref"], Value::Null);
    }
    let stored_refs: i64 = app.count_rows("subscribers WHERE ref IS NOT NULL").await;
    assert_eq!(stored_refs, 0);
    let mut connection = app.database_connection().await;
    let events: Vec<String> = sqlx::query_scalar("SELECT CAST(event AS TEXT) FROM inbound")
        .fetch_all(&mut connection)
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .all(|event| !event.contains("<script>") && event.len() < 1024)
    );
}

#[tokio::test]
async fn a_signed_messenger_event_for_another_page_is_acknowledged_and_ignored() {
    // Arrange: the same app signs all its pages' webhooks; these are for page 999…
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let mut other_entry = messenger_referral(&fixtures::token());
    other_entry["entry"][0]["id"] = "999999999999999".into();
    other_entry["entry"][0]["messaging"][0]["recipient"]["id"] = "999999999999999".into();
    let mut other_recipient = messenger_referral(&fixtures::token());
    other_recipient["entry"][0]["messaging"][0]["recipient"]["id"] = "999999999999999".into();

    for body in [other_entry, other_recipient] {
        // Act
        let response = post_meta_json(&app, "messenger", &body).await;

        // Assert: a 200 (a 4xx would make Meta retry and disable the webhook), nothing taken
        assert_eq!(response.status(), 200);
        let receipt: Value = response.json().await.unwrap();
        assert_eq!(receipt["received"], 0);
    }
    app.drain().await;
    assert_eq!(app.snapshot().await, before);
    assert!(app.subscribers("").await.is_empty());
}
