//! Group commit: one task runs every write, committing whatever is queued in one transaction.
//!
//! SQLite has one writer, and one fsync per request would cap it at a few thousand writes per
//! second. Every write — webhook rows, claims, processing results, delivery results — is a job
//! handed to this task; it runs all queued jobs in one transaction and commits once. A lone job
//! is committed at once (no timer), a burst shares one fsync. Each job runs in a savepoint of its
//! own, so a job that fails rolls back alone and the others in its group still commit — except
//! the two kinds that make up the bulk of the traffic, which the group merges, since each
//! statement is a round trip to SQLite's thread: webhook rows (idempotent appends) go in with one
//! multi-row `INSERT`, and messages delivered are marked sent with one `UPDATE`.

use std::sync::{Arc, Mutex};

use sqlx::{Acquire, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::{BoxFuture, records};
use crate::store::{NewInbound, StoreError, StoreResult};

type Work = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<(), StoreError>> + Send,
>;

enum Job {
    /// Any write; in a savepoint of its own unless it is a single statement (which SQLite
    /// applies whole or not at all anyway).
    Work {
        work: Work,
        savepoint: bool,
        done: oneshot::Sender<StoreResult<()>>,
    },
    /// Webhook rows, inserted together with the group's other webhook rows; answered with how
    /// many were new.
    Inbound {
        rows: Vec<NewInbound>,
        done: oneshot::Sender<StoreResult<usize>>,
    },
    /// A message the platform accepted, marked sent together with the group's others.
    Sent {
        sent: records::Sent,
        done: oneshot::Sender<StoreResult<()>>,
    },
}

/// A webhook job's rows and where to answer it.
type InboundJob = (Vec<NewInbound>, oneshot::Sender<StoreResult<usize>>);

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

    /// `run` for work that is one statement: it needs no savepoint of its own (each savepoint
    /// is two more round trips to SQLite's thread).
    pub(super) async fn run_statement<T, F>(&self, work: F) -> StoreResult<T>
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
        self.send(Job::Work {
            work,
            savepoint,
            done,
        })
        .await?;
        committed
            .await
            .map_err(|_| StoreError::TaskGone("writer"))??;
        slot.lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .ok_or(StoreError::TaskGone("writer"))
    }

    /// Stores webhook rows with the group's others, skipping ones stored already; returns how
    /// many were new once the group has committed.
    pub(super) async fn insert_inbound(&self, rows: Vec<NewInbound>) -> StoreResult<usize> {
        let (done, committed) = oneshot::channel();
        self.send(Job::Inbound { rows, done }).await?;
        committed
            .await
            .map_err(|_| StoreError::TaskGone("writer"))?
    }

    /// Marks a message sent with the group's others, once the group has committed.
    pub(super) async fn mark_sent(&self, sent: records::Sent) -> StoreResult<()> {
        let (done, committed) = oneshot::channel();
        self.send(Job::Sent { sent, done }).await?;
        committed
            .await
            .map_err(|_| StoreError::TaskGone("writer"))?
    }

    async fn send(&self, job: Job) -> StoreResult<()> {
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::TaskGone("writer"))
    }
}

async fn run(pool: SqlitePool, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_JOBS_PER_COMMIT);
    while queue.recv_many(&mut jobs, MAX_JOBS_PER_COMMIT).await > 0 {
        commit(&pool, std::mem::take(&mut jobs)).await;
    }
}

/// Runs one group in one transaction and answers every job.
async fn commit(pool: &SqlitePool, jobs: Vec<Job>) {
    let mut inbound = Vec::new();
    let mut sent = Vec::new();
    let mut works = Vec::new();
    for job in jobs {
        match job {
            Job::Inbound { rows, done } => inbound.push((rows, done)),
            Job::Sent {
                sent: message,
                done,
            } => sent.push((message, done)),
            Job::Work {
                work,
                savepoint,
                done,
            } => works.push((work, savepoint, done)),
        }
    }
    let rows: usize = inbound.iter().map(|(rows, _)| rows.len()).sum();
    if works.is_empty() && sent.is_empty() && rows <= records::ROWS_PER_STATEMENT {
        return commit_inbound_alone(pool, inbound).await;
    }
    let outcome = async {
        let mut conn = pool.acquire().await?;
        let mut tx = conn.begin().await?;
        let batches: Vec<&[NewInbound]> = inbound.iter().map(|(rows, _)| rows.as_slice()).collect();
        let stored = records::insert_inbound_batches(&mut tx, &batches).await;
        let messages: Vec<&records::Sent> = sent.iter().map(|(message, _)| message).collect();
        let marked = records::mark_sent(&mut tx, &messages).await;
        let mut results = Vec::with_capacity(works.len());
        for (work, savepoint, _) in works.iter_mut() {
            let work = std::mem::replace(work, Box::new(|_| Box::pin(async { Ok(()) })));
            results.push(if *savepoint {
                in_savepoint(&mut tx, work).await
            } else {
                work(&mut tx).await
            });
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>((stored, marked, results))
    }
    .await;
    match outcome {
        Ok((stored, marked, results)) => {
            let marked = marked.map_err(|error| error.to_string());
            for (_, done) in sent {
                let _ = done.send(marked.clone().map_err(|error| refused(&error)));
            }
            answer_inbound(inbound, stored);
            for ((_, _, done), result) in works.into_iter().zip(results) {
                let _ = done.send(result);
            }
        }
        Err(error) => {
            tracing::error!(%error, jobs = inbound.len() + sent.len() + works.len(), "group commit failed");
            let message = format!("group commit failed: {error}");
            for (_, done) in inbound {
                let _ = done.send(Err(refused(&message)));
            }
            for (_, done) in sent {
                let _ = done.send(Err(refused(&message)));
            }
            for (_, _, done) in works {
                let _ = done.send(Err(refused(&message)));
            }
        }
    }
}

/// A group of webhook rows only, the bulk of a burst, that fits one statement: one `INSERT` is a
/// transaction of its own (all or nothing, synced before it returns), so the group commits in
/// one round trip to SQLite's thread instead of three.
async fn commit_inbound_alone(pool: &SqlitePool, inbound: Vec<InboundJob>) {
    let batches: Vec<&[NewInbound]> = inbound.iter().map(|(rows, _)| rows.as_slice()).collect();
    let stored = match pool.acquire().await {
        Ok(mut conn) => records::insert_inbound_batches(&mut conn, &batches).await,
        Err(error) => Err(error.into()),
    };
    if let Err(error) = &stored {
        tracing::error!(%error, jobs = inbound.len(), "storing webhook rows failed");
    }
    answer_inbound(inbound, stored);
}

/// Tells each webhook job how many of its rows were new, or why none went in.
fn answer_inbound(inbound: Vec<InboundJob>, stored: StoreResult<Vec<usize>>) {
    match stored {
        Ok(counts) => {
            for ((_, done), count) in inbound.into_iter().zip(counts) {
                let _ = done.send(Ok(count));
            }
        }
        Err(error) => {
            let message = error.to_string();
            for (_, done) in inbound {
                let _ = done.send(Err(refused(&message)));
            }
        }
    }
}

fn refused(message: &str) -> StoreError {
    StoreError::Refused(message.to_owned())
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
