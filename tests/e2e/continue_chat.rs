//! A web chat carried into a messenger: the recap arrives there, the conversation moves, the
//! operator's replies follow it within the platform's rules, and the person's messenger
//! messages join the same conversation.

use ferry_relay::domain::{Author, ConversationToken};
use ferry_relay::replies::{self, Replier, ReplyError};
use ferry_relay::store::{Conversation, MessageAuthor, MessageStatus, Place};
use ferry_tests::{
    META_APP_SECRET, TELEGRAM_SECRET, TestApp,
    chat_api::{follow, tap_carrying, visitor_writes},
    fixtures, spawn_app,
};
use serde_json::{Value, json};

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
    let token = visitor_writes(&app, "Do you ship to Riga?").await;
    let web = conversation(&app, &token).await;
    let answer = operator_replies(&app, &web, "Yes, within two days.")
        .await
        .unwrap();
    assert_eq!(
        (answer.place, answer.status),
        (Place::Web, MessageStatus::Sent)
    );
    let mut stream = follow(&app, &token, Some(2)).await;
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
    let token = visitor_writes(&app, "Is the grinder back in stock?").await;
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

#[tokio::test]
async fn a_messenger_reply_after_a_day_goes_as_human_agent_and_after_a_week_is_refused() {
    // Arrange: the visitor continues in Messenger, then writes there two days ago.
    let app = spawn_app().await;
    let token = visitor_writes(&app, "Do you ship to Vilnius?").await;
    let reference = fixtures::token();
    tap_carrying(&app, &token, "messenger", &reference).await;
    let arrival = fixtures::load("messenger/get_started_with_referral.json", &reference);
    app.post_meta(
        "messenger",
        arrival.to_string().as_bytes(),
        Some(META_APP_SECRET),
    )
    .await;
    app.drain().await;
    let two_days_ago = app.state.clock.now() - 2 * 24 * 3_600_000;
    let mut text = fixtures::load("messenger/text.json", "");
    text["entry"][0]["time"] = json!(two_days_ago);
    text["entry"][0]["messaging"][0]["timestamp"] = json!(two_days_ago);
    app.post_meta(
        "messenger",
        text.to_string().as_bytes(),
        Some(META_APP_SECRET),
    )
    .await;
    app.drain().await;
    let moved = conversation(&app, &token).await;
    assert_eq!(moved.place.as_str(), "messenger");

    // Act
    let tagged = operator_replies(&app, &moved, "Yes, to Vilnius in three days.").await;
    app.drain().await;
    app.clock.advance_secs(6 * 24 * 3600);
    let too_late = operator_replies(&app, &moved, "Are you still there?").await;

    // Assert
    assert!(tagged.is_ok(), "{tagged:?}");
    let sent = app.sent();
    let recap = &sent[1].body;
    assert!(
        recap["message"]["text"]
            .as_str()
            .unwrap()
            .contains("You: Do you ship to Vilnius?"),
        "{recap}"
    );
    let reply = &sent.last().unwrap().body;
    assert_eq!(reply["message"]["text"], "Yes, to Vilnius in three days.");
    assert_eq!(reply["messaging_type"], "MESSAGE_TAG");
    assert_eq!(reply["tag"], "HUMAN_AGENT");
    let Err(ReplyError::Refused { refusal, .. }) = too_late else {
        panic!("refused: {too_late:?}");
    };
    assert_eq!(refusal.code(), "reply_window_closed");
}
