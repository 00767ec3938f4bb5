//! Group commit: one task runs every write, committing whatever is queued in one transaction.
//!
//! SQLite has one writer, and one fsync per request would cap it at a few thousand writes per
//! second. Every write — webhook rows, claims, processing results, delivery results — is a job
//! handed to this task; it runs all queued jobs in one transaction, each inside its own
//! savepoint, and commits once. A lone job is committed at once (no timer), a burst shares one
//! fsync, and a job that fails rolls back alone: the others in its group still commit.

use std::sync::{Arc, Mutex};

use sqlx::{Acquire, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::BoxFuture;
use crate::store::{StoreError, StoreResult};

type Work = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<(), StoreError>> + Send,
>;

struct Job {
    work: Work,
    /// Whether the job runs in a savepoint of its own (see `append` for when it need not).
    savepoint: bool,
    done: oneshot::Sender<StoreResult<()>>,
}

/// Handle to the writer task. Dropping every handle stops the task.
#[derive(Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

/// The most jobs one transaction takes, so one commit never grows without bound.
const MAX_JOBS_PER_COMMIT: usize = 512;

impl Writer {
    /// Starts the task.
    pub(super) fn spawn(pool: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_JOBS_PER_COMMIT);
        tokio::spawn(run(pool, queue));
        Self { jobs }
    }

    /// Whether the task has stopped (it never does while the store lives, unless it panicked).
    pub(super) fn is_stopped(&self) -> bool {
        self.jobs.is_closed()
    }

    /// Resolves when the task has stopped.
    pub(super) async fn stopped(&self) {
        self.jobs.closed().await;
    }

    /// Runs `work` in the next group and returns its result once the group has committed.
    pub(super) async fn run<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
    {
        self.submit(work, true).await
    }

    /// Like `run`, for work that only appends rows and is idempotent (webhook and funnel
    /// rows): it skips the savepoint, which is most of such a job's cost. If it fails halfway,
    /// the rows it wrote before the failure commit with the group while its caller gets the
    /// error — harmless for rows that are deduplicated when the caller retries.
    pub(super) async fn append<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
    {
        self.submit(work, false).await
    }

    async fn submit<T, F>(&self, work: F, savepoint: bool) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
    {
        let slot = Arc::new(Mutex::new(None));
        let filled = slot.clone();
        let work: Work = Box::new(move |conn| {
            Box::pin(async move {
                let value = work(conn).await?;
                if let Ok(mut slot) = filled.lock() {
                    *slot = Some(value);
                }
                Ok(())
            })
        });
        let (done, committed) = oneshot::channel();
        self.jobs
            .send(Job {
                work,
                savepoint,
                done,
            })
            .await
            .map_err(|_| StoreError::TaskGone("writer"))?;
        committed
            .await
            .map_err(|_| StoreError::TaskGone("writer"))??;
        slot.lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .ok_or(StoreError::TaskGone("writer"))
    }
}

async fn run(pool: SqlitePool, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_JOBS_PER_COMMIT);
    while queue.recv_many(&mut jobs, MAX_JOBS_PER_COMMIT).await > 0 {
        let outcomes = commit(&pool, &mut jobs).await;
        for (job, outcome) in jobs.drain(..).zip(outcomes) {
            let _ = job.done.send(outcome);
        }
    }
}

/// Runs every job in one transaction; returns one outcome per job, in order.
async fn commit(pool: &SqlitePool, jobs: &mut [Job]) -> Vec<StoreResult<()>> {
    let works: Vec<(Work, bool)> = jobs
        .iter_mut()
        .map(|job| {
            let work = std::mem::replace(&mut job.work, Box::new(|_| Box::pin(async { Ok(()) })));
            (work, job.savepoint)
        })
        .collect();
    let group_failed = |error: &sqlx::Error, count: usize| {
        tracing::error!(%error, jobs = count, "group commit failed");
        let message = format!("group commit failed: {error}");
        (0..count)
            .map(|_| Err(StoreError::Database(sqlx::Error::Protocol(message.clone()))))
            .collect()
    };
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(error) => return group_failed(&error, works.len()),
    };
    let mut tx = match conn.begin().await {
        Ok(tx) => tx,
        Err(error) => return group_failed(&error, works.len()),
    };
    let mut outcomes = Vec::with_capacity(works.len());
    for (work, savepoint) in works {
        outcomes.push(if savepoint {
            in_savepoint(&mut tx, work).await
        } else {
            work(&mut tx).await
        });
    }
    match tx.commit().await {
        Ok(()) => outcomes,
        Err(error) => group_failed(&error, outcomes.len()),
    }
}

async fn in_savepoint(conn: &mut SqliteConnection, work: Work) -> StoreResult<()> {
    let mut savepoint = conn.begin().await?;
    match work(&mut savepoint).await {
        Ok(()) => Ok(savepoint.commit().await?),
        Err(error) => {
            let _ = savepoint.rollback().await;
            Err(error)
        }
    }
}
