//! `row_counts`, `record_event`, `ping`, and the wake-up raised when webhook events are stored.

use ferry_relay::{
    domain::ChannelKind,
    store::{NewEvent, Queue},
};

use crate::support::{Backend, SITE, T0, attribution, on_both_backends, signalled, text_from};

on_both_backends!(
    row_counts_names_every_table_of_the_relay_with_its_rows,
    a_funnel_event_is_stored,
    storing_webhook_events_signals_the_inbound_queue,
    a_running_store_answers_its_ping,
);

async fn row_counts_names_every_table_of_the_relay_with_its_rows(b: Backend) {
    // Arrange
    b.store
        .record_inbound(vec![
            text_from("update:1", "1001", T0),
            text_from("update:2", "1002", T0),
        ])
        .await
        .unwrap();
    b.subscriber("1001", T0).await;

    // Act
    let counts = b.store.row_counts().await.unwrap();

    // Assert: the same inventory on every backend, migrations' bookkeeping left out
    assert_eq!(
        counts,
        vec![
            ("conversation_devices".to_owned(), 0),
            ("conversations".to_owned(), 0),
            ("events".to_owned(), 0),
            ("inbound".to_owned(), 2),
            ("intents".to_owned(), 0),
            ("link_codes".to_owned(), 0),
            ("merchant_webhooks".to_owned(), 0),
            ("messages".to_owned(), 0),
            ("operator_sessions".to_owned(), 0),
            ("outbox".to_owned(), 0),
            ("subscriber_orders".to_owned(), 0),
            ("subscribers".to_owned(), 1),
        ]
    );
}

async fn a_funnel_event_is_stored(b: Backend) {
    // Act
    b.store
        .record_event(NewEvent {
            site: SITE.into(),
            kind: "click".into(),
            channel: Some(ChannelKind::Whatsapp),
            at: T0,
            attribution: Some(attribution("spring")),
        })
        .await
        .unwrap();
    b.store
        .record_event(NewEvent {
            site: SITE.into(),
            kind: "view".into(),
            channel: None,
            at: T0 + 1,
            attribution: None,
        })
        .await
        .unwrap();

    // Assert
    let click = format!(
        "kind = 'click' AND channel = 'whatsapp' AND at = {T0} AND subscriber_id IS NULL \
         AND attribution ->> 'utm_campaign' = 'spring'"
    );
    assert_eq!(b.count("events", &click).await, 1);
    assert_eq!(
        b.count(
            "events",
            "kind = 'view' AND channel IS NULL AND attribution IS NULL"
        )
        .await,
        1
    );
}

async fn storing_webhook_events_signals_the_inbound_queue(b: Backend) {
    // Act
    b.store
        .record_inbound(vec![text_from("update:1", "1001", T0)])
        .await
        .unwrap();

    // Assert
    signalled(&b.signals, Queue::Inbound).await;
}

async fn a_running_store_answers_its_ping(b: Backend) {
    b.store.ping().await.unwrap();
    let stopped = tokio::time::timeout(std::time::Duration::ZERO, b.store.stopped()).await;
    assert!(stopped.is_err(), "nothing has stopped: {stopped:?}");
}
