//! Conversations as they move: a subscriber's messages joining their conversation, a web chat
//! continuing in a messenger with its recap queued, replies whose status follows their
//! delivery, the inbox's list with unread counts, closing, reading, and further devices.

use ferry_relay::{
    channels::OutboundMessage,
    domain::ChannelKind,
    store::{
        ConversationChange, ConversationFilter, ConversationId, ConversationStatus, Delivery,
        DeliveryResult, Effects, MessageAuthor, MessageStatus, NewConversation, NewMessage, Place,
        SubscriberChange,
    },
};

use crate::support::{
    Backend, OTHER_SITE, OWNER, SITE, T0, attribution, claim, on_both_backends, reply, unbounded,
};

on_both_backends!(
    a_subscribers_messages_join_one_conversation_reopened_when_closed,
    a_continued_web_chat_moves_to_the_messenger_with_its_recap_queued,
    a_replys_status_follows_its_delivery,
    the_list_shows_the_latest_activity_first_with_unread_counts_and_pages,
    a_returning_customer_opens_their_open_conversation_on_another_device,
);

fn wrote(text: &str, key: &str) -> ConversationChange {
    ConversationChange::VisitorWrote {
        text: text.into(),
        key: key.into(),
        attribution: Some(Box::new(attribution("spring"))),
        customer_id: None,
    }
}

async fn writes(
    b: &Backend,
    subscriber: ferry_relay::domain::SubscriberId,
    text: &str,
    key: &str,
    at: i64,
) {
    let mut effects = Effects::about(SubscriberChange::Existing(subscriber));
    effects.conversation = Some(wrote(text, key));
    b.apply(effects, at).await;
}

async fn web(b: &Backend, token_hash: &str, customer: Option<&str>, at: i64) -> ConversationId {
    b.store
        .start_conversation(&NewConversation {
            site: SITE.into(),
            token_hash: Some(token_hash.into()),
            customer_id: customer.map(Into::into),
            subscriber_id: None,
            place: Place::Web,
            attribution: None,
            at,
        })
        .await
        .unwrap()
        .id
}

fn visitor(text: &str, key: &str, at: i64) -> NewMessage {
    NewMessage {
        author: MessageAuthor::Visitor,
        operator: None,
        place: Place::Web,
        body: text.into(),
        status: MessageStatus::Received,
        client_key: Some(key.into()),
        at,
    }
}

async fn a_subscribers_messages_join_one_conversation_reopened_when_closed(b: Backend) {
    // Arrange
    let subscriber = b.subscriber("1001", T0).await;

    // Act
    writes(&b, subscriber, "Hello", "telegram:1", T0 + 1).await;
    writes(&b, subscriber, "Hello", "telegram:1", T0 + 1).await;
    let listed = b
        .store
        .list_conversations(
            &[SITE.into()],
            &ConversationFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let id = listed[0].conversation.id;
    b.store
        .set_conversation_status(SITE, id, ConversationStatus::Closed, T0 + 2)
        .await
        .unwrap();
    writes(&b, subscriber, "Still there?", "telegram:2", T0 + 3).await;

    // Assert
    let after = b
        .store
        .list_conversations(
            &[SITE.into()],
            &ConversationFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(after.len(), 1, "one conversation");
    let conversation = &after[0].conversation;
    assert_eq!(conversation.status, ConversationStatus::Open);
    assert_eq!(conversation.place, Place::Messenger(ChannelKind::Telegram));
    assert_eq!(conversation.subscriber_id, Some(subscriber));
    assert_eq!(conversation.attribution, Some(attribution("spring")));
    let messages = b.store.messages_after(SITE, id, 0, 10).await.unwrap();
    let bodies: Vec<_> = messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["Hello", "Still there?"],
        "a replayed event adds nothing"
    );
    assert_eq!(after[0].unread, 2);
}

async fn a_continued_web_chat_moves_to_the_messenger_with_its_recap_queued(b: Backend) {
    // Arrange
    let id = web(&b, "a".repeat(64).as_str(), None, T0).await;
    b.store
        .add_message(SITE, id, &visitor("Do you ship?", "k1", T0))
        .await
        .unwrap();
    let subscriber = b.subscriber("1001", T0).await;

    // Act
    let mut effects = Effects::about(SubscriberChange::Existing(subscriber));
    effects.conversation = Some(ConversationChange::Continued {
        conversation: id,
        recap: reply("1001", "recap-1"),
    });
    b.apply(effects, T0 + 5).await;

    // Assert
    let moved = b.store.find_conversation(SITE, id).await.unwrap().unwrap();
    assert_eq!(moved.place, Place::Messenger(ChannelKind::Telegram));
    assert_eq!(moved.subscriber_id, Some(subscriber));
    let messages = b.store.messages_after(SITE, id, 1, 10).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        (messages[0].author, messages[0].status),
        (MessageAuthor::System, MessageStatus::Pending)
    );
    let claimed = b
        .store
        .claim_outbound(&claim(OWNER, T0 + 10, 10), &unbounded())
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].conversation, Some(id));
    assert_eq!(
        b.store.find_conversation(OTHER_SITE, id).await.unwrap(),
        None
    );
}

async fn a_replys_status_follows_its_delivery(b: Backend) {
    // Arrange
    let subscriber = b.subscriber("1001", T0).await;
    writes(&b, subscriber, "Hi", "telegram:1", T0).await;
    let id = b
        .store
        .list_conversations(
            &[SITE.into()],
            &ConversationFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()[0]
        .conversation
        .id;
    let delivery = Delivery {
        channel: ChannelKind::Telegram,
        subscriber_id: subscriber,
        recipient: "1001".into(),
        message: OutboundMessage {
            text: "Hello!".into(),
            buttons: Vec::new(),
            tag: None,
        },
        dedupe_key: "reply:1".into(),
    };
    let message = NewMessage {
        author: MessageAuthor::Operator,
        operator: Some("anna".into()),
        place: Place::Messenger(ChannelKind::Telegram),
        body: "Hello!".into(),
        status: MessageStatus::Pending,
        client_key: Some("r1".into()),
        at: T0 + 1,
    };

    // Act
    let added = b
        .store
        .add_reply(SITE, id, &message, Some(&delivery))
        .await
        .unwrap()
        .unwrap();
    let again = b
        .store
        .add_reply(SITE, id, &message, Some(&delivery))
        .await
        .unwrap()
        .unwrap();
    let claimed = b
        .store
        .claim_outbound(&claim(OWNER, T0 + 2, 10), &unbounded())
        .await
        .unwrap();
    b.store
        .finish_outbound(
            OWNER,
            claimed[0].id,
            DeliveryResult::Sent {
                platform_message_id: Some("m1".into()),
            },
            T0 + 3,
        )
        .await
        .unwrap();

    // Assert
    assert_eq!(again, added, "the same key answers the first reply");
    assert_eq!(claimed.len(), 1, "queued once");
    let stored = b
        .store
        .messages_after(SITE, id, added.seq - 1, 1)
        .await
        .unwrap();
    assert_eq!(stored[0].status, MessageStatus::Sent);
    assert_eq!(
        b.store
            .add_reply(OTHER_SITE, id, &message, None)
            .await
            .unwrap(),
        None
    );
}

async fn the_list_shows_the_latest_activity_first_with_unread_counts_and_pages(b: Backend) {
    // Arrange
    let older = web(&b, &"b".repeat(64), None, T0).await;
    let newer = web(&b, &"c".repeat(64), Some("cus_1"), T0 + 10).await;
    b.store
        .add_message(SITE, older, &visitor("one", "1", T0 + 1))
        .await
        .unwrap();
    b.store
        .add_message(SITE, newer, &visitor("two", "2", T0 + 11))
        .await
        .unwrap();
    b.store
        .add_message(SITE, newer, &visitor("three", "3", T0 + 12))
        .await
        .unwrap();

    // Act
    assert!(
        b.store
            .mark_conversation_read(SITE, newer, 1)
            .await
            .unwrap()
    );
    let sites = [SITE.to_owned()];
    let first_page = b
        .store
        .list_conversations(
            &sites,
            &ConversationFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let cursor = first_page
        .last()
        .map(|s| (s.conversation.updated_at, s.conversation.id));
    let second_page = b
        .store
        .list_conversations(
            &sites,
            &ConversationFilter {
                limit: 1,
                before: cursor,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let customers = b
        .store
        .list_conversations(
            &sites,
            &ConversationFilter {
                limit: 10,
                customer_id: Some("cus_1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let elsewhere = b
        .store
        .list_conversations(
            &[OTHER_SITE.to_owned()],
            &ConversationFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();

    // Assert
    assert_eq!(first_page[0].conversation.id, newer);
    assert_eq!(first_page[0].unread, 1, "read up to the first message");
    assert_eq!(first_page[0].last_message.as_ref().unwrap().body, "three");
    assert_eq!(second_page[0].conversation.id, older);
    assert_eq!(customers.len(), 1);
    assert!(elsewhere.is_empty());
    assert!(
        !b.store
            .mark_conversation_read(OTHER_SITE, newer, 9)
            .await
            .unwrap()
    );
}

async fn a_returning_customer_opens_their_open_conversation_on_another_device(b: Backend) {
    // Arrange
    let id = web(&b, &"d".repeat(64), Some("cus_7"), T0).await;
    let device = "e".repeat(64);

    // Act
    let resumed = b
        .store
        .resume_conversation(SITE, "cus_7", &device, T0 + 1)
        .await
        .unwrap();
    let nobody = b
        .store
        .resume_conversation(SITE, "cus_8", &"f".repeat(64), T0 + 1)
        .await
        .unwrap();

    // Assert
    assert_eq!(resumed.map(|c| c.id), Some(id));
    assert_eq!(nobody, None);
    let by_device = b
        .store
        .find_conversation_by_token(SITE, &device)
        .await
        .unwrap();
    assert_eq!(by_device.map(|c| c.id), Some(id));
    assert_eq!(
        b.store
            .find_conversation_by_token(OTHER_SITE, &device)
            .await
            .unwrap(),
        None
    );
}
