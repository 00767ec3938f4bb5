//! The merchant API's conversations: a helpdesk lists them, reads one with its messages and
//! replies; a retried reply is answered once, a reused key with another text is refused, and a
//! reply outside the platform's window is refused with its reason.

use ferry_tests::{
    API_KEY, META_APP_SECRET, TestApp,
    chat_api::{tap_carrying, visitor_writes},
    fixtures, spawn_app,
};
use serde_json::{Value, json};

async fn reply(app: &TestApp, id: &Value, key: Option<&str>, text: &str) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/v1/conversations/{id}/messages", app.address))
        .bearer_auth(API_KEY)
        .json(&json!({ "text": text }));
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_helpdesk_lists_reads_and_answers_a_conversation_once_per_key() {
    // Arrange
    let app = spawn_app().await;
    visitor_writes(&app, "Do you ship to Riga?").await;

    // Act
    let list: Value = app
        .merchant_get("/v1/conversations?status=open&channel=web")
        .await
        .json()
        .await
        .unwrap();
    let id = list["data"][0]["id"].clone();
    let first = reply(&app, &id, Some("ticket-42"), "Yes, in two days.").await;
    let again = reply(&app, &id, Some("ticket-42"), "Yes, in two days.").await;
    let other_text = reply(&app, &id, Some("ticket-42"), "No.").await;
    let conversation: Value = app
        .merchant_get(&format!("/v1/conversations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let closed_only: Value = app
        .merchant_get("/v1/conversations?status=closed")
        .await
        .json()
        .await
        .unwrap();

    // Assert
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["attribution"]["utm_campaign"], "spring");
    assert_eq!(list["data"][0]["unread"], 1);
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(
        (&first["author"], &first["operator"], &first["status"]),
        (&json!("operator"), &json!("api"), &json!("sent"))
    );
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<Value>().await.unwrap()["seq"], first["seq"]);
    assert_eq!(other_text.status(), 409);
    let texts: Vec<&str> = conversation["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Do you ship to Riga?", "Yes, in two days."]);
    assert_eq!(closed_only["data"], json!([]));
}

#[tokio::test]
async fn a_helpdesk_reply_outside_whatsapps_window_is_422_and_nothing_is_sent() {
    // Arrange
    let app = spawn_app().await;
    let token = visitor_writes(&app, "Is the grinder back?").await;
    tap_carrying(&app, &token, "whatsapp", "K7M2Q9AB").await;
    let body = fixtures::load("whatsapp/text_with_code.json", "K7M2Q9AB")
        .to_string()
        .into_bytes();
    app.post_meta("whatsapp", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;
    let list: Value = app
        .merchant_get("/v1/conversations?channel=whatsapp")
        .await
        .json()
        .await
        .unwrap();
    let before = app.snapshot().await;

    // Act
    let refused = reply(&app, &list["data"][0]["id"], None, "It is!").await;

    // Assert
    assert_eq!(refused.status(), 422);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["code"], "reply_window_closed");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn bad_conversation_requests_get_clear_errors_and_change_nothing() {
    let app = spawn_app().await;
    visitor_writes(&app, "Hello").await;
    let before = app.snapshot().await;
    let id = json!(1);
    for (path, code) in [
        ("/v1/conversations?status=maybe", "invalid_status"),
        ("/v1/conversations?channel=pigeon", "invalid_channel"),
        ("/v1/conversations?cursor=abc", "invalid_cursor"),
        ("/v1/conversations?limit=0", "invalid_limit"),
        ("/v1/conversations/999", "conversation_not_found"),
        ("/v1/conversations/x", "conversation_not_found"),
    ] {
        let response = app.merchant_get(path).await;
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{path}");
    }
    let bad_key = reply(&app, &id, Some("not a key!"), "Hi").await;
    assert_eq!(bad_key.status(), 400);
    let empty = reply(&app, &id, None, "   ").await;
    assert_eq!(empty.status(), 400);
    let unauthenticated = app
        .client
        .get(format!("{}/v1/conversations", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    assert_eq!(app.snapshot().await, before);
}
