//! The SQLite store: one file, WAL, full fsync on commit, one writer connection.
//!
//! All writes go through a single connection (SQLite has one writer anyway, and a single
//! connection rules out `SQLITE_BUSY` between our own transactions); reads use a small pool.
//! Webhook and funnel rows are group-committed by `writer`.

mod rows;
mod writer;

use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{
    DeliveryResult, InboundEffects, Intent, IntentOutcome, NewEvent, NewInbound, Store,
    StoreResult, StoredInbound, StoredOutbound, Subscriber, SubscriberChange, SubscriberFilter,
};
use crate::domain::{ChannelKind, Millis, PlatformUserId, SubscriberId, now_millis};
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

const SUBSCRIBER_COLUMNS: &str = "id, site, channel, platform_user_id, display_name, status, ref, attribution, \
     subscribed_at, last_inbound_at, unsubscribed_at";

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
        let attribution = rows::to_json(&intent.attribution)?;
        let mut tx = self.writes.begin().await?;
        let existing = sqlx::query("SELECT site, channel, ref, created_at, attribution FROM intents WHERE site = ? AND channel = ? AND ref = ?")
            .bind(&intent.site)
            .bind(intent.channel.as_str())
            .bind(&intent.reference)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            let existing = rows::intent(&row)?;
            if existing.attribution == intent.attribution {
                return Ok(IntentOutcome::AlreadyRecorded);
            }
            if existing.created_at >= intent.created_at - crate::ingest::INTENT_LIFETIME_MS {
                return Ok(IntentOutcome::Conflict);
            }
        }
        sqlx::query(
            "INSERT INTO intents (site, channel, ref, created_at, attribution) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (site, channel, ref) DO UPDATE SET created_at = excluded.created_at, attribution = excluded.attribution",
        )
        .bind(&intent.site)
        .bind(intent.channel.as_str())
        .bind(&intent.reference)
        .bind(intent.created_at)
        .bind(&attribution)
        .execute(&mut *tx)
        .await?;
        // A subscriber may have arrived with this ref before the widget's request landed.
        let waiting: Vec<i64> = sqlx::query_scalar(
            "UPDATE subscribers SET attribution = ? WHERE site = ? AND channel = ? AND ref = ? AND attribution IS NULL RETURNING id",
        )
        .bind(&attribution)
        .bind(&intent.site)
        .bind(intent.channel.as_str())
        .bind(&intent.reference)
        .fetch_all(&mut *tx)
        .await?;
        for subscriber in waiting {
            sqlx::query("UPDATE events SET attribution = ? WHERE subscriber_id = ? AND ref = ? AND attribution IS NULL")
                .bind(&attribution)
                .bind(subscriber)
                .bind(&intent.reference)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(IntentOutcome::Created)
    }

    async fn find_intent(
        &self,
        site: &str,
        channel: ChannelKind,
        reference: &str,
        not_before: Millis,
    ) -> StoreResult<Option<Intent>> {
        sqlx::query("SELECT site, channel, ref, created_at, attribution FROM intents WHERE site = ? AND channel = ? AND ref = ? AND created_at >= ?")
            .bind(site)
            .bind(channel.as_str())
            .bind(reference)
            .bind(not_before)
            .fetch_optional(&self.writes)
            .await?
            .map(|row| rows::intent(&row))
            .transpose()
    }

    async fn find_subscriber(
        &self,
        site: &str,
        channel: ChannelKind,
        user: &PlatformUserId,
    ) -> StoreResult<Option<Subscriber>> {
        // Read through the writer connection: processing decides on what it just wrote.
        sqlx::query(&format!("SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE site = ? AND channel = ? AND platform_user_id = ?"))
            .bind(site)
            .bind(channel.as_str())
            .bind(user.as_str())
            .fetch_optional(&self.writes)
            .await?
            .map(|row| rows::subscriber(&row))
            .transpose()
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
        let (site, channel): (String, String) =
            sqlx::query_as("SELECT site, channel FROM inbound WHERE id = ?")
                .bind(inbound_id)
                .fetch_one(&mut *tx)
                .await?;
        let now = now_millis();
        let subscriber = match &effects.subscriber {
            SubscriberChange::None => None,
            SubscriberChange::Create(new) => {
                let attribution = rows::to_json_opt(new.attribution.as_ref())?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO subscribers (site, channel, platform_user_id, display_name, status, ref, attribution, subscribed_at, last_inbound_at) \
                     VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?) \
                     ON CONFLICT (site, channel, platform_user_id) DO UPDATE SET last_inbound_at = MAX(last_inbound_at, excluded.last_inbound_at) \
                     RETURNING id",
                )
                .bind(&site)
                .bind(&channel)
                .bind(new.platform_user_id.as_str())
                .bind(&new.display_name)
                .bind(&new.reference)
                .bind(attribution)
                .bind(new.at)
                .bind(new.at)
                .fetch_one(&mut *tx)
                .await?;
                Some(id)
            }
            SubscriberChange::Update {
                id,
                status,
                last_inbound_at,
            } => {
                sqlx::query(
                    "UPDATE subscribers SET status = ?1, last_inbound_at = MAX(last_inbound_at, ?2), \
                     unsubscribed_at = CASE WHEN ?1 = 'unsubscribed' THEN COALESCE(unsubscribed_at, ?3) ELSE NULL END WHERE id = ?4",
                )
                .bind(status.as_str())
                .bind(last_inbound_at)
                .bind(now)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
                Some(id.0)
            }
        };
        for event in &effects.events {
            sqlx::query("INSERT INTO events (site, kind, channel, at, subscriber_id, ref, attribution) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .bind(&site)
                .bind(event.kind)
                .bind(&channel)
                .bind(now)
                .bind(subscriber)
                .bind(&event.reference)
                .bind(rows::to_json_opt(event.attribution.as_ref())?)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(subscriber) = subscriber {
            for (index, reply) in effects.replies.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO outbox (site, channel, subscriber_id, recipient, message, dedupe_key, status, next_attempt_at, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
                )
                .bind(&site)
                .bind(&channel)
                .bind(subscriber)
                .bind(&reply.recipient)
                .bind(rows::to_json(&reply.message)?)
                .bind(format!("inbound:{inbound_id}:{index}"))
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query("UPDATE inbound SET processed_at = ? WHERE id = ?")
            .bind(now)
            .bind(inbound_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(subscriber.map(SubscriberId))
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
        sqlx::query(
            "SELECT id, site, channel, subscriber_id, recipient, message, attempts FROM outbox \
             WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.writes)
        .await?
        .iter()
        .map(rows::outbound)
        .collect()
    }

    async fn finish_outbound(
        &self,
        message: &StoredOutbound,
        result: DeliveryResult,
    ) -> StoreResult<()> {
        let now = now_millis();
        let mut tx = self.writes.begin().await?;
        match result {
            DeliveryResult::Sent {
                platform_message_id,
            } => {
                sqlx::query("UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, platform_message_id = ?, last_error = NULL WHERE id = ?")
                    .bind(now)
                    .bind(platform_message_id)
                    .bind(message.id)
                    .execute(&mut *tx)
                    .await?;
            }
            DeliveryResult::Retry { at, error } => {
                sqlx::query("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?")
                    .bind(at)
                    .bind(error)
                    .bind(message.id)
                    .execute(&mut *tx)
                    .await?;
            }
            DeliveryResult::Failed { error, unsubscribe } => {
                sqlx::query("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?")
                    .bind(error)
                    .bind(message.id)
                    .execute(&mut *tx)
                    .await?;
                if unsubscribe {
                    sqlx::query("UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = COALESCE(unsubscribed_at, ?) WHERE id = ?")
                        .bind(now)
                        .bind(message.subscriber_id.0)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_subscribers(
        &self,
        site: &str,
        filter: &SubscriberFilter,
    ) -> StoreResult<Vec<Subscriber>> {
        sqlx::query(&format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE site = ?1 \
             AND (?2 IS NULL OR channel = ?2) AND (?3 IS NULL OR status = ?3) \
             AND (?4 IS NULL OR subscribed_at >= ?4) AND (?5 IS NULL OR subscribed_at < ?5) \
             AND (?6 IS NULL OR id < ?6) ORDER BY id DESC LIMIT ?7"
        ))
        .bind(site)
        .bind(filter.channel.map(|c| c.as_str()))
        .bind(filter.status.map(|s| s.as_str()))
        .bind(filter.since)
        .bind(filter.until)
        .bind(filter.before_id)
        .bind(filter.limit)
        .fetch_all(&self.reads)
        .await?
        .iter()
        .map(rows::subscriber)
        .collect()
    }

    async fn get_subscriber(
        &self,
        site: &str,
        id: SubscriberId,
    ) -> StoreResult<Option<Subscriber>> {
        sqlx::query(&format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE site = ? AND id = ?"
        ))
        .bind(site)
        .bind(id.0)
        .fetch_optional(&self.reads)
        .await?
        .map(|row| rows::subscriber(&row))
        .transpose()
    }
}
