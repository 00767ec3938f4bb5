//! Group commit: one task writes whatever webhook and funnel rows are queued in one transaction.
//!
//! Every webhook must be durable before it is acknowledged, and one fsync per request caps
//! SQLite at a few thousand requests per second. Requests instead hand their rows to this task
//! and wait; it commits everything queued so far together, with no timer, so a lone request is
//! committed at once and a burst shares one commit (see docs/toolchain.md in the brief: ~5x).

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use crate::store::{NewEvent, NewInbound, StoreError, StoreResult};

/// A row for the group-commit writer.
#[derive(Debug)]
pub(super) enum Row {
    /// A webhook event (deduplicated on its key).
    Inbound(NewInbound),
    /// A funnel event.
    Event(NewEvent),
}

struct Job {
    rows: Vec<Row>,
    done: oneshot::Sender<Result<usize, String>>,
}

/// Handle to the writer task. Dropping every handle stops the task.
#[derive(Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

/// The most jobs one transaction takes, so one commit never grows without bound.
const MAX_JOBS_PER_COMMIT: usize = 512;

impl Writer {
    pub(super) fn spawn(pool: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_JOBS_PER_COMMIT);
        tokio::spawn(run(pool, queue));
        Self { jobs }
    }

    /// Writes the rows and returns how many were new, once they are committed.
    pub(super) async fn write(&self, rows: Vec<Row>) -> StoreResult<usize> {
        let (done, committed) = oneshot::channel();
        self.jobs
            .send(Job { rows, done })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        committed
            .await
            .map_err(|_| StoreError::WriterGone)?
            .map_err(StoreError::GroupCommit)
    }
}

async fn run(pool: SqlitePool, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_JOBS_PER_COMMIT);
    while queue.recv_many(&mut jobs, MAX_JOBS_PER_COMMIT).await > 0 {
        match commit(&pool, &jobs).await {
            Ok(counts) => {
                for (job, count) in jobs.drain(..).zip(counts) {
                    let _ = job.done.send(Ok(count));
                }
            }
            Err(error) => {
                tracing::error!(%error, jobs = jobs.len(), "group commit failed");
                for job in jobs.drain(..) {
                    let _ = job.done.send(Err(error.to_string()));
                }
            }
        }
    }
}

async fn commit(pool: &SqlitePool, jobs: &[Job]) -> Result<Vec<usize>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut counts = Vec::with_capacity(jobs.len());
    for job in jobs {
        let mut new_rows = 0;
        for row in &job.rows {
            new_rows += insert(&mut tx, row).await?;
        }
        counts.push(new_rows);
    }
    tx.commit().await?;
    Ok(counts)
}

async fn insert(tx: &mut sqlx::SqliteConnection, row: &Row) -> Result<usize, sqlx::Error> {
    let result = match row {
        Row::Inbound(inbound) => {
            let event =
                serde_json::to_string(&inbound.event).map_err(|e| sqlx::Error::Encode(e.into()))?;
            sqlx::query(
                "INSERT INTO inbound (site, channel, dedupe_key, event, received_at) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (site, channel, dedupe_key) DO NOTHING",
            )
            .bind(&inbound.site)
            .bind(inbound.channel.as_str())
            .bind(&inbound.dedupe_key)
            .bind(event)
            .bind(inbound.received_at)
            .execute(&mut *tx)
            .await?
        }
        Row::Event(event) => {
            let attribution = super::rows::to_json_opt(event.attribution.as_ref())?;
            sqlx::query(
                "INSERT INTO events (site, kind, channel, at, attribution) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&event.site)
            .bind(&event.kind)
            .bind(event.channel.map(|c| c.as_str()))
            .bind(event.at)
            .bind(attribution)
            .execute(&mut *tx)
            .await?
        }
    };
    Ok(result.rows_affected() as usize)
}
