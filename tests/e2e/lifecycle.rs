//! Starting and stopping the whole relay (HTTP server and background worker) as `ferry serve` does.

use std::time::Duration;

use ferry_relay::{config::Settings, startup::Application};
use ferry_tests::{TELEGRAM_SECRET, TestStore, fixtures};

#[tokio::test]
async fn the_relay_processes_in_the_background_and_stops_when_asked() {
    // Arrange: the real run loop, worker included
    let database = TestStore::from_env().await;
    let mut settings = Settings::parse(include_str!("../../relay/demo.toml")).unwrap();
    settings.server.database_url = database.url.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let app = Application::build(settings, listener).await.unwrap();
    let sandbox = app.state().sandbox.clone().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run(async move {
        let _ = stopped.await;
    }));

    // Act: a webhook, then wait (bounded) for the background worker's welcome to reach the platform
    let update = fixtures::telegram_start(1, 501, &fixtures::token());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let response = client
        .post(format!("{address}/hooks/demo/telegram"))
        .header("X-Telegram-Bot-Api-Secret-Token", TELEGRAM_SECRET)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let delivered = tokio::time::timeout(Duration::from_secs(10), async {
        while sandbox.recorded().is_empty() {
            tokio::task::yield_now().await;
        }
    });
    assert!(
        delivered.await.is_ok(),
        "the worker woke up on the webhook and sent the welcome"
    );

    // Assert: asking it to stop ends both the server and the worker
    stop.send(()).unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(10), running).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "{finished:?}");
}
