//! `resolve_inbound`: what came of claimed events — processed, retried, parked, handed back —
//! each only by the lease's owner. (One unit's failure among others: `failures`.)

use ferry_relay::{
    domain::ChannelKind,
    store::{Commit, Effects, InboundResolution, LinkCode, MerchantEvent, Queue, SubscriberChange},
};

use crate::support::{
    Backend, LEASE, OTHER_OWNER, OWNER, SITE, T0, claim, create, on_both_backends, reply,
    signalled, step, text_from, unbounded, user,
};

on_both_backends!(
    a_processed_event_applies_its_effects_and_is_done,
    each_new_subscriber_of_a_call_keeps_their_own_link_code,
    a_retried_event_counts_the_attempt_and_is_due_again_later,
    a_parked_event_is_kept_out_of_every_claim_and_frees_its_user,
    a_released_event_is_handed_back_unchanged,
    nothing_is_done_for_an_event_whose_lease_was_taken_over,
    processing_signals_the_queues_its_effects_fill,
    releasing_signals_the_inbound_queue,
);

async fn a_processed_event_applies_its_effects_and_is_done(b: Backend) {
    // Arrange
    let ids = b
        .store_inbound(vec![text_from("update:1", "1001", T0)])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let mut effects = Effects::about(create("1001", T0));
    effects.events.push(step("subscribed", None));
    effects.replies.push(reply("1001", "inbound:1:0"));

    // Act
    let commit = b.process(ids[0], effects, T0 + 5).await;

    // Assert
    let subscriber = b
        .store
        .find_subscriber(SITE, ChannelKind::Telegram, &user("1001"))
        .await
        .unwrap()
        .expect("created");
    assert_eq!(commit, Commit::Done(Some(subscriber.id)));
    assert_eq!(
        b.count(
            "inbound",
            &format!("id = {} AND processed_at = {}", ids[0], T0 + 5)
        )
        .await,
        1
    );
    assert!(
        b.store
            .claim_inbound(&claim(OTHER_OWNER, T0 + 2 * LEASE, 10))
            .await
            .unwrap()
            .is_empty()
    );
    let queued = b
        .store
        .claim_outbound(&claim(OWNER, T0 + 5, 10), &unbounded())
        .await
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].subscriber_id, subscriber.id);
    assert_eq!(
        b.count(
            "events",
            &format!("subscriber_id = {} AND at = {}", subscriber.id.0, T0 + 5)
        )
        .await,
        1
    );
}

async fn each_new_subscriber_of_a_call_keeps_their_own_link_code(b: Backend) {
    // Arrange: a burst of /start from new people, each given a code to link their account
    let people = ["1001", "1002", "1003"];
    let ids = b
        .store_inbound(
            people
                .iter()
                .enumerate()
                .map(|(n, person)| text_from(&format!("update:{n}"), person, T0))
                .collect(),
        )
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let resolutions = ids
        .iter()
        .zip(people)
        .map(|(id, person)| {
            let mut effects = Effects::about(create(person, T0));
            effects.link_code = Some(LinkCode {
                code: format!("CODE{person}"),
                expires_at: T0 + 1_800_000,
            });
            effects
                .replies
                .push(reply(person, &format!("inbound:{person}:0")));
            (*id, InboundResolution::Processed(Box::new(effects)))
        })
        .collect();

    // Act
    let commits = b
        .store
        .resolve_inbound(OWNER, resolutions, T0 + 1)
        .await
        .unwrap();

    // Assert: every code belongs to the subscriber it was made for
    for (commit, person) in commits.iter().zip(people) {
        let subscriber = b
            .store
            .find_subscriber(SITE, ChannelKind::Telegram, &user(person))
            .await
            .unwrap()
            .expect("created");
        assert_eq!(commit, &Commit::Done(Some(subscriber.id)));
        let code = b
            .store
            .find_link_code(SITE, &format!("CODE{person}"))
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(code.subscriber_id, subscriber.id);
        assert_eq!(code.expires_at, T0 + 1_800_000);
    }
    assert_eq!(b.count("inbound", "processed_at IS NOT NULL").await, 3);
}

async fn a_retried_event_counts_the_attempt_and_is_due_again_later(b: Backend) {
    // Arrange
    let ids = b
        .store_inbound(vec![text_from("update:1", "1001", T0)])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let at = T0 + 30_000;

    // Act
    let commits = b
        .store
        .resolve_inbound(
            OWNER,
            vec![(
                ids[0],
                InboundResolution::Retry {
                    at,
                    error: "timed out".into(),
                },
            )],
            T0,
        )
        .await
        .unwrap();

    // Assert: the lease ended with it, so the retry is anyone's when due
    assert_eq!(commits, vec![Commit::Done(None)]);
    assert!(
        b.store
            .claim_inbound(&claim(OTHER_OWNER, at - 1, 10))
            .await
            .unwrap()
            .is_empty()
    );
    let again = b
        .store
        .claim_inbound(&claim(OTHER_OWNER, at, 10))
        .await
        .unwrap();
    assert_eq!(again[0].attempts, 1);
    assert_eq!(b.count("inbound", "last_error = 'timed out'").await, 1);
}

async fn a_parked_event_is_kept_out_of_every_claim_and_frees_its_user(b: Backend) {
    // Arrange
    let ids = b
        .store_inbound(vec![
            text_from("update:1", "1001", T0),
            text_from("update:2", "1001", T0),
        ])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();

    // Act
    let commits = b
        .store
        .resolve_inbound(
            OWNER,
            vec![(
                ids[0],
                InboundResolution::Park {
                    error: "the site is no longer configured".into(),
                },
            )],
            T0 + 1,
        )
        .await
        .unwrap();
    let next = b
        .store
        .claim_inbound(&claim(OTHER_OWNER, T0 + 2 * LEASE, 10))
        .await
        .unwrap();

    // Assert: the parked event stays, with its error, and the user's next event goes ahead
    assert_eq!(commits, vec![Commit::Done(None)]);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].id, ids[1]);
    assert_eq!(
        b.count(
            "inbound",
            &format!(
                "id = {} AND parked_at = {} AND attempts = 1 AND last_error IS NOT NULL",
                ids[0],
                T0 + 1
            )
        )
        .await,
        1
    );
}

async fn a_released_event_is_handed_back_unchanged(b: Backend) {
    // Arrange
    let ids = b
        .store_inbound(vec![text_from("update:1", "1001", T0)])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();

    // Act
    let commits = b
        .store
        .resolve_inbound(OWNER, vec![(ids[0], InboundResolution::Release)], T0)
        .await
        .unwrap();
    let again = b
        .store
        .claim_inbound(&claim(OTHER_OWNER, T0, 10))
        .await
        .unwrap();

    // Assert
    assert_eq!(commits, vec![Commit::Done(None)]);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 0);
}

async fn nothing_is_done_for_an_event_whose_lease_was_taken_over(b: Backend) {
    // Arrange: relay A's lease ended while it worked; relay B took the event over
    let ids = b
        .store_inbound(vec![text_from("update:1", "1001", T0)])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let taken = b
        .store
        .claim_inbound(&claim(OTHER_OWNER, T0 + LEASE + 1, 10))
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);

    // Act
    let late = b
        .process(ids[0], Effects::about(create("1001", T0)), T0 + LEASE + 2)
        .await;
    let late_retry = b
        .store
        .resolve_inbound(
            OWNER,
            vec![(
                ids[0],
                InboundResolution::Retry {
                    at: T0,
                    error: "late".into(),
                },
            )],
            T0 + LEASE + 2,
        )
        .await
        .unwrap();
    let owners = b
        .store
        .resolve_inbound(
            OTHER_OWNER,
            vec![(
                ids[0],
                InboundResolution::Processed(Box::new(Effects::about(create("1001", T0)))),
            )],
            T0 + LEASE + 3,
        )
        .await
        .unwrap();

    // Assert: only the lease's owner resolved it
    assert_eq!(late, Commit::LeaseLost);
    assert_eq!(late_retry, vec![Commit::LeaseLost]);
    assert!(matches!(owners[..], [Commit::Done(Some(_))]));
    assert_eq!(b.count("inbound", "attempts = 0").await, 1);
    assert_eq!(b.count("subscribers", "1 = 1").await, 1);
}

async fn processing_signals_the_queues_its_effects_fill(b: Backend) {
    // Arrange
    let ids = b
        .store_inbound(vec![text_from("update:1", "1001", T0)])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let mut greeting = Effects::about(create("1001", T0));
    greeting.replies.push(reply("1001", "inbound:1:0"));
    greeting.notify.push(MerchantEvent::Created);

    // Act
    b.process(ids[0], greeting, T0).await;

    // Assert
    signalled(&b.signals, Queue::Outbound).await;
    signalled(&b.signals, Queue::Webhooks).await;
}

async fn releasing_signals_the_inbound_queue(b: Backend) {
    // Arrange: an event put in behind the store's back, so nothing has signalled yet
    b.execute(
        "INSERT INTO inbound (site, channel, dedupe_key, user_id, event, received_at, next_attempt_at) \
         VALUES ('northwind', 'telegram', 'update:1', '1001', \
         '{\"user\":\"1001\",\"at\":1764000000000,\"kind\":{\"type\":\"other\"}}', 1764000000000, 1764000000000)",
    )
    .await;
    let claimed = b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();

    // Act
    b.store
        .resolve_inbound(OWNER, vec![(claimed[0].id, InboundResolution::Release)], T0)
        .await
        .unwrap();

    // Assert
    signalled(&b.signals, Queue::Inbound).await;
}

/// Processed, with effects that change only the subscriber.
pub fn processed(change: SubscriberChange) -> InboundResolution {
    InboundResolution::Processed(Box::new(Effects::about(change)))
}
