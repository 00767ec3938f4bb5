//! Several relays on one PostgreSQL database, each with a store of its own: shared queues,
//! races decided once, and wake-ups that cross from one relay to the others. (A SQLite file
//! takes one relay; these run on PostgreSQL only, and skip without it.)

use std::{sync::Arc, time::Duration};

use ferry_relay::{
    domain::ChannelKind,
    store::{
        self, AccountChange, Commit, Effects, InboundResolution, LinkVia, MerchantEvent, Queue,
        Store, StoreError, SubscriberChange, WorkSignals, postgres::LISTENER_APPLICATION_NAME,
    },
};
use ferry_tests::TestStore;
use sqlx::AnyConnection;

use crate::concurrency::{
    drain_inbound_concurrently, drain_outbound_concurrently, store_events, store_messages,
};
use crate::support::{
    Backend, OWNER, PATIENCE, SITE, T0, claim, create, customer, intent, reply, signalled,
    text_from,
};

/// Two relays on one fresh database: the first as a `Backend`, the second's store and signals.
async fn two_relays() -> Option<(Backend, Arc<dyn Store>, WorkSignals)> {
    let first = Backend::open(TestStore::postgres().await?).await;
    let signals = WorkSignals::default();
    let second = store::connect(&first.database.url, signals.clone())
        .await
        .expect("the second relay connects");
    Some((first, second, signals))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_never_hold_the_same_event_and_keep_each_user_in_order() {
    let Some((first, second, _)) = two_relays().await else {
        return;
    };
    store_events(&first.store).await;
    drain_inbound_concurrently(first.store.clone(), second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_never_hold_the_same_message_and_keep_each_chat_in_order() {
    let Some((first, second, _)) = two_relays().await else {
        return;
    };
    store_messages(&first.store).await;
    drain_outbound_concurrently(first.store.clone(), second).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_creating_one_subscriber_at_once_create_them_once() {
    // Arrange: the same person's first message decided on two relays
    let Some((first, second, _)) = two_relays().await else {
        return;
    };

    // Act
    let mut races = Vec::new();
    for person in 0..20 {
        let user = format!("{}", 3000 + person);
        let on = |store: Arc<dyn Store>, at| {
            let user = user.clone();
            tokio::spawn(async move {
                store
                    .apply(
                        SITE,
                        ChannelKind::Telegram,
                        Effects::about(create(&user, at)),
                        at,
                    )
                    .await
                    .unwrap()
            })
        };
        races.push((on(first.store.clone(), T0), on(second.clone(), T0 + 10)));
    }

    // Assert: both relays got the one subscriber, whose last activity is the later one
    for (one, other) in races {
        let (one, other) = (one.await.unwrap(), other.await.unwrap());
        assert!(matches!(one, Commit::Done(Some(_))), "{one:?}");
        assert_eq!(one, other);
    }
    assert_eq!(first.count("subscribers", "1 = 1").await, 20);
    assert_eq!(
        first
            .count("subscribers", &format!("last_inbound_at = {}", T0 + 10))
            .await,
        20
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_spending_one_ref_at_once_link_once() {
    // Arrange: a forwarded link, opened by two people whose events land on different relays
    let Some((first, second, _)) = two_relays().await else {
        return;
    };
    let mut outcomes = Vec::new();
    for n in 0..10 {
        let reference = format!("forwarded-ref-{n:04}");
        first
            .store
            .insert_intent(&intent(&reference, T0, "spring"))
            .await
            .unwrap();
        let ann = first.subscriber(&format!("{}", 4000 + n), T0).await;
        let bo = first.subscriber(&format!("{}", 5000 + n), T0).await;
        let link = |store: Arc<dyn Store>, who| {
            let reference = reference.clone();
            tokio::spawn(async move {
                let mut effects = Effects::about(SubscriberChange::Existing(who));
                effects.account = AccountChange::Link {
                    customer: customer("cus_ann"),
                    via: LinkVia::Ref(reference),
                };
                store
                    .apply(SITE, ChannelKind::Telegram, effects, T0 + 1)
                    .await
                    .unwrap()
            })
        };

        // Act
        let (one, other) = (link(first.store.clone(), ann), link(second.clone(), bo));
        outcomes.push((one.await.unwrap(), other.await.unwrap()));
    }

    // Assert: each ref linked exactly one of the two
    for (one, other) in outcomes {
        let spent = [&one, &other]
            .iter()
            .filter(|c| ***c == Commit::LinkSpent)
            .count();
        let linked = [&one, &other]
            .iter()
            .filter(|c| matches!(c, Commit::Done(Some(_))))
            .count();
        assert_eq!((spent, linked), (1, 1), "{one:?} {other:?}");
    }
    assert_eq!(
        first.count("subscribers", "customer_id IS NOT NULL").await,
        10
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_stored_by_one_relay_wakes_the_others() {
    let Some((first, second, woken)) = two_relays().await else {
        return;
    };

    // Act / Assert: a webhook event, then its processing with a reply and a merchant webhook
    first
        .store
        .record_inbound(vec![text_from("update:1", "1001", T0)])
        .await
        .unwrap();
    signalled(&woken, Queue::Inbound).await;

    let claimed = first
        .store
        .claim_inbound(&claim(OWNER, T0, 10))
        .await
        .unwrap();
    let mut effects = Effects::about(create("1001", T0));
    effects.replies.push(reply("1001", "inbound:1:0"));
    effects.notify.push(MerchantEvent::Created);
    first
        .store
        .resolve_inbound(
            OWNER,
            vec![(
                claimed[0].id,
                InboundResolution::Processed(Box::new(effects)),
            )],
            T0,
        )
        .await
        .unwrap();
    signalled(&woken, Queue::Outbound).await;
    signalled(&woken, Queue::Webhooks).await;
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_notification_connection_reconnects_and_wakes_every_queue() {
    // Arrange
    let Some((relay, other, _)) = two_relays().await else {
        return;
    };

    // Act: the server ends the listener's connection (a restart, a proxy's idle timeout)
    let ended = cut_listeners(&mut relay.sql().await).await;

    // Assert: every queue is woken once connected again (notifications may have been missed),
    // and notifications arrive again
    assert!(ended >= 1);
    for queue in Queue::ALL {
        signalled(&relay.signals, queue).await;
    }
    other
        .record_inbound(vec![text_from("update:1", "1001", T0)])
        .await
        .unwrap();
    signalled(&relay.signals, Queue::Inbound).await;
    relay.store.ping().await.unwrap();
}

#[tokio::test]
async fn a_store_whose_listener_cannot_reconnect_stops_and_fails_its_ping() {
    // Arrange: the database takes no new connections, and the listener's is cut
    let Some(database) = TestStore::postgres().await else {
        return;
    };
    let relay = Backend::open(database).await;
    let mut open_before = relay.sql().await;
    relay
        .database
        .postgres_database()
        .expect("PostgreSQL")
        .refuse_connections()
        .await;
    cut_listeners(&mut open_before).await;

    // Act: the listener retries for a minute, then gives up. The test moves the clock on a
    // second per turn, so that minute passes at once while the listener's connection attempts
    // still fail for real (the server answers in real time).
    tokio::time::pause();
    let stopped = relay.store.stopped();
    tokio::pin!(stopped);
    let deadline = std::time::Instant::now() + PATIENCE;
    let reason = loop {
        tokio::select! {
            biased;
            reason = &mut stopped => break Some(reason),
            () = tokio::time::advance(Duration::from_secs(1)) => {}
        }
        if std::time::Instant::now() > deadline {
            break None;
        }
    };

    // Assert
    assert!(
        matches!(reason, Some(StoreError::TaskGone("listener"))),
        "{reason:?}"
    );
    assert!(matches!(
        relay.store.ping().await,
        Err(StoreError::TaskGone("listener"))
    ));
}

/// Ends the listener connections on the database `conn` is connected to, as a server restart
/// would; returns how many there were.
async fn cut_listeners(conn: &mut AnyConnection) -> i64 {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND application_name = '{LISTENER_APPLICATION_NAME}') AS ended"
    ))
    .fetch_one(conn)
    .await
    .expect("ending the listeners' connections")
}
