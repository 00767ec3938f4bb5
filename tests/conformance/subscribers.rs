//! `find_subscribers` (and `find_subscriber`), `get_subscriber`, `list_subscribers` and `find_link_code`.

use ferry_relay::{
    domain::{ChannelKind, SubscriberId},
    store::{
        AccountChange, Commit, Effects, LinkCode, LinkVia, SubscriberChange, SubscriberFilter,
        SubscriberStatus,
    },
};

use crate::support::{
    Backend, OTHER_SITE, SITE, T0, create, customer, intent, on_both_backends, user,
};

on_both_backends!(
    a_subscriber_is_found_by_platform_user_and_by_id_on_their_site_only,
    listing_is_newest_first_and_pages_with_the_cursor,
    listing_filters_by_channel_status_and_subscription_time,
    listing_filters_by_customer_and_by_order,
    a_filter_holding_a_nul_character_finds_nobody,
    a_link_code_is_found_on_its_site_used_or_not,
    a_batch_of_people_is_looked_up_at_once,
);

async fn a_subscriber_is_found_by_platform_user_and_by_id_on_their_site_only(b: Backend) {
    // Arrange
    let id = b.subscriber("1001", T0).await;

    // Act
    let by_user = b
        .store
        .find_subscriber(SITE, ChannelKind::Telegram, &user("1001"))
        .await
        .unwrap();
    let on_messenger = b
        .store
        .find_subscriber(SITE, ChannelKind::Messenger, &user("1001"))
        .await
        .unwrap();
    let elsewhere = b
        .store
        .find_subscriber(OTHER_SITE, ChannelKind::Telegram, &user("1001"))
        .await
        .unwrap();
    let by_id = b.store.get_subscriber(SITE, id).await.unwrap();
    let by_id_elsewhere = b.store.get_subscriber(OTHER_SITE, id).await.unwrap();
    let unknown = b
        .store
        .get_subscriber(SITE, SubscriberId(id.0 + 1000))
        .await
        .unwrap();

    // Assert
    assert_eq!(by_user.as_ref().map(|s| s.id), Some(id));
    assert_eq!(by_id, by_user);
    assert_eq!(on_messenger, None);
    assert_eq!(elsewhere, None);
    assert_eq!(by_id_elsewhere, None);
    assert_eq!(unknown, None);
}

async fn listing_is_newest_first_and_pages_with_the_cursor(b: Backend) {
    // Arrange
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(b.subscriber(&format!("100{n}"), T0 + n).await.0);
    }
    let page = |before_id| SubscriberFilter {
        before_id,
        limit: 2,
        ..SubscriberFilter::default()
    };

    // Act
    let first = b.store.list_subscribers(SITE, &page(None)).await.unwrap();
    let second = b
        .store
        .list_subscribers(SITE, &page(first.last().map(|s| s.id.0)))
        .await
        .unwrap();
    let third = b
        .store
        .list_subscribers(SITE, &page(second.last().map(|s| s.id.0)))
        .await
        .unwrap();
    let other_site = b
        .store
        .list_subscribers(OTHER_SITE, &page(None))
        .await
        .unwrap();

    // Assert
    let listed: Vec<i64> = [first, second, third]
        .concat()
        .iter()
        .map(|s| s.id.0)
        .collect();
    ids.reverse();
    assert_eq!(listed, ids);
    assert!(other_site.is_empty());
}

async fn listing_filters_by_channel_status_and_subscription_time(b: Backend) {
    // Arrange: Ann (Telegram, T0), Bo (Telegram, T0+10, unsubscribed), Cy (WhatsApp, T0+20)
    let ann = b.subscriber("1001", T0).await;
    let bo = b.subscriber("1002", T0 + 10).await;
    b.apply(
        Effects::about(SubscriberChange::Update {
            id: bo,
            status: SubscriberStatus::Unsubscribed,
            last_inbound_at: T0 + 11,
        }),
        T0 + 11,
    )
    .await;
    let Commit::Done(Some(cy)) = b
        .store
        .apply(
            SITE,
            ChannelKind::Whatsapp,
            Effects::about(create("60173526233", T0 + 20)),
            T0 + 20,
        )
        .await
        .unwrap()
    else {
        panic!("created")
    };
    let list = async |filter: SubscriberFilter| -> Vec<SubscriberId> {
        let filter = SubscriberFilter {
            limit: 50,
            ..filter
        };
        let listed = b.store.list_subscribers(SITE, &filter).await.unwrap();
        listed.iter().map(|s| s.id).collect()
    };

    // Act / Assert
    let telegram = list(SubscriberFilter {
        channel: Some(ChannelKind::Telegram),
        ..SubscriberFilter::default()
    })
    .await;
    assert_eq!(telegram, vec![bo, ann]);
    let active = list(SubscriberFilter {
        status: Some(SubscriberStatus::Active),
        ..SubscriberFilter::default()
    })
    .await;
    assert_eq!(active, vec![cy, ann]);
    let window = list(SubscriberFilter {
        since: Some(T0 + 10),
        until: Some(T0 + 20),
        ..SubscriberFilter::default()
    })
    .await;
    assert_eq!(window, vec![bo], "since is inclusive, until exclusive");
    let none = list(SubscriberFilter {
        channel: Some(ChannelKind::Messenger),
        ..SubscriberFilter::default()
    })
    .await;
    assert!(none.is_empty());
}

async fn listing_filters_by_customer_and_by_order(b: Backend) {
    // Arrange: Ann is linked on Telegram and ordered NW-1042; Bo ordered NW-1043
    b.store
        .insert_intent(&intent("spring-ref-0001", T0, "spring"))
        .await
        .unwrap();
    let mut ann = Effects::about(create("1001", T0));
    ann.account = AccountChange::Link {
        customer: customer("cus_ann"),
        via: LinkVia::Ref("spring-ref-0001".into()),
    };
    ann.order_id = Some("NW-1042".into());
    let ann = b.apply(ann, T0).await;
    let mut bo = Effects::about(create("1002", T0));
    bo.order_id = Some("NW-1043".into());
    let bo = b.apply(bo, T0).await;
    let list = async |filter: SubscriberFilter| -> Vec<SubscriberId> {
        let filter = SubscriberFilter {
            limit: 50,
            ..filter
        };
        let listed = b.store.list_subscribers(SITE, &filter).await.unwrap();
        listed.iter().map(|s| s.id).collect()
    };

    // Act / Assert
    let by_customer = list(SubscriberFilter {
        customer_id: Some("cus_ann".into()),
        ..SubscriberFilter::default()
    })
    .await;
    assert_eq!(by_customer, vec![ann]);
    let by_order = list(SubscriberFilter {
        order_id: Some("NW-1043".into()),
        ..SubscriberFilter::default()
    })
    .await;
    assert_eq!(by_order, vec![bo]);
    let both = list(SubscriberFilter {
        customer_id: Some("cus_ann".into()),
        order_id: Some("NW-1043".into()),
        ..SubscriberFilter::default()
    })
    .await;
    assert!(both.is_empty());
}

async fn a_filter_holding_a_nul_character_finds_nobody(b: Backend) {
    // Arrange
    b.subscriber("1001", T0).await;
    let filter = SubscriberFilter {
        customer_id: Some("cus\0".into()),
        order_id: Some("NW\0".into()),
        limit: 10,
        ..SubscriberFilter::default()
    };

    // Act
    let listed = b.store.list_subscribers(SITE, &filter).await;
    let code = b.store.find_link_code(SITE, "7KQ2\0").await;

    // Assert: an answer, not an error
    assert!(listed.unwrap().is_empty());
    assert_eq!(code.unwrap(), None);
}

async fn a_link_code_is_found_on_its_site_used_or_not(b: Backend) {
    // Arrange
    let ann = b.subscriber("1001", T0).await;
    let mut asked = Effects::about(SubscriberChange::Existing(ann));
    asked.link_code = Some(LinkCode {
        code: "7KQ2M9XR4TBC".into(),
        expires_at: T0 + 1_800_000,
    });
    b.apply(asked, T0).await;

    // Act
    let found = b.store.find_link_code(SITE, "7KQ2M9XR4TBC").await.unwrap();
    let elsewhere = b
        .store
        .find_link_code(OTHER_SITE, "7KQ2M9XR4TBC")
        .await
        .unwrap();
    let unknown = b.store.find_link_code(SITE, "0000AAAA1111").await.unwrap();

    // Assert
    let found = found.expect("found");
    assert_eq!(found.code, "7KQ2M9XR4TBC");
    assert_eq!(found.site, SITE);
    assert_eq!(found.subscriber_id, ann);
    assert_eq!(found.expires_at, T0 + 1_800_000);
    assert_eq!(found.used_at, None);
    assert_eq!(elsewhere, None);
    assert_eq!(unknown, None);
}

async fn a_batch_of_people_is_looked_up_at_once(b: Backend) {
    // Arrange: two subscribers on Telegram, one of them on Messenger too
    b.subscriber("1001", T0).await;
    b.subscriber("1002", T0).await;

    // Act
    let found = b
        .store
        .find_subscribers(
            SITE,
            ChannelKind::Telegram,
            &[user("1001"), user("9999"), user("1002")],
        )
        .await
        .unwrap();
    let none_asked = b
        .store
        .find_subscribers(SITE, ChannelKind::Telegram, &[])
        .await
        .unwrap();

    // Assert: those who exist, on that site and platform only
    let mut users: Vec<&str> = found.iter().map(|s| s.platform_user_id.as_str()).collect();
    users.sort_unstable();
    assert_eq!(users, ["1001", "1002"]);
    assert!(none_asked.is_empty());
}
