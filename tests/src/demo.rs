//! The visitor's steps on the demo shop and the sandbox phone, shared by the browser tests:
//! open a page, open the panel, tap a channel, wait for the relay to store the intent, start
//! the chat on the sandbox phone, sign in to the shop.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{
    TestApp,
    browser::{Browser, in_widget},
};

/// The email address the tests sign in to the demo shop with.
pub const CUSTOMER_EMAIL: &str = "ann@example.com";
/// The name the tests sign in to the demo shop with.
pub const CUSTOMER_NAME: &str = "Ann";

/// JavaScript for the sandbox phone's first bubble from the bot (null until it replies).
pub const BOT_BUBBLE: &str = "document.querySelector('[data-testid=phone-bubble][data-from=bot]')";
/// JavaScript for the sandbox phone's first bubble from the user.
const USER_BUBBLE: &str = "document.querySelector('[data-testid=phone-bubble][data-from=user]')";

/// How long the relay may take to store what the page sent in the background.
const RELAY_PATIENCE: Duration = Duration::from_secs(10);

/// Opens `path` (e.g. `/demo/?utm_source=…`) of the app and waits for the widget's launcher.
pub async fn open_demo(app: &TestApp, browser: &Browser, path: &str) {
    browser.goto(&format!("{}{path}", app.address)).await;
    browser
        .wait_for("the launcher", &in_widget("ferry-launcher"))
        .await;
}

/// Clicks the widget's launcher and waits for the panel to open.
pub async fn open_panel(browser: &Browser) {
    browser
        .js(&format!("{}.click()", in_widget("ferry-launcher")))
        .await;
    browser
        .wait_for(
            "the panel",
            &format!("{}.classList.contains('open')", in_widget("ferry-panel")),
        )
        .await;
}

/// Taps the widget's channel link `testid` (in the panel or an inline block) without leaving
/// the page, and returns the href it had before the tap. The tap registers the intent.
pub async fn tap_channel(browser: &Browser, testid: &str) -> String {
    let button = in_widget(testid);
    let link = browser
        .wait_for(&format!("the link of {testid}"), &format!("{button}.href"))
        .await;
    // The link opens a new tab; the test follows it in this one instead.
    browser
        .js(&format!(
            "{button}.addEventListener('click', e => e.preventDefault()); {button}.click();"
        ))
        .await;
    link.as_str().expect("href").to_owned()
}

/// The Telegram ref in a sandbox deep link (`…?start=REF`).
pub fn start_ref(link: &str) -> &str {
    link.split_once("?start=").expect("a start parameter").1
}

/// Polls `done` (a look at the relay's database) until it holds or ten seconds pass, yielding
/// to the relay in between instead of sleeping; returns whether it held. The caller asserts.
pub async fn eventually(mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + RELAY_PATIENCE;
    loop {
        if done().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::task::yield_now().await;
    }
}

/// Waits until the relay has stored an intent with this ref (the widget sends it in the
/// background).
pub async fn wait_for_intent(app: &TestApp, reference: &str) {
    assert!(
        eventually(async || has_intent(app, reference).await).await,
        "no intent with ref {reference}"
    );
}

/// Whether the relay stored an intent with this ref.
async fn has_intent(app: &TestApp, reference: &str) -> bool {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM intents WHERE ref = $1")
        .bind(reference)
        .fetch_one(&mut app.database_connection().await)
        .await
        .unwrap();
    count > 0
}

/// Clicks a button of the sandbox phone (`phone-start`, `phone-send`, …) and waits for the
/// user's message to show in the chat. The relay has stored it then; `drain` processes it.
pub async fn press_on_phone(browser: &Browser, testid: &str) {
    browser.click(&format!("[data-testid={testid}]")).await;
    browser.wait_for("the user's bubble", USER_BUBBLE).await;
}

/// Follows a Telegram deep link to the sandbox phone and presses START.
pub async fn start_in_telegram(browser: &Browser, link: &str) {
    browser.goto(link).await;
    press_on_phone(browser, "phone-start").await;
}

/// Fills in the demo's sign-in form (sign-in page or link page) and submits it.
pub async fn sign_in(browser: &Browser, email: &str, name: &str) {
    browser
        .wait_for(
            "the sign-in form",
            "document.querySelector('[data-testid=signin-email]')?.offsetParent",
        )
        .await;
    browser
        .js(&format!(
            "document.querySelector('[data-testid=signin-email]').value = '{email}';
             document.querySelector('[data-testid=signin-name]').value = '{name}';"
        ))
        .await;
    browser.click("[data-testid=signin-submit]").await;
}

/// The customer id the demo shop's sign-in stored for the page.
pub async fn signed_in_customer(browser: &Browser) -> String {
    let id = browser
        .js("return JSON.parse(sessionStorage.getItem('northwind.session')).customer_id")
        .await;
    id.as_str().expect("signed in").to_owned()
}

/// The merchant's customer id a subscriber is linked to (`customer.id`; `customer_id` also read).
pub fn customer_id(subscriber: &Value) -> Option<&str> {
    subscriber["customer"]["id"]
        .as_str()
        .or(subscriber["customer_id"].as_str())
}
