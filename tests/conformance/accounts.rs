//! `apply` on a subscriber's account: links spent once (a ref, a code), unlinking, the orders a
//! subscription is about, and the subscriber as merchant webhooks carry them.

use ferry_relay::{
    domain::ChannelKind,
    store::{
        AccountChange, Commit, Effects, LinkCode, LinkVia, MerchantEvent, SubscriberChange,
        WebhookContent,
    },
};

use crate::support::{
    Backend, OWNER, SITE, T0, claim, create, customer, intent, on_both_backends, step, unbounded,
};

on_both_backends!(
    linking_through_a_ref_spends_it_once,
    linking_through_a_code_spends_it_once_and_only_for_its_subscriber,
    unlinking_removes_the_customer,
    an_order_is_attached_once_and_orders_keep_their_sequence,
    merchant_webhooks_carry_the_subscriber_as_the_effects_left_them,
);

async fn linking_through_a_ref_spends_it_once(b: Backend) {
    // Arrange: a forwarded link: two people arrive with one vouched ref
    b.store
        .insert_intent(&intent("spring-ref-0001", T0, "spring"))
        .await
        .unwrap();
    let ann = b.subscriber("1001", T0).await;
    let stranger = b.subscriber("1002", T0).await;
    let link = |who| {
        let mut effects = Effects::about(SubscriberChange::Existing(who));
        effects.account = AccountChange::Link {
            customer: customer("cus_ann"),
            via: LinkVia::Ref("spring-ref-0001".into()),
        };
        effects.events.push(step("linked", None));
        effects
    };

    // Act
    let first = b
        .store
        .apply(SITE, ChannelKind::Telegram, link(ann), T0 + 1)
        .await
        .unwrap();
    let second = b
        .store
        .apply(SITE, ChannelKind::Telegram, link(stranger), T0 + 2)
        .await
        .unwrap();

    // Assert
    assert_eq!(first, Commit::Done(Some(ann)));
    assert_eq!(second, Commit::LinkSpent);
    let linked = b.store.get_subscriber(SITE, ann).await.unwrap().unwrap();
    assert_eq!(linked.customer, Some(customer("cus_ann")));
    assert_eq!(linked.linked_at, Some(T0 + 1));
    let not_linked = b
        .store
        .get_subscriber(SITE, stranger)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(not_linked.customer, None);
    let spent = b
        .store
        .find_intent(SITE, ChannelKind::Telegram, "spring-ref-0001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(spent.linked_at, Some(T0 + 1));
    assert_eq!(b.count("events", "kind = 'linked'").await, 1);
}

async fn linking_through_a_code_spends_it_once_and_only_for_its_subscriber(b: Backend) {
    // Arrange: Ann asked for a code in the chat
    let ann = b.subscriber("1001", T0).await;
    let bo = b.subscriber("1002", T0).await;
    let mut asked = Effects::about(SubscriberChange::Existing(ann));
    asked.link_code = Some(LinkCode {
        code: "7KQ2M9XR4TBC".into(),
        expires_at: T0 + 1_800_000,
    });
    b.apply(asked, T0).await;
    let link = |who| {
        let mut effects = Effects::about(SubscriberChange::Existing(who));
        effects.account = AccountChange::Link {
            customer: customer("cus_ann"),
            via: LinkVia::Code("7KQ2M9XR4TBC".into()),
        };
        effects
    };
    let fresh = b
        .store
        .find_link_code(SITE, "7KQ2M9XR4TBC")
        .await
        .unwrap()
        .unwrap();

    // Act
    let someone_else = b
        .store
        .apply(SITE, ChannelKind::Telegram, link(bo), T0 + 1)
        .await
        .unwrap();
    let first = b
        .store
        .apply(SITE, ChannelKind::Telegram, link(ann), T0 + 2)
        .await
        .unwrap();
    let again = b
        .store
        .apply(SITE, ChannelKind::Telegram, link(ann), T0 + 3)
        .await
        .unwrap();

    // Assert
    assert_eq!(fresh.subscriber_id, ann);
    assert_eq!(fresh.used_at, None);
    assert_eq!(someone_else, Commit::LinkSpent);
    assert_eq!(first, Commit::Done(Some(ann)));
    assert_eq!(again, Commit::LinkSpent);
    let used = b
        .store
        .find_link_code(SITE, "7KQ2M9XR4TBC")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.used_at, Some(T0 + 2));
    let linked = b.store.get_subscriber(SITE, ann).await.unwrap().unwrap();
    assert_eq!(linked.linked_at, Some(T0 + 2));
}

async fn unlinking_removes_the_customer(b: Backend) {
    // Arrange
    b.store
        .insert_intent(&intent("spring-ref-0001", T0, "spring"))
        .await
        .unwrap();
    let mut linked = Effects::about(create("1001", T0));
    linked.account = AccountChange::Link {
        customer: customer("cus_ann"),
        via: LinkVia::Ref("spring-ref-0001".into()),
    };
    let id = b.apply(linked, T0).await;
    let mut unlink = Effects::about(SubscriberChange::Existing(id));
    unlink.account = AccountChange::Unlink;

    // Act
    b.apply(unlink, T0 + 1).await;

    // Assert
    let subscriber = b.store.get_subscriber(SITE, id).await.unwrap().unwrap();
    assert_eq!(subscriber.customer, None);
    assert_eq!(subscriber.linked_at, None);
    assert_eq!(b.count("subscribers", "customer_id IS NOT NULL").await, 0);
}

async fn an_order_is_attached_once_and_orders_keep_their_sequence(b: Backend) {
    // Arrange
    let id = b.subscriber("1001", T0).await;
    let order = |order_id: &str| {
        let mut effects = Effects::about(SubscriberChange::Existing(id));
        effects.order_id = Some(order_id.into());
        effects
    };

    // Act
    b.apply(order("NW-1042"), T0 + 1).await;
    b.apply(order("NW-1042"), T0 + 2).await;
    b.apply(order("NW-0999"), T0 + 3).await;

    // Assert: oldest first, not alphabetical
    let subscriber = b.store.get_subscriber(SITE, id).await.unwrap().unwrap();
    assert_eq!(subscriber.order_ids, vec!["NW-1042", "NW-0999"]);
}

async fn merchant_webhooks_carry_the_subscriber_as_the_effects_left_them(b: Backend) {
    // Arrange
    b.store
        .insert_intent(&intent("spring-ref-0001", T0, "spring"))
        .await
        .unwrap();
    let mut arrival = Effects::about(create("1001", T0));
    arrival.account = AccountChange::Link {
        customer: customer("cus_ann"),
        via: LinkVia::Ref("spring-ref-0001".into()),
    };
    arrival.order_id = Some("NW-1042".into());
    arrival.notify = vec![MerchantEvent::Created, MerchantEvent::Linked];

    // Act
    let id = b.apply(arrival, T0 + 7).await;
    let delivered = b
        .store
        .claim_webhooks(&claim(OWNER, T0 + 7, 10), &unbounded())
        .await
        .unwrap();

    // Assert: one webhook at a time per subscriber, in order; the snapshot is after the effects
    assert_eq!(delivered.len(), 1);
    let created = &delivered[0];
    assert_eq!(created.site, SITE);
    assert_eq!(created.event, MerchantEvent::Created);
    assert_eq!(created.created_at, T0 + 7);
    assert_eq!(created.attempts, 0);
    assert!(created.event_id.starts_with("evt_"), "{}", created.event_id);
    let WebhookContent::Snapshot(snapshot) = &created.content else {
        panic!("a snapshot, got {:?}", created.content)
    };
    assert_eq!(snapshot.id, id);
    assert_eq!(snapshot.customer, Some(customer("cus_ann")));
    assert_eq!(snapshot.linked_at, Some(T0 + 7));
    assert_eq!(snapshot.order_ids, vec!["NW-1042"]);
    assert_eq!(
        b.count("merchant_webhooks", "event_type = 'subscriber.linked'")
            .await,
        1
    );
    assert_eq!(
        b.number("SELECT COUNT(DISTINCT event_id) FROM merchant_webhooks")
            .await,
        2
    );
}
