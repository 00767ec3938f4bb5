//! An event that fails while it is processed fails alone: it is parked with its error, and the
//! events behind it — the same person's included — are processed.

use ferry_tests::{TELEGRAM_SECRET, fixtures, spawn_app};

#[tokio::test]
async fn an_event_that_cannot_be_processed_is_parked_and_the_next_ones_are_processed() {
    // Arrange: a stored event no version of the relay can read (written by a newer one, or
    // damaged), then a /start from the same person and one from another
    let app = spawn_app().await;
    sqlx::query(
        "INSERT INTO inbound (site, channel, dedupe_key, user_id, event, received_at, next_attempt_at) \
         VALUES ('demo', 'telegram', 'written-by-a-newer-relay', '501', '{\"kind\": \"hologram\"}', 0, 0)",
    )
    .execute(&mut app.database_connection().await)
    .await
    .unwrap();
    for (update, user) in [(1, 501), (2, 502)] {
        let response = app
            .post_telegram(
                &fixtures::telegram_start(update, user, &fixtures::token()),
                Some(TELEGRAM_SECRET),
            )
            .await;
        assert_eq!(response.status(), 200);
    }

    // Act
    app.drain().await;

    // Assert: both people subscribed and welcomed; the unreadable event kept, parked, with why
    let subscribers = app.subscribers("").await;
    assert_eq!(subscribers.len(), 2);
    assert_eq!(app.sent().len(), 2);
    assert_eq!(
        app.count_rows(
            "inbound WHERE parked_at IS NOT NULL AND dedupe_key = 'written-by-a-newer-relay' \
             AND last_error LIKE '%cannot be read%'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count_rows("inbound WHERE processed_at IS NULL").await,
        0
    );
}
