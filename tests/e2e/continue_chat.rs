//! A web chat carried into a messenger: the recap arrives there, the conversation moves, the
//! operator's replies follow it within the platform's rules, and the person's messenger
//! messages join the same conversation.

use ferry_relay::domain::{Author, ConversationToken};
use ferry_relay::replies::{self, Replier, ReplyError};
use ferry_relay::store::{Conversation, MessageAuthor, MessageStatus, Place};
use ferry_tests::{
    META_APP_SECRET, TELEGRAM_SECRET, TestApp, fixtures, live::LiveStream, spawn_app,
};
use serde_json::{Value, json};

async fn start_chat(app: &TestApp, first: &str) -> String {
    let response = app
        .widget_post(
            "conversations",
            &json!({ "visit": { "page_url": "https://shop.example/p/beans?utm_campaign=spring", "placement": "floating" } }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent = app
        .client
        .post(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", &token)
        .json(&json!({ "text": first, "client_key": "first" }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    token
}

/// The intent of a tap on `channel` while the chat is open.
async fn tap_carrying(app: &TestApp, token: &str, channel: &str, reference: &str) {
    let response = app
        .client
        .post(format!("{}/api/widget/demo/intents", app.address))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", token)
        .json(&json!({ "ref": reference, "channel": channel,
            "visit": { "page_url": "https://shop.example/p/beans", "placement": "floating" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

async fn conversation(app: &TestApp, token: &str) -> Conversation {
    let hash = ConversationToken::parse(token).unwrap().hash();
    app.state
        .store
        .find_conversation_by_token("demo", &hash)
        .await
        .unwrap()
        .unwrap()
}

async fn operator_replies(
    app: &TestApp,
    conversation: &Conversation,
    text: &str,
) -> Result<ferry_relay::store::Message, ReplyError> {
    let site = app.state.settings.site("demo").unwrap();
    let anna = Replier {
        login: "anna@shop.example".into(),
        author: Author::Human,
    };
    replies::reply(
        app.state.store.as_ref(),
        site,
        conversation.id,
        &anna,
        text,
        &text.replace(' ', "-"),
        app.state.clock.now(),
    )
    .await
}

fn texts_to(app: &TestApp, recipient: i64) -> Vec<String> {
    app.sent()
        .iter()
        .filter(|request| request.body["chat_id"] == recipient)
        .map(|request| request.body["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_web_chat_continued_in_telegram_gets_its_recap_there_and_the_replies_follow_it() {
    // Arrange: the visitor asked on the site and the operator answered there.
    let app = spawn_app().await;
    let token = start_chat(&app, "Do you ship to Riga?").await;
    let web = conversation(&app, &token).await;
    let answer = operator_replies(&app, &web, "Yes, within two days.")
        .await
        .unwrap();
    assert_eq!(
        (answer.place, answer.status),
        (Place::Web, MessageStatus::Sent)
    );
    let mut stream = LiveStream::new(
        app.client
            .get(format!(
                "{}/api/widget/demo/conversation/events",
                app.address
            ))
            .header("Origin", app.origin())
            .header("X-Ferry-Conversation", &token)
            .header("Last-Event-ID", "2")
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(stream.next().await.data["channel"], "web");

    // Act: the visitor continues in Telegram.
    let reference = fixtures::token();
    tap_carrying(&app, &token, "telegram", &reference).await;
    let start = fixtures::load("telegram/start_with_ref.json", &reference);
    assert_eq!(
        app.post_telegram(&start, Some(TELEGRAM_SECRET))
            .await
            .status(),
        200
    );
    app.drain().await;

    // Assert: the recap is in Telegram, and the open page learns where the chat went.
    let received = texts_to(&app, 900069535);
    assert_eq!(
        received.len(),
        2,
        "the welcome, then the recap: {received:?}"
    );
    assert_eq!(
        received[1],
        "Your conversation on the Northwind Coffee website:\nYou: Do you ship to Riga?\n\
         Northwind Coffee: Yes, within two days."
    );
    let moved = stream.next().await;
    assert_eq!(moved.name, "conversation");
    assert_eq!(moved.data["channel"], "telegram");
    assert!(
        moved.data["link"]
            .as_str()
            .unwrap()
            .contains("/sandbox/telegram"),
        "{}",
        moved.data
    );
    let recap = stream.next_named("message", 1).await;
    assert_eq!(recap[0].data["author"], "system");

    // Act: the operator answers again, and the person writes back in Telegram.
    let moved = conversation(&app, &token).await;
    let reply = operator_replies(&app, &moved, "Your parcel left today.")
        .await
        .unwrap();
    let text = fixtures::load("telegram/private_text.json", "");
    assert_eq!(
        app.post_telegram(&text, Some(TELEGRAM_SECRET))
            .await
            .status(),
        200
    );
    app.drain().await;

    // Assert: the reply went to Telegram, and the answer joined the same conversation.
    assert_eq!(
        reply.place,
        Place::Messenger(ferry_relay::domain::ChannelKind::Telegram)
    );
    assert_eq!(
        texts_to(&app, 900069535).last().unwrap(),
        "Your parcel left today."
    );
    let messages = app
        .state
        .store
        .messages_after("demo", moved.id, 0, 100)
        .await
        .unwrap();
    let last = messages.last().unwrap();
    assert_eq!(
        (last.author, last.body.as_str(), last.place.as_str()),
        (MessageAuthor::Visitor, "Where is my order?", "telegram")
    );
    let delivered = messages
        .iter()
        .find(|m| m.body == "Your parcel left today.")
        .unwrap();
    assert_eq!(
        delivered.status,
        MessageStatus::Sent,
        "the delivery's status"
    );
    let live: Vec<Value> = stream
        .next_named("message", 2)
        .await
        .into_iter()
        .map(|event| event.data)
        .collect();
    assert_eq!(live[0]["text"], "Your parcel left today.");
    assert_eq!(live[1]["text"], "Where is my order?");
    assert_eq!(live[1]["channel"], "telegram");
}

#[tokio::test]
async fn a_reply_outside_whatsapps_window_is_refused_with_its_reason_and_nothing_is_sent() {
    // Arrange: the visitor continued in WhatsApp long ago (the message's time is in the
    // fixture), so the 24-hour window has closed.
    let app = spawn_app().await;
    let token = start_chat(&app, "Is the grinder back in stock?").await;
    tap_carrying(&app, &token, "whatsapp", "K7M2Q9AB").await;
    let body = fixtures::load("whatsapp/text_with_code.json", "K7M2Q9AB")
        .to_string()
        .into_bytes();
    assert_eq!(
        app.post_meta("whatsapp", &body, Some(META_APP_SECRET))
            .await
            .status(),
        200
    );
    app.drain().await;
    let moved = conversation(&app, &token).await;
    assert_eq!(moved.place.as_str(), "whatsapp");
    let before = app.snapshot().await;
    let sent_before = app.sent().len();

    // Act
    let refused = operator_replies(&app, &moved, "It is, since Monday.").await;

    // Assert
    let Err(ReplyError::Refused { refusal, .. }) = refused else {
        panic!("refused: {refused:?}");
    };
    assert_eq!(refusal.code(), "reply_window_closed");
    app.drain().await;
    assert_eq!(app.snapshot().await, before, "nothing stored");
    assert_eq!(app.sent().len(), sent_before, "nothing sent");
}
