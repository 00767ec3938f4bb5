//! The checkout opt-in in headless Chromium: a customer signs in on the demo shop, places an
//! order, subscribes in Telegram from the thank-you page's inline block and is linked to their
//! account and order; the next order's block confirms the subscription instead of asking
//! again. Also: a refused token still registers the intent, and in-chat linking through the
//! shop's account-link page.
//!
//! Screenshots go to the temp dir (`ferry-checkout-*.png`) for looking at the pages.

use ferry_tests::{
    TestApp,
    browser::{Browser, in_widget},
    spawn_app,
};
use serde_json::Value;

const EMAIL: &str = "ann@example.com";
const NAME: &str = "Ann";

fn shot(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ferry-checkout-{name}.png"))
}

/// Fills in the demo's sign-in form (sign-in page or link page) and submits it.
async fn sign_in(browser: &Browser) {
    browser
        .wait_for(
            "the sign-in form",
            "document.querySelector('[data-testid=signin-email]')?.offsetParent",
        )
        .await;
    browser
        .js(&format!(
            "document.querySelector('[data-testid=signin-email]').value = '{EMAIL}';
             document.querySelector('[data-testid=signin-name]').value = '{NAME}';"
        ))
        .await;
    browser.click("[data-testid=signin-submit]").await;
}

/// Checks out the cart from the demo's checkout page, signing in on the way when needed, and
/// returns the order id shown on the thank-you page.
async fn place_order(app: &TestApp, browser: &Browser) -> String {
    browser
        .goto(&format!("{}/demo/checkout.html", app.address))
        .await;
    browser.screenshot(&shot("checkout")).await;
    browser.click("[data-testid=place-order]").await;
    let page = browser
        .wait_for(
            "the sign-in or thank-you page",
            "/signin|thanks/.test(location.pathname) && location.pathname",
        )
        .await;
    if page == "/demo/signin.html" {
        browser.screenshot(&shot("signin")).await;
        sign_in(browser).await;
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
            "location.pathname === '/demo/thanks.html' && document.getElementById('order-id').textContent",
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

/// Whether the relay stored an intent with this ref.
async fn has_intent(app: &TestApp, reference: &str) -> bool {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", app.database.display()))
        .await
        .unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM intents WHERE ref = ?")
        .bind(reference)
        .fetch_one(&mut db)
        .await
        .unwrap();
    count > 0
}

async fn wait_for_intent(app: &TestApp, reference: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !has_intent(app, reference).await {
        assert!(
            std::time::Instant::now() < deadline,
            "no intent with ref {reference}"
        );
        tokio::task::yield_now().await;
    }
}

/// Taps a channel link inside a shadow root (without leaving the page) and returns its href.
async fn tap(browser: &Browser, testid: &str) -> String {
    let button = in_widget(testid);
    let link = browser
        .wait_for("the channel link", &format!("{button}.href"))
        .await;
    browser
        .js(&format!(
            "{button}.addEventListener('click', e => e.preventDefault()); {button}.click();"
        ))
        .await;
    link.as_str().unwrap().to_owned()
}

/// The merchant's customer id a subscriber is linked to (`customer.id`; `customer_id` also read).
fn customer_id(subscriber: &Value) -> Option<&str> {
    subscriber["customer"]["id"]
        .as_str()
        .or(subscriber["customer_id"].as_str())
}

/// The customer id the demo shop's sign-in stored for the page.
async fn signed_in_customer(browser: &Browser) -> String {
    let id = browser
        .js("return JSON.parse(sessionStorage.getItem('northwind.session')).customer_id")
        .await;
    id.as_str().expect("signed in").to_owned()
}

/// The Telegram ref in a sandbox deep link.
fn start_ref(link: &str) -> &str {
    link.split_once("?start=").expect("a start parameter").1
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
    browser.screenshot(&shot("thanks-desktop")).await;
    let qr_src = browser.js(&format!("return {qr}.src")).await;
    assert!(
        qr_src.as_str().unwrap().contains("/qr.svg?link="),
        "{qr_src}"
    );

    // A 390-wide phone-sized window keeps the block but drops the QR codes
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.client.refresh().await.unwrap();
    wait_for_block(&browser).await;
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
    browser.screenshot(&shot("thanks-mobile")).await;
    browser.client.set_window_size(1280, 900).await.unwrap();
    browser.client.refresh().await.unwrap();
    wait_for_block(&browser).await;

    // Act: tap Telegram in the block, follow the link to the sandbox phone, START
    let link = tap(&browser, "ferry-inline-telegram").await;
    assert!(!link.contains("eyJ"), "no token in the deep link: {link}");
    wait_for_intent(&app, start_ref(&link)).await;
    browser.goto(&link).await;
    browser.click("[data-testid=phone-start]").await;
    browser
        .wait_for(
            "the user's /start bubble",
            "document.querySelector('[data-testid=phone-bubble][data-from=user]')",
        )
        .await;
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
    browser.screenshot(&shot("thanks-subscribed")).await;
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
    browser.screenshot(&shot("thanks-add-another")).await;
    browser.close().await;
}

#[tokio::test]
async fn an_intent_with_a_refused_token_is_sent_again_without_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    browser.goto(&format!("{}/demo/", app.address)).await;
    browser
        .wait_for("the launcher", &in_widget("ferry-launcher"))
        .await;
    browser
        .js("window.warnings = [];
             const warn = console.warn;
             console.warn = (...args) => { warnings.push(args.join(' ')); warn(...args); };
             Ferry.identify('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl');")
        .await;

    // Act
    browser
        .js(&format!("{}.click()", in_widget("ferry-launcher")))
        .await;
    let link = tap(&browser, "ferry-channel-telegram").await;

    // Assert: the page says why, and the visit is still attributed
    let warning = browser
        .wait_for(
            "the token warning",
            "warnings.find(w => w.startsWith('Ferry: token rejected: '))",
        )
        .await;
    assert_ne!(
        warning, "Ferry: token rejected: unauthorized",
        "a precise code"
    );
    wait_for_intent(&app, start_ref(&link)).await;
    browser.close().await;
}

/// The placements of the relay's `view` events, oldest first.
async fn viewed_placements(app: &TestApp) -> Vec<String> {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{}", app.database.display()))
        .await
        .unwrap();
    sqlx::query_scalar(
        "SELECT json_extract(attribution, '$.placement') FROM events WHERE kind = 'view' ORDER BY id",
    )
    .fetch_all(&mut db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_block_added_after_load_is_drawn_and_reports_its_placement() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    browser.goto(&format!("{}/demo/", app.address)).await;
    browser
        .wait_for("the launcher", &in_widget("ferry-launcher"))
        .await;

    // Act: the page adds an element, then marks it as a placement
    browser
        .js("const el = document.createElement('div');
             el.id = 'late';
             document.querySelector('.ferry-try').append(el);
             setTimeout(() => el.setAttribute('data-ferry-placement', 'Sidebar Promo!'), 0);")
        .await;

    // Assert: drawn (anonymous, so it asks), with the normalised placement in its view event
    browser
        .wait_for(
            "the late block",
            "document.getElementById('late').shadowRoot?.querySelector('[data-testid=ferry-inline-telegram]')",
        )
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !viewed_placements(&app)
        .await
        .contains(&"sidebar-promo".to_owned())
    {
        assert!(
            std::time::Instant::now() < deadline,
            "views: {:?}",
            viewed_placements(&app).await
        );
        tokio::task::yield_now().await;
    }

    // Act: a block with a token while the relay's identity lookup hangs
    browser
        .js(
            "const fetch = window.fetch;
             window.fetch = (url, init) => String(url).endsWith('/identity') ? new Promise(() => {}) : fetch(url, init);
             const el = document.createElement('div');
             el.id = 'slow';
             el.setAttribute('data-ferry-token', 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln');
             el.setAttribute('data-ferry-placement', 'checkout');
             document.querySelector('.ferry-try').before(el);
             el.scrollIntoView();",
        )
        .await;

    // Assert: a skeleton holds the place, then the block draws without the identity
    browser
        .wait_for(
            "the skeleton",
            "document.getElementById('slow').shadowRoot?.querySelector('[data-testid=ferry-inline-skeleton]')",
        )
        .await;
    browser.screenshot(&shot("skeleton")).await;
    browser
        .wait_for(
            "the block after the identity lookup gave up",
            "document.getElementById('slow').shadowRoot.querySelector('[data-testid=ferry-inline-telegram]') && !document.getElementById('slow').shadowRoot.querySelector('[data-testid=ferry-inline-skeleton]')",
        )
        .await;
    browser.screenshot(&shot("late-blocks")).await;
    browser.close().await;
}

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
    browser.screenshot(&shot("link-form")).await;

    // Act
    sign_in(&browser).await;

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
    assert_eq!(header, format!("Signed in as {NAME}"));
    browser.screenshot(&shot("link-failed")).await;
    browser.close().await;
}

#[tokio::test]
async fn a_subscriber_links_their_account_from_the_bots_link_button() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;

    // Arrange: an anonymous visitor subscribes in Telegram from the floating panel
    browser.goto(&format!("{}/demo/", app.address)).await;
    browser
        .wait_for("the launcher", &in_widget("ferry-launcher"))
        .await;
    browser
        .js(&format!("{}.click()", in_widget("ferry-launcher")))
        .await;
    let link = tap(&browser, "ferry-channel-telegram").await;
    wait_for_intent(&app, start_ref(&link)).await;
    browser.goto(&link).await;
    browser.click("[data-testid=phone-start]").await;
    browser
        .wait_for(
            "the user's /start bubble",
            "document.querySelector('[data-testid=phone-bubble][data-from=user]')",
        )
        .await;
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
    browser.screenshot(&shot("link-signed-out")).await;
    sign_in(&browser).await;

    // Assert: the page shows the `linked` event, the URL lost its code, the subscriber is Ann's
    let result = browser
        .wait_for(
            "the link result",
            "/linked|failed/.test(document.getElementById('link-result').dataset.state) && document.getElementById('link-result').textContent",
        )
        .await;
    assert_eq!(
        result,
        format!("Your Telegram is now linked to {EMAIL}."),
        "the linked event"
    );
    assert_eq!(browser.js("return location.search").await, "");
    browser.screenshot(&shot("link-linked")).await;
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
