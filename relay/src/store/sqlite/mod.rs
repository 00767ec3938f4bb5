//! The SQLite store: one file, WAL, full fsync on commit, one writer, one relay process.
//!
//! Every write goes through the group-commit `writer` (SQLite has one writer anyway, and sharing
//! fsyncs is what makes durable writes cheap); reads use a small pool of read-only connections.
//! A relay holds an exclusive lock on `<file>.lock` while it runs, so a second relay on the same
//! file refuses to start instead of corrupting the work queues' leases — several relays need
//! PostgreSQL. Each use case lives in the submodule named after what it touches; this file only
//! routes calls.

mod batch;
mod claims;
mod conversation_flow;
mod conversations;
mod effects;
mod intents;
mod queues;
mod records;
mod rows;
mod sessions;
mod subscribers;
mod writer;

use std::{fs::File, future::Future, path::Path, pin::Pin, str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    Row, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{
    Claim, ClaimedInbound, ClaimedOutbound, ClaimedWebhook, Commit, Conversation,
    ConversationFilter, ConversationId, ConversationStatus, ConversationSummary, Delivery,
    DeliveryResult, Effects, InboundResolution, Intent, Lane, LaneRoom, LinkCodeRecord, Message,
    NewConversation, NewEvent, NewInbound, NewMessage, NewSession, Queue, Session, Store,
    StoreError, StoreResult, Subscriber, SubscriberFilter, WorkSignals,
};
use crate::domain::{ChannelKind, Millis, PlatformUserId, SubscriberId};
use writer::Writer;

/// A boxed future borrowing a connection, as the writer's jobs return.
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// SQLite-backed `Store`.
pub struct SqliteStore {
    /// Connections for reads (the writer's pool for an in-memory database).
    reads: SqlitePool,
    /// The group-commit task every write goes through.
    writer: Writer,
    /// Woken after commits that add work.
    signals: WorkSignals,
    /// The exclusive lock on `<file>.lock`, held while the store lives (none in memory).
    _lock: Option<File>,
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`, locks it for this
    /// process, and ends leases left by a process that is gone.
    pub async fn connect(url: &str, signals: WorkSignals) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            // Processing rolls a failed event back to its savepoint, and SQLite journals every
            // page a savepoint touches; in a temporary file that is a write call per page.
            .pragma("temp_store", "memory");
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let lock = if in_memory {
            None
        } else {
            Some(lock(options.get_filename())?)
        };
        // A local file does not drop connections: skip the ping sqlx sends before handing one
        // out, a round trip to the connection's thread per query.
        let writes = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writes).await?;
        queues::release_all(&mut *writes.acquire().await?).await?;
        let reads = if in_memory {
            writes.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .connect_with(options.read_only(true))
                .await?
        };
        let writer = Writer::spawn(writes);
        Ok(Self {
            reads,
            writer,
            signals,
            _lock: lock,
        })
    }

    fn wake(&self, queues: &[Queue]) {
        for queue in queues {
            self.signals.notify(*queue);
        }
    }

    /// Signals conversations changed by a committed write.
    fn changed(&self, conversations: &[(String, ConversationId)]) {
        for (site, id) in conversations {
            self.signals.conversations.changed(site, *id);
        }
    }
}

/// Takes the exclusive lock beside the database file, or says who holds it.
fn lock(database: &Path) -> StoreResult<File> {
    let mut path = database.as_os_str().to_owned();
    path.push(".lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| {
            StoreError::Locked(format!("cannot open {}: {e}", Path::new(&path).display()))
        })?;
    file.try_lock().map_err(|_| {
        StoreError::Locked(format!(
            "another relay is using {} (one relay per SQLite file; use PostgreSQL to run several)",
            database.display()
        ))
    })?;
    Ok(file)
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        if self.writer.is_stopped() {
            return Err(StoreError::TaskGone("writer"));
        }
        sqlx::query("SELECT 1").execute(&self.reads).await?;
        Ok(())
    }

    async fn stopped(&self) -> StoreError {
        self.writer.stopped().await;
        StoreError::TaskGone("writer")
    }

    async fn record_inbound(&self, batch: Vec<NewInbound>) -> StoreResult<usize> {
        let stored = self.writer.insert_inbound(batch).await?;
        if stored > 0 {
            self.wake(&[Queue::Inbound]);
        }
        Ok(stored)
    }

    async fn claim_inbound(&self, claim: &Claim) -> StoreResult<Vec<ClaimedInbound>> {
        let claim = claim.clone();
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move { queues::claim_inbound(conn, &claim).await })
            })
            .await
    }

    async fn resolve_inbound(
        &self,
        owner: &str,
        resolved: Vec<(i64, InboundResolution)>,
        now: Millis,
    ) -> StoreResult<Vec<Commit>> {
        let owner = owner.to_owned();
        let resolved = self
            .writer
            .run(move |conn| {
                Box::pin(async move { queues::resolve_inbound(conn, &owner, resolved, now).await })
            })
            .await?;
        self.wake(&resolved.woken);
        self.changed(&resolved.changed);
        Ok(resolved.commits)
    }

    async fn apply(
        &self,
        site: &str,
        channel: ChannelKind,
        effects: Effects,
        now: Millis,
    ) -> StoreResult<Commit> {
        let site = site.to_owned();
        let woken = effects_queues(&effects);
        let (commit, changed) = self
            .writer
            .run(move |conn| {
                Box::pin(async move {
                    let mut changed = Vec::new();
                    let commit = effects::apply_atomically(
                        conn,
                        &site,
                        channel,
                        effects,
                        now,
                        None,
                        &mut changed,
                    )
                    .await?;
                    Ok((commit, changed))
                })
            })
            .await?;
        if matches!(commit, Commit::Done(_)) {
            self.wake(&woken);
            self.changed(&changed);
        }
        Ok(commit)
    }

    async fn record_event(&self, event: NewEvent) -> StoreResult<()> {
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move { records::insert_event(conn, &event).await })
            })
            .await
    }

    async fn insert_intent(&self, intent: &Intent) -> StoreResult<Option<Intent>> {
        let intent = intent.clone();
        self.writer
            .run(move |conn| Box::pin(async move { intents::insert(conn, &intent).await }))
            .await
    }

    async fn replace_intent(
        &self,
        replaced_created_at: Millis,
        intent: &Intent,
    ) -> StoreResult<bool> {
        let intent = intent.clone();
        self.writer
            .run(move |conn| {
                Box::pin(async move { intents::replace(conn, replaced_created_at, &intent).await })
            })
            .await
    }

    async fn find_intents(
        &self,
        site: &str,
        channel: ChannelKind,
        references: &[String],
    ) -> StoreResult<Vec<Intent>> {
        intents::find_all(&mut *self.reads.acquire().await?, site, channel, references).await
    }

    async fn find_subscribers(
        &self,
        site: &str,
        channel: ChannelKind,
        users: &[PlatformUserId],
    ) -> StoreResult<Vec<Subscriber>> {
        subscribers::by_users(&mut *self.reads.acquire().await?, site, channel, users).await
    }

    async fn get_subscriber(
        &self,
        site: &str,
        id: SubscriberId,
    ) -> StoreResult<Option<Subscriber>> {
        subscribers::by_id(&mut *self.reads.acquire().await?, site, id).await
    }

    async fn list_subscribers(
        &self,
        site: &str,
        filter: &SubscriberFilter,
    ) -> StoreResult<Vec<Subscriber>> {
        subscribers::list(&mut *self.reads.acquire().await?, site, filter).await
    }

    async fn find_link_code(&self, site: &str, code: &str) -> StoreResult<Option<LinkCodeRecord>> {
        subscribers::link_code(&mut *self.reads.acquire().await?, site, code).await
    }

    async fn erase_subscriber(&self, site: &str, id: SubscriberId) -> StoreResult<bool> {
        let site = site.to_owned();
        self.writer
            .run(move |conn| Box::pin(async move { subscribers::erase(conn, &site, id).await }))
            .await
    }

    async fn claim_outbound(
        &self,
        claim: &Claim,
        room: &LaneRoom<Lane>,
    ) -> StoreResult<Vec<ClaimedOutbound>> {
        let (claim, room) = (claim.clone(), room.clone());
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move { claims::claim_outbound(conn, &claim, &room).await })
            })
            .await
    }

    async fn finish_outbound(
        &self,
        owner: &str,
        id: i64,
        result: DeliveryResult,
        now: Millis,
    ) -> StoreResult<()> {
        let unsubscribe = match result {
            // The bulk of results: merged with the group's others into one statement.
            DeliveryResult::Sent {
                platform_message_id,
            } => {
                return self
                    .writer
                    .mark_sent(records::Sent {
                        id,
                        platform_message_id,
                        at: now,
                    })
                    .await;
            }
            DeliveryResult::Failed { unsubscribe, .. } => unsubscribe,
            DeliveryResult::Retry { .. } => false,
        };
        let owner = owner.to_owned();
        // Failing for good and unsubscribing is two statements; a retry is one.
        if unsubscribe {
            self.writer
                .run(move |conn| {
                    Box::pin(
                        async move { queues::finish_outbound(conn, &owner, id, result, now).await },
                    )
                })
                .await
        } else {
            self.writer
                .run_statement(move |conn| {
                    Box::pin(
                        async move { queues::finish_outbound(conn, &owner, id, result, now).await },
                    )
                })
                .await
        }
    }

    async fn claim_webhooks(
        &self,
        claim: &Claim,
        room: &LaneRoom<String>,
    ) -> StoreResult<Vec<ClaimedWebhook>> {
        let (claim, room) = (claim.clone(), room.clone());
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move { claims::claim_webhooks(conn, &claim, &room).await })
            })
            .await
    }

    async fn finish_webhook(
        &self,
        owner: &str,
        id: i64,
        result: DeliveryResult,
        now: Millis,
    ) -> StoreResult<()> {
        let owner = owner.to_owned();
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move { queues::finish_webhook(conn, &owner, id, result, now).await })
            })
            .await
    }

    async fn start_conversation(
        &self,
        conversation: &NewConversation,
    ) -> StoreResult<Conversation> {
        let conversation = conversation.clone();
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move { conversations::start(conn, &conversation).await })
            })
            .await
    }

    async fn find_conversation(
        &self,
        site: &str,
        id: ConversationId,
    ) -> StoreResult<Option<Conversation>> {
        conversations::find(&mut *self.reads.acquire().await?, site, id).await
    }

    async fn find_conversation_by_token(
        &self,
        site: &str,
        token_hash: &str,
    ) -> StoreResult<Option<Conversation>> {
        conversations::find_by_token(&mut *self.reads.acquire().await?, site, token_hash).await
    }

    async fn add_message(
        &self,
        site: &str,
        conversation: ConversationId,
        message: &NewMessage,
    ) -> StoreResult<Option<Message>> {
        let (owned_site, message) = (site.to_owned(), message.clone());
        let added = self
            .writer
            .run(move |conn| {
                Box::pin(async move {
                    conversations::add_message(conn, &owned_site, conversation, &message).await
                })
            })
            .await?;
        if added.is_some() {
            self.signals.conversations.changed(site, conversation);
        }
        Ok(added)
    }

    async fn messages_after(
        &self,
        site: &str,
        conversation: ConversationId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        conversations::messages_after(
            &mut *self.reads.acquire().await?,
            site,
            conversation,
            after,
            limit,
        )
        .await
    }

    async fn add_reply(
        &self,
        site: &str,
        conversation: ConversationId,
        message: &NewMessage,
        delivery: Option<&Delivery>,
    ) -> StoreResult<Option<Message>> {
        let (owned_site, message) = (site.to_owned(), message.clone());
        let delivery = delivery.cloned();
        let queued = delivery.is_some();
        let added = self
            .writer
            .run(move |conn| {
                Box::pin(async move {
                    conversation_flow::add_reply(
                        conn,
                        &owned_site,
                        conversation,
                        &message,
                        delivery.as_ref(),
                    )
                    .await
                })
            })
            .await?;
        if added.is_some() {
            if queued {
                self.wake(&[Queue::Outbound]);
            }
            self.signals.conversations.changed(site, conversation);
        }
        Ok(added)
    }

    async fn list_conversations(
        &self,
        sites: &[String],
        filter: &ConversationFilter,
    ) -> StoreResult<Vec<ConversationSummary>> {
        conversation_flow::list(&mut *self.reads.acquire().await?, sites, filter).await
    }

    async fn set_conversation_status(
        &self,
        site: &str,
        conversation: ConversationId,
        status: ConversationStatus,
        now: Millis,
    ) -> StoreResult<Option<Conversation>> {
        let owned_site = site.to_owned();
        let updated = self
            .writer
            .run_statement(move |conn| {
                Box::pin(async move {
                    conversation_flow::set_status(conn, &owned_site, conversation, status, now)
                        .await
                })
            })
            .await?;
        if updated.is_some() {
            self.signals.conversations.changed(site, conversation);
        }
        Ok(updated)
    }

    async fn mark_conversation_read(
        &self,
        site: &str,
        conversation: ConversationId,
        seq: i64,
    ) -> StoreResult<bool> {
        let site = site.to_owned();
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move {
                    conversation_flow::mark_read(conn, &site, conversation, seq).await
                })
            })
            .await
    }

    async fn resume_conversation(
        &self,
        site: &str,
        customer_id: &str,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<Conversation>> {
        let (site, customer_id, token_hash) = (
            site.to_owned(),
            customer_id.to_owned(),
            token_hash.to_owned(),
        );
        self.writer
            .run(move |conn| {
                Box::pin(async move {
                    conversation_flow::resume(conn, &site, &customer_id, &token_hash, now).await
                })
            })
            .await
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        let session = session.clone();
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move { sessions::create(conn, &session).await })
            })
            .await
    }

    async fn find_session(&self, id_hash: &str, now: Millis) -> StoreResult<Option<Session>> {
        sessions::find_live(&mut *self.reads.acquire().await?, id_hash, now).await
    }

    async fn touch_session(
        &self,
        id_hash: &str,
        now: Millis,
        idle_until: Millis,
    ) -> StoreResult<bool> {
        let id_hash = id_hash.to_owned();
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move { sessions::touch(conn, &id_hash, now, idle_until).await })
            })
            .await
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<bool> {
        let id_hash = id_hash.to_owned();
        self.writer
            .run_statement(move |conn| {
                Box::pin(async move { sessions::delete(conn, &id_hash).await })
            })
            .await
    }

    async fn sweep_sessions(&self, now: Millis) -> StoreResult<u64> {
        self.writer
            .run_statement(move |conn| Box::pin(async move { sessions::sweep(conn, now).await }))
            .await
    }

    async fn row_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let mut conn = self.reads.acquire().await?;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%' ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut counts = Vec::with_capacity(tables.len());
        for table in tables {
            let row = sqlx::query(&format!("SELECT COUNT(*) FROM \"{table}\""))
                .fetch_one(&mut *conn)
                .await?;
            counts.push((table, row.try_get(0)?));
        }
        Ok(counts)
    }
}

/// The queues that get work when `effects` are applied.
fn effects_queues(effects: &Effects) -> Vec<Queue> {
    let mut queues = Vec::new();
    if !effects.replies.is_empty() {
        queues.push(Queue::Outbound);
    }
    if !effects.notify.is_empty() {
        queues.push(Queue::Webhooks);
    }
    queues
}
