//! What the conformance tests share: a store on each backend, the macro that runs a test on
//! both, and realistic records to store.

use std::{sync::Arc, time::Duration};

use ferry_relay::{
    channels::{InboundEvent, InboundKind, OutboundMessage},
    domain::{Attribution, ChannelKind, Customer, Millis, PlatformUserId, SubscriberId},
    store::{
        self, Claim, Commit, Effects, EventDraft, InboundResolution, Intent, LaneRoom, NewInbound,
        NewSubscriber, OutboundDraft, Queue, Store, SubscriberChange, WorkSignals,
    },
};
use ferry_tests::TestStore;
use sqlx::AnyConnection;

/// Runs each listed test, an `async fn(Backend)`, as `<test>::sqlite` and `<test>::postgres`.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$test($crate::support::Backend::sqlite().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(backend) = $crate::support::Backend::postgres().await {
                        super::$test(backend).await;
                    }
                }
            }
        )*
    };
}
pub(crate) use on_both_backends;

/// A store under test, on a database of its own.
pub struct Backend {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The wake-ups the store raises.
    pub signals: WorkSignals,
    /// Dropped after the store.
    pub database: TestStore,
}

impl Backend {
    /// A store on a fresh SQLite file.
    pub async fn sqlite() -> Self {
        Self::open(TestStore::sqlite()).await
    }

    /// A store on a fresh PostgreSQL database, or `None` without PostgreSQL.
    pub async fn postgres() -> Option<Self> {
        Some(Self::open(TestStore::postgres().await?).await)
    }

    /// A store on `database`.
    pub async fn open(database: TestStore) -> Self {
        let signals = WorkSignals::default();
        let store = store::connect(&database.url, signals.clone())
            .await
            .expect("open the store");
        Self {
            store,
            signals,
            database,
        }
    }

    /// A connection of the test's own, for looking at rows the store does not hand out (SQL
    /// both backends understand).
    pub async fn sql(&self) -> AnyConnection {
        self.database.connect().await
    }

    /// Runs one statement of portable SQL.
    pub async fn execute(&self, sql: &str) {
        sqlx::query(sql)
            .execute(&mut self.sql().await)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The one number a query of portable SQL answers (`COUNT(*)`, a column).
    pub async fn number(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&mut self.sql().await)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The rows of `table` matching `condition`.
    pub async fn count(&self, table: &str, condition: &str) -> i64 {
        self.number(&format!("SELECT COUNT(*) FROM {table} WHERE {condition}"))
            .await
    }

    /// Stores webhook events and returns their ids, in the order given.
    pub async fn store_inbound(&self, batch: Vec<NewInbound>) -> Vec<i64> {
        let keys: Vec<String> = batch.iter().map(|i| i.dedupe_key.clone()).collect();
        self.store.record_inbound(batch).await.expect("stored");
        let mut ids = Vec::new();
        for key in keys {
            ids.push(
                self.number(&format!(
                    "SELECT id FROM inbound WHERE dedupe_key = '{key}'"
                ))
                .await,
            );
        }
        ids
    }

    /// Creates a subscriber for `user` at `at` and returns their id.
    pub async fn subscriber(&self, user: &str, at: Millis) -> SubscriberId {
        self.apply(Effects::about(create(user, at)), at).await
    }

    /// Applies effects on the test site's Telegram, expecting them done; returns the subscriber.
    pub async fn apply(&self, effects: Effects, now: Millis) -> SubscriberId {
        match self
            .store
            .apply(SITE, ChannelKind::Telegram, effects, now)
            .await
            .expect("applied")
        {
            Commit::Done(Some(id)) => id,
            other => panic!("expected a subscriber, got {other:?}"),
        }
    }

    /// Resolves the event `id`, claimed by `OWNER`, as processed with `effects`.
    pub async fn process(&self, id: i64, effects: Effects, now: Millis) -> Commit {
        let mut commits = self
            .store
            .resolve_inbound(
                OWNER,
                vec![(id, InboundResolution::Processed(Box::new(effects)))],
                now,
            )
            .await
            .expect("resolved");
        commits.remove(0)
    }
}

/// The site every test stores for.
pub const SITE: &str = "northwind";
/// Another site, whose rows a test must not touch.
pub const OTHER_SITE: &str = "southwind";
/// The default worker name on claims.
pub const OWNER: &str = "relay-a";
/// Another worker.
pub const OTHER_OWNER: &str = "relay-b";
/// A fixed "now": 2025-11-24 16:00 UTC.
pub const T0: Millis = 1_764_000_000_000;
/// How long the tests' claims last.
pub const LEASE: Millis = 60_000;
/// How long a test waits for a wake-up before it fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A claim by `owner` at `now` on `limit` items.
pub fn claim(owner: &str, now: Millis, limit: u32) -> Claim {
    Claim {
        owner: owner.to_owned(),
        now,
        until: now + LEASE,
        limit,
    }
}

/// No bound on any delivery lane.
pub fn unbounded<L>() -> LaneRoom<L> {
    LaneRoom::unbounded()
}

/// A platform user id.
pub fn user(id: &str) -> PlatformUserId {
    PlatformUserId::parse(id).expect("a valid user id")
}

/// A Telegram text message from `user`, stored under `key`, received at `at`.
pub fn text_from(key: &str, user_id: &str, at: Millis) -> NewInbound {
    NewInbound {
        site: SITE.into(),
        channel: ChannelKind::Telegram,
        dedupe_key: key.into(),
        event: InboundEvent {
            user: user(user_id),
            name: Some("Ann".into()),
            at,
            kind: InboundKind::Text {
                text: "Is my order on its way?".into(),
            },
        },
        received_at: at,
    }
}

/// Creating the subscriber `user` at `at`, with the ref they came with, unattributed.
pub fn create(user_id: &str, at: Millis) -> SubscriberChange {
    create_with(user_id, at, None, None)
}

/// Creating the subscriber `user` at `at` with a ref and its attribution.
pub fn create_with(
    user_id: &str,
    at: Millis,
    reference: Option<&str>,
    attribution: Option<Attribution>,
) -> SubscriberChange {
    SubscriberChange::Create(Box::new(NewSubscriber {
        platform_user_id: user(user_id),
        display_name: Some("Ann Lee".into()),
        reference: reference.map(Into::into),
        attribution,
        at,
    }))
}

/// A visit from the spring newsletter campaign.
pub fn attribution(campaign: &str) -> Attribution {
    Attribution {
        page_url: format!("https://shop.example/p/beans?utm_campaign={campaign}"),
        page_path: "/p/beans".into(),
        referrer: Some("https://news.example/spring-issue".into()),
        referrer_host: Some("news.example".into()),
        utm_source: Some("newsletter".into()),
        utm_medium: Some("email".into()),
        utm_campaign: Some(campaign.into()),
        utm_content: None,
        utm_term: None,
        placement: "floating".into(),
        locale: Some("en-GB".into()),
        device: "mobile".into(),
    }
}

/// A customer a verified token vouched for.
pub fn customer(id: &str) -> Customer {
    Customer {
        id: id.into(),
        email: Some(format!("{id}@example.com")),
        name: Some("Ann Lee".into()),
        phone: None,
    }
}

/// An intent on the test site's Telegram.
pub fn intent(reference: &str, at: Millis, campaign: &str) -> Intent {
    Intent {
        site: SITE.into(),
        channel: ChannelKind::Telegram,
        reference: reference.into(),
        created_at: at,
        attribution: attribution(campaign),
        customer: None,
        order_id: None,
        linked_at: None,
        conversation: None,
    }
}

/// A reply to `recipient`, deduplicated on `key`.
pub fn reply(recipient: &str, key: &str) -> OutboundDraft {
    OutboundDraft {
        recipient: recipient.into(),
        message: OutboundMessage {
            text: "Welcome to Northwind! We'll message you here when your order ships.".into(),
            buttons: Vec::new(),
            tag: None,
        },
        dedupe_key: key.into(),
    }
}

/// A funnel event with the ref it came with.
pub fn step(kind: &'static str, reference: Option<&str>) -> EventDraft {
    EventDraft {
        kind,
        reference: reference.map(Into::into),
        attribution: None,
    }
}

/// Waits for a wake-up of `queue`, failing the test if none comes.
pub async fn signalled(signals: &WorkSignals, queue: Queue) {
    tokio::time::timeout(PATIENCE, signals.notified(queue))
        .await
        .unwrap_or_else(|_| panic!("no {} signal", queue.as_str()));
}
