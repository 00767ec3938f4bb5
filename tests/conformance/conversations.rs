//! Conversations and their messages: starting, finding (by id and by the visitor's token, on
//! their own site only), and messages numbered in commit order, read back after a seq, added
//! once per client key.

use std::sync::Arc;

use ferry_relay::{
    domain::ChannelKind,
    store::{
        Conversation, ConversationId, ConversationStatus, MessageAuthor, MessageStatus,
        NewConversation, NewMessage, Place,
    },
};

use crate::support::{Backend, OTHER_SITE, SITE, T0, attribution, on_both_backends};

on_both_backends!(
    a_started_conversation_is_found_by_id_and_by_token_on_its_site_only,
    messages_are_numbered_in_order_and_read_back_after_a_seq,
    a_client_key_seen_before_adds_nothing_and_answers_the_first_message,
    another_sites_conversation_takes_no_message_and_shows_none,
    adding_a_message_moves_the_latest_activity_forward_never_back,
    messages_added_at_once_get_every_seq_exactly_once,
);

const TOKEN_HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

async fn web_conversation(b: &Backend) -> Conversation {
    b.store
        .start_conversation(&NewConversation {
            site: SITE.into(),
            token_hash: Some(TOKEN_HASH.into()),
            customer_id: Some("cus_42".into()),
            subscriber_id: None,
            place: Place::Web,
            attribution: Some(attribution("spring")),
            at: T0,
        })
        .await
        .unwrap()
}

fn visitor_says(body: &str, key: Option<&str>, at: i64) -> NewMessage {
    NewMessage {
        author: MessageAuthor::Visitor,
        operator: None,
        place: Place::Web,
        body: body.into(),
        status: MessageStatus::Received,
        client_key: key.map(Into::into),
        at,
    }
}

async fn a_started_conversation_is_found_by_id_and_by_token_on_its_site_only(b: Backend) {
    // Act
    let started = web_conversation(&b).await;

    // Assert
    assert_eq!(started.site, SITE);
    assert_eq!(started.status, ConversationStatus::Open);
    assert_eq!(started.place, Place::Web);
    assert_eq!(started.customer_id.as_deref(), Some("cus_42"));
    assert_eq!(started.attribution, Some(attribution("spring")));
    assert_eq!(
        (started.last_seq, started.created_at, started.updated_at),
        (0, T0, T0)
    );
    let store = &b.store;
    assert_eq!(
        store.find_conversation(SITE, started.id).await.unwrap(),
        Some(started.clone())
    );
    assert_eq!(
        store
            .find_conversation_by_token(SITE, TOKEN_HASH)
            .await
            .unwrap(),
        Some(started.clone())
    );
    assert_eq!(
        store
            .find_conversation(OTHER_SITE, started.id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .find_conversation_by_token(OTHER_SITE, TOKEN_HASH)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .find_conversation(SITE, ConversationId(started.id.0 + 1))
            .await
            .unwrap(),
        None
    );
}

async fn messages_are_numbered_in_order_and_read_back_after_a_seq(b: Backend) {
    // Arrange
    let conversation = web_conversation(&b).await;
    let telegram = b
        .store
        .start_conversation(&NewConversation {
            site: SITE.into(),
            token_hash: None,
            customer_id: None,
            subscriber_id: None,
            place: Place::Messenger(ChannelKind::Telegram),
            attribution: None,
            at: T0,
        })
        .await
        .unwrap();

    // Act
    let mut added = Vec::new();
    for (n, body) in ["Hello", "Do you ship to Riga?", "\u{1F44B} thanks"]
        .iter()
        .enumerate()
    {
        let at = T0 + 1_000 * (n as i64 + 1);
        added.push(
            b.store
                .add_message(SITE, conversation.id, &visitor_says(body, None, at))
                .await
                .unwrap()
                .expect("added"),
        );
    }
    let reply = NewMessage {
        author: MessageAuthor::Operator,
        operator: Some("anna@shop.example".into()),
        place: Place::Messenger(ChannelKind::Telegram),
        body: "Yes, in two days.".into(),
        status: MessageStatus::Pending,
        client_key: None,
        at: T0 + 5_000,
    };
    let answered = b
        .store
        .add_message(SITE, telegram.id, &reply)
        .await
        .unwrap()
        .expect("added");

    // Assert: each conversation counts its own messages
    let seqs: Vec<i64> = added.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(answered.seq, 1);
    assert_eq!(answered.operator.as_deref(), Some("anna@shop.example"));
    assert_eq!(answered.place, Place::Messenger(ChannelKind::Telegram));
    assert_eq!(answered.status, MessageStatus::Pending);
    let store = &b.store;
    let all = store
        .messages_after(SITE, conversation.id, 0, 10)
        .await
        .unwrap();
    assert_eq!(all, added);
    let later = store
        .messages_after(SITE, conversation.id, 1, 1)
        .await
        .unwrap();
    assert_eq!(later, added[1..2]);
    assert!(
        store
            .messages_after(SITE, conversation.id, 3, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let now = store
        .find_conversation(SITE, conversation.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((now.last_seq, now.updated_at), (3, T0 + 3_000));
}

async fn a_client_key_seen_before_adds_nothing_and_answers_the_first_message(b: Backend) {
    // Arrange: the widget sent a message, lost the answer, and sends it again
    let conversation = web_conversation(&b).await;
    let first = b
        .store
        .add_message(
            SITE,
            conversation.id,
            &visitor_says("Hello", Some("k-1"), T0 + 1),
        )
        .await
        .unwrap()
        .expect("added");

    // Act
    let again = b
        .store
        .add_message(
            SITE,
            conversation.id,
            &visitor_says("Hello", Some("k-1"), T0 + 9),
        )
        .await
        .unwrap();
    let other = b
        .store
        .add_message(
            SITE,
            conversation.id,
            &visitor_says("Hello", Some("k-2"), T0 + 9),
        )
        .await
        .unwrap()
        .expect("added");

    // Assert
    assert_eq!(again, Some(first.clone()));
    assert_eq!((first.seq, other.seq), (1, 2));
    assert_eq!(b.count("messages", "1 = 1").await, 2);
}

async fn another_sites_conversation_takes_no_message_and_shows_none(b: Backend) {
    // Arrange
    let conversation = web_conversation(&b).await;
    b.store
        .add_message(
            SITE,
            conversation.id,
            &visitor_says("Hello", Some("k-1"), T0 + 1),
        )
        .await
        .unwrap();

    // Act
    let added = b
        .store
        .add_message(
            OTHER_SITE,
            conversation.id,
            &visitor_says("Hi", None, T0 + 2),
        )
        .await
        .unwrap();
    let replayed = b
        .store
        .add_message(
            OTHER_SITE,
            conversation.id,
            &visitor_says("Hi", Some("k-1"), T0 + 2),
        )
        .await
        .unwrap();
    let read = b
        .store
        .messages_after(OTHER_SITE, conversation.id, 0, 10)
        .await
        .unwrap();

    // Assert
    assert_eq!((added, replayed), (None, None));
    assert!(read.is_empty());
    assert_eq!(b.count("messages", "1 = 1").await, 1);
}

async fn adding_a_message_moves_the_latest_activity_forward_never_back(b: Backend) {
    // Arrange
    let conversation = web_conversation(&b).await;
    let store = &b.store;
    store
        .add_message(
            SITE,
            conversation.id,
            &visitor_says("late", None, T0 + 9_000),
        )
        .await
        .unwrap();

    // Act: a message stamped earlier (a platform's clock) arrives after it
    let earlier = store
        .add_message(
            SITE,
            conversation.id,
            &visitor_says("early", None, T0 + 2_000),
        )
        .await
        .unwrap()
        .expect("added");

    // Assert: it still comes second, and the activity stays at the later time
    assert_eq!(earlier.seq, 2);
    let now = store
        .find_conversation(SITE, conversation.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.updated_at, T0 + 9_000);
}

async fn messages_added_at_once_get_every_seq_exactly_once(b: Backend) {
    // Arrange
    let conversation = web_conversation(&b).await;

    // Act: twenty senders at once, on as many connections as the store uses
    let store: Arc<_> = b.store.clone();
    let senders: Vec<_> = (0..20)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let message = visitor_says(&format!("message {n}"), Some(&format!("k-{n}")), T0);
                store.add_message(SITE, conversation.id, &message).await
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for sender in senders {
        seqs.push(sender.await.unwrap().unwrap().expect("added").seq);
    }

    // Assert
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
    let read = store
        .messages_after(SITE, conversation.id, 0, 100)
        .await
        .unwrap();
    assert_eq!(read.len(), 20);
}
