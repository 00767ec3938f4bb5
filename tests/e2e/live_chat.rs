//! The web chat's live stream: the conversation's state, then every message after the last one
//! the widget saw, as it is committed; resumed with `Last-Event-ID` after a drop or a restart
//! with nothing lost or repeated.

use ferry_tests::{
    TestApp, chat::operator_writes, chat_api::open_stream, live::LiveStream, spawn_app,
};
use serde_json::{Value, json};

async fn start(app: &TestApp) -> String {
    let response = app
        .widget_post(
            "conversations",
            &json!({ "visit": { "page_url": "https://shop.example/", "placement": "floating" } }),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn write(app: &TestApp, token: &str, text: &str) -> i64 {
    let response = app
        .client
        .post(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", token)
        .json(&json!({ "text": text, "client_key": text.replace(' ', "-") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["seq"]
        .as_i64()
        .unwrap()
}

fn texts(events: &[ferry_tests::live::LiveEvent]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|event| {
            (
                event.id.clone().unwrap_or_default(),
                event.data["text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_stream_sends_the_state_then_the_history_then_each_new_message_as_it_is_written() {
    // Arrange
    let app = spawn_app().await;
    let token = start(&app).await;
    write(&app, &token, "Hello").await;
    let mut stream = LiveStream::new(open_stream(&app, &token, None).await);

    // Act
    let state = stream.next().await;
    let history = stream.next_named("message", 1).await;
    operator_writes(&app, &token, "Hi! How can we help?").await;
    let live = stream.next_named("message", 1).await;

    // Assert
    assert_eq!(state.name, "conversation");
    assert_eq!(state.data, json!({ "channel": "web", "status": "open" }));
    assert_eq!(texts(&history), [("1".into(), "Hello".into())]);
    assert_eq!(texts(&live), [("2".into(), "Hi! How can we help?".into())]);
    assert_eq!(live[0].data["author"], "operator");
    assert_eq!(live[0].data["channel"], "web");
}

#[tokio::test]
async fn a_stream_resumed_from_the_last_event_id_sends_only_the_messages_after_it() {
    // Arrange
    let app = spawn_app().await;
    let token = start(&app).await;
    for text in ["one", "two", "three"] {
        write(&app, &token, text).await;
    }

    // Act
    let mut stream = LiveStream::new(open_stream(&app, &token, Some(2)).await);
    stream.next().await;
    let after_two = stream.next_named("message", 1).await;
    write(&app, &token, "four").await;
    let next = stream.next_named("message", 1).await;

    // Assert
    assert_eq!(texts(&after_two), [("3".into(), "three".into())]);
    assert_eq!(texts(&next), [("4".into(), "four".into())]);
}

#[tokio::test]
async fn the_stream_resumes_after_a_relay_restart_with_nothing_lost_or_repeated() {
    // Arrange: a visitor follows the chat and has seen two messages.
    let app = spawn_app().await;
    let token = start(&app).await;
    write(&app, &token, "one").await;
    write(&app, &token, "two").await;
    let mut stream = LiveStream::new(open_stream(&app, &token, None).await);
    stream.next().await;
    let seen = stream.next_named("message", 2).await;
    let last = seen.last().unwrap().id.clone().unwrap().parse().unwrap();

    // Act: the relay restarts; the stream ends; an operator answers meanwhile; the widget
    // reconnects (to the new relay) with the last id it saw.
    let app = app.restart().await;
    assert!(stream.next_or_end().await.is_none(), "the stream ended");
    operator_writes(&app, &token, "three").await;
    let mut resumed = LiveStream::new(open_stream(&app, &token, Some(last)).await);
    resumed.next().await;
    let first = resumed.next_named("message", 1).await;
    operator_writes(&app, &token, "four").await;
    let second = resumed.next_named("message", 1).await;

    // Assert
    assert_eq!(
        texts(&seen),
        [("1".into(), "one".into()), ("2".into(), "two".into())]
    );
    assert_eq!(texts(&first), [("3".into(), "three".into())]);
    assert_eq!(texts(&second), [("4".into(), "four".into())]);
}

#[tokio::test]
async fn a_stream_is_refused_without_a_token_with_a_bad_last_event_id_or_for_a_stranger() {
    let app = spawn_app().await;
    let token = start(&app).await;
    let without = app
        .client
        .get(format!(
            "{}/api/widget/demo/conversation/events",
            app.address
        ))
        .header("Origin", app.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 401);
    let bad_id = app
        .client
        .get(format!(
            "{}/api/widget/demo/conversation/events",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", &token)
        .header("Last-Event-ID", "-3")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_id.status(), 400);
    assert_eq!(
        bad_id.json::<Value>().await.unwrap()["error"]["code"],
        "invalid_last_event_id"
    );
    let stranger = ferry_relay::domain::ConversationToken::generate();
    let unknown = open_stream(&app, stranger.as_str(), None).await;
    assert_eq!(unknown.status(), 404);
}
