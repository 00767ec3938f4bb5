//! Every way a platform's send API fails, from the sandbox's platforms failing on demand: a rate
//! limit is waited out, a server error or a timeout is retried with back-off, a send that keeps
//! failing is given up after the last attempt, and a person who blocked the bot or cannot be
//! reached is unsubscribed and never messaged again. Time moves with the relay's clock.

use ferry_relay::{domain::ChannelKind, sandbox::Failure};
use ferry_tests::{META_APP_SECRET, TELEGRAM_SECRET, TestApp, fixtures, spawn_app, spawn_app_with};

/// Scripts failures for the next sends to `recipient` on `channel`.
fn fail_next(app: &TestApp, channel: ChannelKind, recipient: &str, failures: &[Failure]) {
    app.state
        .sandbox
        .as_ref()
        .expect("sandbox mode")
        .fail_next_sends(channel, recipient, failures);
}

/// Sends the platform received: (all attempts, accepted ones).
fn attempts(app: &TestApp) -> (usize, usize) {
    let sent = app.sent();
    let accepted = sent.iter().filter(|s| s.failure.is_none()).count();
    (sent.len(), accepted)
}

/// Telegram user 501 taps START: a welcome is queued for chat 501.
async fn telegram_subscriber_starts(app: &TestApp) {
    let response = app
        .post_telegram(
            &fixtures::telegram_start(1, 501, &fixtures::token()),
            Some(TELEGRAM_SECRET),
        )
        .await;
    assert_eq!(response.status(), 200);
}

async fn subscriber_status(app: &TestApp, channel: &str) -> String {
    let subscribers = app.subscribers(&format!("channel={channel}")).await;
    subscribers[0]["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_rate_limited_send_waits_for_the_platforms_retry_after_and_then_goes_out() {
    let app = spawn_app().await;
    fail_next(
        &app,
        ChannelKind::Telegram,
        "501",
        &[Failure::RateLimited { retry_after: 30 }],
    );
    telegram_subscriber_starts(&app).await;

    app.drain().await;
    assert_eq!(attempts(&app), (1, 0));
    app.clock.advance_secs(29);
    app.drain().await;
    assert_eq!(attempts(&app), (1, 0), "not before retry_after has passed");
    app.clock.advance_secs(2);
    app.drain().await;
    assert_eq!(attempts(&app), (2, 1));
}

#[tokio::test]
async fn a_server_error_is_retried_with_growing_back_off_until_the_send_goes_out() {
    let app = spawn_app().await;
    fail_next(
        &app,
        ChannelKind::Telegram,
        "501",
        &[Failure::ServerError, Failure::ServerError],
    );
    telegram_subscriber_starts(&app).await;

    app.drain().await;
    assert_eq!(attempts(&app), (1, 0));
    app.clock.advance(1_500);
    app.drain().await;
    assert_eq!(attempts(&app), (1, 0), "the first retry waits 2 s");
    app.clock.advance(1_000);
    app.drain().await;
    assert_eq!(attempts(&app), (2, 0));
    app.clock.advance(3_000);
    app.drain().await;
    assert_eq!(attempts(&app), (2, 0), "the second retry waits 4 s");
    app.clock.advance(1_500);
    app.drain().await;
    assert_eq!(attempts(&app), (3, 1));
}

#[tokio::test]
async fn a_send_the_platform_never_answers_times_out_and_is_retried() {
    let app = spawn_app_with(|settings| settings.platforms.timeout_secs = 1).await;
    fail_next(&app, ChannelKind::Telegram, "501", &[Failure::Timeout]);
    telegram_subscriber_starts(&app).await;

    app.drain().await;
    assert_eq!(attempts(&app), (1, 0));
    assert_eq!(app.count_rows("outbox WHERE status = 'pending'").await, 1);
    app.clock.advance_secs(3);
    app.drain().await;
    assert_eq!(attempts(&app), (2, 1));
}

#[tokio::test]
async fn a_send_that_keeps_failing_is_given_up_after_the_last_attempt() {
    let app = spawn_app().await;
    fail_next(
        &app,
        ChannelKind::Telegram,
        "501",
        &[Failure::ServerError; 20],
    );
    telegram_subscriber_starts(&app).await;

    for _ in 0..20 {
        app.drain().await;
        app.clock.advance_secs(3600);
    }

    let (tried, accepted) = attempts(&app);
    assert_eq!(
        (tried, accepted),
        (12, 0),
        "RetryPolicy::MESSAGES gives a message 12 attempts"
    );
    assert_eq!(app.count_rows("outbox WHERE status = 'failed'").await, 1);
    assert_eq!(subscriber_status(&app, "telegram").await, "active");
}

#[tokio::test]
async fn a_person_who_blocked_the_telegram_bot_is_unsubscribed_and_never_retried() {
    let app = spawn_app().await;
    fail_next(&app, ChannelKind::Telegram, "501", &[Failure::Blocked]);
    telegram_subscriber_starts(&app).await;

    app.drain().await;
    app.clock.advance_secs(3600);
    app.drain().await;

    assert_eq!(attempts(&app), (1, 0));
    assert_eq!(subscriber_status(&app, "telegram").await, "unsubscribed");
    assert_eq!(app.count_rows("outbox WHERE status = 'failed'").await, 1);
    assert_eq!(
        app.count_rows("events WHERE kind = 'unsubscribed'").await,
        1,
        "the funnel counts the block as an unsubscription"
    );
}

/// A WhatsApp user writes to the number; a welcome is queued for them.
async fn whatsapp_subscriber_writes(app: &TestApp) {
    let body = fixtures::load("whatsapp/text_with_code.json", "K7M2Q9AB")
        .to_string()
        .into_bytes();
    let response = app
        .post_meta("whatsapp", &body, Some(META_APP_SECRET))
        .await;
    assert_eq!(response.status(), 200);
}

const WHATSAPP_USER: &str = "60173526233";

#[tokio::test]
async fn whatsapps_rate_limit_code_is_retried() {
    let app = spawn_app().await;
    fail_next(
        &app,
        ChannelKind::Whatsapp,
        WHATSAPP_USER,
        &[Failure::RateLimited { retry_after: 0 }],
    );
    whatsapp_subscriber_writes(&app).await;

    app.drain().await;
    assert_eq!(attempts(&app), (1, 0));
    app.clock.advance_secs(3);
    app.drain().await;
    assert_eq!(attempts(&app), (2, 1));
}

#[tokio::test]
async fn a_whatsapp_error_that_will_not_pass_fails_the_message_and_keeps_the_subscriber() {
    // 131047: more than 24 hours since the person last wrote; retrying cannot help.
    let app = spawn_app().await;
    fail_next(
        &app,
        ChannelKind::Whatsapp,
        WHATSAPP_USER,
        &[Failure::Code { code: 131_047 }],
    );
    whatsapp_subscriber_writes(&app).await;

    app.drain().await;
    app.clock.advance_secs(3600);
    app.drain().await;

    assert_eq!(attempts(&app), (1, 0));
    assert_eq!(app.count_rows("outbox WHERE status = 'failed'").await, 1);
    assert_eq!(subscriber_status(&app, "whatsapp").await, "active");
}

#[tokio::test]
async fn an_undeliverable_whatsapp_number_is_unsubscribed() {
    let app = spawn_app().await;
    fail_next(
        &app,
        ChannelKind::Whatsapp,
        WHATSAPP_USER,
        &[Failure::Blocked],
    );
    whatsapp_subscriber_writes(&app).await;

    app.drain().await;

    assert_eq!(attempts(&app), (1, 0));
    assert_eq!(subscriber_status(&app, "whatsapp").await, "unsubscribed");
}

#[tokio::test]
async fn a_messenger_user_who_cannot_be_reached_is_unsubscribed() {
    let app = spawn_app().await;
    fail_next(
        &app,
        ChannelKind::Messenger,
        "1476077422222289",
        &[Failure::Blocked],
    );
    let body = fixtures::load(
        "messenger/get_started_with_referral.json",
        &fixtures::token(),
    )
    .to_string()
    .into_bytes();
    app.post_meta("messenger", &body, Some(META_APP_SECRET))
        .await;

    app.drain().await;

    assert_eq!(attempts(&app), (1, 0));
    assert_eq!(subscriber_status(&app, "messenger").await, "unsubscribed");
}
