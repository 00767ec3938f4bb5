//! The demo in headless Chromium: a visitor with UTM parameters opens the widget, taps a
//! messenger, follows the deep link to the sandbox phone, starts the chat, and the merchant API
//! shows a subscriber carrying that visit's attribution.

use ferry_tests::{
    TestApp,
    browser::{Browser, in_widget},
    spawn_app,
};
use serde_json::Value;

/// Opens the demo product page with a campaign, opens the panel, and returns the deep link of
/// `channel`'s button after tapping it (the tap registers the intent).
async fn tap_channel(app: &TestApp, browser: &Browser, channel: &str, campaign: &str) -> String {
    browser
        .goto(&format!(
            "{}/demo/?utm_source=newsletter&utm_medium=email&utm_campaign={campaign}",
            app.address
        ))
        .await;
    browser
        .wait_for("the launcher", &in_widget("ferry-launcher"))
        .await;
    browser
        .js(&format!("{}.click()", in_widget("ferry-launcher")))
        .await;
    browser
        .wait_for(
            "the panel",
            &format!("{}.classList.contains('open')", in_widget("ferry-panel")),
        )
        .await;
    browser
        .screenshot(&std::env::temp_dir().join(format!("ferry-demo-panel-{channel}.png")))
        .await;
    let button = in_widget(&format!("ferry-channel-{channel}"));
    let link = browser
        .wait_for("the channel button's link", &format!("{button}.href"))
        .await;
    let link = link.as_str().expect("href").to_owned();
    assert!(
        !link.contains("{ref}"),
        "the ref is filled in before the tap: {link}"
    );
    // The button opens a new tab; follow its link in this one instead.
    browser
        .js(&format!(
            "{button}.addEventListener('click', e => e.preventDefault()); {button}.click();"
        ))
        .await;
    link
}

/// Waits until the relay has stored `count` intents (the widget sends them in the background).
async fn wait_for_intents(app: &TestApp, count: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.count_rows("intents").await < count {
        assert!(
            std::time::Instant::now() < deadline,
            "the widget never registered its intent"
        );
        tokio::task::yield_now().await;
    }
}

async fn only_subscriber(app: &TestApp, channel: &str) -> Value {
    let subscribers = app.subscribers(&format!("channel={channel}")).await;
    assert_eq!(subscribers.len(), 1, "{subscribers:?}");
    subscribers[0].clone()
}

#[tokio::test]
async fn a_visitor_subscribes_in_telegram_from_the_demo_page_with_their_campaign() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    // Act: widget → Telegram button → sandbox phone → START
    let link = tap_channel(&app, &browser, "telegram", "spring").await;
    assert!(
        link.starts_with(&format!(
            "{}/sandbox/telegram/northwind_demo_bot?start=",
            app.address
        )),
        "{link}"
    );
    wait_for_intents(&app, 1).await;
    browser.goto(&link).await;
    browser.click("[data-testid=phone-start]").await;
    browser
        .wait_for(
            "the user's /start bubble",
            "document.querySelector('[data-testid=phone-bubble][data-from=user]')",
        )
        .await;
    app.drain().await;

    // Assert: the bot's welcome shows on the phone, and the subscriber carries the campaign
    let welcome = browser
        .wait_for(
            "the welcome",
            "document.querySelector('[data-testid=phone-bubble][data-from=bot]')?.textContent",
        )
        .await;
    assert!(
        welcome.as_str().unwrap().contains("reply STOP"),
        "{welcome}"
    );
    browser
        .screenshot(&std::env::temp_dir().join("ferry-telegram-phone.png"))
        .await;
    let subscriber = only_subscriber(&app, "telegram").await;
    assert_eq!(subscriber["attribution"]["source"], "intent");
    assert_eq!(subscriber["attribution"]["utm_campaign"], "spring");
    assert_eq!(subscriber["attribution"]["utm_medium"], "email");
    assert_eq!(subscriber["attribution"]["placement"], "floating");
    assert_eq!(subscriber["attribution"]["page_path"], "/demo/");
    browser.close().await;
}

#[tokio::test]
async fn a_visitor_subscribes_in_whatsapp_with_the_code_in_the_prefilled_text() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    let link = tap_channel(&app, &browser, "whatsapp", "summer").await;
    assert!(
        link.starts_with(&format!(
            "{}/sandbox/whatsapp/15550101234?text=",
            app.address
        )),
        "{link}"
    );
    wait_for_intents(&app, 1).await;
    browser.goto(&link).await;
    let draft = browser
        .wait_for(
            "the prefilled text",
            "document.querySelector('[data-testid=phone-input]').value",
        )
        .await;
    assert!(draft.as_str().unwrap().contains("(ref "), "{draft}");
    browser.click("[data-testid=phone-send]").await;
    browser
        .wait_for(
            "the user's bubble",
            "document.querySelector('[data-testid=phone-bubble][data-from=user]')",
        )
        .await;
    app.drain().await;

    browser
        .wait_for(
            "the welcome",
            "document.querySelector('[data-testid=phone-bubble][data-from=bot]')",
        )
        .await;
    let subscriber = only_subscriber(&app, "whatsapp").await;
    assert_eq!(subscriber["attribution"]["source"], "intent");
    assert_eq!(subscriber["attribution"]["utm_campaign"], "summer");
    browser.close().await;
}

#[tokio::test]
async fn a_visitor_subscribes_in_messenger_through_get_started() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    let link = tap_channel(&app, &browser, "messenger", "autumn").await;
    wait_for_intents(&app, 1).await;
    browser.goto(&link).await;
    browser.click("[data-testid=phone-get-started]").await;
    browser
        .wait_for(
            "the user's bubble",
            "document.querySelector('[data-testid=phone-bubble][data-from=user]')",
        )
        .await;
    app.drain().await;

    browser
        .wait_for(
            "the welcome",
            "document.querySelector('[data-testid=phone-bubble][data-from=bot]')",
        )
        .await;
    assert_eq!(
        only_subscriber(&app, "messenger").await["attribution"]["utm_campaign"],
        "autumn"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_widget_reports_view_open_and_click() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    tap_channel(&app, &browser, "telegram", "funnel").await;
    wait_for_intents(&app, 1).await;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.count_rows("events").await < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "expected view, open and click events"
        );
        tokio::task::yield_now().await;
    }
    browser.close().await;
}
