//! The widget on awkward pages, in headless Chromium: a customer token the relay refuses, and
//! blocks the page adds after load (one while the relay's identity lookup hangs).
//!
//! Screenshots go to the temp dir (`ferry-checkout-*.png`) for looking at the pages.

use ferry_tests::{
    TestApp,
    browser::Browser,
    demo::{eventually, open_demo, open_panel, start_ref, tap_channel, wait_for_intent},
    spawn_app,
};

/// The placements of the relay's `view` events, oldest first.
async fn viewed_placements(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT attribution ->> 'placement' FROM events WHERE kind = 'view' ORDER BY id",
    )
    .fetch_all(&mut app.database_connection().await)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_intent_with_a_refused_token_is_sent_again_without_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    open_demo(&app, &browser, "/demo/").await;
    browser
        .js("window.warnings = [];
             const warn = console.warn;
             console.warn = (...args) => { warnings.push(args.join(' ')); warn(...args); };
             Ferry.identify('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl');")
        .await;

    // Act
    open_panel(&browser).await;
    let link = tap_channel(&browser, "ferry-channel-telegram").await;

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

#[tokio::test]
async fn a_block_added_after_load_is_drawn_and_reports_its_placement() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    open_demo(&app, &browser, "/demo/").await;

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
    assert!(
        eventually(async || {
            viewed_placements(&app)
                .await
                .contains(&"sidebar-promo".to_owned())
        })
        .await,
        "views: {:?}",
        viewed_placements(&app).await
    );

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
    browser.screenshot("checkout-skeleton").await;
    browser
        .wait_for(
            "the block after the identity lookup gave up",
            "document.getElementById('slow').shadowRoot.querySelector('[data-testid=ferry-inline-telegram]') && !document.getElementById('slow').shadowRoot.querySelector('[data-testid=ferry-inline-skeleton]')",
        )
        .await;
    browser.screenshot("checkout-late-blocks").await;
    browser.close().await;
}
