//! WhatsApp webhooks end to end.

use ferry_tests::{META_APP_SECRET, fixtures, spawn_app};

#[tokio::test]
async fn the_code_in_a_prefilled_whatsapp_message_attributes_the_subscriber() {
    // Arrange
    let app = spawn_app().await;
    assert_eq!(
        app.create_intent("whatsapp", "K7M2Q9AB", "summer")
            .await
            .status(),
        201
    );

    // Act: the person may have typed the code in lower case
    let body = fixtures::load("whatsapp/text_with_code.json", "k7m2q9ab")
        .to_string()
        .into_bytes();
    let response = app
        .post_meta("whatsapp", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;

    // Assert
    assert_eq!(response.status(), 200);
    let subscriber = &app.subscribers("channel=whatsapp").await[0];
    assert_eq!(subscriber["attribution"]["utm_campaign"], "summer");
    assert_eq!(subscriber["attribution"]["ref"], "K7M2Q9AB");
    assert_eq!(subscriber["platform_user_id"], "60173526233");
    assert_eq!(subscriber["display_name"], "Lee");
    let sent = app.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, "/109876543210987/messages");
    let message = &sent[0].body;
    assert_eq!(message["messaging_product"], "whatsapp");
    assert_eq!(message["recipient_type"], "individual");
    assert_eq!(message["to"], "60173526233");
    assert_eq!(message["type"], "text");
    assert!(
        message["text"]["body"]
            .as_str()
            .unwrap()
            .contains("reply STOP")
    );
}

#[tokio::test]
async fn a_whatsapp_message_that_arrives_before_its_intent_is_attributed_when_the_intent_lands() {
    // The widget opens wa.me and registers the intent in parallel; the message can win the race.
    let app = spawn_app().await;
    let body = fixtures::load("whatsapp/text_with_code.json", "Z9Y8X7W6")
        .to_string()
        .into_bytes();
    app.post_meta("whatsapp", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;
    assert_eq!(
        app.subscribers("").await[0]["attribution"]["source"],
        "direct"
    );

    assert_eq!(
        app.create_intent("whatsapp", "Z9Y8X7W6", "late")
            .await
            .status(),
        201
    );

    let subscriber = &app.subscribers("").await[0];
    assert_eq!(subscriber["attribution"]["source"], "intent");
    assert_eq!(subscriber["attribution"]["utm_campaign"], "late");
}

#[tokio::test]
async fn a_whatsapp_message_without_a_code_is_a_direct_subscriber() {
    let app = spawn_app().await;
    let mut message = fixtures::load("whatsapp/text_with_code.json", "");
    message["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] =
        "Hello, do you have decaf?".into();

    app.post_meta(
        "whatsapp",
        message.to_string().as_bytes(),
        Some(META_APP_SECRET),
    )
    .await;
    app.drain().await;

    assert_eq!(
        app.subscribers("").await[0]["attribution"]["source"],
        "direct"
    );
}

#[tokio::test]
async fn a_replayed_whatsapp_message_adds_nothing() {
    let app = spawn_app().await;
    let body = fixtures::load("whatsapp/text_with_code.json", "K7M2Q9AB")
        .to_string()
        .into_bytes();
    app.post_meta("whatsapp", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;
    let before = app.snapshot().await;

    app.post_meta("whatsapp", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;

    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.sent().len(), 1);
}

#[tokio::test]
async fn status_updates_are_acknowledged_without_creating_subscribers() {
    let app = spawn_app().await;
    let response = app
        .post_meta(
            "whatsapp",
            &fixtures::raw("whatsapp/status_sent.json"),
            Some(META_APP_SECRET),
        )
        .await;
    app.drain().await;
    assert_eq!(response.status(), 200);
    assert!(app.subscribers("").await.is_empty());
}

#[tokio::test]
async fn whatsapp_webhook_rejects_a_forged_signature_and_malformed_json() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let body = fixtures::raw("whatsapp/text_with_code.json");

    let forged = app.post_meta("whatsapp", &body, Some("wrong")).await;
    let malformed = app
        .post_meta("whatsapp", b"[1,2", Some(META_APP_SECRET))
        .await;
    let wrong_object = app
        .post_meta(
            "whatsapp",
            br#"{"object":"page","entry":[]}"#,
            Some(META_APP_SECRET),
        )
        .await;

    assert_eq!(forged.status(), 403);
    assert_eq!(malformed.status(), 400);
    assert_eq!(wrong_object.status(), 400);
    app.drain().await;
    assert_eq!(app.snapshot().await, before);
}
