//! `claim_outbound`: messages to subscribers, claimed soonest due first, one chat at a time,
//! under a lease, no more per lane than the lane has room for. (Recording attempts: `deliveries`.)

use ferry_relay::{
    domain::{ChannelKind, SubscriberId},
    store::{Commit, DeliveryResult, Effects, Lane, LaneRoom},
};

use crate::support::{
    Backend, LEASE, OTHER_OWNER, OTHER_SITE, OWNER, SITE, T0, claim, create, on_both_backends,
    reply, unbounded,
};

on_both_backends!(
    claim_outbound_takes_due_messages_soonest_due_first_up_to_the_limit,
    claim_outbound_offers_only_the_oldest_pending_message_of_each_subscriber,
    claim_outbound_leaves_out_full_lanes,
    claim_outbound_takes_no_more_from_a_lane_than_its_room,
    claim_outbound_fills_its_limit_from_other_lanes_behind_a_busy_lanes_backlog,
    claim_outbound_leaves_leased_messages_until_the_lease_has_ended,
    a_message_that_cannot_be_read_back_is_claimed_with_the_error,
);

/// Queues `count` messages for a new subscriber `user` on `site` and `channel`; returns the
/// subscriber.
pub async fn messages_for(
    b: &Backend,
    site: &str,
    channel: ChannelKind,
    user: &str,
    count: usize,
    now: i64,
) -> SubscriberId {
    let mut effects = Effects::about(create(user, now));
    for n in 0..count {
        effects
            .replies
            .push(reply(user, &format!("{site}:{user}:{n}")));
    }
    match b.store.apply(site, channel, effects, now).await.unwrap() {
        Commit::Done(Some(id)) => id,
        other => panic!("expected a subscriber, got {other:?}"),
    }
}

async fn claim_outbound_takes_due_messages_soonest_due_first_up_to_the_limit(b: Backend) {
    // Arrange: Ann's message fails once and is due later than Bo's and Cy's
    let ann = messages_for(&b, SITE, ChannelKind::Telegram, "1001", 1, T0).await;
    let bo = messages_for(&b, SITE, ChannelKind::Telegram, "1002", 1, T0 + 1).await;
    let cy = messages_for(&b, SITE, ChannelKind::Telegram, "1003", 1, T0 + 2).await;
    let first = b
        .store
        .claim_outbound(&claim(OWNER, T0, 1), &unbounded())
        .await
        .unwrap();
    assert_eq!(first[0].subscriber_id, ann);
    let retry = DeliveryResult::Retry {
        at: T0 + 10,
        error: "429 Too Many Requests".into(),
    };
    b.store
        .finish_outbound(OWNER, first[0].id, retry, T0)
        .await
        .unwrap();

    // Act
    let two = b
        .store
        .claim_outbound(&claim(OWNER, T0 + 10, 2), &unbounded())
        .await
        .unwrap();
    let last = b
        .store
        .claim_outbound(&claim(OWNER, T0 + 10, 2), &unbounded())
        .await
        .unwrap();

    // Assert: Bo and Cy (due first), then Ann
    let whom: Vec<SubscriberId> = two.iter().map(|m| m.subscriber_id).collect();
    assert_eq!(whom, vec![bo, cy]);
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].subscriber_id, ann);
    assert_eq!(last[0].attempts, 1);
    assert_eq!(last[0].site, SITE);
    assert_eq!(last[0].channel, ChannelKind::Telegram);
    assert_eq!(last[0].recipient, "1001");
}

async fn claim_outbound_offers_only_the_oldest_pending_message_of_each_subscriber(b: Backend) {
    // Arrange
    messages_for(&b, SITE, ChannelKind::Telegram, "1001", 3, T0).await;

    // Act
    let first = b
        .store
        .claim_outbound(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();
    let meanwhile = b
        .store
        .claim_outbound(&claim(OTHER_OWNER, T0 + 1, 10), &unbounded())
        .await
        .unwrap();
    b.store
        .finish_outbound(
            OWNER,
            first[0].id,
            DeliveryResult::Sent {
                platform_message_id: Some("5001".into()),
            },
            T0 + 1,
        )
        .await
        .unwrap();
    let next = b
        .store
        .claim_outbound(&claim(OWNER, T0 + 1, 10), &unbounded())
        .await
        .unwrap();

    // Assert: the chat's messages go one after another, in order
    assert_eq!(first.len(), 1);
    assert!(meanwhile.is_empty());
    assert_eq!(next.len(), 1);
    assert!(next[0].id > first[0].id);
}

async fn claim_outbound_leaves_out_full_lanes(b: Backend) {
    // Arrange: one message in each of three lanes
    messages_for(&b, SITE, ChannelKind::Telegram, "1001", 1, T0).await;
    messages_for(&b, SITE, ChannelKind::Whatsapp, "60173526233", 1, T0).await;
    messages_for(&b, OTHER_SITE, ChannelKind::Telegram, "1001", 1, T0).await;
    let lane = |site: &str, channel| Lane {
        site: site.into(),
        channel,
    };
    let room = LaneRoom {
        per_lane: 10,
        busy: vec![
            (lane(SITE, ChannelKind::Telegram), 0),
            (lane(OTHER_SITE, ChannelKind::Whatsapp), 0),
        ],
    };

    // Act
    let claimed = b
        .store
        .claim_outbound(&claim(OWNER, T0, 10), &room)
        .await
        .unwrap();

    // Assert
    let lanes: Vec<Lane> = claimed.iter().map(|m| m.lane()).collect();
    assert_eq!(
        lanes,
        vec![
            Lane {
                site: SITE.into(),
                channel: ChannelKind::Whatsapp
            },
            Lane {
                site: OTHER_SITE.into(),
                channel: ChannelKind::Telegram
            },
        ]
    );
}

async fn claim_outbound_takes_no_more_from_a_lane_than_its_room(b: Backend) {
    // Arrange: a backlog of five in the busy Telegram lane, due before three in WhatsApp's
    for user in 1001..1006 {
        messages_for(&b, SITE, ChannelKind::Telegram, &user.to_string(), 1, T0).await;
    }
    for user in 1..4 {
        let phone = format!("6017352623{user}");
        messages_for(&b, SITE, ChannelKind::Whatsapp, &phone, 1, T0 + 1).await;
    }
    let telegram = Lane {
        site: SITE.into(),
        channel: ChannelKind::Telegram,
    };
    let room = LaneRoom {
        per_lane: 2,
        busy: vec![(telegram.clone(), 1)],
    };

    // Act
    let claimed = b
        .store
        .claim_outbound(&claim(OWNER, T0 + 1, 10), &room)
        .await
        .unwrap();

    // Assert: the one Telegram message it had room for, and two of WhatsApp's
    let count = |channel| claimed.iter().filter(|m| m.channel == channel).count();
    assert_eq!(count(ChannelKind::Telegram), 1);
    assert_eq!(count(ChannelKind::Whatsapp), 2);
    assert_eq!(claimed.len(), 3);
}

async fn claim_outbound_fills_its_limit_from_other_lanes_behind_a_busy_lanes_backlog(b: Backend) {
    // Arrange: six Telegram messages due first in a lane with room for one, then WhatsApp's
    for user in 1001..1007 {
        messages_for(&b, SITE, ChannelKind::Telegram, &user.to_string(), 1, T0).await;
    }
    for user in 1..5 {
        let phone = format!("6017352623{user}");
        messages_for(&b, SITE, ChannelKind::Whatsapp, &phone, 1, T0 + 1).await;
    }
    let telegram = Lane {
        site: SITE.into(),
        channel: ChannelKind::Telegram,
    };
    let room = LaneRoom {
        per_lane: 10,
        busy: vec![(telegram, 1)],
    };

    // Act: room for four in all
    let claimed = b
        .store
        .claim_outbound(&claim(OWNER, T0 + 1, 4), &room)
        .await
        .unwrap();

    // Assert: the Telegram backlog did not use up the claim
    let count = |channel| claimed.iter().filter(|m| m.channel == channel).count();
    assert_eq!(count(ChannelKind::Telegram), 1);
    assert_eq!(count(ChannelKind::Whatsapp), 3);
}

async fn claim_outbound_leaves_leased_messages_until_the_lease_has_ended(b: Backend) {
    // Arrange
    messages_for(&b, SITE, ChannelKind::Telegram, "1001", 1, T0).await;
    b.store
        .claim_outbound(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();

    // Act
    let held = b
        .store
        .claim_outbound(&claim(OTHER_OWNER, T0 + LEASE, 10), &unbounded())
        .await
        .unwrap();
    let ended = b
        .store
        .claim_outbound(&claim(OTHER_OWNER, T0 + LEASE + 1, 10), &unbounded())
        .await
        .unwrap();

    // Assert
    assert!(held.is_empty());
    assert_eq!(ended.len(), 1);
}

async fn a_message_that_cannot_be_read_back_is_claimed_with_the_error(b: Backend) {
    // Arrange
    messages_for(&b, SITE, ChannelKind::Telegram, "1001", 1, T0).await;
    b.execute("UPDATE outbox SET message = '{\"html\":\"<b>hi</b>\"}'")
        .await;

    // Act
    let claimed = b
        .store
        .claim_outbound(&claim(OWNER, T0, 10), &unbounded())
        .await
        .unwrap();

    // Assert
    let error = claimed[0].message.as_ref().expect_err("unreadable");
    assert!(error.starts_with("message:"), "{error}");
}
