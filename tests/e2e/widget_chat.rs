//! The web chat in headless Chromium on the demo shop: a visitor writes (Enter sends,
//! Shift+Enter breaks the line), the relay keeps the message and the page shows it after a
//! reload; a message that did not go offers Retry and goes once; outside office hours the chat
//! says so and offers the messengers first.
//!
//! Screenshots go to the temp dir (`ferry-chat-*.png`) for looking at the chat.

use ferry_relay::domain::OfficeHours;
use ferry_tests::{
    browser::{Browser, in_widget},
    chat::{
        BUBBLES, bubbles, open_chat, relay_history, stored_token, type_keys,
        wait_for_composer_focus,
    },
    customer_token,
    demo::{open_demo, open_panel},
    spawn_app, spawn_app_with,
};
use ferry_wire::ChatAuthor;
use serde_json::json;

#[tokio::test]
async fn a_visitor_writes_with_enter_and_finds_the_conversation_after_a_reload() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    browser.client.set_window_size(1280, 800).await.unwrap();
    open_demo(&app, &browser, "/demo/").await;
    open_panel(&browser).await;
    browser.screenshot("chat-home-desktop").await;
    open_chat(&app, &browser).await;
    assert_eq!(
        stored_token(&browser).await,
        None,
        "nothing stored before the visitor writes"
    );
    browser.screenshot("chat-empty-desktop").await;

    // Act: Shift+Enter breaks the line, Enter sends
    type_keys(&browser, "Do you ship to Riga?\rThanks\n").await;

    // Assert: shown as sent, the composer emptied, and the relay has the two lines
    browser
        .wait_for(
            "the message to be sent",
            &format!("{BUBBLES}.length === 1 && {BUBBLES}[0].dataset.state === 'sent'"),
        )
        .await;
    let shown = bubbles(&browser).await;
    assert_eq!(shown[0].1, "Do you ship to Riga?\nThanks");
    assert!(!shown[0].2.is_empty(), "the time shows: {shown:?}");
    assert_eq!(
        browser
            .js(&format!("return {}.value", in_widget("ferry-chat-input")))
            .await,
        ""
    );
    let token = stored_token(&browser)
        .await
        .expect("the token is kept once the visitor wrote");
    let kept = relay_history(&app, &token).await.messages;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        (kept[0].author, kept[0].text.as_str()),
        (ChatAuthor::Visitor, "Do you ship to Riga?\nThanks")
    );
    let you = browser
        .js(&format!(
            "return {BUBBLES}[0].querySelector('.sr').textContent"
        ))
        .await;
    assert_eq!(you, "You: ", "screen readers hear who wrote it");
    browser.screenshot("chat-sent-desktop").await;

    // A tap on a messenger in the chat names the conversation to the relay
    browser
        .js("window.intentHeaders = [];
             const plain = window.fetch;
             window.fetch = (url, init) => {
               if (String(url).endsWith('/intents')) intentHeaders.push(init.headers['X-Ferry-Conversation'] || null);
               return plain(url, init);
             };")
        .await;
    browser
        .js(&format!(
            "const a = {}; a.addEventListener('click', e => e.preventDefault()); a.click();",
            in_widget("ferry-channel-telegram")
        ))
        .await;
    let header = browser
        .wait_for("the intent's request", "window.intentHeaders[0]")
        .await;
    assert_eq!(header, json!(token));

    // Act: the next page view
    browser.client.refresh().await.unwrap();
    browser
        .wait_for("the launcher", &in_widget("ferry-launcher"))
        .await;
    open_panel(&browser).await;

    // Assert: the panel opens on the chat, with the conversation
    wait_for_composer_focus(&browser).await;
    browser
        .wait_for("the history", &format!("{BUBBLES}.length === 1"))
        .await;
    assert_eq!(bubbles(&browser).await[0].1, "Do you ship to Riga?\nThanks");

    // A phone-sized window
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.screenshot("chat-sent-phone").await;
    browser.close().await;
}

#[tokio::test]
async fn a_message_that_did_not_go_offers_retry_and_is_kept_once() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    open_chat(&app, &browser).await;
    // The first send gets a 503; every send's client key is noted.
    browser
        .js("window.keys = [];
             const plain = window.fetch;
             window.fetch = async (url, init) => {
               if (!String(url).endsWith('/conversation/messages') || init?.method !== 'POST') return plain(url, init);
               keys.push(JSON.parse(init.body).client_key);
               if (keys.length === 1) return new Response('{}', { status: 503 });
               return plain(url, init);
             };")
        .await;

    // Act
    type_keys(&browser, "Is the grinder in stock?\n").await;

    // Assert: not sent, with a real Retry button, and nothing reached the relay
    browser
        .wait_for(
            "the failed state",
            &format!("{BUBBLES}[0]?.dataset.state === 'failed'"),
        )
        .await;
    let retry = in_widget("ferry-chat-retry");
    assert_eq!(
        browser.js(&format!("return {retry}.tagName")).await,
        "BUTTON"
    );
    assert_eq!(bubbles(&browser).await[0].2, "Not sent. Retry");
    let token = stored_token(&browser).await.unwrap();
    assert!(relay_history(&app, &token).await.messages.is_empty());
    browser.screenshot("chat-failed-desktop").await;

    // Act: Retry
    browser.js(&format!("{retry}.click()")).await;

    // Assert: sent with the same client key, kept once
    browser
        .wait_for(
            "the message to be sent",
            &format!("{BUBBLES}[0].dataset.state === 'sent'"),
        )
        .await;
    wait_for_composer_focus(&browser).await;
    let keys = browser.js("return window.keys").await;
    assert_eq!(keys[0], keys[1], "{keys}");
    assert_eq!(keys.as_array().unwrap().len(), 2);
    assert_eq!(relay_history(&app, &token).await.messages.len(), 1);
    assert_eq!(bubbles(&browser).await.len(), 1);
    browser.close().await;
}

#[tokio::test]
async fn a_message_whose_answer_was_lost_shows_once_as_sent() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    open_chat(&app, &browser).await;
    type_keys(&browser, "First\n").await;
    browser
        .wait_for(
            "the first message",
            &format!("{BUBBLES}[0]?.dataset.state === 'sent'"),
        )
        .await;
    // The next send reaches the relay, but its answer never reaches the page.
    browser
        .js("const plain = window.fetch;
             window.fetch = async (url, init) => {
               const answer = await plain(url, init);
               if (String(url).endsWith('/conversation/messages') && init?.method === 'POST') throw new TypeError('Failed to fetch');
               return answer;
             };")
        .await;

    type_keys(&browser, "Second\n").await;

    // The live stream brings the message: one bubble, sent, nothing to retry
    browser
        .wait_for(
            "the second message to show as sent",
            &format!("{BUBBLES}.length === 2 && {BUBBLES}.every(b => b.dataset.state === 'sent')"),
        )
        .await;
    let token = stored_token(&browser).await.unwrap();
    assert_eq!(relay_history(&app, &token).await.messages.len(), 2);
    browser.close().await;
}

#[tokio::test]
async fn outside_office_hours_the_chat_says_so_and_offers_the_messengers_first() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let closed: OfficeHours = serde_json::from_value(json!({ "time_zone": "UTC" })).unwrap();
    let app = spawn_app_with(|settings| settings.sites[0].office_hours = Some(closed)).await;

    open_chat(&app, &browser).await;

    let line = browser
        .wait_for(
            "the away notice",
            &format!(
                "{}.checkVisibility() && {0}.textContent",
                in_widget("ferry-chat-line")
            ),
        )
        .await;
    assert!(line.as_str().unwrap().contains("away"), "{line}");
    // The messengers sit above the log, the way to an answer later
    let above = browser
        .js(&format!(
            "return {}.getBoundingClientRect().bottom <= {}.getBoundingClientRect().top",
            in_widget("ferry-channel-telegram"),
            in_widget("ferry-chat-log")
        ))
        .await;
    assert_eq!(above, true);
    browser.screenshot("chat-away-desktop").await;
    browser.close().await;
}

#[tokio::test]
async fn a_signed_in_customer_finds_the_conversation_they_began_on_another_device() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    // Arrange: the customer wrote from their phone
    let jwt = customer_token("c-1042", "ann@example.com", None);
    let visit = json!({ "page_url": format!("{}/demo/", app.address), "placement": "floating" });
    let started = app
        .widget_post("conversations", &json!({ "visit": visit, "token": jwt }))
        .await;
    assert_eq!(started.status(), 201);
    let phone: serde_json::Value = started.json().await.unwrap();
    let sent = app
        .client
        .post(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", phone["token"].as_str().unwrap())
        .json(&json!({ "text": "Sent from my phone", "client_key": "phone-1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);

    // Act: on this computer the shop's page knows the customer; they open the chat
    open_demo(&app, &browser, "/demo/").await;
    browser.js(&format!("Ferry.identify('{jwt}')")).await;
    open_panel(&browser).await;
    browser
        .js(&format!("{}.click()", in_widget("ferry-chat-open")))
        .await;

    // Assert: their conversation, kept on this device from now on
    browser
        .wait_for("the history", &format!("{BUBBLES}.length === 1"))
        .await;
    assert_eq!(bubbles(&browser).await[0].1, "Sent from my phone");
    assert!(stored_token(&browser).await.is_some());
    browser.close().await;
}
