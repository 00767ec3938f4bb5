//! Telegram webhooks end to end.

use ferry_relay::domain::Locale;
use ferry_tests::{TELEGRAM_SECRET, fixtures, spawn_app, spawn_app_with};

#[tokio::test]
async fn telegram_start_with_a_ref_creates_an_attributed_subscriber_and_welcomes_them() {
    // Arrange
    let app = spawn_app().await;
    let reference = fixtures::token();
    assert_eq!(
        app.create_intent("telegram", &reference, "spring")
            .await
            .status(),
        201
    );

    // Act
    let response = app
        .post_telegram(
            &fixtures::load("telegram/start_with_ref.json", &reference),
            Some(TELEGRAM_SECRET),
        )
        .await;
    app.drain().await;

    // Assert
    assert_eq!(response.status(), 200);
    let subscribers = app.subscribers("channel=telegram").await;
    assert_eq!(subscribers.len(), 1);
    let attribution = &subscribers[0]["attribution"];
    assert_eq!(attribution["source"], "intent");
    assert_eq!(attribution["ref"], reference.as_str());
    assert_eq!(attribution["utm_campaign"], "spring");
    assert_eq!(attribution["utm_source"], "newsletter");
    assert_eq!(attribution["referrer_host"], "news.example");
    assert_eq!(attribution["placement"], "floating");
    assert_eq!(attribution["device"], "mobile");
    assert_eq!(subscribers[0]["platform_user_id"], "900069535");
    assert_eq!(subscribers[0]["display_name"], "Ann");

    let sent = app.sent();
    assert_eq!(sent.len(), 1, "one welcome");
    assert_eq!(sent[0].path, "/bot<token>/sendMessage");
    assert_eq!(
        sent[0].body["chat_id"], 900069535,
        "chat_id is the numeric chat id"
    );
    let text = sent[0].body["text"].as_str().unwrap();
    assert!(
        text.contains("Northwind Coffee") && text.contains("reply STOP"),
        "{text}"
    );
}

#[tokio::test]
async fn a_replayed_telegram_update_adds_nothing() {
    // Arrange
    let app = spawn_app().await;
    let update = fixtures::load("telegram/start_with_ref.json", &fixtures::token());
    assert_eq!(
        app.post_telegram(&update, Some(TELEGRAM_SECRET))
            .await
            .status(),
        200
    );
    app.drain().await;
    let before = app.snapshot().await;

    // Act
    let replay = app.post_telegram(&update, Some(TELEGRAM_SECRET)).await;
    app.drain().await;

    // Assert
    assert_eq!(replay.status(), 200, "a retry is acknowledged");
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.sent().len(), 1, "the welcome is not sent twice");
}

#[tokio::test]
async fn a_start_without_a_known_ref_is_kept_as_a_direct_subscriber() {
    let app = spawn_app().await;
    let mut update = fixtures::load("telegram/start_with_ref.json", "x");
    update["message"]["text"] = "/start".into();

    assert_eq!(
        app.post_telegram(&update, Some(TELEGRAM_SECRET))
            .await
            .status(),
        200
    );
    app.drain().await;

    let subscribers = app.subscribers("").await;
    assert_eq!(subscribers[0]["attribution"]["source"], "direct");
    assert_eq!(app.sent().len(), 1, "a direct subscriber is welcomed too");
}

#[tokio::test]
async fn telegram_webhook_rejects_a_missing_or_wrong_secret_and_changes_nothing() {
    let app = spawn_app().await;
    let update = fixtures::load("telegram/start_with_ref.json", &fixtures::token());
    let before = app.snapshot().await;

    let missing = app.post_telegram(&update, None).await;
    let wrong = app.post_telegram(&update, Some("not-the-secret")).await;

    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "missing_secret_token"
    );
    assert_eq!(wrong.status(), 403);
    assert_eq!(
        wrong.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "invalid_secret_token"
    );
    app.drain().await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn telegram_webhook_rejects_malformed_json_an_unknown_site_and_a_huge_body() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let post = |path: &str, body: Vec<u8>| {
        app.client
            .post(format!("{}{path}", app.address))
            .header("X-Telegram-Bot-Api-Secret-Token", TELEGRAM_SECRET)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let malformed = post("/hooks/demo/telegram", b"{\"update_id\": ".to_vec())
        .await
        .unwrap();
    let wrong_shape = post("/hooks/demo/telegram", b"{\"message\": {}}".to_vec())
        .await
        .unwrap();
    let unknown_site = post("/hooks/nosuchsite/telegram", b"{}".to_vec())
        .await
        .unwrap();
    let huge = post("/hooks/demo/telegram", vec![b' '; 1024 * 1024])
        .await
        .unwrap();

    for (response, status, code) in [
        (malformed, 400, "malformed_payload"),
        (wrong_shape, 400, "malformed_payload"),
        (unknown_site, 404, "unknown_site"),
        (huge, 413, "payload_too_large"),
    ] {
        assert_eq!(response.status(), status);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    app.drain().await;
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn group_chats_are_acknowledged_and_ignored() {
    let app = spawn_app().await;
    let response = app
        .post_telegram(
            &fixtures::load("telegram/group_text.json", ""),
            Some(TELEGRAM_SECRET),
        )
        .await;
    app.drain().await;
    assert_eq!(response.status(), 200);
    assert!(app.subscribers("").await.is_empty());
}

#[tokio::test]
async fn stop_unsubscribes_and_blocking_is_recorded() {
    // Arrange
    let app = spawn_app().await;
    app.post_telegram(
        &fixtures::load("telegram/start_with_ref.json", &fixtures::token()),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;

    // Act: STOP
    let mut stop = fixtures::load("telegram/private_text.json", "");
    stop["message"]["text"] = "STOP".into();
    app.post_telegram(&stop, Some(TELEGRAM_SECRET)).await;
    app.drain().await;

    // Assert
    let subscriber = &app.subscribers("").await[0];
    assert_eq!(subscriber["status"], "unsubscribed");
    assert!(subscriber["unsubscribed_at"].is_string());
    let sent = app.sent();
    assert_eq!(sent.len(), 2, "welcome, then one confirmation");
    assert!(
        sent[1].body["text"]
            .as_str()
            .unwrap()
            .contains("unsubscribed")
    );
    assert_eq!(app.subscribers("status=unsubscribed").await.len(), 1);
}

#[tokio::test]
async fn a_user_who_blocked_the_bot_is_unsubscribed_without_a_message() {
    let app = spawn_app().await;
    app.post_telegram(
        &fixtures::load("telegram/start_with_ref.json", &fixtures::token()),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;

    app.post_telegram(
        &fixtures::load("telegram/blocked.json", ""),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;

    assert_eq!(app.subscribers("").await[0]["status"], "unsubscribed");
    assert_eq!(
        app.sent().len(),
        1,
        "only the welcome; nothing after the block"
    );
}

#[tokio::test]
async fn a_lithuanian_shops_bot_welcomes_stops_and_restarts_in_lithuanian() {
    // Arrange
    let app = spawn_app_with(|settings| settings.sites[0].locale = Locale::Lt).await;
    let text = |update_id: i64, text: &str| {
        let mut update = fixtures::load("telegram/private_text.json", "");
        update["update_id"] = update_id.into();
        update["message"]["text"] = text.into();
        update
    };

    // Act: /start, then STABDYTI, then PRADĖTI
    app.post_telegram(
        &fixtures::load("telegram/start_with_ref.json", &fixtures::token()),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;
    app.post_telegram(&text(1, "STABDYTI"), Some(TELEGRAM_SECRET))
        .await;
    app.drain().await;
    let status_after_stop = app.subscribers("").await[0]["status"].clone();
    app.post_telegram(&text(2, "Pradėti"), Some(TELEGRAM_SECRET))
        .await;
    app.drain().await;

    // Assert
    let sent: Vec<_> = app
        .sent()
        .iter()
        .map(|request| request.body["text"].as_str().unwrap().to_owned())
        .collect();
    let welcome = "Sveiki, Ann! Užsiprenumeravote Northwind Coffee naujienas per Telegram: \
                   užsakymų būsenas ir atsakymus į jūsų klausimus.\n\nNorėdami atsisakyti, bet \
                   kada atsakykite STABDYTI.";
    assert_eq!(
        sent,
        [
            welcome,
            "Atsisakėte Northwind Coffee naujienų. Daugiau jums nerašysime. Norėdami vėl \
             užsiprenumeruoti, atsakykite PRADĖTI.",
            welcome,
        ]
    );
    assert_eq!(status_after_stop, "unsubscribed");
    assert_eq!(app.subscribers("").await[0]["status"], "active");
}
