//! The web chat live in headless Chromium: an operator's reply appears while the visitor looks,
//! counts on the launcher's badge while the panel is closed (also on the next page view, before
//! the panel was ever opened), and a conversation continued in Telegram says so in the chat.
//!
//! Screenshots go to the temp dir (`ferry-chat-*.png`).

use ferry_tests::{
    browser::{Browser, in_widget},
    chat::{BUBBLES, open_chat, operator_writes, stored_token, type_keys},
    demo::{open_panel, start_in_telegram, start_ref, tap_channel, wait_for_intent},
    spawn_app,
};

/// JavaScript for the launcher's badge text and accessible name.
fn launcher() -> String {
    let button = in_widget("ferry-launcher");
    format!(
        "[{}.textContent, {button}.getAttribute('aria-label')]",
        in_widget("ferry-unread")
    )
}

#[tokio::test]
async fn an_operators_reply_appears_live_and_counts_on_the_launcher_while_the_panel_is_closed() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    open_chat(&app, &browser).await;
    type_keys(&browser, "Do you have decaf?\n").await;
    browser
        .wait_for(
            "the message to be sent",
            &format!("{BUBBLES}[0]?.dataset.state === 'sent'"),
        )
        .await;
    let token = stored_token(&browser).await.unwrap();

    // Act: the operator answers while the visitor looks
    operator_writes(&app, &token, "Yes: Harbour Blend comes as decaf too.").await;

    // Assert: on the shop's side of the log, and no badge
    let reply = browser
        .wait_for(
            "the reply",
            &format!("{BUBBLES}.length === 2 && !{BUBBLES}[1].classList.contains('me') && {BUBBLES}[1].textContent"),
        )
        .await;
    assert!(reply.as_str().unwrap().contains("decaf too"), "{reply}");
    assert_eq!(browser.js(&format!("return {}", launcher())).await[0], "");
    browser.screenshot("chat-reply-desktop").await;

    // Act: the panel closed, two more replies
    browser.js("Ferry.close()").await;
    operator_writes(&app, &token, "We roast it on Tuesdays.").await;
    operator_writes(&app, &token, "Shall I put one aside?").await;

    // Assert: the badge counts them, and the launcher's name says so
    let badge = browser
        .wait_for("the badge", &format!("{0}[0] === '2' && {0}", launcher()))
        .await;
    assert_eq!(badge[1], "Chat with us, 2 new messages");
    browser.screenshot("chat-badge-desktop").await;

    // Act: the visitor opens the panel
    open_panel(&browser).await;

    // Assert: the chat shows the replies and the badge is gone
    browser
        .wait_for("the replies", &format!("{BUBBLES}.length === 4"))
        .await;
    let cleared = browser.js(&format!("return {}", launcher())).await;
    assert_eq!(cleared[0], "");
    assert_eq!(cleared[1], "Chat with us");

    // Act: the next page view, panel never opened, another reply
    browser.client.refresh().await.unwrap();
    browser
        .wait_for("the launcher", &in_widget("ferry-launcher"))
        .await;
    // The history read (the panel stays closed): what comes next comes live.
    browser
        .wait_for("the history", &format!("{BUBBLES}.length === 4"))
        .await;
    operator_writes(&app, &token, "It's set aside for you.").await;

    // Assert: counted all the same
    browser
        .wait_for(
            "the badge after a reload",
            &format!("{}[0] === '1'", launcher()),
        )
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_chat_continued_in_telegram_says_so_and_links_back() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    open_chat(&app, &browser).await;
    type_keys(&browser, "Can you message me when it ships?\n").await;
    browser
        .wait_for(
            "the message to be sent",
            &format!("{BUBBLES}[0]?.dataset.state === 'sent'"),
        )
        .await;

    // Act: Telegram from the chat's strip, START on the phone, back on the shop
    let link = tap_channel(&browser, "ferry-channel-telegram").await;
    wait_for_intent(&app, start_ref(&link)).await;
    start_in_telegram(&browser, &link).await;
    app.drain().await;
    browser.goto(&format!("{}/demo/", app.address)).await;
    open_panel(&browser).await;

    // Assert: the chat says where the conversation went, with a link back into the messenger
    let notice = browser
        .wait_for(
            "the continued notice",
            &format!("{}?.textContent", in_widget("ferry-chat-continued")),
        )
        .await;
    assert_eq!(notice, "Continued in Telegram");
    let back = browser
        .js(&format!(
            "const a = {}; return [a.textContent, a.href]",
            in_widget("ferry-chat-continued-link")
        ))
        .await;
    assert_eq!(back[0], "Open Telegram");
    assert!(
        back[1].as_str().unwrap().contains("/sandbox/telegram"),
        "{back}"
    );
    browser.screenshot("chat-continued-desktop").await;

    // The composer still writes into the same conversation
    type_keys(&browser, "Thanks!\n").await;
    browser
        .wait_for(
            "the new message to be sent",
            &format!("{BUBBLES}.length >= 2 && {BUBBLES}.at(-1).dataset.state === 'sent'"),
        )
        .await;
    browser.close().await;
}
