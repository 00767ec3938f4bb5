//! `resolve_inbound` when one unit fails: a spent link or a refused change rolls back that
//! event alone, and the others in the call go in.

use ferry_relay::domain::SubscriberId;
use ferry_relay::store::{
    AccountChange, Commit, Effects, InboundResolution, LinkCode, LinkVia, SubscriberChange,
};

use crate::resolve::processed;
use crate::support::{
    Backend, OTHER_OWNER, OWNER, T0, claim, create, customer, intent, on_both_backends, reply,
    step, text_from,
};

on_both_backends!(
    a_spent_link_rolls_back_only_its_own_event,
    a_refused_event_fails_alone_and_stays_claimed_for_its_retry,
    a_refused_event_among_common_ones_fails_alone,
);

async fn a_spent_link_rolls_back_only_its_own_event(b: Backend) {
    // Arrange: a ref linked already, and three events claimed together
    b.store
        .insert_intent(&intent("spring-ref-0001", T0, "spring"))
        .await
        .unwrap();
    let mut first = Effects::about(create("1000", T0));
    first.account = AccountChange::Link {
        customer: customer("cus_1"),
        via: LinkVia::Ref("spring-ref-0001".into()),
    };
    b.apply(first, T0).await;
    let ids = b
        .store_inbound(vec![
            text_from("update:1", "1001", T0),
            text_from("update:2", "1002", T0),
            text_from("update:3", "1003", T0),
        ])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let mut spending = Effects::about(create("1002", T0));
    spending.account = AccountChange::Link {
        customer: customer("cus_2"),
        via: LinkVia::Ref("spring-ref-0001".into()),
    };
    spending.events.push(step("linked", None));

    // Act
    let commits = b
        .store
        .resolve_inbound(
            OWNER,
            vec![
                (ids[0], processed(create("1001", T0))),
                (ids[1], InboundResolution::Processed(Box::new(spending))),
                (ids[2], processed(create("1003", T0))),
            ],
            T0 + 1,
        )
        .await
        .unwrap();

    // Assert: the others went in; the spent one left nothing and is handed back to decide again
    assert!(matches!(commits[0], Commit::Done(Some(_))));
    assert_eq!(commits[1], Commit::LinkSpent);
    assert!(matches!(commits[2], Commit::Done(Some(_))));
    assert_eq!(b.count("subscribers", "platform_user_id = '1002'").await, 0);
    assert_eq!(b.count("events", "kind = 'linked'").await, 0);
    let again = b
        .store
        .claim_inbound(&claim(OTHER_OWNER, T0 + 1, 10))
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, ids[1]);
}

async fn a_refused_event_fails_alone_and_stays_claimed_for_its_retry(b: Backend) {
    // Arrange: a link code that exists already (the database refuses a second one)
    let mut earlier = Effects::about(create("1000", T0));
    earlier.link_code = Some(LinkCode {
        code: "7KQ2M9XR4TBC".into(),
        expires_at: T0 + 1_800_000,
    });
    b.apply(earlier, T0).await;
    let ids = b
        .store_inbound(vec![
            text_from("update:1", "1001", T0),
            text_from("update:2", "1002", T0),
        ])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let mut clashing = Effects::about(create("1001", T0));
    clashing.link_code = Some(LinkCode {
        code: "7KQ2M9XR4TBC".into(),
        expires_at: T0 + 1_800_000,
    });
    clashing.replies.push(reply("1001", "inbound:1:0"));

    // Act
    let commits = b
        .store
        .resolve_inbound(
            OWNER,
            vec![
                (ids[0], InboundResolution::Processed(Box::new(clashing))),
                (ids[1], processed(create("1002", T0))),
            ],
            T0 + 1,
        )
        .await
        .unwrap();
    let retried = b
        .store
        .resolve_inbound(
            OWNER,
            vec![(
                ids[0],
                InboundResolution::Retry {
                    at: T0 + 2_000,
                    error: "refused".into(),
                },
            )],
            T0 + 1,
        )
        .await
        .unwrap();

    // Assert: nothing of the refused unit went in; its owner still holds it to record a retry
    assert!(matches!(&commits[0], Commit::Failed(error) if !error.is_empty()));
    assert!(matches!(commits[1], Commit::Done(Some(_))));
    assert_eq!(b.count("subscribers", "platform_user_id = '1001'").await, 0);
    assert_eq!(b.count("outbox", "1 = 1").await, 0);
    assert_eq!(retried, vec![Commit::Done(None)]);
    assert_eq!(
        b.count("inbound", &format!("id = {} AND attempts = 1", ids[0]))
            .await,
        1
    );
}

async fn a_refused_event_among_common_ones_fails_alone(b: Backend) {
    // Arrange: three events of the common kind (the SQLite store applies such events together);
    // the middle one replies to a subscriber that does not exist, which the database refuses
    let ids = b
        .store_inbound(vec![
            text_from("update:1", "1001", T0),
            text_from("update:2", "1002", T0),
            text_from("update:3", "1003", T0),
        ])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 10)).await.unwrap();
    let mut refused = Effects::about(SubscriberChange::Existing(SubscriberId(987_654)));
    refused.replies.push(reply("1002", "inbound:2:0"));
    let mut welcomed = Effects::about(create("1003", T0));
    welcomed.replies.push(reply("1003", "inbound:3:0"));

    // Act
    let commits = b
        .store
        .resolve_inbound(
            OWNER,
            vec![
                (ids[0], processed(create("1001", T0))),
                (ids[1], InboundResolution::Processed(Box::new(refused))),
                (ids[2], InboundResolution::Processed(Box::new(welcomed))),
            ],
            T0 + 1,
        )
        .await
        .unwrap();

    // Assert: the others went in whole, the refused one not at all
    assert!(matches!(commits[0], Commit::Done(Some(_))));
    assert!(matches!(&commits[1], Commit::Failed(error) if !error.is_empty()));
    assert!(matches!(commits[2], Commit::Done(Some(_))));
    assert_eq!(b.count("subscribers", "1 = 1").await, 2);
    assert_eq!(b.count("outbox", "recipient = '1003'").await, 1);
    assert_eq!(b.count("outbox", "recipient = '1002'").await, 0);
    assert_eq!(
        b.count("inbound", "processed_at IS NOT NULL").await,
        2,
        "the refused event stays unprocessed, for its retry"
    );
}
