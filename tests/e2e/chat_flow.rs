//! The whole conversation in two real browsers, as the product promises it: a visitor asks in
//! the shop's web chat, the operator sees it live in the inbox and answers, the answer appears
//! live in the widget; the visitor continues in Telegram, the simulated phone shows the recap,
//! the operator's next reply reaches the phone, and the phone's answer appears in the inbox in
//! the same conversation.

use ferry_tests::{
    browser::{Browser, in_widget},
    chat::{BUBBLES, open_chat, type_keys},
    demo::{eventually, start_in_telegram, start_ref, tap_channel, wait_for_intent},
    inbox::{sign_in_in_browser, thread_shows},
    spawn_app,
};

/// A JavaScript test: whether the sandbox phone shows a bubble from the bot containing `text`.
fn phone_shows(text: &str) -> String {
    format!(
        "[...document.querySelectorAll('[data-testid=phone-bubble][data-from=bot]')]\
         .some(b => b.textContent.includes({}))",
        serde_json::Value::from(text)
    )
}

#[tokio::test]
async fn a_visitor_and_an_operator_talk_on_the_site_and_carry_on_in_telegram() {
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let Some(operator) = Browser::start_without_widget().await else {
        return;
    };
    let app = spawn_app().await;
    sign_in_in_browser(&operator, &app).await;

    // The visitor asks on the product page.
    open_chat(&app, &visitor).await;
    type_keys(&visitor, "Do you ship to Riga?\n").await;
    visitor
        .wait_for("sent", &format!("{BUBBLES}[0]?.dataset.state === 'sent'"))
        .await;

    // The operator sees it without reloading, opens it and answers.
    operator
        .wait_for(
            "the conversation in the inbox",
            "[...document.querySelectorAll('[data-testid=inbox-conversation]')]\
             .some(item => item.textContent.includes('Do you ship to Riga?'))",
        )
        .await;
    operator.click("[data-testid=inbox-conversation]").await;
    operator
        .wait_for("the thread", &thread_shows("Do you ship to Riga?"))
        .await;
    operator
        .type_into("[data-testid=inbox-reply]", "Yes, within two days.\n")
        .await;

    // The answer appears live in the widget.
    let answer = visitor
        .wait_for(
            "the operator's answer",
            &format!("{BUBBLES}.length === 2 && {BUBBLES}[1].textContent"),
        )
        .await;
    assert!(
        answer.as_str().unwrap().contains("within two days"),
        "{answer}"
    );
    visitor.screenshot("flow-widget-answer").await;

    // The visitor continues in Telegram: the phone shows the recap.
    let link = tap_channel(&visitor, "ferry-channel-telegram").await;
    wait_for_intent(&app, start_ref(&link)).await;
    start_in_telegram(&visitor, &link).await;
    app.drain().await;
    visitor
        .wait_for(
            "the recap on the phone",
            &phone_shows("You: Do you ship to Riga?"),
        )
        .await;
    visitor.screenshot("flow-phone-recap").await;
    operator
        .wait_for(
            "the inbox follows to Telegram",
            &thread_shows("Your conversation on the Northwind Coffee website"),
        )
        .await;

    // The operator's next reply reaches the phone.
    operator
        .type_into("[data-testid=inbox-reply]", "Your parcel left today.\n")
        .await;
    // The welcome and the recap are queued already; the reply is the third.
    assert!(eventually(async || app.count_rows("outbox").await >= 3).await);
    app.drain().await;
    visitor
        .wait_for(
            "the reply on the phone",
            &phone_shows("Your parcel left today."),
        )
        .await;

    // The phone answers; it appears in the inbox, in the same conversation.
    visitor
        .type_into("[data-testid=phone-input]", "Thank you!")
        .await;
    visitor.click("[data-testid=phone-send]").await;
    assert!(
        eventually(async || app.count_rows("inbound").await >= 2).await,
        "the phone's message reached the relay"
    );
    app.drain().await;
    operator
        .wait_for(
            "the phone's answer in the inbox",
            &thread_shows("Thank you!"),
        )
        .await;
    let conversations = operator
        .js("return document.querySelectorAll('[data-testid=inbox-conversation]').length")
        .await;
    assert_eq!(conversations, 1, "one conversation throughout");
    operator.screenshot("flow-inbox-telegram").await;

    // Back on the shop, the widget says where the conversation went.
    visitor.goto(&format!("{}/demo/", app.address)).await;
    ferry_tests::demo::open_panel(&visitor).await;
    let notice = visitor
        .wait_for(
            "the continued notice",
            &format!("{}?.textContent", in_widget("ferry-chat-continued")),
        )
        .await;
    assert_eq!(notice, "Continued in Telegram");
    visitor.close().await;
    operator.close().await;
}

#[tokio::test]
async fn a_chat_continued_in_whatsapp_takes_replies_until_its_window_closes() {
    let Some(visitor) = Browser::start().await else {
        return;
    };
    let Some(operator) = Browser::start_without_widget().await else {
        return;
    };
    let app = spawn_app().await;
    sign_in_in_browser(&operator, &app).await;
    open_chat(&app, &visitor).await;
    type_keys(&visitor, "Is the grinder back in stock?\n").await;
    visitor
        .wait_for("sent", &format!("{BUBBLES}[0]?.dataset.state === 'sent'"))
        .await;

    // The visitor continues in WhatsApp: the prefilled message goes, the recap comes back.
    let link = tap_channel(&visitor, "ferry-channel-whatsapp").await;
    assert!(eventually(async || app.count_rows("intents").await >= 1).await);
    visitor.goto(&link).await;
    visitor
        .wait_for(
            "the prefilled text",
            "document.querySelector('[data-testid=phone-input]').value",
        )
        .await;
    ferry_tests::demo::press_on_phone(&visitor, "phone-send").await;
    app.drain().await;
    visitor
        .wait_for(
            "the recap on the phone",
            &phone_shows("You: Is the grinder back in stock?"),
        )
        .await;

    // Within the 24 hours the operator's reply reaches WhatsApp.
    operator
        .wait_for(
            "the conversation in the inbox",
            "document.querySelector('[data-testid=inbox-conversation]')",
        )
        .await;
    operator.click("[data-testid=inbox-conversation]").await;
    operator
        .wait_for(
            "the recap in the thread",
            &thread_shows("Your conversation on"),
        )
        .await;
    operator
        .type_into("[data-testid=inbox-reply]", "It is, since Monday.\n")
        .await;
    assert!(eventually(async || app.count_rows("outbox").await >= 3).await);
    app.drain().await;
    visitor
        .wait_for(
            "the reply on the phone",
            &phone_shows("It is, since Monday."),
        )
        .await;

    // A day and more later (the operator signs in again: sessions end after 12 idle hours)
    // the window has closed: the inbox says so and sends nothing.
    app.clock.advance_secs(25 * 3600);
    sign_in_in_browser(&operator, &app).await;
    operator.click("[data-testid=inbox-conversation]").await;
    let notice = operator
        .wait_for(
            "the refusal",
            "!document.querySelector('[data-testid=inbox-composer-notice]').hidden \
             && document.querySelector('[data-testid=inbox-composer-notice]').textContent",
        )
        .await;
    assert!(notice.as_str().unwrap().contains("24 hours"), "{notice}");
    operator.screenshot("flow-inbox-whatsapp-closed").await;
    visitor.close().await;
    operator.close().await;
}
