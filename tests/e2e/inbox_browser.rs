//! The operator inbox in headless Chromium: the demo operator signs in at `/inbox/login` and
//! sees the visitors' conversations, on a laptop (two panes) and on a phone (the list, then
//! the conversation with a back button), and signs out again. Screenshots:
//! `ferry-inbox-*.png` in the temp folder.

use ferry_relay::demo::{OPERATOR_LOGIN, OPERATOR_PASSWORD};
use ferry_tests::{TELEGRAM_SECRET, TestApp, browser::Browser, fixtures, spawn_app};
use serde_json::{Value, json};

/// A visitor of `page` (from `campaign`) starts the web chat and writes `text`.
async fn visitor_writes(app: &TestApp, page: &str, campaign: &str, text: &str) {
    let visit = json!({ "visit": { "page_url": format!("https://shop.example{page}?utm_campaign={campaign}"),
        "referrer": "https://news.example/spring-issue", "utm": { "campaign": campaign },
        "placement": "floating" } });
    let started: Value = app
        .widget_post("conversations", &visit)
        .await
        .json()
        .await
        .unwrap();
    let sent = app
        .client
        .post(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", started["token"].as_str().unwrap())
        .json(&json!({ "text": text, "client_key": "first" }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
}

/// Every conversation item's text, in the list's order.
const LISTED: &str = "[...document.querySelectorAll('[data-testid=inbox-conversation]')]\
                      .map(item => item.textContent)";

#[tokio::test]
async fn the_demo_operator_signs_in_and_sees_the_conversations_on_a_laptop_and_a_phone() {
    let Some(browser) = Browser::start_without_widget().await else {
        return;
    };
    // Arrange: a Telegram user writes with no visit behind them; two visitors use the web chat
    let app = spawn_app().await;
    let telegram = fixtures::telegram_text(501, 4242, "Hi, is the café open on Sunday?");
    app.post_telegram(&telegram, Some(TELEGRAM_SECRET)).await;
    app.drain().await;
    visitor_writes(&app, "/p/grinder", "black-friday", "Is the grinder 220 V?").await;
    visitor_writes(
        &app,
        "/p/beans",
        "spring",
        "Do you have the Ethiopia beans in 1 kg bags?\nI'd take two.",
    )
    .await;
    browser.viewport(1280, 800).await;

    // Act: the inbox sends a stranger to the sign-in page
    browser.goto(&format!("{}/inbox/", app.address)).await;
    browser
        .wait_for(
            "the sign-in page",
            "location.pathname === '/inbox/login' && document.querySelector('#login')",
        )
        .await;
    browser.screenshot("inbox-sign-in-1280x800").await;
    browser.type_into("#login", OPERATOR_LOGIN).await;
    browser.type_into("#password", OPERATOR_PASSWORD).await;
    browser.click("[data-testid=inbox-sign-in]").await;

    // Assert: the operator's name, and the conversations newest first
    let name = browser
        .wait_for(
            "the signed-in operator",
            "location.pathname === '/inbox/' && document.querySelector('#operator-name').textContent",
        )
        .await;
    assert_eq!(name, "Dana");
    let listed = browser
        .wait_for(
            "three conversations",
            &format!("{LISTED}.length === 3 && {LISTED}"),
        )
        .await;
    let listed: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(listed[0].contains("1 kg bags") && listed[0].contains("spring · /p/beans"));
    assert!(listed[1].contains("220 V") && listed[1].contains("black-friday"));
    assert!(listed[2].contains("open on Sunday") && listed[2].contains("Direct visit"));
    browser.screenshot("inbox-1280x800").await;

    // Act: open the newest conversation
    browser
        .js("location.hash = document.querySelector('[data-testid=inbox-conversation]').getAttribute('href')")
        .await;
    browser
        .wait_for(
            "the conversation",
            "document.querySelector('[data-testid=inbox-messages]').textContent.includes('I\\'d take two.')",
        )
        .await;
    browser.screenshot("inbox-conversation-1280x800").await;

    // Assert: on a phone, the conversation alone, with a way back to the list alone
    browser.viewport(390, 844).await;
    let panes = "[getComputedStyle(document.querySelector('.list-pane')).display, \
                 getComputedStyle(document.querySelector('.conversation-pane')).display]";
    assert_eq!(
        browser.js(&format!("return {panes}")).await,
        json!(["none", "flex"])
    );
    browser.screenshot("inbox-conversation-390x844").await;
    browser.click("#back").await;
    browser
        .wait_for("the list alone", &format!("{panes}.join() === 'flex,none'"))
        .await;
    browser.screenshot("inbox-390x844").await;

    // Act: sign out
    browser.click("[data-testid=inbox-sign-out]").await;
    browser
        .wait_for("the sign-in page", "location.pathname === '/inbox/login'")
        .await;
    browser.screenshot("inbox-sign-in-390x844").await;
    browser.close().await;
}
