//! The SQLite store: one file, WAL, full fsync on commit, one writer connection.
//!
//! All writes go through a single connection (SQLite has one writer anyway, and a single
//! connection rules out `SQLITE_BUSY` between our own transactions); reads use a small pool.
//! Webhook and funnel rows are group-committed by `writer`. Each use case lives in the
//! submodule named after what it touches; this file only opens transactions and delegates.

mod accounts;
mod delivery;
mod inbound;
mod intents;
mod rows;
mod subscribers;
mod writer;

use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{
    DeliveryResult, InboundEffects, Intent, IntentOutcome, LinkCodeError, NewEvent, NewInbound,
    Store, StoreResult, StoredInbound, StoredOutbound, StoredWebhook, Subscriber, SubscriberFilter,
};
use crate::channels::OutboundMessage;
use crate::domain::{ChannelKind, Customer, Millis, PlatformUserId, SubscriberId, now_millis};
use writer::{Row, Writer};

/// Processing attempts after which an inbound event is parked (kept, with its last error).
const MAX_INBOUND_ATTEMPTS: i64 = 10;

/// SQLite-backed `Store`.
pub struct SqliteStore {
    /// The single connection every write uses.
    writes: SqlitePool,
    /// Connections for reads (the same pool as `writes` for an in-memory database).
    reads: SqlitePool,
    /// Group-commit task for webhook and funnel rows.
    writer: Writer,
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let writes = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writes).await?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let reads = if in_memory {
            writes.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.read_only(true))
                .await?
        };
        let writer = Writer::spawn(writes.clone());
        Ok(Self {
            writes,
            reads,
            writer,
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reads).await?;
        Ok(())
    }

    async fn record_inbound(&self, batch: Vec<NewInbound>) -> StoreResult<usize> {
        self.writer
            .write(batch.into_iter().map(Row::Inbound).collect())
            .await
    }

    async fn record_event(&self, event: NewEvent) -> StoreResult<()> {
        self.writer.write(vec![Row::Event(event)]).await.map(drop)
    }

    async fn record_intent(&self, intent: Intent) -> StoreResult<IntentOutcome> {
        let mut tx = self.writes.begin().await?;
        let outcome = intents::record(&mut tx, &intent, crate::ingest::INTENT_LIFETIME_MS).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn find_intent(
        &self,
        site: &str,
        channel: ChannelKind,
        reference: &str,
        not_before: Millis,
    ) -> StoreResult<Option<Intent>> {
        intents::find(
            &mut *self.writes.acquire().await?,
            site,
            channel,
            reference,
            not_before,
        )
        .await
    }

    async fn find_subscriber(
        &self,
        site: &str,
        channel: ChannelKind,
        user: &PlatformUserId,
    ) -> StoreResult<Option<Subscriber>> {
        // Read through the writer connection: processing decides on what it just wrote.
        subscribers::by_user(&mut *self.writes.acquire().await?, site, channel, user).await
    }

    async fn pending_inbound(&self, limit: u32) -> StoreResult<Vec<StoredInbound>> {
        sqlx::query("SELECT id, site, channel, event, attempts FROM inbound WHERE processed_at IS NULL ORDER BY id LIMIT ?")
            .bind(limit)
            .fetch_all(&self.writes)
            .await?
            .iter()
            .map(rows::inbound)
            .collect()
    }

    async fn commit_inbound(
        &self,
        inbound_id: i64,
        effects: InboundEffects,
    ) -> StoreResult<Option<SubscriberId>> {
        let mut tx = self.writes.begin().await?;
        let subscriber = inbound::commit(&mut tx, inbound_id, effects, now_millis()).await?;
        tx.commit().await?;
        Ok(subscriber)
    }

    async fn fail_inbound(&self, inbound_id: i64, error: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE inbound SET attempts = attempts + 1, last_error = ?1, \
             processed_at = CASE WHEN attempts + 1 >= ?2 THEN ?3 ELSE NULL END WHERE id = ?4",
        )
        .bind(error)
        .bind(MAX_INBOUND_ATTEMPTS)
        .bind(now_millis())
        .bind(inbound_id)
        .execute(&self.writes)
        .await?;
        Ok(())
    }

    async fn due_outbound(&self, now: Millis, limit: u32) -> StoreResult<Vec<StoredOutbound>> {
        delivery::due_outbound(&mut *self.writes.acquire().await?, now, limit).await
    }

    async fn finish_outbound(
        &self,
        message: &StoredOutbound,
        result: DeliveryResult,
    ) -> StoreResult<()> {
        let mut tx = self.writes.begin().await?;
        delivery::finish_outbound(&mut tx, message, result, now_millis()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_subscribers(
        &self,
        site: &str,
        filter: &SubscriberFilter,
    ) -> StoreResult<Vec<Subscriber>> {
        subscribers::list(&mut *self.reads.acquire().await?, site, filter).await
    }

    async fn get_subscriber(
        &self,
        site: &str,
        id: SubscriberId,
    ) -> StoreResult<Option<Subscriber>> {
        subscribers::by_id(&mut *self.reads.acquire().await?, site, id).await
    }

    async fn complete_link(
        &self,
        site: &str,
        code: &str,
        customer: &Customer,
        confirmation: OutboundMessage,
        notify: bool,
    ) -> Result<Subscriber, LinkCodeError> {
        let mut tx = self.writes.begin().await.map_err(super::StoreError::from)?;
        let linked = accounts::complete_link(
            &mut tx,
            site,
            code,
            customer,
            confirmation,
            notify,
            now_millis(),
        )
        .await?;
        tx.commit().await.map_err(super::StoreError::from)?;
        Ok(linked)
    }

    async fn unlink(
        &self,
        site: &str,
        id: SubscriberId,
        notify: bool,
    ) -> StoreResult<Option<Subscriber>> {
        let mut tx = self.writes.begin().await?;
        let subscriber = accounts::unlink(&mut tx, site, id, notify, now_millis()).await?;
        tx.commit().await?;
        Ok(subscriber)
    }

    async fn erase_subscriber(&self, site: &str, id: SubscriberId) -> StoreResult<bool> {
        let mut tx = self.writes.begin().await?;
        let erased = accounts::erase(&mut tx, site, id).await?;
        tx.commit().await?;
        Ok(erased)
    }

    async fn due_webhooks(&self, now: Millis, limit: u32) -> StoreResult<Vec<StoredWebhook>> {
        delivery::due_webhooks(&mut *self.writes.acquire().await?, now, limit).await
    }

    async fn finish_webhook(&self, id: i64, result: DeliveryResult) -> StoreResult<()> {
        delivery::finish_webhook(&mut *self.writes.acquire().await?, id, result, now_millis()).await
    }
}
