//! Deliveries run in lanes (a site's account on a platform): a platform that hangs holds up
//! only its own lane, however long its backlog, and the other platforms' messages go out
//! meanwhile. These run the whole relay, its worker loops included, as in production.

use std::time::Duration;

use ferry_relay::{
    config::Settings,
    domain::ChannelKind,
    sandbox::{Failure, Sandbox},
    startup::Application,
    worker::Shutdown,
};
use ferry_tests::{META_APP_SECRET, TELEGRAM_SECRET, TestStore, fixtures, spawn_app_with};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// WhatsApp user 60173526233 writes with a ref code: a welcome is queued for them.
async fn whatsapp_user_writes(client: &reqwest::Client, address: &str) {
    let whatsapp = fixtures::load("whatsapp/text_with_code.json", "K7M2Q9AB").to_string();
    let signature = ferry_relay::channels::meta::sign(META_APP_SECRET, whatsapp.as_bytes());
    let posted = client
        .post(format!("{address}/hooks/demo/whatsapp"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature-256", signature)
        .body(whatsapp)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
}

/// Telegram user `user` writes their first message: a welcome is queued for them.
async fn telegram_user_writes(client: &reqwest::Client, address: &str, user: i64) {
    let update = fixtures::telegram_text(user, user, "hello");
    let posted = client
        .post(format!("{address}/hooks/demo/telegram"))
        .header("X-Telegram-Bot-Api-Secret-Token", TELEGRAM_SECRET)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
}

/// Whether a send on `channel` was accepted within ten seconds.
async fn accepted_soon(sandbox: &Sandbox, channel: ChannelKind) -> bool {
    tokio::time::timeout(Duration::from_secs(10), async {
        while !sandbox
            .recorded()
            .iter()
            .any(|s| s.channel == channel && s.failure.is_none())
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn a_platform_that_hangs_does_not_hold_up_another() {
    // Arrange: the whole relay running, WhatsApp's API hanging for the full 30 s timeout
    let database = TestStore::from_env().await;
    let mut settings = Settings::parse(include_str!("../../relay/demo.toml")).unwrap();
    settings.server.database_url = database.url.clone();
    settings.platforms.timeout_secs = 30;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let app = Application::build(settings, listener).await.unwrap();
    let sandbox = app.state().sandbox.clone().unwrap();
    let running = tokio::spawn(app.run(std::future::pending()));
    sandbox.fail_next_sends(ChannelKind::Whatsapp, "60173526233", &[Failure::Timeout]);
    let client = client();

    // Act: a WhatsApp message first, then a Telegram one
    whatsapp_user_writes(&client, &address).await;
    telegram_user_writes(&client, &address, 501).await;

    // Assert: Telegram's welcome goes out while WhatsApp's send still hangs
    assert!(
        accepted_soon(&sandbox, ChannelKind::Telegram).await,
        "the Telegram welcome waited for WhatsApp"
    );
    running.abort();
}

#[tokio::test]
async fn a_backlog_on_a_hanging_platform_never_takes_every_slot() {
    // Arrange: four deliveries at a time, two per lane; six Telegram welcomes queued ahead of a
    // WhatsApp one, and Telegram's API hanging for all six
    let app = spawn_app_with(|settings| {
        settings.platforms.timeout_secs = 30;
        settings.worker.max_in_flight = 4;
        settings.worker.max_in_flight_per_lane = 2;
    })
    .await;
    let sandbox = app.state.sandbox.clone().unwrap();
    for user in 601..607 {
        let update = fixtures::telegram_text(user, user, "hello");
        sandbox.fail_next_sends(
            ChannelKind::Telegram,
            &user.to_string(),
            &[Failure::Timeout],
        );
        assert_eq!(
            app.post_telegram(&update, Some(TELEGRAM_SECRET))
                .await
                .status(),
            200
        );
    }
    let whatsapp = fixtures::load("whatsapp/text_with_code.json", "K7M2Q9AB").to_string();
    let posted = app
        .post_meta("whatsapp", whatsapp.as_bytes(), Some(META_APP_SECRET))
        .await;
    assert_eq!(posted.status(), 200);
    while app.worker.process_inbound().await.unwrap() > 0 {}

    // Act: the delivery loop starts on the backlog
    let stop = Shutdown::new();
    let delivering = tokio::spawn(app.worker.clone().run_outbound(stop.clone()));

    // Assert: WhatsApp's welcome goes out while Telegram's lane is full and its backlog waits
    assert!(
        accepted_soon(&sandbox, ChannelKind::Whatsapp).await,
        "the WhatsApp welcome waited behind Telegram's backlog"
    );
    let telegram_tries = app
        .sent()
        .iter()
        .filter(|s| s.channel == ChannelKind::Telegram)
        .count();
    // The lane's two sends may still be on their way to the platform; never more than two.
    assert!(
        telegram_tries <= 2,
        "{telegram_tries} Telegram sends, above the lane's 2"
    );
    delivering.abort();
}
