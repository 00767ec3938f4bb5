//! Wake-ups across relays: `LISTEN ferry_work` and `ferry_conversations`, and a `WorkSignals`
//! wake-up per notification.
//!
//! Every transaction that adds work sends `pg_notify('ferry_work', <queue>)`, and every one that
//! changes a conversation `pg_notify('ferry_conversations', '<id> <site>')`, which PostgreSQL
//! delivers at commit to every listening relay, this one included. The listener holds its own
//! connection. When that connection drops it connects again and wakes every queue once, since
//! notifications sent meanwhile are lost; if it cannot connect for `GIVE_UP_AFTER` it stops, and
//! the store reports it stopped (the relay exits for its supervisor to restart it). Without
//! notifications the worker loops still poll, so a short outage only delays work.

use std::time::Duration;

use sqlx::{
    PgConnection,
    postgres::{PgListener, PgPoolOptions},
};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::pool::Target;
use crate::store::{Queue, StoreResult, WorkSignals};

/// The notification channel of the work queues.
pub(super) const CHANNEL: &str = "ferry_work";
/// The notification channel of conversations' changes.
const CONVERSATIONS: &str = "ferry_conversations";

/// The listener's `application_name`, to tell its connection apart in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "ferry listener";

/// How long the listener tries to reconnect before it gives up.
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);
/// The longest pause between two reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Sends the notification for `queue`, delivered when the surrounding transaction commits.
pub(super) async fn notify(conn: &mut PgConnection, queue: Queue) -> StoreResult<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(queue.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// Says conversation `id` of `site` changed, delivered when the surrounding transaction
/// commits.
pub(super) async fn conversation_changed(
    conn: &mut PgConnection,
    site: &str,
    id: crate::store::ConversationId,
) -> StoreResult<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CONVERSATIONS)
        .bind(format!("{} {site}", id.0))
        .execute(conn)
        .await?;
    Ok(())
}

/// The running listener task: `gone` is cancelled when the task has ended (given up, panicked,
/// or stopped with the store).
pub(super) struct Listener {
    pub(super) gone: CancellationToken,
    stop: CancellationToken,
}

impl Listener {
    /// Connects and subscribes (so a bad URL fails here), then runs in the background.
    pub(super) async fn start(target: &Target, signals: WorkSignals) -> StoreResult<Self> {
        let options = target.options.clone().application_name(APPLICATION_NAME);
        // PgListener takes its connection from a pool: one connection, kept however long it lives.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(options);
        let listener = subscribe(&pool).await?;
        let gone = CancellationToken::new();
        let stop = CancellationToken::new();
        tokio::spawn(run(
            pool,
            listener,
            signals,
            gone.clone().drop_guard(),
            stop.clone(),
        ));
        Ok(Self { gone, stop })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn subscribe(pool: &sqlx::PgPool) -> StoreResult<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen_all([CHANNEL, CONVERSATIONS]).await?;
    Ok(listener)
}

/// Receives until stopped or given up; `_gone` marks the end however it comes (even a panic).
async fn run(
    pool: sqlx::PgPool,
    mut listener: PgListener,
    signals: WorkSignals,
    _gone: tokio_util::sync::DropGuard,
    stop: CancellationToken,
) {
    loop {
        let received = tokio::select! {
            () = stop.cancelled() => return,
            received = listener.try_recv() => received,
        };
        match received {
            Ok(Some(notification)) if notification.channel() == CONVERSATIONS => {
                let parsed = notification
                    .payload()
                    .split_once(' ')
                    .and_then(|(id, site)| {
                        Some((crate::store::ConversationId(id.parse().ok()?), site))
                    });
                if let Some((id, site)) = parsed {
                    signals.conversations.changed(site, id);
                }
            }
            Ok(Some(notification)) => {
                if let Some(queue) = Queue::parse(notification.payload()) {
                    signals.notify(queue);
                }
            }
            // The connection dropped and PgListener connected again at once.
            Ok(None) => {
                tracing::warn!("database notifications reconnected; waking every queue");
                wake_all(&signals);
            }
            Err(error) => {
                tracing::warn!(%error, "database notifications lost; reconnecting");
                drop(listener);
                let Some(again) = reconnect(&pool, &stop).await else {
                    return;
                };
                listener = again;
                wake_all(&signals);
            }
        }
    }
}

/// Connects and subscribes again, with backoff; `None` when stopped or given up.
async fn reconnect(pool: &sqlx::PgPool, stop: &CancellationToken) -> Option<PgListener> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(100);
    loop {
        match subscribe(pool).await {
            Ok(listener) => {
                tracing::info!("database notifications reconnected");
                return Some(listener);
            }
            Err(error) if started.elapsed() >= GIVE_UP_AFTER => {
                tracing::error!(%error, "database notifications gave up reconnecting");
                return None;
            }
            Err(error) => tracing::warn!(%error, "database notifications: reconnecting failed"),
        }
        tokio::select! {
            () = stop.cancelled() => return None,
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(MAX_BACKOFF);
    }
}

fn wake_all(signals: &WorkSignals) {
    for queue in Queue::ALL {
        signals.notify(queue);
    }
    signals.conversations.wake_everyone();
}
