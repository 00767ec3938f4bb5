//! Messenger webhooks end to end.

use ferry_tests::{META_APP_SECRET, fixtures, spawn_app};

fn bytes(value: &serde_json::Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

#[tokio::test]
async fn messenger_get_started_with_a_ref_creates_an_attributed_subscriber_and_welcomes_them() {
    // Arrange
    let app = spawn_app().await;
    let reference = fixtures::token();
    app.create_intent("messenger", &reference, "autumn").await;

    // Act
    let body = bytes(&fixtures::load(
        "messenger/get_started_with_referral.json",
        &reference,
    ));
    let response = app
        .post_meta("messenger", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;

    // Assert
    assert_eq!(response.status(), 200);
    let subscribers = app.subscribers("channel=messenger").await;
    assert_eq!(subscribers[0]["attribution"]["utm_campaign"], "autumn");
    assert_eq!(subscribers[0]["platform_user_id"], "1476077422222289");
    let sent = app.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, "/101112131415161/messages");
    assert_eq!(sent[0].authorization.as_deref(), Some("Bearer <token>"));
    assert_eq!(sent[0].body["recipient"]["id"], "1476077422222289");
    assert_eq!(sent[0].body["messaging_type"], "RESPONSE");
    // The welcome offers to link an account, so it is a button template.
    let template = &sent[0].body["message"]["attachment"]["payload"];
    assert_eq!(template["template_type"], "button");
    assert_eq!(template["buttons"][0]["type"], "web_url");
    assert!(
        template["buttons"][0]["url"]
            .as_str()
            .unwrap()
            .contains("ferry_link=")
    );
    assert!(template["text"].as_str().unwrap().contains("reply STOP"));
}

#[tokio::test]
async fn a_referral_into_an_existing_thread_attributes_a_newcomer() {
    let app = spawn_app().await;
    let reference = fixtures::token();
    app.create_intent("messenger", &reference, "winter").await;

    let body = bytes(&fixtures::load("messenger/referral.json", &reference));
    app.post_meta("messenger", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;

    assert_eq!(
        app.subscribers("").await[0]["attribution"]["utm_campaign"],
        "winter"
    );
}

#[tokio::test]
async fn a_replayed_messenger_event_adds_nothing() {
    let app = spawn_app().await;
    let body = bytes(&fixtures::load(
        "messenger/get_started_with_referral.json",
        &fixtures::token(),
    ));
    app.post_meta("messenger", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;
    let before = app.snapshot().await;

    let replay = app
        .post_meta("messenger", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;

    assert_eq!(replay.status(), 200);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn messenger_webhook_rejects_a_missing_or_forged_signature_and_changes_nothing() {
    let app = spawn_app().await;
    let body = bytes(&fixtures::load(
        "messenger/get_started_with_referral.json",
        &fixtures::token(),
    ));
    let before = app.snapshot().await;

    let unsigned = app.post_meta("messenger", &body, None).await;
    let forged = app
        .post_meta("messenger", &body, Some("someone-elses-secret"))
        .await;
    let tampered = {
        let mut other = body.clone();
        let signature = ferry_relay::channels::meta::sign(META_APP_SECRET, &body);
        other.extend_from_slice(b" ");
        app.client
            .post(format!("{}/hooks/demo/messenger", app.address))
            .header("X-Hub-Signature-256", signature)
            .body(other)
            .send()
            .await
            .unwrap()
    };

    assert_eq!(unsigned.status(), 401);
    assert_eq!(forged.status(), 403);
    assert_eq!(tampered.status(), 403);
    assert_eq!(
        forged.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "invalid_signature"
    );
    app.drain().await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn echoes_of_the_pages_own_messages_are_ignored() {
    let app = spawn_app().await;
    let body = fixtures::raw("messenger/echo.json");
    assert_eq!(
        app.post_meta("messenger", &body, Some(META_APP_SECRET))
            .await
            .status(),
        200
    );
    app.drain().await;
    assert!(app.subscribers("").await.is_empty());
}

#[tokio::test]
async fn the_subscription_handshake_echoes_the_challenge_only_for_the_verify_token() {
    let app = spawn_app().await;
    let url = |token: &str| {
        format!(
            "{}/hooks/demo/messenger?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444",
            app.address
        )
    };

    let good = app
        .client
        .get(url("demo-meta-verify-token"))
        .send()
        .await
        .unwrap();
    let bad = app.client.get(url("guess")).send().await.unwrap();

    assert_eq!(good.status(), 200);
    assert_eq!(good.text().await.unwrap(), "1158201444");
    assert_eq!(bad.status(), 403);
}
