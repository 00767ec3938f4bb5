//! In-chat account linking in headless Chromium: the bot's link button opens the demo shop's
//! account-link page (`/demo/link.html?ferry_link=CODE`), the visitor signs in there, and the
//! page reports whether the link was made; an unknown code is explained.
//!
//! Screenshots go to the temp dir (`ferry-checkout-link-*.png`) for looking at the pages.

use ferry_tests::{
    browser::Browser,
    demo::{
        CUSTOMER_EMAIL, CUSTOMER_NAME, customer_id, open_demo, open_panel, sign_in,
        signed_in_customer, start_in_telegram, start_ref, tap_channel, wait_for_intent,
    },
    spawn_app,
};
use serde_json::Value;

#[tokio::test]
async fn the_link_page_signs_in_and_reports_an_unknown_code() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    // Arrange: the bot's link button opened the shop's login URL; not signed in yet
    browser
        .goto(&format!(
            "{}/demo/link.html?ferry_link=NOPE2345",
            app.address
        ))
        .await;
    browser
        .wait_for(
            "the inline sign-in form",
            "!document.getElementById('link-signin').hidden",
        )
        .await;
    browser.screenshot("checkout-link-form").await;

    // Act
    sign_in(&browser, CUSTOMER_EMAIL, CUSTOMER_NAME).await;

    // Assert: the loader posted the code once, reported the failure and cleaned the URL
    let state = browser
        .wait_for(
            "the link result",
            "document.getElementById('link-result').dataset.state === 'failed' && document.getElementById('link-result').textContent",
        )
        .await;
    assert!(
        state.as_str().unwrap().contains("not valid"),
        "link_code_not_found is explained: {state}"
    );
    assert_eq!(browser.js("return location.search").await, "");
    let header: Value = browser
        .js("return document.querySelector('[data-testid=account-who]').textContent")
        .await;
    assert_eq!(header, format!("Signed in as {CUSTOMER_NAME}"));
    browser.screenshot("checkout-link-failed").await;
    browser.close().await;
}

#[tokio::test]
async fn a_subscriber_links_their_account_from_the_bots_link_button() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    // Arrange: an anonymous visitor subscribes in Telegram from the floating panel
    open_demo(&app, &browser, "/demo/").await;
    open_panel(&browser).await;
    let link = tap_channel(&browser, "ferry-channel-telegram").await;
    wait_for_intent(&app, start_ref(&link)).await;
    start_in_telegram(&browser, &link).await;
    app.drain().await;
    let login = browser
        .wait_for(
            "the welcome's link button",
            "document.querySelector('a[data-testid=phone-bubble-button]')?.href",
        )
        .await;
    let login = login.as_str().unwrap().to_owned();
    assert!(
        login.starts_with(&format!("{}/demo/link.html?ferry_link=", app.address)),
        "{login}"
    );

    // Act: the button opens the shop's link page; the visitor signs in there
    browser.goto(&login).await;
    browser.screenshot("checkout-link-signed-out").await;
    sign_in(&browser, CUSTOMER_EMAIL, CUSTOMER_NAME).await;

    // Assert: the page shows the `linked` event, the URL lost its code, the subscriber is Ann's
    let result = browser
        .wait_for(
            "the link result",
            "/linked|failed/.test(document.getElementById('link-result').dataset.state) && document.getElementById('link-result').textContent",
        )
        .await;
    assert_eq!(
        result,
        format!("Your Telegram is now linked to {CUSTOMER_EMAIL}."),
        "the linked event"
    );
    assert_eq!(browser.js("return location.search").await, "");
    browser.screenshot("checkout-link-linked").await;
    let subscribers = app.subscribers("").await;
    assert_eq!(subscribers.len(), 1, "{subscribers:?}");
    let ann = signed_in_customer(&browser).await;
    assert_eq!(
        customer_id(&subscribers[0]),
        Some(ann.as_str()),
        "{}",
        subscribers[0]
    );
    browser.close().await;
}
