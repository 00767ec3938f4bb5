//! `claim_webhooks` and `finish_webhook`: merchant webhooks, one subscriber's in order, no more
//! per site than its lane has room for, results recorded like messages'.

use ferry_relay::{
    domain::{ChannelKind, SubscriberId},
    store::{
        ClaimedWebhook, Commit, DeliveryResult, Effects, LaneRoom, MerchantEvent, WebhookContent,
    },
};

use crate::support::{
    Backend, LEASE, OTHER_OWNER, OTHER_SITE, OWNER, SITE, T0, claim, create, on_both_backends,
    unbounded,
};

on_both_backends!(
    claim_webhooks_keeps_each_subscriber_in_order_and_leaves_out_full_sites,
    claim_webhooks_takes_no_more_for_a_site_than_its_room,
    claim_webhooks_leaves_leased_webhooks_until_the_lease_has_ended,
    a_webhook_whose_snapshot_cannot_be_read_back_is_claimed_as_unreadable,
    finishing_a_webhook_records_each_result,
);

/// Room for nothing more at the other site, and for ten at any other.
fn full_site() -> LaneRoom<String> {
    LaneRoom {
        per_lane: 10,
        busy: vec![(OTHER_SITE.to_owned(), 0)],
    }
}

/// Creates `user` on `site` with webhooks for `events`; returns the subscriber.
async fn webhooks_for(
    b: &Backend,
    site: &str,
    user: &str,
    events: &[MerchantEvent],
) -> SubscriberId {
    let mut effects = Effects::about(create(user, T0));
    effects.notify = events.to_vec();
    match b
        .store
        .apply(site, ChannelKind::Telegram, effects, T0)
        .await
        .unwrap()
    {
        Commit::Done(Some(id)) => id,
        other => panic!("expected a subscriber, got {other:?}"),
    }
}

async fn claim_webhooks_keeps_each_subscriber_in_order_and_leaves_out_full_sites(b: Backend) {
    // Arrange
    let ann = webhooks_for(
        &b,
        SITE,
        "1001",
        &[MerchantEvent::Created, MerchantEvent::Linked],
    )
    .await;
    let bo = webhooks_for(&b, SITE, "1002", &[MerchantEvent::Created]).await;
    webhooks_for(&b, OTHER_SITE, "1003", &[MerchantEvent::Created]).await;

    // Act
    let first = b
        .store
        .claim_webhooks(&claim(OWNER, T0, 10), &full_site())
        .await
        .unwrap();
    for webhook in &first {
        b.store
            .finish_webhook(
                OWNER,
                webhook.id,
                DeliveryResult::Sent {
                    platform_message_id: None,
                },
                T0 + 1,
            )
            .await
            .unwrap();
    }
    let second = b
        .store
        .claim_webhooks(&claim(OWNER, T0 + 1, 10), &full_site())
        .await
        .unwrap();

    // Assert: Ann's created before her linked; the full site's webhook waits
    let of = |claimed: &[ClaimedWebhook]| -> Vec<(MerchantEvent, SubscriberId)> {
        claimed
            .iter()
            .map(|w| match &w.content {
                WebhookContent::Snapshot(s) => (w.event, s.id),
                other => panic!("a snapshot, got {other:?}"),
            })
            .collect()
    };
    assert_eq!(
        of(&first),
        vec![(MerchantEvent::Created, ann), (MerchantEvent::Created, bo)]
    );
    assert_eq!(of(&second), vec![(MerchantEvent::Linked, ann)]);
    assert!(first.iter().chain(&second).all(|w| w.site == SITE));
}

async fn claim_webhooks_takes_no_more_for_a_site_than_its_room(b: Backend) {
    // Arrange: four people's webhooks at the busy site, one at the other
    for user in 1001..1005 {
        webhooks_for(&b, SITE, &user.to_string(), &[MerchantEvent::Created]).await;
    }
    webhooks_for(&b, OTHER_SITE, "2001", &[MerchantEvent::Created]).await;
    let room = LaneRoom {
        per_lane: 3,
        busy: vec![(SITE.to_owned(), 2)],
    };

    // Act
    let claimed = b
        .store
        .claim_webhooks(&claim(OWNER, T0, 10), &room)
        .await
        .unwrap();

    // Assert
    let at = |site: &str| claimed.iter().filter(|w| w.site == site).count();
    assert_eq!(at(SITE), 2);
    assert_eq!(at(OTHER_SITE), 1);
}

async fn claim_webhooks_leaves_leased_webhooks_until_the_lease_has_ended(b: Backend) {
    // Arrange
    webhooks_for(&b, SITE, "1001", &[MerchantEvent::Created]).await;
    b.store
        .claim_webhooks(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();

    // Act
    let held = b
        .store
        .claim_webhooks(&claim(OTHER_OWNER, T0 + LEASE, 10), &unbounded())
        .await
        .unwrap();
    let ended = b
        .store
        .claim_webhooks(&claim(OTHER_OWNER, T0 + LEASE + 1, 10), &unbounded())
        .await
        .unwrap();

    // Assert
    assert!(held.is_empty());
    assert_eq!(ended.len(), 1);
}

async fn a_webhook_whose_snapshot_cannot_be_read_back_is_claimed_as_unreadable(b: Backend) {
    // Arrange
    webhooks_for(&b, SITE, "1001", &[MerchantEvent::Created]).await;
    b.execute("UPDATE merchant_webhooks SET snapshot = '{\"id\":\"not a number\"}'")
        .await;

    // Act
    let claimed = b
        .store
        .claim_webhooks(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();

    // Assert
    assert!(
        matches!(&claimed[0].content, WebhookContent::Unreadable(error) if error.starts_with("snapshot:")),
        "{:?}",
        claimed[0].content
    );
}

async fn finishing_a_webhook_records_each_result(b: Backend) {
    // Arrange: three subscribers' webhooks, claimed by relay A
    for user in ["1001", "1002", "1003"] {
        webhooks_for(&b, SITE, user, &[MerchantEvent::Created]).await;
    }
    let claimed = b
        .store
        .claim_webhooks(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();
    let [delivered, retried, failed] = [claimed[0].id, claimed[1].id, claimed[2].id];

    // Act: another relay's reports change nothing; the owner's do
    for (owner, result) in [
        (
            OTHER_OWNER,
            DeliveryResult::Retry {
                at: T0 + 1,
                error: "not mine".into(),
            },
        ),
        (
            OTHER_OWNER,
            DeliveryResult::Failed {
                error: "not mine".into(),
                unsubscribe: false,
            },
        ),
    ] {
        b.store
            .finish_webhook(owner, retried, result, T0)
            .await
            .unwrap();
    }
    let unchanged = b
        .count(
            "merchant_webhooks",
            &format!("id = {retried} AND attempts = 0 AND status = 'pending'"),
        )
        .await;
    b.store
        .finish_webhook(
            OWNER,
            delivered,
            DeliveryResult::Sent {
                platform_message_id: None,
            },
            T0 + 1,
        )
        .await
        .unwrap();
    b.store
        .finish_webhook(
            OWNER,
            retried,
            DeliveryResult::Retry {
                at: T0 + 2_000,
                error: "503 Service Unavailable".into(),
            },
            T0 + 1,
        )
        .await
        .unwrap();
    b.store
        .finish_webhook(
            OWNER,
            failed,
            DeliveryResult::Failed {
                error: "410 Gone".into(),
                unsubscribe: true,
            },
            T0 + 1,
        )
        .await
        .unwrap();

    // Assert
    assert_eq!(unchanged, 1);
    assert_eq!(
        b.count(
            "merchant_webhooks",
            &format!(
                "id = {delivered} AND status = 'delivered' AND delivered_at = {} AND attempts = 1",
                T0 + 1
            )
        )
        .await,
        1
    );
    assert_eq!(
        b.count(
            "merchant_webhooks",
            &format!(
                "id = {failed} AND status = 'failed' AND last_error = '410 Gone' AND attempts = 1"
            )
        )
        .await,
        1
    );
    assert!(
        b.store
            .claim_webhooks(&claim(OWNER, T0 + 1_999, 10), &unbounded())
            .await
            .unwrap()
            .is_empty()
    );
    let again = b
        .store
        .claim_webhooks(&claim(OWNER, T0 + 2_000, 10), &unbounded())
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, retried);
    assert_eq!(again[0].attempts, 1);
    // a merchant's refusal never unsubscribes anybody
    assert_eq!(b.count("subscribers", "status = 'active'").await, 3);
}
