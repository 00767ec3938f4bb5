//! The demo in headless Chromium: a visitor with UTM parameters opens the widget, taps a
//! messenger, follows the deep link to the sandbox phone, starts the chat, and the merchant API
//! shows a subscriber carrying that visit's attribution.

use ferry_relay::domain::Locale;
use ferry_tests::{
    TestApp,
    browser::{Browser, in_widget},
    demo::{
        BOT_BUBBLE, eventually, open_demo, open_panel, press_on_phone, start_in_telegram,
        tap_channel,
    },
    spawn_app, spawn_app_with,
};
use serde_json::Value;

/// Opens the demo product page with a campaign, opens the panel, and returns the deep link of
/// `channel`'s button after tapping it (the tap registers the intent).
async fn tap_with_campaign(
    app: &TestApp,
    browser: &Browser,
    channel: &str,
    campaign: &str,
) -> String {
    open_demo(
        app,
        browser,
        &format!("/demo/?utm_source=newsletter&utm_medium=email&utm_campaign={campaign}"),
    )
    .await;
    open_panel(browser).await;
    browser.screenshot(&format!("demo-panel-{channel}")).await;
    let link = tap_channel(browser, &format!("ferry-channel-{channel}")).await;
    assert!(
        !link.contains("{ref}"),
        "the ref is filled in before the tap: {link}"
    );
    link
}

/// Waits until the relay has stored `count` intents (the widget sends them in the background).
async fn wait_for_intents(app: &TestApp, count: i64) {
    assert!(
        eventually(async || app.count_rows("intents").await >= count).await,
        "the widget never registered its intent"
    );
}

/// The one subscriber on `channel` (fails unless there is exactly one).
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
    let link = tap_with_campaign(&app, &browser, "telegram", "spring").await;
    assert!(
        link.starts_with(&format!(
            "{}/sandbox/telegram/northwind_demo_bot?start=",
            app.address
        )),
        "{link}"
    );
    wait_for_intents(&app, 1).await;
    start_in_telegram(&browser, &link).await;
    app.drain().await;

    // Assert: the bot's welcome shows on the phone, and the subscriber carries the campaign
    let welcome = browser
        .wait_for("the welcome", &format!("{BOT_BUBBLE}?.textContent"))
        .await;
    assert!(
        welcome.as_str().unwrap().contains("reply STOP"),
        "{welcome}"
    );
    browser.screenshot("telegram-phone").await;
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

    let link = tap_with_campaign(&app, &browser, "whatsapp", "summer").await;
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
    press_on_phone(&browser, "phone-send").await;
    app.drain().await;

    browser.wait_for("the welcome", BOT_BUBBLE).await;
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

    let link = tap_with_campaign(&app, &browser, "messenger", "autumn").await;
    wait_for_intents(&app, 1).await;
    browser.goto(&link).await;
    press_on_phone(&browser, "phone-get-started").await;
    app.drain().await;

    browser.wait_for("the welcome", BOT_BUBBLE).await;
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

    tap_with_campaign(&app, &browser, "telegram", "funnel").await;
    wait_for_intents(&app, 1).await;

    assert!(
        eventually(async || app.count_rows("events").await >= 3).await,
        "expected view, open and click events"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_lithuanian_shop_labels_its_launcher_and_offers_its_inline_block_in_lithuanian() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app_with(|settings| settings.sites[0].locale = Locale::Lt).await;

    // An anonymous visitor on the thank-you page of an order, on a desktop (QR codes too)
    browser
        .goto(&format!("{}/demo/thanks.html?order=NW-1042", app.address))
        .await;
    let label = browser
        .wait_for(
            "the launcher's label",
            &format!("{}.getAttribute('aria-label')", in_widget("ferry-launcher")),
        )
        .await;
    let offer = browser
        .wait_for(
            "the inline block's offer",
            &format!("{}.textContent", in_widget("ferry-inline-offer")),
        )
        .await;
    browser
        .wait_for(
            "the Telegram QR code",
            &format!("{}.complete", in_widget("ferry-qr-telegram")),
        )
        .await;
    browser.screenshot("lithuanian-thanks").await;

    assert_eq!(label, "Parašykite mums");
    let offer = offer.as_str().unwrap();
    for sentence in [
        "Gaukite užsakymo naujienas per Telegram, WhatsApp ar Messenger",
        "Northwind Coffee ten praneš apie kiekvieną užsakymo NW-1042 etapą.",
        "Nuskaitykite telefonu",
        "Atsisakyti galite bet kada – atsakykite STABDYTI.",
    ] {
        assert!(offer.contains(sentence), "{sentence:?} is not in {offer:?}");
    }
    browser.close().await;
}
