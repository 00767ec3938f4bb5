//! Storage: the `Store` trait the rest of the relay talks to, and its implementations.
//!
//! One method per use case, each atomic on its own. Handlers and the worker hold an
//! `Arc<dyn Store>`, so a PostgreSQL implementation can sit beside `sqlite` without touching
//! them. The store decides nothing: what happens to an inbound event is decided in `ingest`,
//! and the store applies the resulting `InboundEffects` in one transaction.

mod model;
pub mod sqlite;

use async_trait::async_trait;

use crate::channels::OutboundMessage;
use crate::domain::{ChannelKind, Customer, Millis, PlatformUserId, SubscriberId};
pub use model::{
    AccountChange, DeliveryResult, EventDraft, InboundEffects, Intent, IntentOutcome, LinkCode,
    LinkCodeError, MerchantEvent, NewEvent, NewInbound, NewSubscriber, OutboundDraft,
    StoredInbound, StoredOutbound, StoredWebhook, Subscriber, SubscriberChange, SubscriberFilter,
    SubscriberStatus,
};

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the operation.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored row could not be decoded (a JSON column written by a newer version, say).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The group-commit writer has stopped (the relay is shutting down).
    #[error("the database writer has stopped")]
    WriterGone,
    /// A group commit failed; every request in the group gets this.
    #[error("group commit failed: {0}")]
    GroupCommit(String),
}

/// Result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the relay keeps. See the module docs for the contract.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks the database answers (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    /// Durably stores webhook events, skipping ones already stored (same site, channel and
    /// dedupe key). Returns once committed, with how many were new.
    async fn record_inbound(&self, batch: Vec<NewInbound>) -> StoreResult<usize>;

    /// Durably stores a funnel event.
    async fn record_event(&self, event: NewEvent) -> StoreResult<()>;

    /// Stores an intent, and attributes a subscriber who arrived with its ref before it was
    /// registered (the widget registers intents in parallel with opening the link).
    async fn record_intent(&self, intent: Intent) -> StoreResult<IntentOutcome>;

    /// The intent with this ref, if one was registered since `not_before`.
    async fn find_intent(
        &self,
        site: &str,
        channel: ChannelKind,
        reference: &str,
        not_before: Millis,
    ) -> StoreResult<Option<Intent>>;

    /// The subscriber for this platform user on this site.
    async fn find_subscriber(
        &self,
        site: &str,
        channel: ChannelKind,
        user: &PlatformUserId,
    ) -> StoreResult<Option<Subscriber>>;

    /// Up to `limit` stored webhook events not yet processed, oldest first.
    async fn pending_inbound(&self, limit: u32) -> StoreResult<Vec<StoredInbound>>;

    /// Applies what processing decided for one inbound event and marks it processed, atomically.
    /// Returns the subscriber the effects were about, if any.
    async fn commit_inbound(
        &self,
        inbound_id: i64,
        effects: InboundEffects,
    ) -> StoreResult<Option<SubscriberId>>;

    /// Records that processing an inbound event failed; it is parked after too many attempts.
    async fn fail_inbound(&self, inbound_id: i64, error: &str) -> StoreResult<()>;

    /// Up to `limit` outbound messages due at `now`, oldest first.
    async fn due_outbound(&self, now: Millis, limit: u32) -> StoreResult<Vec<StoredOutbound>>;

    /// Records the result of one delivery attempt.
    async fn finish_outbound(
        &self,
        message: &StoredOutbound,
        result: DeliveryResult,
    ) -> StoreResult<()>;

    /// Subscribers of a site, newest first.
    async fn list_subscribers(
        &self,
        site: &str,
        filter: &SubscriberFilter,
    ) -> StoreResult<Vec<Subscriber>>;

    /// One subscriber of a site.
    async fn get_subscriber(&self, site: &str, id: SubscriberId)
    -> StoreResult<Option<Subscriber>>;

    /// Uses a one-time link code: links its subscriber to `customer`, queues `confirmation`
    /// to them and, with `notify`, a `subscriber.linked` webhook — atomically.
    async fn complete_link(
        &self,
        site: &str,
        code: &str,
        customer: &Customer,
        confirmation: OutboundMessage,
        notify: bool,
    ) -> Result<Subscriber, LinkCodeError>;

    /// Removes a subscriber's customer link (with `notify`, queues `subscriber.unlinked` if
    /// there was one). `None` if there is no such subscriber.
    async fn unlink(
        &self,
        site: &str,
        id: SubscriberId,
        notify: bool,
    ) -> StoreResult<Option<Subscriber>>;

    /// Deletes a subscriber and erases their personal data everywhere it was kept (inbound
    /// events, queued messages and webhooks, link codes, the customer data of their intents).
    /// `false` if there was no such subscriber.
    async fn erase_subscriber(&self, site: &str, id: SubscriberId) -> StoreResult<bool>;

    /// Up to `limit` merchant webhooks due at `now`, oldest first.
    async fn due_webhooks(&self, now: Millis, limit: u32) -> StoreResult<Vec<StoredWebhook>>;

    /// Records the result of one webhook delivery attempt.
    async fn finish_webhook(&self, id: i64, result: DeliveryResult) -> StoreResult<()>;
}

/// Opens the store a database URL names, creating and migrating it if needed.
pub async fn connect(database_url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    Ok(std::sync::Arc::new(
        sqlite::SqliteStore::connect(database_url).await?,
    ))
}
