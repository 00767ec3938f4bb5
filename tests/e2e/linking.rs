//! Linking messenger subscribers to the merchant's customer accounts.

use ferry_tests::{TELEGRAM_SECRET, customer_token, fixtures, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_logged_in_visitor_is_linked_to_their_account_with_their_order() {
    // Arrange
    let app = spawn_app().await;
    let reference = fixtures::token();
    let token = customer_token("cus_ann", "ann@example.com", Some("NW-1042"));
    let intent = app
        .create_vouched_intent("telegram", &reference, &token)
        .await;
    assert_eq!(intent.status(), 201);
    assert_eq!(
        intent.json::<Value>().await.unwrap()["customer"],
        "a***@example.com"
    );

    // Act
    app.post_telegram(
        &fixtures::telegram_start(1, 501, &reference),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;

    // Assert
    let by_customer = app.subscribers("customer_id=cus_ann").await;
    assert_eq!(by_customer.len(), 1);
    assert_eq!(by_customer[0]["customer"]["email"], "ann@example.com");
    assert!(by_customer[0]["linked_at"].is_string());
    assert_eq!(app.subscribers("order_id=NW-1042").await.len(), 1);
    assert_eq!(by_customer[0]["order_ids"], json!(["NW-1042"]));
    let welcome = app.sent()[0].body["text"].as_str().unwrap().to_owned();
    assert!(
        welcome.contains("a***@example.com") && welcome.contains("Not you? Reply STOP"),
        "{welcome}"
    );
    assert!(!welcome.contains("ann@example.com"));
}

#[tokio::test]
async fn a_second_person_with_the_same_ref_is_attributed_but_not_linked() {
    let app = spawn_app().await;
    let reference = fixtures::token();
    app.create_vouched_intent(
        "telegram",
        &reference,
        &customer_token("cus_ann", "ann@example.com", None),
    )
    .await;
    app.post_telegram(
        &fixtures::telegram_start(1, 501, &reference),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;

    // Someone else opens the forwarded link.
    app.post_telegram(
        &fixtures::telegram_start(2, 777, &reference),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;

    let stranger = app
        .subscribers("")
        .await
        .into_iter()
        .find(|s| s["platform_user_id"] == "777")
        .unwrap();
    assert_eq!(
        stranger["attribution"]["source"], "intent",
        "still attributed to the page"
    );
    assert!(
        stranger["customer"].is_null(),
        "but not linked to Ann's account"
    );
    assert_eq!(app.subscribers("customer_id=cus_ann").await.len(), 1);
}

#[tokio::test]
async fn a_ref_used_after_the_link_window_does_not_link() {
    let app = spawn_app().await;
    let reference = fixtures::token();
    app.create_vouched_intent(
        "telegram",
        &reference,
        &customer_token("cus_ann", "ann@example.com", None),
    )
    .await;
    // The visitor comes back an hour later (the demo's window is 15 minutes).
    app.clock.advance_secs(3600);

    app.post_telegram(
        &fixtures::telegram_start(1, 501, &reference),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;

    let subscriber = &app.subscribers("").await[0];
    assert_eq!(subscriber["attribution"]["source"], "intent");
    assert!(subscriber["customer"].is_null());
}

#[tokio::test]
async fn an_intent_with_a_bad_token_is_refused_with_its_reason_and_stores_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let forged = {
        let token = customer_token("cus_ann", "ann@example.com", None);
        let (head, _) = token.rsplit_once('.').unwrap();
        format!("{head}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    };

    let response = app
        .create_vouched_intent("telegram", &fixtures::token(), &forged)
        .await;

    assert_eq!(response.status(), 401);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"]["code"],
        "bad_signature"
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn in_chat_linking_with_a_one_time_code_works_once_and_only_once() {
    // Arrange: a direct subscriber gets a welcome with a link-your-account button.
    let app = spawn_app().await;
    app.post_telegram(
        &fixtures::telegram_text(1, 601, "hello"),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;
    let button = app.sent()[0].body["reply_markup"]["inline_keyboard"][0][0].clone();
    let url = url::Url::parse(button["url"].as_str().unwrap()).unwrap();
    assert_eq!(url.path(), "/demo/link.html");
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "ferry_link")
        .unwrap()
        .1
        .into_owned();
    let token = customer_token("cus_ben", "ben@example.com", None);

    // Act: the merchant's logged-in page completes the link, twice.
    let first = app
        .widget_post("links", &json!({ "code": code, "token": token }))
        .await;
    let second = app
        .widget_post("links", &json!({ "code": code, "token": token }))
        .await;
    app.drain().await;

    // Assert
    assert_eq!(first.status(), 200);
    assert_eq!(
        first.json::<Value>().await.unwrap(),
        json!({ "channel": "telegram", "customer": "b***@example.com" })
    );
    assert_eq!(second.status(), 409);
    assert_eq!(
        second.json::<Value>().await.unwrap()["error"]["code"],
        "link_code_used"
    );
    assert_eq!(app.subscribers("customer_id=cus_ben").await.len(), 1);
    let confirmation = app.sent().last().unwrap().body["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(confirmation.contains("b***@example.com"), "{confirmation}");
}

#[tokio::test]
async fn an_expired_or_unknown_link_code_links_nothing() {
    let app = spawn_app().await;
    app.post_telegram(
        &fixtures::telegram_text(1, 601, "hello"),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;
    app.clock.advance_secs(31 * 60);
    let code: String = {
        let url = app.sent()[0].body["reply_markup"]["inline_keyboard"][0][0]["url"]
            .as_str()
            .unwrap()
            .to_owned();
        url.split("ferry_link=").nth(1).unwrap().to_owned()
    };
    let token = customer_token("cus_ben", "ben@example.com", None);

    let expired = app
        .widget_post("links", &json!({ "code": code, "token": token }))
        .await;
    let unknown = app
        .widget_post("links", &json!({ "code": "ZZZZZZZZZZZZ", "token": token }))
        .await;

    assert_eq!(expired.status(), 410);
    assert_eq!(unknown.status(), 404);
    assert!(app.subscribers("customer_id=cus_ben").await.is_empty());
}

#[tokio::test]
async fn one_customer_may_link_several_messengers_and_the_widget_sees_them() {
    let app = spawn_app().await;
    let token = customer_token("cus_ann", "ann@example.com", None);
    let telegram_ref = fixtures::token();
    app.create_vouched_intent("telegram", &telegram_ref, &token)
        .await;
    app.post_telegram(
        &fixtures::telegram_start(1, 501, &telegram_ref),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.create_vouched_intent("whatsapp", "H4K7M2Q9", &token)
        .await;
    let whatsapp = fixtures::load("whatsapp/text_with_code.json", "H4K7M2Q9").to_string();
    app.post_meta(
        "whatsapp",
        whatsapp.as_bytes(),
        Some(ferry_tests::META_APP_SECRET),
    )
    .await;
    app.drain().await;

    let status: Value = app
        .widget_post("identity", &json!({ "token": token }))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(status["customer"], "a***@example.com");
    let mut channels: Vec<_> = status["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["channel"].as_str().unwrap().to_owned())
        .collect();
    channels.sort();
    assert_eq!(channels, ["telegram", "whatsapp"]);
}

#[tokio::test]
async fn unlinking_works_from_the_chat_and_through_the_api() {
    let app = spawn_app().await;
    let token = customer_token("cus_ann", "ann@example.com", None);
    for (update_id, user) in [(1, 501), (2, 502)] {
        let reference = fixtures::token();
        app.create_vouched_intent("telegram", &reference, &token)
            .await;
        app.post_telegram(
            &fixtures::telegram_start(update_id, user, &reference),
            Some(TELEGRAM_SECRET),
        )
        .await;
    }
    app.drain().await;
    assert_eq!(app.subscribers("customer_id=cus_ann").await.len(), 2);

    app.post_telegram(
        &fixtures::telegram_text(3, 501, "UNLINK"),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;
    let remaining = app.subscribers("customer_id=cus_ann").await;
    assert_eq!(remaining.len(), 1);
    let id = remaining[0]["id"].as_i64().unwrap();
    let unlinked = app
        .merchant(Method::POST, &format!("/v1/subscribers/{id}/unlink"))
        .await;

    assert_eq!(unlinked.status(), 200);
    assert!(unlinked.json::<Value>().await.unwrap()["customer"].is_null());
    assert!(app.subscribers("customer_id=cus_ann").await.is_empty());
    assert_eq!(
        app.subscribers("status=active").await.len(),
        2,
        "unlinking keeps the subscriptions"
    );
}

#[tokio::test]
async fn deleting_a_subscriber_erases_their_personal_data() {
    let app = spawn_app().await;
    let reference = fixtures::token();
    app.create_vouched_intent(
        "telegram",
        &reference,
        &customer_token("cus_ann", "ann@example.com", Some("NW-7")),
    )
    .await;
    app.post_telegram(
        &fixtures::telegram_start(1, 501, &reference),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;
    let id = app.subscribers("").await[0]["id"].as_i64().unwrap();

    let deleted = app
        .merchant(Method::DELETE, &format!("/v1/subscribers/{id}"))
        .await;
    let again = app
        .merchant(Method::DELETE, &format!("/v1/subscribers/{id}"))
        .await;

    assert_eq!(deleted.status(), 204);
    assert_eq!(again.status(), 404);
    assert_eq!(
        app.merchant(Method::GET, &format!("/v1/subscribers/{id}"))
            .await
            .status(),
        404
    );
    for table in ["subscribers", "inbound", "outbox", "subscriber_orders"] {
        assert_eq!(app.count_rows(table).await, 0, "{table}");
    }
    assert_eq!(
        app.count_rows("intents WHERE customer IS NOT NULL").await,
        0
    );
    assert_eq!(
        app.count_rows("events WHERE subscriber_id IS NOT NULL")
            .await,
        0
    );
}
