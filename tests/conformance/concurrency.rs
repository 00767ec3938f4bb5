//! Many claimers at once: no row is ever held by two of them, and each person's work is still
//! claimed in order. Here two claimers share one store; `relays` runs the same against two
//! stores on one PostgreSQL database.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use ferry_relay::{
    domain::ChannelKind,
    store::{DeliveryResult, Effects, InboundResolution, Store, SubscriberChange},
};

use crate::support::{
    Backend, OTHER_OWNER, OWNER, SITE, T0, claim, create, on_both_backends, reply, text_from,
    unbounded,
};

on_both_backends!(
    two_claimers_never_hold_the_same_event_and_keep_each_user_in_order,
    two_claimers_never_hold_the_same_message_and_keep_each_chat_in_order,
);

/// People, and items of work per person: fewer people than a claim takes, so a claim that
/// ignored the one-at-a-time rule would take two rows of one person.
const PEOPLE: usize = 12;
const EACH: usize = 25;

async fn two_claimers_never_hold_the_same_event_and_keep_each_user_in_order(b: Backend) {
    store_events(&b.store).await;
    drain_inbound_concurrently(b.store.clone(), b.store.clone()).await;
}

async fn two_claimers_never_hold_the_same_message_and_keep_each_chat_in_order(b: Backend) {
    store_messages(&b.store).await;
    drain_outbound_concurrently(b.store.clone(), b.store.clone()).await;
}

/// `EACH` events from each of `PEOPLE` users, interleaved as they would arrive.
pub async fn store_events(store: &Arc<dyn Store>) {
    let mut batch = Vec::new();
    for round in 0..EACH {
        for person in 0..PEOPLE {
            batch.push(text_from(
                &format!("update:{person}:{round}"),
                &format!("{}", 2000 + person),
                T0,
            ));
        }
    }
    assert_eq!(store.record_inbound(batch).await.unwrap(), PEOPLE * EACH);
}

/// `EACH` messages to each of `PEOPLE` subscribers.
pub async fn store_messages(store: &Arc<dyn Store>) {
    for person in 0..PEOPLE {
        let user = format!("{}", 2000 + person);
        let mut effects = Effects::about(create(&user, T0));
        for n in 0..EACH {
            effects.replies.push(reply(&user, &format!("{user}:{n}")));
        }
        store
            .apply(SITE, ChannelKind::Telegram, effects, T0)
            .await
            .unwrap();
    }
}

/// Claims as `OWNER` on `a` and as `OTHER_OWNER` on `b` at once, processing what each gets,
/// until every event is processed; then checks what they got.
pub async fn drain_inbound_concurrently(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let claims = Claims::default();
    let run = |store: Arc<dyn Store>, owner: &'static str, claims: Claims| async move {
        while claims.total() < PEOPLE * EACH {
            let claimed = store.claim_inbound(&claim(owner, T0, 16)).await.unwrap();
            claims.record(
                owner,
                claimed.iter().map(|c| {
                    let person = c.event.as_ref().unwrap().user.as_str().to_owned();
                    (person, c.id)
                }),
            );
            let done = Effects::about(SubscriberChange::None);
            let resolved = claimed
                .iter()
                .map(|c| (c.id, InboundResolution::Processed(Box::new(done.clone()))))
                .collect();
            store.resolve_inbound(owner, resolved, T0).await.unwrap();
            tokio::task::yield_now().await;
        }
    };
    let first = tokio::spawn(run(a, OWNER, claims.clone()));
    let second = tokio::spawn(run(b, OTHER_OWNER, claims.clone()));
    first.await.unwrap();
    second.await.unwrap();
    claims.check();
}

/// As `drain_inbound_concurrently`, for messages, each sent once claimed.
pub async fn drain_outbound_concurrently(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let claims = Claims::default();
    let run = |store: Arc<dyn Store>, owner: &'static str, claims: Claims| async move {
        while claims.total() < PEOPLE * EACH {
            let claimed = store
                .claim_outbound(&claim(owner, T0, 16), &unbounded())
                .await
                .unwrap();
            claims.record(owner, claimed.iter().map(|m| (m.recipient.clone(), m.id)));
            for message in claimed {
                let sent = DeliveryResult::Sent {
                    platform_message_id: None,
                };
                store
                    .finish_outbound(owner, message.id, sent, T0)
                    .await
                    .unwrap();
            }
            tokio::task::yield_now().await;
        }
    };
    let first = tokio::spawn(run(a, OWNER, claims.clone()));
    let second = tokio::spawn(run(b, OTHER_OWNER, claims.clone()));
    first.await.unwrap();
    second.await.unwrap();
    claims.check();
}

/// One claimed row: whose work it is, its id, and who claimed it (for the failure message).
type Claimed = (String, i64, &'static str);

/// Every claimed row, in the order the claims returned them.
#[derive(Clone, Default)]
struct Claims(Arc<Mutex<Vec<Claimed>>>);

impl Claims {
    fn record(&self, owner: &'static str, items: impl Iterator<Item = (String, i64)>) {
        let items: Vec<(String, i64)> = items.collect();
        let people: HashSet<&str> = items.iter().map(|(person, _)| person.as_str()).collect();
        assert_eq!(
            people.len(),
            items.len(),
            "one claim held two rows of one person"
        );
        let mut claims = self.0.lock().unwrap();
        claims.extend(items.into_iter().map(|(person, id)| (person, id, owner)));
    }

    fn total(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    fn check(&self) {
        let claims = self.0.lock().unwrap();
        let mut ids = HashSet::new();
        let mut last_of: HashMap<&str, i64> = HashMap::new();
        for (person, id, _) in claims.iter() {
            assert!(ids.insert(*id), "row {id} was claimed twice");
            if let Some(previous) = last_of.insert(person, *id) {
                assert!(
                    previous < *id,
                    "{person}'s row {id} was claimed after their later row {previous}"
                );
            }
        }
        assert_eq!(ids.len(), PEOPLE * EACH);
    }
}
