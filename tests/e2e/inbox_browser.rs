//! The operator inbox in headless Chromium: the demo operator signs in at `/inbox/login` and
//! sees the inbox, on a laptop (two panes) and on a phone (one), and signs out again.
//! Screenshots: `ferry-inbox-*.png` in the temp folder.

use ferry_relay::demo::{OPERATOR_LOGIN, OPERATOR_PASSWORD};
use ferry_tests::{browser::Browser, spawn_app};

#[tokio::test]
async fn the_demo_operator_signs_in_and_sees_the_inbox_on_a_laptop_and_a_phone() {
    let Some(browser) = Browser::start_without_widget().await else {
        return;
    };
    let app = spawn_app().await;
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

    // Assert: the inbox, with the operator's name and the list
    let name = browser
        .wait_for(
            "the signed-in operator",
            "location.pathname === '/inbox/' && document.querySelector('#operator-name').textContent",
        )
        .await;
    assert_eq!(name, "Dana");
    browser
        .wait_for(
            "the list to load",
            "document.querySelector('#list-state').hidden === false \
             || document.querySelectorAll('[data-testid=inbox-conversation]').length > 0",
        )
        .await;
    browser.screenshot("inbox-1280x800").await;

    // Assert: on a phone, the list alone
    browser.viewport(390, 844).await;
    let panes = browser
        .js(
            "return [getComputedStyle(document.querySelector('.list-pane')).display, \
             getComputedStyle(document.querySelector('.conversation-pane')).display]",
        )
        .await;
    assert_eq!(panes, serde_json::json!(["flex", "none"]));
    browser.screenshot("inbox-390x844").await;

    // Act: sign out
    browser.click("[data-testid=inbox-sign-out]").await;
    browser
        .wait_for("the sign-in page", "location.pathname === '/inbox/login'")
        .await;
    browser.screenshot("inbox-sign-in-390x844").await;
    browser.close().await;
}
