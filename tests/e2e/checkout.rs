//! The checkout opt-in in headless Chromium: a customer signs in on the demo shop, places an
//! order, subscribes in Telegram from the thank-you page's inline block and is linked to their
//! account and order; the next order's block confirms the subscription instead of asking
//! again.
//!
//! Screenshots go to the temp dir (`ferry-checkout-*.png`) for looking at the pages.

use ferry_tests::{
    TestApp,
    browser::{Browser, in_widget},
    demo::{
        CUSTOMER_EMAIL, CUSTOMER_NAME, customer_id, sign_in, signed_in_customer, start_in_telegram,
        start_ref, tap_channel, wait_for_intent,
    },
    spawn_app,
};

/// Checks out the cart from the demo's checkout page, signing in on the way when needed, and
/// returns the order id shown on the thank-you page.
async fn place_order(app: &TestApp, browser: &Browser) -> String {
    browser
        .goto(&format!("{}/demo/checkout.html", app.address))
        .await;
    browser.screenshot("checkout-checkout").await;
    browser.click("[data-testid=place-order]").await;
    let page = browser
        .wait_for(
            "the sign-in or thank-you page",
            "/signin|thanks/.test(location.pathname) && location.pathname",
        )
        .await;
    if page == "/demo/signin.html" {
        browser.screenshot("checkout-signin").await;
        sign_in(browser, CUSTOMER_EMAIL, CUSTOMER_NAME).await;
        browser
            .wait_for(
                "the way back to the checkout",
                "location.pathname === '/demo/checkout.html' && document.readyState === 'complete'",
            )
            .await;
        browser.click("[data-testid=place-order]").await;
    }
    let order = browser
        .wait_for(
            "the thank-you page",
            // The span says "received" until thanks.js has put the order id in.
            "location.pathname === '/demo/thanks.html' \
             && /^NW-/.test(document.getElementById('order-id').textContent) \
             && document.getElementById('order-id').textContent",
        )
        .await;
    let order = order.as_str().unwrap().to_owned();
    assert!(
        order.len() == 7 && order.starts_with("NW-"),
        "order id: {order}"
    );
    order
}

/// Waits for the thank-you page's inline block to be drawn.
async fn wait_for_block(browser: &Browser) {
    browser
        .wait_for("the inline block", &in_widget("ferry-inline"))
        .await;
}

/// Resizes the window, reloads the page and waits for the inline block to be drawn again.
async fn reload_at_size(browser: &Browser, width: u32, height: u32) {
    browser.client.set_window_size(width, height).await.unwrap();
    browser.client.refresh().await.unwrap();
    wait_for_block(browser).await;
}

#[tokio::test]
async fn a_customer_subscribes_from_the_thank_you_page_and_their_next_order_knows_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    // Arrange: two bags in the cart, signed in, the order placed; on a 1280-wide desktop the
    // block shows QR codes
    browser.goto(&format!("{}/demo/", app.address)).await;
    browser
        .js("document.querySelector('#buy-form [name=qty]').value = '2'")
        .await;
    browser.click("[data-testid=add-to-cart]").await;
    browser
        .wait_for(
            "the cart count",
            "document.getElementById('cart-count').textContent === '2'",
        )
        .await;
    let order = place_order(&app, &browser).await;
    assert_eq!(
        browser
            .js("return document.getElementById('order-detail').textContent")
            .await,
        "2 × 250 g bag"
    );
    wait_for_block(&browser).await;
    let qr = in_widget("ferry-qr-telegram");
    browser
        .wait_for("the Telegram QR code", &format!("{qr}.complete"))
        .await;
    // A QR code that loaded registers its ref: the scan happens on another device.
    let shown = browser
        .wait_for(
            "the Telegram link",
            &format!("{}.href", in_widget("ferry-inline-telegram")),
        )
        .await;
    wait_for_intent(&app, start_ref(shown.as_str().unwrap())).await;
    browser.screenshot("checkout-thanks-desktop").await;
    let qr_src = browser.js(&format!("return {qr}.src")).await;
    assert!(
        qr_src.as_str().unwrap().contains("/qr.svg?link="),
        "{qr_src}"
    );

    // A 390-wide phone-sized window keeps the block but drops the QR codes
    reload_at_size(&browser, 390, 844).await;
    let hidden = browser
        .wait_for(
            "the block without QR codes",
            &format!(
                "{} && !{}.checkVisibility() && 'hidden'",
                in_widget("ferry-inline-telegram"),
                in_widget("ferry-qr-telegram")
            ),
        )
        .await;
    assert_eq!(hidden, "hidden");
    browser.screenshot("checkout-thanks-mobile").await;
    reload_at_size(&browser, 1280, 900).await;

    // Act: tap Telegram in the block, follow the link to the sandbox phone, START
    let link = tap_channel(&browser, "ferry-inline-telegram").await;
    assert!(!link.contains("eyJ"), "no token in the deep link: {link}");
    wait_for_intent(&app, start_ref(&link)).await;
    start_in_telegram(&browser, &link).await;
    app.drain().await;

    // Assert: one subscriber, from the checkout placement, linked to Ann and her order
    let all = app.subscribers("").await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["attribution"]["placement"], "checkout");
    assert_eq!(all[0]["attribution"]["page_path"], "/demo/thanks.html");
    let by_order = app.subscribers(&format!("order_id={order}")).await;
    assert_eq!(by_order.len(), 1, "subscribers of {order}: {by_order:?}");
    let ann = signed_in_customer(&browser).await;
    assert!(ann.starts_with("cus_"), "{ann}");
    assert_eq!(
        customer_id(&by_order[0]),
        Some(ann.as_str()),
        "{}",
        by_order[0]
    );

    // Act: a second order's thank-you page
    let second = place_order(&app, &browser).await;
    assert_ne!(second, order);
    wait_for_block(&browser).await;

    // Assert: the block confirms Telegram and offers the others only on request
    let status = browser
        .wait_for(
            "the subscribed state",
            &format!("{}?.textContent", in_widget("ferry-inline-subscribed")),
        )
        .await;
    assert!(
        status
            .as_str()
            .unwrap()
            .contains("You'll get updates in Telegram"),
        "{status}"
    );
    let offered = format!("{}.checkVisibility()", in_widget("ferry-inline-offer"));
    assert_eq!(browser.js(&format!("return {offered}")).await, false);
    browser.screenshot("checkout-thanks-subscribed").await;
    browser
        .js(&format!("{}.click()", in_widget("ferry-inline-more")))
        .await;
    browser.wait_for("the other channels", &offered).await;
    browser
        .wait_for(
            "focus on the first revealed channel",
            &format!(
                "{}.getRootNode().activeElement?.dataset.testid === 'ferry-inline-whatsapp'",
                in_widget("ferry-inline-offer")
            ),
        )
        .await;
    let offer = browser
        .js(&format!(
            "return [...{}.querySelectorAll('a')].map(a => a.dataset.testid)",
            in_widget("ferry-inline-offer")
        ))
        .await;
    assert_eq!(
        offer,
        serde_json::json!(["ferry-inline-whatsapp", "ferry-inline-messenger"])
    );
    browser.screenshot("checkout-thanks-add-another").await;
    browser.close().await;
}
