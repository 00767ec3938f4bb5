//! A relay whose worker keeps failing while the server still answers: `/readyz` must say so at
//! once, and the process must exit non-zero for its supervisor to restart it.

use std::time::{Duration, Instant};

use ferry_tests::cluster::{self, FakeBotApi, Relay, RelayOptions};
use sqlx::Connection;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_loop_that_keeps_failing_fails_readyz_and_stops_the_relay() {
    // Arrange: a relay that gives up after two seconds of failing
    let binary = cluster::ferry_binary();
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("ferry.db").display());
    let fake = FakeBotApi::start(Duration::ZERO).await;
    let options = RelayOptions {
        give_up_after_secs: 2,
        poll_interval_ms: 100,
        ..RelayOptions::default()
    };
    let mut relay = Relay::start(&binary, &database_url, &fake.url, &options).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");

    // Act: take the webhook events' table away from under it (a schema broken by hand, a
    // restore gone wrong): the server stays up, the worker cannot claim anything
    let mut conn = sqlx::SqliteConnection::connect(&database_url)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE inbound RENAME TO inbound_elsewhere")
        .execute(&mut conn)
        .await
        .unwrap();

    // Assert: /readyz fails while the relay still runs, naming the part…
    let deadline = Instant::now() + Duration::from_secs(10);
    let problem = loop {
        let response = client
            .get(format!("{}/readyz", relay.url))
            .send()
            .await
            .unwrap();
        if response.status() == 503 {
            break response.text().await.unwrap();
        }
        assert!(Instant::now() < deadline, "/readyz stayed green");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(problem.contains("inbound worker"), "{problem}");
    // …and then the process exits with a failure code.
    let code = relay.exit_code(Duration::from_secs(15)).await;
    assert!(
        matches!(code, Some(Some(code)) if code != 0),
        "the relay should have exited non-zero, got {code:?}"
    );
}
