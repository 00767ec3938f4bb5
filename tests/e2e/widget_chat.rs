//! The web chat in headless Chromium on the demo shop: a visitor writes (Enter sends,
//! Shift+Enter breaks the line), the relay keeps the message and the page shows it after a
//! reload; a message that did not go offers Retry and goes once; outside office hours the chat
//! says so and offers the messengers first.
//!
//! Screenshots go to the temp dir (`ferry-chat-*.png`) for looking at the chat.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use ferry_relay::domain::OfficeHours;
use ferry_tests::{
    TestApp,
    browser::{Browser, in_widget},
    demo::{open_demo, open_panel},
    spawn_app, spawn_app_with,
};
use ferry_wire::{ChatAuthor, ChatMessages};
use serde_json::json;

/// Where the widget keeps the demo site's conversation token.
const TOKEN_KEY: &str = "ferry:chat:demo";

/// JavaScript for the widget's bubbles, oldest first.
const BUBBLES: &str = "[...document.querySelector('[data-ferry]').shadowRoot.querySelectorAll('[data-testid=ferry-msg]')]";

/// Opens the panel on the demo page and switches to the chat; the composer has the focus.
async fn open_chat(app: &TestApp, browser: &Browser) {
    open_demo(app, browser, "/demo/").await;
    open_panel(browser).await;
    browser
        .js(&format!("{}.click()", in_widget("ferry-chat-open")))
        .await;
    wait_for_composer_focus(browser).await;
}

async fn wait_for_composer_focus(browser: &Browser) {
    browser
        .wait_for(
            "the composer to have the focus",
            "document.querySelector('[data-ferry]').shadowRoot.activeElement?.dataset.testid === 'ferry-chat-input'",
        )
        .await;
}

/// Types into whatever has the focus, as a keyboard does; `\n` is Enter, `\r` Shift+Enter.
async fn type_keys(browser: &Browser, text: &str) {
    let enter = char::from(Key::Enter);
    let shift = char::from(Key::Shift);
    let mut keys = KeyActions::new("keyboard".into());
    for c in text.chars() {
        let (key, shifted) = match c {
            '\n' => (enter, false),
            '\r' => (enter, true),
            c => (c, false),
        };
        if shifted {
            keys = keys.then(KeyAction::Down { value: shift });
        }
        keys = keys
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        if shifted {
            keys = keys.then(KeyAction::Up { value: shift });
        }
    }
    browser.client.perform_actions(keys).await.unwrap();
}

/// The conversation token the page stored, if any.
async fn stored_token(browser: &Browser) -> Option<String> {
    let token = browser
        .js(&format!("return localStorage.getItem('{TOKEN_KEY}')"))
        .await;
    token.as_str().map(str::to_owned)
}

/// The conversation as the relay keeps it, read the way the widget reads it.
async fn relay_history(app: &TestApp, token: &str) -> ChatMessages {
    let response = app
        .client
        .get(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("X-Ferry-Conversation", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// `(data-state, text of the bubble, status line)` of every bubble.
async fn bubbles(browser: &Browser) -> Vec<(String, String, String)> {
    let rows = browser
        .js(&format!(
            "return {BUBBLES}.map(b => [b.dataset.state, b.querySelector('.bb').lastChild.textContent, b.querySelector('.mt').textContent])"
        ))
        .await;
    serde_json::from_value(rows).unwrap()
}

#[tokio::test]
async fn a_visitor_writes_with_enter_and_finds_the_conversation_after_a_reload() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
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
    // The first send reaches the relay but its answer is lost; the second gets a 503.
    browser
        .js("window.sends = 0;
             const plain = window.fetch;
             window.fetch = async (url, init) => {
               if (!String(url).endsWith('/conversation/messages') || init?.method !== 'POST') return plain(url, init);
               sends += 1;
               if (sends === 1) { await plain(url, init); throw new TypeError('Failed to fetch'); }
               if (sends === 2) return new Response('{}', { status: 503 });
               return plain(url, init);
             };")
        .await;

    // Act
    type_keys(&browser, "Is the grinder in stock?\n").await;

    // Assert: not sent, with a real Retry button
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
    browser.screenshot("chat-failed-desktop").await;

    // Act: Retry once (503 again), then once more
    browser.js(&format!("{retry}.click()")).await;
    browser
        .wait_for(
            "the second failure",
            &format!("window.sends === 2 && {BUBBLES}[0].dataset.state === 'failed'"),
        )
        .await;
    browser.js(&format!("{retry}.click()")).await;

    // Assert: sent, and the relay kept the message once though it arrived twice
    browser
        .wait_for(
            "the message to be sent",
            &format!("{BUBBLES}[0].dataset.state === 'sent'"),
        )
        .await;
    assert_eq!(browser.js("return window.sends").await, 3);
    let token = stored_token(&browser).await.unwrap();
    let kept = relay_history(&app, &token).await.messages;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(bubbles(&browser).await.len(), 1);
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
