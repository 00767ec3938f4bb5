//! A relay killed with SIGKILL in the middle of a burst of `/start` webhooks: every acknowledged
//! webhook still becomes exactly one subscriber and every welcome reaches the platform; a
//! welcome reaches it twice only if its send was in flight at the kill.

use std::{
    collections::HashSet,
    sync::{
        Arc, RwLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use ferry_tests::cluster::{self, FakeBotApi, Relay, RelayOptions};
use futures_util::{StreamExt, stream};

/// Sends updates `1..=count` to whichever relays are listed, `concurrency` at a time, each until
/// one relay acknowledges it (as Telegram retries). Counts acknowledgements in `acked`.
async fn send_burst(
    relays: Arc<RwLock<Vec<String>>>,
    count: i64,
    concurrency: usize,
    acked: Arc<AtomicUsize>,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    stream::iter(1..=count)
        .for_each_concurrent(concurrency, |id| {
            let (client, relays, acked) = (client.clone(), relays.clone(), acked.clone());
            async move {
                let deadline = Instant::now() + Duration::from_secs(60);
                let mut attempt = 0_usize;
                loop {
                    let urls = relays.read().unwrap().clone();
                    let url = &urls[(usize::try_from(id).unwrap() + attempt) % urls.len()];
                    if cluster::post_update(&client, url, id).await {
                        acked.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                    attempt += 1;
                    assert!(
                        Instant::now() < deadline,
                        "update {id} was never acknowledged"
                    );
                    if attempt.is_multiple_of(urls.len()) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        })
        .await;
}

/// Waits (bounded) until `acked` reaches `at_least`.
async fn wait_for_acks(acked: &AtomicUsize, at_least: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.load(Ordering::SeqCst) < at_least {
        assert!(Instant::now() < deadline, "the burst stalled");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// What the burst left behind, checked against the platform and the database.
fn assert_every_update_subscribed_once(
    count: i64,
    subscribers: &[String],
    fake: &FakeBotApi,
    in_flight_bound: usize,
) {
    let expected: HashSet<String> = (1..=count)
        .map(|id| cluster::chat_of(id).to_string())
        .collect();
    let stored: HashSet<String> = subscribers.iter().cloned().collect();
    assert_eq!(
        subscribers.len(),
        stored.len(),
        "a platform user became two subscribers"
    );
    assert_eq!(
        stored, expected,
        "every acknowledged /start is one subscriber"
    );
    let sends = fake.per_chat();
    let welcomed = (1..=count)
        .filter(|id| sends.contains_key(&cluster::chat_of(*id)))
        .count();
    assert_eq!(
        welcomed,
        usize::try_from(count).unwrap(),
        "every welcome reached the platform"
    );
    let twice = sends.values().filter(|n| **n > 1).count();
    assert!(
        twice <= in_flight_bound,
        "{twice} welcomes were sent twice; at most {in_flight_bound} can have been in flight at the kill"
    );
    eprintln!("welcomes sent twice because they were in flight at the kill: {twice}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sqlite_relay_killed_mid_burst_and_restarted_loses_nothing() {
    // Arrange: one relay on a SQLite file, a platform that takes 20 ms per message
    let binary = cluster::ferry_binary();
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("ferry.db");
    let database_url = format!("sqlite://{}", database.display());
    let fake = FakeBotApi::start(Duration::from_millis(20)).await;
    let options = RelayOptions {
        max_in_flight: 16,
        ..RelayOptions::default()
    };
    let mut relay = Relay::start(&binary, &database_url, &fake.url, &options).await;
    let relays = Arc::new(RwLock::new(vec![relay.url.clone()]));
    let acked = Arc::new(AtomicUsize::new(0));
    let count = 1000;

    // Act: kill it halfway, start it again on the same file, let the burst finish
    let burst = tokio::spawn(send_burst(relays.clone(), count, 32, acked.clone()));
    wait_for_acks(&acked, 500).await;
    relay.kill().await;
    let restarted = Relay::start(&binary, &database_url, &fake.url, &options).await;
    *relays.write().unwrap() = vec![restarted.url.clone()];
    burst.await.unwrap();
    let chats: Vec<i64> = (1..=count).map(cluster::chat_of).collect();
    let all_welcomed = fake.wait_for_chats(&chats, Duration::from_secs(60)).await;

    // Assert
    assert!(all_welcomed, "some welcomes never reached the platform");
    let subscribers: Vec<String> = {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&database_url)
            .await
            .unwrap();
        sqlx::query_scalar("SELECT platform_user_id FROM subscribers")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    assert_every_update_subscribed_once(count, &subscribers, &fake, options.max_in_flight);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_relays_on_postgres_share_a_burst_and_survive_one_killed() {
    // Arrange: three relays on one fresh PostgreSQL database
    let Some(database) = ferry_tests::postgres::TestDatabase::create().await else {
        return;
    };
    let binary = cluster::ferry_binary();
    let fake = FakeBotApi::start(Duration::from_millis(20)).await;
    let options = RelayOptions {
        max_in_flight: 16,
        ..RelayOptions::default()
    };
    let mut started = Vec::new();
    for _ in 0..3 {
        started.push(Relay::start(&binary, &database.url, &fake.url, &options).await);
    }
    let relays = Arc::new(RwLock::new(
        started.iter().map(|r| r.url.clone()).collect::<Vec<_>>(),
    ));
    let acked = Arc::new(AtomicUsize::new(0));
    let count = 2000;

    // Act: kill the second relay in the middle; the load balancer keeps sending to all three
    let burst = tokio::spawn(send_burst(relays.clone(), count, 48, acked.clone()));
    wait_for_acks(&acked, 1000).await;
    started[1].kill().await;
    burst.await.unwrap();
    let chats: Vec<i64> = (1..=count).map(cluster::chat_of).collect();
    let all_welcomed = fake.wait_for_chats(&chats, Duration::from_secs(60)).await;

    // Assert
    assert!(all_welcomed, "some welcomes never reached the platform");
    let subscribers: Vec<String> = {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&database.url).await.unwrap();
        sqlx::query_scalar("SELECT platform_user_id FROM subscribers")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    };
    assert_every_update_subscribed_once(count, &subscribers, &fake, options.max_in_flight);
}
