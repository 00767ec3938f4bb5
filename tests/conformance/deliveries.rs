//! `finish_outbound`: a delivery attempt recorded and the lease ended — a send whoever holds
//! the lease now, a retry or a failure only by its owner — and a blocked bot unsubscribing.

use ferry_relay::{
    domain::ChannelKind,
    store::{DeliveryResult, SubscriberStatus},
};

use crate::messages::messages_for;
use crate::support::{
    Backend, LEASE, OTHER_OWNER, OWNER, SITE, T0, claim, on_both_backends, unbounded,
};

on_both_backends!(
    a_sent_message_is_recorded_even_after_its_lease_was_taken_over,
    a_retried_message_counts_the_attempt_and_is_due_again_later,
    only_the_lease_owner_records_a_retry_or_a_failure,
    a_failure_that_says_so_unsubscribes_the_subscriber,
);

async fn a_sent_message_is_recorded_even_after_its_lease_was_taken_over(b: Backend) {
    // Arrange: relay A's send took longer than its lease; relay B took the message over
    messages_for(&b, SITE, ChannelKind::Telegram, "1001", 1, T0).await;
    let a = b
        .store
        .claim_outbound(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();
    let taken = b
        .store
        .claim_outbound(&claim(OTHER_OWNER, T0 + LEASE + 1, 10), &unbounded())
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);

    // Act: A's send went through; B's attempt then fails
    b.store
        .finish_outbound(
            OWNER,
            a[0].id,
            DeliveryResult::Sent {
                platform_message_id: Some("5001".into()),
            },
            T0 + LEASE + 2,
        )
        .await
        .unwrap();
    b.store
        .finish_outbound(
            OTHER_OWNER,
            a[0].id,
            DeliveryResult::Retry {
                at: T0 + LEASE + 60_000,
                error: "timeout".into(),
            },
            T0 + LEASE + 3,
        )
        .await
        .unwrap();

    // Assert: sent, once, with the platform's id
    assert_eq!(
        b.count(
            "outbox",
            &format!(
                "status = 'sent' AND sent_at = {} AND platform_message_id = '5001' AND attempts = 1 \
                 AND lease_owner IS NULL",
                T0 + LEASE + 2
            )
        )
        .await,
        1
    );
    assert!(
        b.store
            .claim_outbound(&claim(OWNER, T0 + 10 * LEASE, 10), &unbounded())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_retried_message_counts_the_attempt_and_is_due_again_later(b: Backend) {
    // Arrange
    messages_for(&b, SITE, ChannelKind::Telegram, "1001", 1, T0).await;
    let claimed = b
        .store
        .claim_outbound(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();
    let at = T0 + 4_000;

    // Act
    b.store
        .finish_outbound(
            OWNER,
            claimed[0].id,
            DeliveryResult::Retry {
                at,
                error: "502 Bad Gateway".into(),
            },
            T0,
        )
        .await
        .unwrap();

    // Assert: no lease any more, due at `at`
    assert!(
        b.store
            .claim_outbound(&claim(OTHER_OWNER, at - 1, 10), &unbounded())
            .await
            .unwrap()
            .is_empty()
    );
    let again = b
        .store
        .claim_outbound(&claim(OTHER_OWNER, at, 10), &unbounded())
        .await
        .unwrap();
    assert_eq!(again[0].attempts, 1);
    assert_eq!(b.count("outbox", "last_error = '502 Bad Gateway'").await, 1);
}

async fn only_the_lease_owner_records_a_retry_or_a_failure(b: Backend) {
    // Arrange
    messages_for(&b, SITE, ChannelKind::Telegram, "1001", 1, T0).await;
    let claimed = b
        .store
        .claim_outbound(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();
    let id = claimed[0].id;

    // Act
    b.store
        .finish_outbound(
            OTHER_OWNER,
            id,
            DeliveryResult::Retry {
                at: T0 + 1,
                error: "not mine".into(),
            },
            T0,
        )
        .await
        .unwrap();
    b.store
        .finish_outbound(
            OTHER_OWNER,
            id,
            DeliveryResult::Failed {
                error: "not mine".into(),
                unsubscribe: true,
            },
            T0,
        )
        .await
        .unwrap();

    // Assert: still pending, unattempted, leased by its owner; the subscriber untouched
    assert_eq!(
        b.count(
            "outbox",
            &format!("status = 'pending' AND attempts = 0 AND lease_owner = '{OWNER}'")
        )
        .await,
        1
    );
    assert_eq!(b.count("subscribers", "status = 'active'").await, 1);
}

async fn a_failure_that_says_so_unsubscribes_the_subscriber(b: Backend) {
    // Arrange: two subscribers whose messages fail for good; one blocked the bot
    let blocked = messages_for(&b, SITE, ChannelKind::Telegram, "1001", 1, T0).await;
    let other = messages_for(&b, SITE, ChannelKind::Telegram, "1002", 1, T0).await;
    let claimed = b
        .store
        .claim_outbound(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();
    let id_of = |who| claimed.iter().find(|m| m.subscriber_id == who).unwrap().id;

    // Act
    b.store
        .finish_outbound(
            OWNER,
            id_of(blocked),
            DeliveryResult::Failed {
                error: "403 Forbidden: bot was blocked by the user".into(),
                unsubscribe: true,
            },
            T0 + 5,
        )
        .await
        .unwrap();
    b.store
        .finish_outbound(
            OWNER,
            id_of(other),
            DeliveryResult::Failed {
                error: "400 Bad Request: message is too long".into(),
                unsubscribe: false,
            },
            T0 + 5,
        )
        .await
        .unwrap();

    // Assert
    let blocked = b
        .store
        .get_subscriber(SITE, blocked)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(blocked.status, SubscriberStatus::Unsubscribed);
    assert_eq!(blocked.unsubscribed_at, Some(T0 + 5));
    let other = b.store.get_subscriber(SITE, other).await.unwrap().unwrap();
    assert_eq!(other.status, SubscriberStatus::Active);
    assert_eq!(
        b.count("outbox", "status = 'failed' AND attempts = 1")
            .await,
        2
    );
}
