//! The web chat's widget API: a visitor starts a conversation, writes, and reads it back; a
//! token opens only its own conversation, and bad input changes nothing.

use ferry_relay::domain::ConversationToken;
use ferry_tests::{TestApp, customer_token, spawn_app};
use ferry_wire::{ChatAuthor, ChatMessage, ChatMessages, ChatStatus, ConversationStarted};
use serde_json::{Value, json};

fn visit() -> Value {
    json!({ "page_url": "https://shop.example/p/beans?utm_campaign=spring", "placement": "floating" })
}

/// Starts a conversation as the widget does; its token.
async fn start(app: &TestApp) -> String {
    let response = app
        .client
        .post(format!("{}/api/widget/demo/conversations", app.address))
        .header("Origin", app.origin())
        .json(&json!({ "visit": visit() }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let started: ConversationStarted = response.json().await.unwrap();
    started.token
}

async fn send(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.client
        .post(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn history(app: &TestApp, token: &str, after: &str) -> reqwest::Response {
    app.client
        .get(format!(
            "{}/api/widget/demo/conversation/messages{after}",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_visitor_writes_and_reads_the_conversation_back_after_the_last_message_seen() {
    // Arrange
    let app = spawn_app().await;
    let token = start(&app).await;

    // Act
    let first = send(&app, &token, json!({ "text": "Hello", "client_key": "m1" })).await;
    let second = send(
        &app,
        &token,
        json!({ "text": "Do you ship to Riga?\nThanks", "client_key": "m2" }),
    )
    .await;

    // Assert
    assert_eq!(first.status(), 201);
    assert_eq!(first.headers()["access-control-allow-origin"], app.origin());
    let first: ChatMessage = first.json().await.unwrap();
    assert_eq!(
        (first.seq, first.author, first.status),
        (1, ChatAuthor::Visitor, ChatStatus::Received)
    );
    let second: ChatMessage = second.json().await.unwrap();
    assert_eq!(second.seq, 2);
    let all: ChatMessages = history(&app, &token, "").await.json().await.unwrap();
    let texts: Vec<&str> = all.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["Hello", "Do you ship to Riga?\nThanks"]);
    let later: ChatMessages = history(&app, &token, "?after=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(later.messages, [second]);
}

#[tokio::test]
async fn a_message_sent_again_after_a_lost_answer_is_kept_once() {
    let app = spawn_app().await;
    let token = start(&app).await;
    let message = json!({ "text": "Hello", "client_key": "m1" });

    let first: ChatMessage = send(&app, &token, message.clone())
        .await
        .json()
        .await
        .unwrap();
    let again = send(&app, &token, message).await;

    assert_eq!(again.status(), 201);
    let again: ChatMessage = again.json().await.unwrap();
    assert_eq!(again, first);
    let all: ChatMessages = history(&app, &token, "").await.json().await.unwrap();
    assert_eq!(all.messages.len(), 1);
}

#[tokio::test]
async fn a_token_opens_only_its_own_conversation() {
    let app = spawn_app().await;
    let ann = start(&app).await;
    let bo = start(&app).await;
    send(
        &app,
        &ann,
        json!({ "text": "Ann here", "client_key": "m1" }),
    )
    .await;

    let bos: ChatMessages = history(&app, &bo, "").await.json().await.unwrap();
    let forged = "A".repeat(43);
    let nobody = history(&app, &forged, "").await;
    let malformed = send(
        &app,
        "../../etc",
        json!({ "text": "Hi", "client_key": "m1" }),
    )
    .await;
    let missing = app
        .client
        .get(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("Origin", app.origin())
        .send()
        .await
        .unwrap();

    assert!(bos.messages.is_empty());
    for (response, status, code) in [
        (nobody, 404, "conversation_not_found"),
        (malformed, 400, "invalid_conversation_token"),
        (missing, 401, "conversation_token_required"),
    ] {
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
    }
}

#[tokio::test]
async fn bad_chat_requests_get_a_clear_400_and_change_nothing() {
    let app = spawn_app().await;
    let token = start(&app).await;
    let before = app.snapshot().await;
    let too_long = "a".repeat(2001);
    let cases = [
        (json!({ "text": "", "client_key": "m1" }), "invalid_message"),
        (
            json!({ "text": " \n ", "client_key": "m1" }),
            "invalid_message",
        ),
        (
            json!({ "text": too_long, "client_key": "m1" }),
            "invalid_message",
        ),
        (
            json!({ "text": "bell\u{7}", "client_key": "m1" }),
            "invalid_message",
        ),
        (
            json!({ "text": "Hi", "client_key": "" }),
            "invalid_client_key",
        ),
        (
            json!({ "text": "Hi", "client_key": "a b" }),
            "invalid_client_key",
        ),
        (json!({ "text": "Hi" }), "invalid_json"),
        (json!(["Hi", "m1"]), "invalid_json"),
    ];
    for (body, code) in cases {
        let response = send(&app, &token, body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{body}");
    }
    let negative = history(&app, &token, "?after=-1").await;
    let not_a_number = history(&app, &token, "?after=x").await;

    assert_eq!(negative.status(), 400);
    assert_eq!(not_a_number.status(), 400);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn chat_writes_need_an_allowed_origin() {
    let app = spawn_app().await;
    let token = start(&app).await;

    let elsewhere = app
        .client
        .post(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("Origin", "https://evil.example")
        .header("X-Ferry-Conversation", &token)
        .json(&json!({ "text": "Hi", "client_key": "m1" }))
        .send()
        .await
        .unwrap();
    let no_origin = app
        .client
        .post(format!("{}/api/widget/demo/conversations", app.address))
        .json(&json!({ "visit": visit() }))
        .send()
        .await
        .unwrap();
    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/widget/demo/conversation/messages", app.address),
        )
        .header("Origin", app.origin())
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type, x-ferry-conversation",
        )
        .send()
        .await
        .unwrap();

    assert_eq!(elsewhere.status(), 403);
    assert_eq!(no_origin.status(), 403);
    assert_eq!(preflight.status(), 204);
    let allowed = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap();
    assert!(allowed.contains("x-ferry-conversation"), "{allowed}");
}

#[tokio::test]
async fn a_conversation_started_with_a_customer_token_is_the_customers() {
    let app = spawn_app().await;
    let start = |token: String| {
        app.client
            .post(format!("{}/api/widget/demo/conversations", app.address))
            .header("Origin", app.origin())
            .json(&json!({ "visit": visit(), "token": token }))
            .send()
    };

    let vouched = start(customer_token("cus_ann", "ann@example.com", None))
        .await
        .unwrap();
    let before = app.snapshot().await;
    let forged = format!("{}x", customer_token("cus_bo", "bo@example.com", None));
    let refused = start(forged).await.unwrap();

    assert_eq!(vouched.status(), 201);
    let started: ConversationStarted = vouched.json().await.unwrap();
    let hash = ConversationToken::parse(&started.token).unwrap().hash();
    let conversation = app
        .state
        .store
        .find_conversation_by_token("demo", &hash)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(conversation.customer_id.as_deref(), Some("cus_ann"));
    assert_eq!(refused.status(), 401);
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused token stores nothing"
    );
}

#[tokio::test]
async fn a_returning_customer_resumes_their_conversation_on_another_device() {
    // Arrange: the customer wrote on one device.
    let app = spawn_app().await;
    let jwt = customer_token("cus_77", "ann@example.com", None);
    let resume = json!({ "visit": visit(), "token": jwt, "resume": true });
    let before = app.widget_post("conversations", &resume).await;
    let first = app
        .widget_post("conversations", &json!({ "visit": visit(), "token": jwt }))
        .await
        .json::<ConversationStarted>()
        .await
        .unwrap();
    assert_eq!(
        send(
            &app,
            &first.token,
            json!({ "text": "Hi", "client_key": "a" })
        )
        .await
        .status(),
        201
    );

    // Act: on another device the widget asks to resume.
    let second = app.widget_post("conversations", &resume).await;
    let anonymous = app
        .widget_post(
            "conversations",
            &json!({ "visit": visit(), "resume": true }),
        )
        .await;

    // Assert
    assert_eq!(
        before.status(),
        404,
        "nothing to resume yet, and nothing started"
    );
    assert_eq!(second.status(), 201);
    let second: ConversationStarted = second.json().await.unwrap();
    assert_ne!(second.token, first.token, "each device has its own token");
    let history: ChatMessages = history(&app, &second.token, "").await.json().await.unwrap();
    assert_eq!(history.messages.len(), 1);
    assert_eq!(history.messages[0].text, "Hi");
    assert_eq!(anonymous.status(), 400);
    assert_eq!(app.count_rows("conversations").await, 1);
}
