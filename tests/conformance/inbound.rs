//! `record_inbound` and `claim_inbound`: webhook events stored once, claimed oldest first, one
//! per person at a time, under a lease.

use ferry_relay::{
    channels::InboundKind,
    domain::ChannelKind,
    store::{Effects, InboundResolution, SubscriberChange},
};

use crate::support::{
    Backend, LEASE, OTHER_OWNER, OTHER_SITE, OWNER, T0, claim, on_both_backends, text_from,
};

on_both_backends!(
    record_inbound_stores_each_event_once_and_counts_the_new_ones,
    record_inbound_keeps_an_event_whose_text_holds_a_nul_character,
    claim_inbound_takes_the_oldest_events_up_to_the_limit,
    claim_inbound_leaves_events_that_are_not_due_yet,
    claim_inbound_leaves_leased_events_until_the_lease_has_ended,
    claim_inbound_offers_only_the_oldest_pending_event_of_each_user,
    a_retried_event_holds_back_the_later_events_of_its_user,
    an_event_that_cannot_be_read_back_is_claimed_with_the_error,
);

async fn record_inbound_stores_each_event_once_and_counts_the_new_ones(b: Backend) {
    // Arrange
    let first = vec![
        text_from("update:1", "1001", T0),
        text_from("update:2", "1002", T0),
        text_from("update:2", "1002", T0),
    ];
    let mut elsewhere = text_from("update:1", "1001", T0);
    elsewhere.site = OTHER_SITE.into();
    let mut other_platform = text_from("update:1", "1001", T0);
    other_platform.channel = ChannelKind::Messenger;

    // Act
    let stored_first = b.store.record_inbound(first).await.unwrap();
    let stored_again = b
        .store
        .record_inbound(vec![
            text_from("update:2", "1002", T0 + 1),
            text_from("update:3", "1003", T0 + 1),
            elsewhere,
            other_platform,
        ])
        .await
        .unwrap();

    // Assert: a key is one event per site and platform
    assert_eq!(stored_first, 2);
    assert_eq!(stored_again, 3);
    assert_eq!(b.count("inbound", "1 = 1").await, 5);
}

async fn record_inbound_keeps_an_event_whose_text_holds_a_nul_character(b: Backend) {
    // Arrange: platforms pass on whatever a user typed
    let mut event = text_from("update:1", "1001", T0);
    event.event.kind = InboundKind::Text {
        text: "order\0 NW-1042".into(),
    };
    event.event.name = Some("Ann\0".into());

    // Act
    let stored = b.store.record_inbound(vec![event]).await.unwrap();
    let claimed = b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();

    // Assert: stored and readable; PostgreSQL keeps no NUL, so it may come back replaced
    assert_eq!(stored, 1);
    let event = claimed[0].event.as_ref().expect("readable");
    let InboundKind::Text { text } = &event.kind else {
        panic!("a text, got {:?}", event.kind)
    };
    assert_eq!(text.replace('\0', "\u{fffd}"), "order\u{fffd} NW-1042");
}

async fn claim_inbound_takes_the_oldest_events_up_to_the_limit(b: Backend) {
    // Arrange
    let ids = b
        .store_inbound(vec![
            text_from("update:1", "1001", T0),
            text_from("update:2", "1002", T0),
            text_from("update:3", "1003", T0),
        ])
        .await;

    // Act
    let first = b.store.claim_inbound(&claim(OWNER, T0, 2)).await.unwrap();
    let rest = b.store.claim_inbound(&claim(OWNER, T0, 2)).await.unwrap();

    // Assert
    let first_ids: Vec<i64> = first.iter().map(|c| c.id).collect();
    assert_eq!(first_ids, ids[..2]);
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].id, ids[2]);
    let item = &first[0];
    assert_eq!(item.site, "northwind");
    assert_eq!(item.channel, ChannelKind::Telegram);
    assert_eq!(item.attempts, 0);
    assert_eq!(
        item.event.as_ref().unwrap(),
        &text_from("update:1", "1001", T0).event
    );
}

async fn claim_inbound_leaves_events_that_are_not_due_yet(b: Backend) {
    // Arrange: an event whose processing failed, due again a minute later
    let ids = b
        .store_inbound(vec![text_from("update:1", "1001", T0)])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let due = T0 + 60_000;
    let retry = InboundResolution::Retry {
        at: due,
        error: "database busy".into(),
    };
    b.store
        .resolve_inbound(OWNER, vec![(ids[0], retry)], T0)
        .await
        .unwrap();

    // Act
    let early = b
        .store
        .claim_inbound(&claim(OWNER, due - 1, 10))
        .await
        .unwrap();
    let on_time = b.store.claim_inbound(&claim(OWNER, due, 10)).await.unwrap();

    // Assert
    assert!(early.is_empty());
    assert_eq!(on_time.len(), 1);
    assert_eq!(on_time[0].attempts, 1);
}

async fn claim_inbound_leaves_leased_events_until_the_lease_has_ended(b: Backend) {
    // Arrange
    let ids = b
        .store_inbound(vec![text_from("update:1", "1001", T0)])
        .await;
    let held = b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();

    // Act
    let while_held = b
        .store
        .claim_inbound(&claim(OTHER_OWNER, T0 + LEASE, 10))
        .await
        .unwrap();
    let after = b
        .store
        .claim_inbound(&claim(OTHER_OWNER, T0 + LEASE + 1, 10))
        .await
        .unwrap();

    // Assert: the lease holds up to its end, then another worker takes the event over
    assert_eq!(held.len(), 1);
    assert!(while_held.is_empty());
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, ids[0]);
}

async fn claim_inbound_offers_only_the_oldest_pending_event_of_each_user(b: Backend) {
    // Arrange: Ann wrote twice, Bo once
    let ids = b
        .store_inbound(vec![
            text_from("update:1", "1001", T0),
            text_from("update:2", "1001", T0),
            text_from("update:3", "1002", T0),
        ])
        .await;

    // Act
    let first = b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let meanwhile = b
        .store
        .claim_inbound(&claim(OTHER_OWNER, T0, 10))
        .await
        .unwrap();
    let commit = b
        .process(ids[0], Effects::about(SubscriberChange::None), T0)
        .await;
    let next = b
        .store
        .claim_inbound(&claim(OTHER_OWNER, T0, 10))
        .await
        .unwrap();

    // Assert: Ann's second event waits until her first is processed
    let first_ids: Vec<i64> = first.iter().map(|c| c.id).collect();
    assert_eq!(first_ids, vec![ids[0], ids[2]]);
    assert!(meanwhile.is_empty());
    assert_eq!(commit, ferry_relay::store::Commit::Done(None));
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].id, ids[1]);
}

async fn a_retried_event_holds_back_the_later_events_of_its_user(b: Backend) {
    // Arrange
    let ids = b
        .store_inbound(vec![
            text_from("update:1", "1001", T0),
            text_from("update:2", "1001", T0),
        ])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 1)).await.unwrap();
    let retry = InboundResolution::Retry {
        at: T0 + 60_000,
        error: "database busy".into(),
    };
    b.store
        .resolve_inbound(OWNER, vec![(ids[0], retry)], T0)
        .await
        .unwrap();

    // Act
    let meanwhile = b
        .store
        .claim_inbound(&claim(OWNER, T0 + 1, 10))
        .await
        .unwrap();

    // Assert
    assert!(meanwhile.is_empty());
}

async fn an_event_that_cannot_be_read_back_is_claimed_with_the_error(b: Backend) {
    // Arrange: a row another version of the relay wrote
    let ids = b
        .store_inbound(vec![
            text_from("update:1", "1001", T0),
            text_from("update:2", "1002", T0),
        ])
        .await;
    b.execute(&format!(
        "UPDATE inbound SET event = '{{\"user\":\"1001\",\"kind\":{{\"type\":\"hologram\"}}}}' WHERE id = {}",
        ids[0]
    ))
    .await;

    // Act
    let claimed = b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();

    // Assert: the claim succeeds; the unreadable event carries why
    assert_eq!(claimed.len(), 2);
    let error = claimed[0].event.as_ref().expect_err("unreadable");
    assert!(error.starts_with("event:"), "{error}");
    assert!(claimed[1].event.is_ok());
}
