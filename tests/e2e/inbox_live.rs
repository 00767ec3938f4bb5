//! The operator's side of the conversation in a real browser: a visitor's message appears live
//! in the inbox, the operator answers with Enter and the visitor's live stream gets it; the
//! visitor continues in Telegram, the operator's next reply reaches the phone, and the phone's
//! answer appears live in the same conversation. A WhatsApp conversation past its window shows
//! why no reply can go.

use ferry_tests::{
    META_APP_SECRET, TELEGRAM_SECRET, TestApp,
    browser::Browser,
    chat_api::{follow, tap_carrying, visitor_writes},
    demo::eventually,
    fixtures,
    inbox::{sign_in_in_browser, thread_shows},
    spawn_app,
};
use serde_json::json;

#[tokio::test]
async fn the_operator_answers_live_and_the_conversation_follows_the_visitor_into_telegram() {
    let Some(browser) = Browser::start_without_widget().await else {
        return;
    };
    let app = spawn_app().await;
    browser.viewport(1280, 800).await;
    sign_in_in_browser(&browser, &app).await;

    // A visitor writes on the site: the inbox shows it without a reload.
    let token = visitor_writes(&app, "Do you ship to Riga?").await;
    browser
        .wait_for(
            "the conversation in the list",
            "[...document.querySelectorAll('[data-testid=inbox-conversation]')]\
             .some(item => item.textContent.includes('Do you ship to Riga?'))",
        )
        .await;
    browser.click("[data-testid=inbox-conversation]").await;
    browser
        .wait_for("the thread", &thread_shows("Do you ship to Riga?"))
        .await;

    // The operator answers with Enter; the visitor's live stream gets it.
    let mut visitor = follow(&app, &token, Some(1)).await;
    browser
        .type_into("[data-testid=inbox-reply]", "Yes, within two days.\n")
        .await;
    let answer = visitor.next_named("message", 1).await;
    assert_eq!(answer[0].data["text"], "Yes, within two days.");
    assert_eq!(answer[0].data["author"], "operator");
    browser.screenshot("inbox-conversation-1280x800").await;

    // The visitor continues in Telegram: the recap reaches the phone, the inbox follows.
    let reference = fixtures::token();
    tap_carrying(&app, &token, "telegram", &reference).await;
    let start = fixtures::load("telegram/start_with_ref.json", &reference);
    app.post_telegram(&start, Some(TELEGRAM_SECRET)).await;
    app.drain().await;
    let to_phone = |app: &TestApp| -> Vec<String> {
        app.sent()
            .iter()
            .filter(|request| request.body["chat_id"] == 900069535)
            .map(|request| request.body["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert!(
        to_phone(&app)
            .iter()
            .any(|text| text.contains("You: Do you ship to Riga?")),
        "the recap: {:?}",
        to_phone(&app)
    );
    browser
        .wait_for(
            "the recap in the thread",
            &thread_shows("Your conversation on the Northwind Coffee website"),
        )
        .await;

    // The operator's next reply goes to Telegram; the phone's answer shows up live.
    browser
        .type_into("[data-testid=inbox-reply]", "Your parcel left today.\n")
        .await;
    browser
        .wait_for(
            "the reply in the thread",
            &thread_shows("Your parcel left today."),
        )
        .await;
    // The thread shows the reply as it is sent; deliver it once the relay has stored it.
    // The outbox holds the welcome and the recap; the reply is the third.
    let stored = eventually(async || app.count_rows("outbox").await >= 3).await;
    assert!(stored, "the reply is queued for Telegram");
    app.drain().await;
    assert_eq!(
        to_phone(&app).last().map(String::as_str),
        Some("Your parcel left today.")
    );
    let answer = fixtures::load("telegram/private_text.json", "");
    app.post_telegram(&answer, Some(TELEGRAM_SECRET)).await;
    app.drain().await;
    browser
        .wait_for("the phone's answer", &thread_shows("Where is my order?"))
        .await;
    browser
        .wait_for(
            "the list's preview",
            "document.querySelector('[data-testid=inbox-conversation]').textContent             .includes('Where is my order?')",
        )
        .await;
    browser.screenshot("inbox-telegram-1280x800").await;
    browser.viewport(390, 844).await;
    browser.screenshot("inbox-telegram-390x844").await;
    browser.close().await;
}

#[tokio::test]
async fn a_whatsapp_conversation_past_its_window_says_why_no_reply_can_go() {
    let Some(browser) = Browser::start_without_widget().await else {
        return;
    };
    let app = spawn_app().await;
    let token = visitor_writes(&app, "Is the grinder back?").await;
    tap_carrying(&app, &token, "whatsapp", "K7M2Q9AB").await;
    let body = fixtures::load("whatsapp/text_with_code.json", "K7M2Q9AB")
        .to_string()
        .into_bytes();
    app.post_meta("whatsapp", &body, Some(META_APP_SECRET))
        .await;
    app.drain().await;
    browser.viewport(1280, 800).await;
    sign_in_in_browser(&browser, &app).await;

    browser.click("[data-testid=inbox-conversation]").await;
    let notice = browser
        .wait_for(
            "the refusal",
            "!document.querySelector('[data-testid=inbox-composer-notice]').hidden \
             && document.querySelector('[data-testid=inbox-composer-notice]').textContent",
        )
        .await;

    assert!(notice.as_str().unwrap().contains("24 hours"), "{notice}");
    let disabled = browser
        .js("return document.querySelector('[data-testid=inbox-send]').disabled")
        .await;
    assert_eq!(disabled, json!(true));
    browser.screenshot("inbox-whatsapp-refused-1280x800").await;
    browser.close().await;
}
