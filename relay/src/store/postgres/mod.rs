//! The PostgreSQL store: any number of relays on one database.
//!
//! Every call is one statement or one transaction on a pooled connection; PostgreSQL's row locks
//! and `FOR UPDATE SKIP LOCKED` keep relays that claim, resolve and deliver at the same time from
//! ever holding the same work (see `claims`). A transaction that adds work notifies every relay
//! at commit (see `listener`). Each use case lives in the submodule named after what it touches;
//! this file only routes calls.

mod batch;
mod claims;
mod conversation_flow;
mod conversations;
mod deliveries;
mod effects;
mod intents;
mod listener;
mod pool;
mod records;
mod resolve;
mod rows;
mod sessions;
mod subscribers;

use async_trait::async_trait;
use sqlx::{PgPool, Row};

pub use listener::APPLICATION_NAME as LISTENER_APPLICATION_NAME;
pub use pool::DEFAULT_MAX_CONNECTIONS;

use super::{
    Claim, ClaimedInbound, ClaimedOutbound, ClaimedWebhook, Commit, Conversation,
    ConversationFilter, ConversationId, ConversationStatus, ConversationSummary, Delivery,
    DeliveryResult, Effects, InboundResolution, Intent, Lane, LaneRoom, LinkCodeRecord, Message,
    NewConversation, NewEvent, NewInbound, NewMessage, NewSession, Queue, Session, Store,
    StoreError, StoreResult, Subscriber, SubscriberFilter, WorkSignals,
};
use crate::domain::{ChannelKind, Millis, PlatformUserId, SubscriberId};
use listener::Listener;
use pool::Target;

/// PostgreSQL-backed `Store`.
pub struct PostgresStore {
    pool: PgPool,
    /// Woken after this relay's commits that add work (other relays' come through `listener`).
    signals: WorkSignals,
    listener: Listener,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://…` or `postgresql://…`, with
    /// `?max_connections=N` for the pool size), migrates it, and starts listening for other
    /// relays' work. Leases held by other relays are left alone: they may well be running.
    pub async fn connect(url: &str, signals: WorkSignals) -> StoreResult<Self> {
        let target = Target::parse(url)?;
        target.migrate().await?;
        let pool = target.pool();
        let listener = Listener::start(&target, signals.clone()).await?;
        Ok(Self {
            pool,
            signals,
            listener,
        })
    }

    /// Creates or upgrades the schema at `url`, and nothing else.
    pub async fn migrate(url: &str) -> StoreResult<()> {
        Target::parse(url)?.migrate().await
    }

    fn wake(&self, queues: &[Queue]) {
        for queue in queues {
            self.signals.notify(*queue);
        }
    }

    async fn conn(&self) -> StoreResult<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        Ok(self.pool.acquire().await?)
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        if self.listener.gone.is_cancelled() {
            return Err(StoreError::TaskGone("listener"));
        }
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn stopped(&self) -> StoreError {
        self.listener.gone.cancelled().await;
        StoreError::TaskGone("listener")
    }

    async fn record_inbound(&self, batch: Vec<NewInbound>) -> StoreResult<usize> {
        if batch.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool.begin().await?;
        let stored = records::insert_inbound(&mut tx, &batch).await?;
        tx.commit().await?;
        if stored > 0 {
            self.wake(&[Queue::Inbound]);
        }
        Ok(stored)
    }

    async fn claim_inbound(&self, claim: &Claim) -> StoreResult<Vec<ClaimedInbound>> {
        claims::claim_inbound(&mut *self.conn().await?, claim).await
    }

    async fn resolve_inbound(
        &self,
        owner: &str,
        resolved: Vec<(i64, InboundResolution)>,
        now: Millis,
    ) -> StoreResult<Vec<Commit>> {
        let mut tx = self.pool.begin().await?;
        let (commits, woken) = resolve::resolve_inbound(&mut tx, owner, resolved, now).await?;
        tx.commit().await?;
        self.wake(&woken);
        Ok(commits)
    }

    async fn apply(
        &self,
        site: &str,
        channel: ChannelKind,
        effects: Effects,
        now: Millis,
    ) -> StoreResult<Commit> {
        let mut woken = Vec::new();
        if !effects.replies.is_empty() {
            woken.push(Queue::Outbound);
        }
        if !effects.notify.is_empty() {
            woken.push(Queue::Webhooks);
        }
        let mut tx = self.pool.begin().await?;
        let commit = effects::apply_atomically(&mut tx, site, channel, effects, now, None).await?;
        tx.commit().await?;
        if matches!(commit, Commit::Done(_)) {
            self.wake(&woken);
        }
        Ok(commit)
    }

    async fn record_event(&self, event: NewEvent) -> StoreResult<()> {
        records::insert_event(&mut *self.conn().await?, &event).await
    }

    async fn insert_intent(&self, intent: &Intent) -> StoreResult<Option<Intent>> {
        let mut tx = self.pool.begin().await?;
        let existing = intents::insert(&mut tx, intent).await?;
        tx.commit().await?;
        Ok(existing)
    }

    async fn replace_intent(
        &self,
        replaced_created_at: Millis,
        intent: &Intent,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let replaced = intents::replace(&mut tx, replaced_created_at, intent).await?;
        tx.commit().await?;
        Ok(replaced)
    }

    async fn find_intents(
        &self,
        site: &str,
        channel: ChannelKind,
        references: &[String],
    ) -> StoreResult<Vec<Intent>> {
        intents::find_all(&mut *self.conn().await?, site, channel, references).await
    }

    async fn find_subscribers(
        &self,
        site: &str,
        channel: ChannelKind,
        users: &[PlatformUserId],
    ) -> StoreResult<Vec<Subscriber>> {
        subscribers::by_users(&mut *self.conn().await?, site, channel, users).await
    }

    async fn get_subscriber(
        &self,
        site: &str,
        id: SubscriberId,
    ) -> StoreResult<Option<Subscriber>> {
        subscribers::by_id(&mut *self.conn().await?, site, id).await
    }

    async fn list_subscribers(
        &self,
        site: &str,
        filter: &SubscriberFilter,
    ) -> StoreResult<Vec<Subscriber>> {
        subscribers::list(&mut *self.conn().await?, site, filter).await
    }

    async fn find_link_code(&self, site: &str, code: &str) -> StoreResult<Option<LinkCodeRecord>> {
        subscribers::link_code(&mut *self.conn().await?, site, code).await
    }

    async fn erase_subscriber(&self, site: &str, id: SubscriberId) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let erased = subscribers::erase(&mut tx, site, id).await?;
        tx.commit().await?;
        Ok(erased)
    }

    async fn claim_outbound(
        &self,
        claim: &Claim,
        room: &LaneRoom<Lane>,
    ) -> StoreResult<Vec<ClaimedOutbound>> {
        claims::claim_outbound(&mut *self.conn().await?, claim, room).await
    }

    async fn finish_outbound(
        &self,
        owner: &str,
        id: i64,
        result: DeliveryResult,
        now: Millis,
    ) -> StoreResult<()> {
        deliveries::finish_outbound(&mut *self.conn().await?, owner, id, result, now).await
    }

    async fn claim_webhooks(
        &self,
        claim: &Claim,
        room: &LaneRoom<String>,
    ) -> StoreResult<Vec<ClaimedWebhook>> {
        claims::claim_webhooks(&mut *self.conn().await?, claim, room).await
    }

    async fn finish_webhook(
        &self,
        owner: &str,
        id: i64,
        result: DeliveryResult,
        now: Millis,
    ) -> StoreResult<()> {
        deliveries::finish_webhook(&mut *self.conn().await?, owner, id, result, now).await
    }

    async fn start_conversation(
        &self,
        conversation: &NewConversation,
    ) -> StoreResult<Conversation> {
        conversations::start(&mut *self.conn().await?, conversation).await
    }

    async fn find_conversation(
        &self,
        site: &str,
        id: ConversationId,
    ) -> StoreResult<Option<Conversation>> {
        conversations::find(&mut *self.conn().await?, site, id).await
    }

    async fn find_conversation_by_token(
        &self,
        site: &str,
        token_hash: &str,
    ) -> StoreResult<Option<Conversation>> {
        conversations::find_by_token(&mut *self.conn().await?, site, token_hash).await
    }

    async fn add_message(
        &self,
        site: &str,
        conversation: ConversationId,
        message: &NewMessage,
    ) -> StoreResult<Option<Message>> {
        let mut tx = self.pool.begin().await?;
        let added = conversations::add_message(&mut tx, site, conversation, message).await?;
        if added.is_some() {
            listener::conversation_changed(&mut tx, site, conversation).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn messages_after(
        &self,
        site: &str,
        conversation: ConversationId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        conversations::messages_after(&mut *self.conn().await?, site, conversation, after, limit)
            .await
    }

    async fn add_reply(
        &self,
        site: &str,
        conversation: ConversationId,
        message: &NewMessage,
        delivery: Option<&Delivery>,
    ) -> StoreResult<Option<Message>> {
        let mut tx = self.pool.begin().await?;
        let added =
            conversation_flow::add_reply(&mut tx, site, conversation, message, delivery).await?;
        tx.commit().await?;
        if added.is_some() && delivery.is_some() {
            self.wake(&[Queue::Outbound]);
        }
        Ok(added)
    }

    async fn list_conversations(
        &self,
        sites: &[String],
        filter: &ConversationFilter,
    ) -> StoreResult<Vec<ConversationSummary>> {
        conversation_flow::list(&mut *self.conn().await?, sites, filter).await
    }

    async fn set_conversation_status(
        &self,
        site: &str,
        conversation: ConversationId,
        status: ConversationStatus,
        now: Millis,
    ) -> StoreResult<Option<Conversation>> {
        let mut tx = self.pool.begin().await?;
        let updated =
            conversation_flow::set_status(&mut tx, site, conversation, status, now).await?;
        tx.commit().await?;
        Ok(updated)
    }

    async fn mark_conversation_read(
        &self,
        site: &str,
        conversation: ConversationId,
        seq: i64,
    ) -> StoreResult<bool> {
        conversation_flow::mark_read(&mut *self.conn().await?, site, conversation, seq).await
    }

    async fn resume_conversation(
        &self,
        site: &str,
        customer_id: &str,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<Conversation>> {
        let mut tx = self.pool.begin().await?;
        let resumed =
            conversation_flow::resume(&mut tx, site, customer_id, token_hash, now).await?;
        tx.commit().await?;
        Ok(resumed)
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        sessions::create(&mut *self.conn().await?, session).await
    }

    async fn find_session(&self, id_hash: &str, now: Millis) -> StoreResult<Option<Session>> {
        sessions::find_live(&mut *self.conn().await?, id_hash, now).await
    }

    async fn touch_session(
        &self,
        id_hash: &str,
        now: Millis,
        idle_until: Millis,
    ) -> StoreResult<bool> {
        sessions::touch(&mut *self.conn().await?, id_hash, now, idle_until).await
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<bool> {
        sessions::delete(&mut *self.conn().await?, id_hash).await
    }

    async fn sweep_sessions(&self, now: Millis) -> StoreResult<u64> {
        sessions::sweep(&mut *self.conn().await?, now).await
    }

    async fn row_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let mut conn = self.conn().await?;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
             AND tablename NOT LIKE '\\_sqlx\\_%' ORDER BY tablename",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut counts = Vec::with_capacity(tables.len());
        for table in tables {
            let quoted = table.replace('"', "\"\"");
            let row = sqlx::query(&format!("SELECT COUNT(*) FROM \"{quoted}\""))
                .fetch_one(&mut *conn)
                .await?;
            counts.push((table, row.try_get(0)?));
        }
        Ok(counts)
    }
}
