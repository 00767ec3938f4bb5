//! The visitor's side of the web chat over HTTP, as the widget speaks it, for the tests that
//! need a conversation without a browser: start one with a first message, carry it into a
//! messenger with a tap, follow it live.

use serde_json::{Value, json};

use crate::{TestApp, live::LiveStream};

/// The visit every helper here describes: the demo's product page from a spring campaign.
fn visit() -> Value {
    json!({ "page_url": "https://shop.example/p/beans", "utm": { "campaign": "spring" },
        "placement": "floating" })
}

/// Starts a web conversation and writes `first` in it, as the widget does; the token.
pub async fn visitor_writes(app: &TestApp, first: &str) -> String {
    let started = app
        .widget_post("conversations", &json!({ "visit": visit() }))
        .await;
    assert_eq!(started.status(), 201, "the conversation starts");
    let token = started.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    write(app, &token, first, "first").await;
    token
}

/// Writes `text` in the conversation `token` opens, with the widget's `client_key`.
pub async fn write(app: &TestApp, token: &str, text: &str, client_key: &str) {
    let sent = app
        .client
        .post(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", token)
        .json(&json!({ "text": text, "client_key": client_key }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201, "the message is taken");
}

/// The intent of a tap on `channel` with `reference` while the chat is open.
pub async fn tap_carrying(app: &TestApp, token: &str, channel: &str, reference: &str) {
    let response = app
        .client
        .post(format!("{}/api/widget/demo/intents", app.address))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", token)
        .json(&json!({ "ref": reference, "channel": channel, "visit": visit() }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "the intent is recorded");
}

/// The answer to opening the live stream of `token`'s conversation after `last_event_id`.
pub async fn open_stream(
    app: &TestApp,
    token: &str,
    last_event_id: Option<i64>,
) -> reqwest::Response {
    let mut request = app
        .client
        .get(format!(
            "{}/api/widget/demo/conversation/events",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", token);
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id.to_string());
    }
    request.send().await.unwrap()
}

/// The live stream of `token`'s conversation after `last_event_id`.
pub async fn follow(app: &TestApp, token: &str, last_event_id: Option<i64>) -> LiveStream {
    LiveStream::new(open_stream(app, token, last_event_id).await)
}
