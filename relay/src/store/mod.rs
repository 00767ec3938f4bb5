//! Storage: the `Store` contract the rest of the relay talks to, and its two implementations.
//!
//! One method per use case, each atomic on its own. The contract speaks no SQL dialect and
//! decides nothing: what an event means (`ingest`), when work is retried or given up
//! (`domain::RetryPolicy`), whether an intent may take a ref (`intents`), whether a link code is
//! still valid (`links`) and what a merchant webhook looks like (`views`) are decided above it
//! and handed down as records. Time comes in as arguments; the store never reads a clock.
//!
//! The backend is chosen by the database URL: `sqlite:` (the default, one relay per file) or
//! `postgres:` (any number of relays on one database). Work queues (webhook events to process,
//! messages and merchant webhooks to deliver) are *claimed* with a lease, so any number of
//! workers never hold the same row at once, and a lease that ends (a crashed relay) lets another
//! worker take the row over. Every method's contract is tested once, against both backends,
//! by the conformance suite in `tests/conformance`.

mod changes;
mod model;
pub mod postgres;
mod signals;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::{ChannelKind, PlatformUserId, SubscriberId};
pub use changes::{Changed, ConversationChanges};
pub use model::*;
pub use signals::{Queue, WorkSignals};

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the operation.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A value could not be encoded for storage.
    #[error("cannot encode {0}")]
    Encode(String),
    /// The URL names no backend this relay has.
    #[error("unsupported database URL {0:?}: use sqlite:… or postgres:…")]
    UnsupportedUrl(String),
    /// Another relay process holds this SQLite database.
    #[error("{0}")]
    Locked(String),
    /// The database refused one change (the changes it was grouped with went in).
    #[error("the database refused the change: {0}")]
    Refused(String),
    /// A background task of the store (the SQLite writer, the PostgreSQL listener) stopped.
    #[error("the database's {0} has stopped")]
    TaskGone(&'static str),
}

/// Result of a storage call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the relay keeps. See the module docs for the contract as a whole.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks the database answers and the store's background tasks run (for `/readyz`).
    async fn ping(&self) -> StoreResult<()>;

    /// Resolves when a background task of the store has stopped, with what stopped; never
    /// resolves while all run. The supervisor stops the process on it.
    async fn stopped(&self) -> StoreError;

    // --- webhook events -------------------------------------------------------------------

    /// Durably stores webhook events, skipping ones already stored (same site, channel and
    /// dedupe key). Returns once committed, with how many were new; signals `Queue::Inbound`.
    async fn record_inbound(&self, batch: Vec<NewInbound>) -> StoreResult<usize>;

    /// Claims up to `claim.limit` unprocessed events, oldest first, that are due (`next attempt
    /// <= now`) and not leased (or whose lease ended before `now`). Only the oldest unprocessed
    /// event of each platform user is ever claimable, so one person's events are processed in
    /// order and never by two workers at once. A row that cannot be decoded is still claimed,
    /// with the decoding error in `event`.
    async fn claim_inbound(&self, claim: &Claim) -> StoreResult<Vec<ClaimedInbound>>;

    /// Resolves claimed events, each atomically and all in as few transactions as the backend
    /// likes: `Processed` applies the effects (see `apply`) and marks the event done; `Retry`
    /// counts the attempt and makes it due at `at`; `Park` counts it and keeps it as parked
    /// with its error; `Release` just ends the lease. Nothing is done for an event whose lease
    /// is no longer `owner`'s (`Commit::LeaseLost`). One unit's failure leaves the others
    /// applied: after `LinkSpent` the event is handed back (lease ended) to be decided again;
    /// after `Failed` it stays `owner`'s, to be resolved again (retried or parked). Returns one
    /// `Commit` per input, in order, and signals the queues that got work.
    async fn resolve_inbound(
        &self,
        owner: &str,
        resolved: Vec<(i64, InboundResolution)>,
        now: crate::domain::Millis,
    ) -> StoreResult<Vec<Commit>>;

    /// Applies effects decided outside webhook processing (the merchant API, the link page)
    /// for a subscriber of `site` on `channel`, atomically: the subscriber change, the account
    /// change (`LinkSpent` if it spends a used ref or code), the order, the link code, funnel
    /// events (at `now`), replies (deduplicated on their key) and merchant webhooks (each with
    /// a new event id and a snapshot of the subscriber as the effects leave them).
    async fn apply(
        &self,
        site: &str,
        channel: ChannelKind,
        effects: Effects,
        now: crate::domain::Millis,
    ) -> StoreResult<Commit>;

    // --- funnel events and intents ----------------------------------------------------------

    /// Durably stores a funnel event.
    async fn record_event(&self, event: NewEvent) -> StoreResult<()>;

    /// Stores the intent unless one holds its (site, channel, ref) already, which is then
    /// returned unchanged. A stored intent also attributes the subscribers who arrived with
    /// its ref before it (attribution still empty) and their funnel events with that ref.
    async fn insert_intent(&self, intent: &Intent) -> StoreResult<Option<Intent>>;

    /// Replaces the intent holding `intent`'s ref if it is still the one created at
    /// `replaced_created_at` (compare and swap); its link becomes unspent. Attributes waiting
    /// subscribers as `insert_intent` does. `false` if it was replaced meanwhile.
    async fn replace_intent(
        &self,
        replaced_created_at: crate::domain::Millis,
        intent: &Intent,
    ) -> StoreResult<bool>;

    /// The intents holding these refs on `site` and `channel` (those there are, in no
    /// particular order), whatever their age. Processing looks up a whole batch's refs at once.
    async fn find_intents(
        &self,
        site: &str,
        channel: ChannelKind,
        references: &[String],
    ) -> StoreResult<Vec<Intent>>;

    /// The intent holding this ref, whatever its age.
    async fn find_intent(
        &self,
        site: &str,
        channel: ChannelKind,
        reference: &str,
    ) -> StoreResult<Option<Intent>> {
        let references = [reference.to_owned()];
        Ok(self
            .find_intents(site, channel, &references)
            .await?
            .into_iter()
            .next())
    }

    // --- subscribers ------------------------------------------------------------------------

    /// The subscribers for these platform users on `site` and `channel` (those there are, in
    /// no particular order). Processing looks up a whole batch's people at once.
    async fn find_subscribers(
        &self,
        site: &str,
        channel: ChannelKind,
        users: &[PlatformUserId],
    ) -> StoreResult<Vec<Subscriber>>;

    /// The subscriber for this platform user on this site.
    async fn find_subscriber(
        &self,
        site: &str,
        channel: ChannelKind,
        user: &PlatformUserId,
    ) -> StoreResult<Option<Subscriber>> {
        Ok(self
            .find_subscribers(site, channel, std::slice::from_ref(user))
            .await?
            .into_iter()
            .next())
    }

    /// One subscriber of a site.
    async fn get_subscriber(&self, site: &str, id: SubscriberId)
    -> StoreResult<Option<Subscriber>>;

    /// Subscribers of a site matching the filter, newest (highest id) first.
    async fn list_subscribers(
        &self,
        site: &str,
        filter: &SubscriberFilter,
    ) -> StoreResult<Vec<Subscriber>>;

    /// The link code of a site, used or not, expired or not.
    async fn find_link_code(&self, site: &str, code: &str) -> StoreResult<Option<LinkCodeRecord>>;

    /// Deletes a subscriber and erases their personal data everywhere it was kept: their
    /// stored webhook events, queued messages and merchant webhooks, link codes, their
    /// conversations with every message, and the customer and order of the intent they arrived
    /// with. Funnel events stay, without the
    /// subscriber and ref. `false` if there was no such subscriber.
    async fn erase_subscriber(&self, site: &str, id: SubscriberId) -> StoreResult<bool>;

    // --- deliveries -------------------------------------------------------------------------

    /// Claims up to `claim.limit` pending messages that are due and not leased, oldest due
    /// first, and no more in one lane than `room` gives it (full lanes are passed over, so
    /// they leave the claim to other lanes). Only the oldest pending message of each
    /// subscriber is claimable, so one chat's messages go out in order.
    async fn claim_outbound(
        &self,
        claim: &Claim,
        room: &LaneRoom<Lane>,
    ) -> StoreResult<Vec<ClaimedOutbound>>;

    /// Records one delivery attempt of a claimed message and ends its lease: `Sent` marks it
    /// sent (even if the lease ended meanwhile: it was sent), `Retry` counts the attempt and
    /// makes it due at `at`, `Failed` marks it failed, and with `unsubscribe` unsubscribes its
    /// subscriber at `now`. `Retry` and `Failed` do nothing for a lease no longer `owner`'s.
    async fn finish_outbound(
        &self,
        owner: &str,
        id: i64,
        result: DeliveryResult,
        now: crate::domain::Millis,
    ) -> StoreResult<()>;

    /// Claims up to `claim.limit` pending merchant webhooks that are due and not leased,
    /// oldest due first, and no more for one site than `room` gives it; only the oldest
    /// pending webhook about each subscriber is claimable, so the merchant hears of one
    /// person's changes in order.
    async fn claim_webhooks(
        &self,
        claim: &Claim,
        room: &LaneRoom<String>,
    ) -> StoreResult<Vec<ClaimedWebhook>>;

    /// Records one delivery attempt of a merchant webhook, like `finish_outbound`
    /// (`Sent` = delivered).
    async fn finish_webhook(
        &self,
        owner: &str,
        id: i64,
        result: DeliveryResult,
        now: crate::domain::Millis,
    ) -> StoreResult<()>;

    // --- conversations ----------------------------------------------------------------------

    /// Starts an open conversation, its latest activity at its start.
    async fn start_conversation(&self, conversation: &NewConversation)
    -> StoreResult<Conversation>;

    /// The conversation with this id, if it is `site`'s.
    async fn find_conversation(
        &self,
        site: &str,
        id: ConversationId,
    ) -> StoreResult<Option<Conversation>>;

    /// The conversation of `site` a visitor's token opens, by the token's SHA-256 (hex).
    async fn find_conversation_by_token(
        &self,
        site: &str,
        token_hash: &str,
    ) -> StoreResult<Option<Conversation>>;

    /// Adds a message to a conversation of `site` with the conversation's next seq (1, 2, 3…
    /// in commit order, even with several relays adding at once) and moves the conversation's
    /// latest activity forward to the message's time (never back). A `client_key` the
    /// conversation has seen adds nothing and answers the message it added. `None` if `site`
    /// has no such conversation.
    async fn add_message(
        &self,
        site: &str,
        conversation: ConversationId,
        message: &NewMessage,
    ) -> StoreResult<Option<Message>>;

    /// Up to `limit` messages of a conversation of `site` whose seq is above `after`, in seq
    /// order (empty for another site's conversation).
    async fn messages_after(
        &self,
        site: &str,
        conversation: ConversationId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;

    /// Adds an operator's (or the merchant API's) message to a conversation of `site` like
    /// `add_message`, and with `delivery` queues it for the person's messenger in the same
    /// transaction: the message's status then follows the delivery's. A `client_key` seen
    /// before adds and queues nothing and answers the first message. `None` if `site` has no
    /// such conversation.
    async fn add_reply(
        &self,
        site: &str,
        conversation: ConversationId,
        message: &NewMessage,
        delivery: Option<&Delivery>,
    ) -> StoreResult<Option<Message>>;

    /// Conversations of these sites matching `filter`, latest activity (then id) first, each
    /// with its latest message, its unread count and the subscriber's name.
    async fn list_conversations(
        &self,
        sites: &[String],
        filter: &ConversationFilter,
    ) -> StoreResult<Vec<ConversationSummary>>;

    /// Opens or closes a conversation of `site`, its latest activity moved to `now`; the
    /// conversation as it is now, `None` if there is no such conversation.
    async fn set_conversation_status(
        &self,
        site: &str,
        conversation: ConversationId,
        status: ConversationStatus,
        now: crate::domain::Millis,
    ) -> StoreResult<Option<Conversation>>;

    /// Marks a conversation's messages up to `seq` read by the operators (the mark never moves
    /// back, nor past the latest message); `false` if `site` has no such conversation.
    async fn mark_conversation_read(
        &self,
        site: &str,
        conversation: ConversationId,
        seq: i64,
    ) -> StoreResult<bool>;

    /// Opens a customer's latest open conversation of `site` to one more device, whose token's
    /// SHA-256 (hex) is `token_hash`; `None` if the customer has no open conversation.
    async fn resume_conversation(
        &self,
        site: &str,
        customer_id: &str,
        token_hash: &str,
        now: crate::domain::Millis,
    ) -> StoreResult<Option<Conversation>>;

    // --- operators' sessions ------------------------------------------------------------------

    /// Stores a new session; its idle deadline is kept no later than its absolute one.
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;

    /// The session whose id hashes to `id_hash`, if it is live at `now` (both deadlines after
    /// `now`): an ended session is answered as none, swept or not.
    async fn find_session(
        &self,
        id_hash: &str,
        now: crate::domain::Millis,
    ) -> StoreResult<Option<Session>>;

    /// Records that the session was used at `now` and moves its idle deadline to `idle_until`,
    /// never back and never past its absolute deadline. `false` (and nothing changed) if no
    /// session live at `now` has this id.
    async fn touch_session(
        &self,
        id_hash: &str,
        now: crate::domain::Millis,
        idle_until: crate::domain::Millis,
    ) -> StoreResult<bool>;

    /// Deletes the session (the operator signed out). `false` if there was none.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<bool>;

    /// Deletes every session that has ended at `now`; returns how many.
    async fn sweep_sessions(&self, now: crate::domain::Millis) -> StoreResult<u64>;

    // --- diagnostics ------------------------------------------------------------------------

    /// The number of rows in every table the relay owns, by table name (tests compare
    /// snapshots of it to show a request changed nothing).
    async fn row_counts(&self) -> StoreResult<Vec<(String, i64)>>;
}

/// A new merchant webhook event id (`evt_` and 16 hex digits), the same on every delivery attempt.
pub fn new_event_id() -> String {
    format!("evt_{:016x}", rand::random::<u64>())
}

/// The backends a database URL can name.
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn of(database_url: &str) -> StoreResult<Self> {
        if database_url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(crate::startup::redact_url(
                database_url,
            )))
        }
    }
}

/// Opens the store a database URL names, creating and migrating it if needed. `signals` is
/// woken when work is stored, by this process or (PostgreSQL) by another.
pub async fn connect(database_url: &str, signals: WorkSignals) -> StoreResult<Arc<dyn Store>> {
    Ok(match Backend::of(database_url)? {
        Backend::Sqlite => Arc::new(sqlite::SqliteStore::connect(database_url, signals).await?),
        Backend::Postgres => {
            Arc::new(postgres::PostgresStore::connect(database_url, signals).await?)
        }
    })
}

/// Creates or upgrades the schema of the database a URL names, then lets go of it (`ferry
/// migrate`). A SQLite file must not be in use by a running relay.
pub async fn migrate(database_url: &str) -> StoreResult<()> {
    match Backend::of(database_url)? {
        Backend::Sqlite => {
            sqlite::SqliteStore::connect(database_url, WorkSignals::default()).await?;
        }
        Backend::Postgres => postgres::PostgresStore::migrate(database_url).await?,
    }
    Ok(())
}
