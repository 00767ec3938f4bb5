//! `apply`: a decision's effects on a subscriber, the funnel and the queues, all or nothing.
//! (Account links, orders and what merchant webhooks carry: `accounts`.)

use ferry_relay::{
    domain::ChannelKind,
    store::{Commit, Effects, MerchantEvent, Queue, SubscriberChange, SubscriberStatus},
};

use crate::support::{
    Backend, OWNER, SITE, T0, attribution, claim, create, create_with, on_both_backends, reply,
    signalled, step, unbounded, user,
};

on_both_backends!(
    a_new_subscriber_is_stored_with_their_arrival,
    creating_a_subscriber_who_exists_uses_them_and_moves_their_last_activity_forward,
    an_update_changes_the_status_and_only_moves_last_activity_forward,
    effects_about_nobody_change_nothing,
    replies_are_queued_once_per_dedupe_key,
    funnel_events_are_recorded_at_now_with_their_ref,
    applying_replies_and_webhooks_signals_their_queues,
);

async fn a_new_subscriber_is_stored_with_their_arrival(b: Backend) {
    // Act
    let id = b
        .apply(
            Effects::about(create_with(
                "1001",
                T0,
                Some("spring-ref-0001"),
                Some(attribution("spring")),
            )),
            T0 + 9,
        )
        .await;

    // Assert
    let subscriber = b
        .store
        .get_subscriber(SITE, id)
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(subscriber.site, SITE);
    assert_eq!(subscriber.channel, ChannelKind::Telegram);
    assert_eq!(subscriber.platform_user_id, user("1001"));
    assert_eq!(subscriber.display_name.as_deref(), Some("Ann Lee"));
    assert_eq!(subscriber.status, SubscriberStatus::Active);
    assert_eq!(subscriber.reference.as_deref(), Some("spring-ref-0001"));
    assert_eq!(subscriber.attribution, Some(attribution("spring")));
    assert_eq!(subscriber.subscribed_at, T0);
    assert_eq!(subscriber.last_inbound_at, T0);
    assert_eq!(subscriber.unsubscribed_at, None);
    assert_eq!(subscriber.customer, None);
    assert_eq!(subscriber.linked_at, None);
    assert!(subscriber.order_ids.is_empty());
}

async fn creating_a_subscriber_who_exists_uses_them_and_moves_their_last_activity_forward(
    b: Backend,
) {
    // Arrange: two relays decided "new subscriber" for the same person
    let first = b.subscriber("1001", T0).await;

    // Act
    let later = b.subscriber("1001", T0 + 5_000).await;
    let older = b.subscriber("1001", T0 + 1_000).await;

    // Assert
    assert_eq!(later, first);
    assert_eq!(older, first);
    let subscriber = b.store.get_subscriber(SITE, first).await.unwrap().unwrap();
    assert_eq!(subscriber.subscribed_at, T0);
    assert_eq!(subscriber.last_inbound_at, T0 + 5_000);
    assert_eq!(b.count("subscribers", "1 = 1").await, 1);
}

async fn an_update_changes_the_status_and_only_moves_last_activity_forward(b: Backend) {
    // Arrange
    let id = b.subscriber("1001", T0).await;
    let update = |status, last_inbound_at| {
        Effects::about(SubscriberChange::Update {
            id,
            status,
            last_inbound_at,
        })
    };

    // Act / Assert: STOP, STOP again, an older event, then START
    b.apply(update(SubscriberStatus::Unsubscribed, T0 + 10), T0 + 11)
        .await;
    let stopped = b.store.get_subscriber(SITE, id).await.unwrap().unwrap();
    assert_eq!(stopped.status, SubscriberStatus::Unsubscribed);
    assert_eq!(stopped.unsubscribed_at, Some(T0 + 11));
    assert_eq!(stopped.last_inbound_at, T0 + 10);

    b.apply(update(SubscriberStatus::Unsubscribed, T0 + 5), T0 + 20)
        .await;
    let again = b.store.get_subscriber(SITE, id).await.unwrap().unwrap();
    assert_eq!(again.unsubscribed_at, Some(T0 + 11));
    assert_eq!(again.last_inbound_at, T0 + 10);

    b.apply(update(SubscriberStatus::Active, T0 + 30), T0 + 31)
        .await;
    let back = b.store.get_subscriber(SITE, id).await.unwrap().unwrap();
    assert_eq!(back.status, SubscriberStatus::Active);
    assert_eq!(back.unsubscribed_at, None);
    assert_eq!(back.last_inbound_at, T0 + 30);
}

async fn effects_about_nobody_change_nothing(b: Backend) {
    // Arrange
    let before = b.store.row_counts().await.unwrap();
    let mut effects = Effects::about(SubscriberChange::None);
    effects.replies.push(reply("1001", "ignored:1"));
    effects.events.push(step("subscribed", None));

    // Act
    let commit = b
        .store
        .apply(SITE, ChannelKind::Telegram, effects, T0)
        .await
        .unwrap();

    // Assert
    assert_eq!(commit, Commit::Done(None));
    assert_eq!(b.store.row_counts().await.unwrap(), before);
}

async fn replies_are_queued_once_per_dedupe_key(b: Backend) {
    // Arrange
    let id = b.subscriber("1001", T0).await;
    let welcome = || {
        let mut effects = Effects::about(SubscriberChange::Existing(id));
        effects.replies.push(reply("1001", "link:7KQ2M9XR4TBC"));
        effects
    };

    // Act
    b.apply(welcome(), T0).await;
    b.apply(welcome(), T0 + 1).await;

    // Assert
    let queued = b
        .store
        .claim_outbound(&claim(OWNER, T0 + 1, 10), &unbounded())
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].recipient, "1001");
    assert_eq!(
        queued[0].message.as_ref().unwrap(),
        &reply("1001", "x").message
    );
    assert_eq!(b.count("outbox", "1 = 1").await, 1);
}

async fn funnel_events_are_recorded_at_now_with_their_ref(b: Backend) {
    // Arrange
    let mut effects = Effects::about(create("1001", T0));
    effects
        .events
        .push(step("subscribed", Some("spring-ref-0001")));
    effects.events.push(step("message", None));

    // Act
    let id = b.apply(effects, T0 + 3).await;

    // Assert
    let mine = format!(
        "subscriber_id = {} AND at = {} AND channel = 'telegram'",
        id.0,
        T0 + 3
    );
    assert_eq!(b.count("events", &mine).await, 2);
    assert_eq!(
        b.count(
            "events",
            &format!("{mine} AND kind = 'subscribed' AND ref = 'spring-ref-0001'")
        )
        .await,
        1
    );
}

async fn applying_replies_and_webhooks_signals_their_queues(b: Backend) {
    // Arrange
    let id = b.subscriber("1001", T0).await;
    let mut effects = Effects::about(SubscriberChange::Existing(id));
    effects.replies.push(reply("1001", "link:1"));
    effects.notify.push(MerchantEvent::Linked);

    // Act
    b.apply(effects, T0).await;

    // Assert
    signalled(&b.signals, Queue::Outbound).await;
    signalled(&b.signals, Queue::Webhooks).await;
}
