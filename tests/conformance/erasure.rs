//! `erase_subscriber`: exactly the personal data its docs name goes; funnel counts stay.

use ferry_relay::{
    domain::{ChannelKind, SubscriberId},
    store::{
        AccountChange, Effects, LinkCode, LinkVia, MerchantEvent, MessageAuthor, MessageStatus,
        NewConversation, NewMessage, Place,
    },
};

use crate::support::{
    Backend, OTHER_SITE, OWNER, SITE, T0, claim, create_with, customer, intent, on_both_backends,
    reply, step, text_from,
};

on_both_backends!(
    erasing_a_subscriber_removes_their_personal_data_and_keeps_anonymous_counts,
    erasing_nobody_changes_nothing,
);

/// A subscriber with something of every kind the store keeps about a person: webhook events
/// (one processed, one pending), a message, a merchant webhook, a link code, an order, a linked
/// intent with the customer on it, funnel events with their ref, a conversation.
async fn someone_with_everything(b: &Backend, user: &str, reference: &str) -> SubscriberId {
    let mut vouched = intent(reference, T0, "spring");
    vouched.customer = Some(customer(&format!("cus_{user}")));
    vouched.order_id = Some(format!("NW-{user}"));
    b.store.insert_intent(&vouched).await.unwrap();
    let ids = b
        .store_inbound(vec![
            text_from(&format!("{user}:1"), user, T0),
            text_from(&format!("{user}:2"), user, T0),
        ])
        .await;
    b.store.claim_inbound(&claim(OWNER, T0, 100)).await.unwrap();
    let mut effects = Effects::about(create_with(user, T0, Some(reference), None));
    effects.account = AccountChange::Link {
        customer: customer(&format!("cus_{user}")),
        via: LinkVia::Ref(reference.into()),
    };
    effects.order_id = Some(format!("NW-{user}"));
    effects.link_code = Some(LinkCode {
        code: format!("CODE{user}"),
        expires_at: T0 + 1_800_000,
    });
    effects.events.push(step("subscribed", Some(reference)));
    effects
        .replies
        .push(reply(user, &format!("inbound:{}:0", ids[0])));
    effects.notify.push(MerchantEvent::Created);
    let id = match b.process(ids[0], effects, T0).await {
        ferry_relay::store::Commit::Done(Some(id)) => id,
        other => panic!("expected a subscriber, got {other:?}"),
    };
    let conversation = b
        .store
        .start_conversation(&NewConversation {
            site: SITE.into(),
            token_hash: None,
            customer_id: Some(format!("cus_{user}")),
            subscriber_id: Some(id),
            place: Place::Messenger(ChannelKind::Telegram),
            attribution: None,
            at: T0,
        })
        .await
        .unwrap();
    let said = NewMessage {
        author: MessageAuthor::Visitor,
        operator: None,
        place: Place::Messenger(ChannelKind::Telegram),
        body: format!("I am {user}, call me back"),
        status: MessageStatus::Received,
        client_key: None,
        at: T0,
    };
    b.store
        .add_message(SITE, conversation.id, &said)
        .await
        .unwrap();
    id
}

async fn erasing_a_subscriber_removes_their_personal_data_and_keeps_anonymous_counts(b: Backend) {
    // Arrange: Ann is erased; Bo stays
    let ann = someone_with_everything(&b, "1001", "spring-ref-ann1").await;
    let bo = someone_with_everything(&b, "1002", "spring-ref-bo01").await;
    let before = b.store.row_counts().await.unwrap();

    // Act
    let erased = b.store.erase_subscriber(SITE, ann).await.unwrap();

    // Assert: Ann's rows are gone or anonymous
    assert!(erased);
    assert_eq!(b.store.get_subscriber(SITE, ann).await.unwrap(), None);
    let of_ann = format!("subscriber_id = {}", ann.0);
    assert_eq!(b.count("inbound", "user_id = '1001'").await, 0);
    assert_eq!(b.count("outbox", &of_ann).await, 0);
    assert_eq!(b.count("merchant_webhooks", &of_ann).await, 0);
    assert_eq!(b.count("link_codes", &of_ann).await, 0);
    assert_eq!(b.count("subscriber_orders", &of_ann).await, 0);
    assert_eq!(b.count("events", &of_ann).await, 0);
    assert_eq!(b.count("events", "ref = 'spring-ref-ann1'").await, 0);
    assert_eq!(b.count("conversations", &of_ann).await, 0);
    assert_eq!(b.count("messages", "body LIKE 'I am 1001%'").await, 0);
    let clicked = b
        .store
        .find_intent(SITE, ChannelKind::Telegram, "spring-ref-ann1")
        .await
        .unwrap()
        .expect("the click stays");
    assert_eq!(clicked.customer, None);
    assert_eq!(clicked.order_id, None);
    // the funnel still counts Ann's step, without her
    assert_eq!(b.count("events", "kind = 'subscribed'").await, 2);
    // and Bo lost nothing
    let bo_after = b
        .store
        .get_subscriber(SITE, bo)
        .await
        .unwrap()
        .expect("Bo stays");
    assert_eq!(bo_after.customer, Some(customer("cus_1002")));
    let of_bo = format!("subscriber_id = {}", bo.0);
    assert_eq!(b.count("inbound", "user_id = '1002'").await, 2);
    assert_eq!(b.count("outbox", &of_bo).await, 1);
    assert_eq!(b.count("merchant_webhooks", &of_bo).await, 1);
    assert_eq!(b.count("link_codes", &of_bo).await, 1);
    assert_eq!(b.count("subscriber_orders", &of_bo).await, 1);
    assert_eq!(b.count("conversations", &of_bo).await, 1);
    assert_eq!(b.count("messages", "body LIKE 'I am 1002%'").await, 1);
    let kept = b
        .store
        .find_intent(SITE, ChannelKind::Telegram, "spring-ref-bo01")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.customer, Some(customer("cus_1002")));
    let counts = |table: &str, rows: &[(String, i64)]| {
        rows.iter().find(|(t, _)| t == table).map(|(_, n)| *n)
    };
    let after = b.store.row_counts().await.unwrap();
    assert_eq!(counts("intents", &after), counts("intents", &before));
    assert_eq!(counts("events", &after), counts("events", &before));
}

async fn erasing_nobody_changes_nothing(b: Backend) {
    // Arrange
    let ann = b.subscriber("1001", T0).await;
    let before = b.store.row_counts().await.unwrap();

    // Act
    let elsewhere = b.store.erase_subscriber(OTHER_SITE, ann).await.unwrap();
    let unknown = b
        .store
        .erase_subscriber(SITE, SubscriberId(ann.0 + 1000))
        .await
        .unwrap();

    // Assert
    assert!(!elsewhere);
    assert!(!unknown);
    assert_eq!(b.store.row_counts().await.unwrap(), before);
}
