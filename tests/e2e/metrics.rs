//! `GET /metrics`: the Prometheus text an operator scrapes.

use ferry_tests::{TELEGRAM_SECRET, fixtures, spawn_app};

#[tokio::test]
async fn metrics_count_webhooks_subscriptions_deliveries_and_requests_by_route() {
    // Arrange: one Telegram subscription, welcomed
    let app = spawn_app().await;
    app.post_telegram(
        &fixtures::telegram_start(1, 501, &fixtures::token()),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;

    // Act
    let response = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();

    // Assert (the recorder is process-wide, so other tests' counts may be in there too)
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for expected in [
        r#"ferry_inbound_events_total{platform="telegram"}"#,
        r#"ferry_inbound_processed_total{outcome="ok"}"#,
        r#"ferry_subscriptions_total{platform="telegram"}"#,
        r#"ferry_outbound_messages_total{platform="telegram",result="sent"}"#,
        r#"route="/hooks/{site}/telegram""#,
        "ferry_http_request_duration_seconds",
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
}
