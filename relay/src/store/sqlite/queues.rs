//! The three work queues on SQLite: claiming events with a lease column, and recording what came
//! of every claim (delivery claims: `claims.rs`).
//!
//! SQLite has a single writer, so a claim (`UPDATE … WHERE id IN (SELECT …) RETURNING`) is
//! atomic without row locks; the lease is what keeps a claimed row from being claimed again
//! until its owner reports back or the lease ends.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{batch, effects, rows};
use crate::domain::{ChannelKind, Millis};
use crate::store::{
    Claim, ClaimedInbound, Commit, ConversationId, DeliveryResult, InboundResolution, Queue,
    StoreResult,
};

pub(super) async fn claim_inbound(
    conn: &mut SqliteConnection,
    claim: &Claim,
) -> StoreResult<Vec<ClaimedInbound>> {
    let mut claimed: Vec<ClaimedInbound> = sqlx::query(
        "UPDATE inbound SET lease_owner = ?1, lease_until = ?2 WHERE id IN (\
           SELECT i.id FROM inbound i \
           WHERE i.processed_at IS NULL AND i.next_attempt_at <= ?3 \
             AND (i.lease_until IS NULL OR i.lease_until < ?3) \
             AND NOT EXISTS (SELECT 1 FROM inbound e WHERE e.processed_at IS NULL \
               AND e.site = i.site AND e.channel = i.channel AND e.user_id = i.user_id AND e.id < i.id) \
           ORDER BY i.id LIMIT ?4) \
         RETURNING id, site, channel, event, attempts",
    )
    .bind(&claim.owner)
    .bind(claim.until)
    .bind(claim.now)
    .bind(claim.limit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::inbound)
    .collect::<StoreResult<_>>()?;
    claimed.sort_by_key(|item| item.id);
    Ok(claimed)
}

/// Resolves claimed events: the common processed ones together (`batch`), the rest — and all
/// of them if the batch fails — each in its own savepoint. Returns the commits, in order, and
/// the queues that got new work.
pub(super) async fn resolve_inbound(
    conn: &mut SqliteConnection,
    owner: &str,
    resolved: Vec<(i64, InboundResolution)>,
    now: Millis,
) -> StoreResult<Resolved> {
    let held = held_by(conn, owner, resolved.iter().map(|(id, _)| *id)).await?;
    let mut commits = vec![Commit::LeaseLost; resolved.len()];
    let mut woken = Vec::new();
    let mut changed = Vec::new();
    let mut together = Vec::new();
    let mut alone = Vec::new();
    for (index, (id, resolution)) in resolved.into_iter().enumerate() {
        let Some((site, channel)) = held.get(&id) else {
            continue;
        };
        let channel = rows::parse_channel(channel)?;
        match resolution {
            InboundResolution::Processed(effects) if batch::eligible(&effects) => {
                together.push((
                    index,
                    batch::Item {
                        id,
                        site: site.clone(),
                        channel,
                        effects,
                    },
                ));
            }
            other => alone.push((index, id, site.clone(), channel, other)),
        }
    }
    if !together.is_empty() {
        let (indices, items): (Vec<usize>, Vec<batch::Item>) = together.into_iter().unzip();
        match batch::apply(conn, &items, now).await {
            Ok(subscribers) => {
                for ((index, item), subscriber) in indices.iter().zip(&items).zip(subscribers) {
                    commits[*index] = Commit::Done(subscriber);
                    woken.extend(work_added(&item.effects));
                }
            }
            Err(error) => {
                tracing::warn!(%error, events = items.len(), "a batch of events failed; applying them one by one");
                for (index, item) in indices.into_iter().zip(items) {
                    let resolution = InboundResolution::Processed(item.effects);
                    alone.push((index, item.id, item.site, item.channel, resolution));
                }
            }
        }
    }
    alone.sort_by_key(|(index, ..)| *index);
    for (index, id, site, channel, resolution) in alone {
        let wake = (&mut woken, &mut changed);
        commits[index] = resolve_one(conn, id, &site, channel, resolution, now, wake).await?;
    }
    woken.sort_by_key(|queue| queue.as_str());
    woken.dedup();
    Ok(Resolved {
        commits,
        woken,
        changed,
    })
}

/// What resolving a claim did.
pub(super) struct Resolved {
    /// One per resolution, in order.
    pub commits: Vec<Commit>,
    /// Queues that got work.
    pub woken: Vec<Queue>,
    /// Conversations that changed.
    pub changed: Vec<(String, ConversationId)>,
}

/// The events among `ids` whose lease `owner` still holds, with their site and channel.
async fn held_by(
    conn: &mut SqliteConnection,
    owner: &str,
    ids: impl Iterator<Item = i64>,
) -> StoreResult<HashMap<i64, (String, String)>> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT id, site, channel FROM inbound WHERE processed_at IS NULL AND lease_owner = ",
    );
    query.push_bind(owner);
    query.push(" AND id IN (");
    let mut list = query.separated(", ");
    let mut any = false;
    for id in ids {
        list.push_bind(id);
        any = true;
    }
    if !any {
        return Ok(HashMap::new());
    }
    query.push(")");
    let held: Vec<(i64, String, String)> = query.build_query_as().fetch_all(conn).await?;
    Ok(held
        .into_iter()
        .map(|(id, site, channel)| (id, (site, channel)))
        .collect())
}

/// The queues applied effects add work to.
fn work_added(effects: &crate::store::Effects) -> Vec<Queue> {
    let mut queues = Vec::new();
    if !effects.replies.is_empty() {
        queues.push(Queue::Outbound);
    }
    if !effects.notify.is_empty() {
        queues.push(Queue::Webhooks);
    }
    queues
}

/// Resolves one held event in its own savepoint.
async fn resolve_one(
    conn: &mut SqliteConnection,
    id: i64,
    site: &str,
    channel: ChannelKind,
    resolution: InboundResolution,
    now: Millis,
    (woken, changed): (&mut Vec<Queue>, &mut Vec<(String, ConversationId)>),
) -> StoreResult<Commit> {
    Ok(match resolution {
        InboundResolution::Processed(effects) => {
            let added = work_added(&effects);
            let commit = effects::apply_atomically(
                &mut *conn,
                site,
                channel,
                *effects,
                now,
                Some(id),
                changed,
            )
            .await?;
            match &commit {
                Commit::Done(_) => woken.extend(added),
                // Decided again from the new state, by whoever claims it next.
                Commit::LinkSpent => {
                    release_inbound(&mut *conn, id).await?;
                    woken.push(Queue::Inbound);
                }
                // Still the owner's, to record the failure as a retry or park it.
                Commit::Failed(_) | Commit::LeaseLost => {}
            }
            commit
        }
        InboundResolution::Retry { at, error } => {
            sqlx::query(
                "UPDATE inbound SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, \
                 lease_owner = NULL, lease_until = NULL WHERE id = ?",
            )
            .bind(at)
            .bind(error)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Commit::Done(None)
        }
        InboundResolution::Park { error } => {
            sqlx::query(
                "UPDATE inbound SET attempts = attempts + 1, processed_at = ?1, parked_at = ?1, \
                 last_error = ?2, lease_owner = NULL, lease_until = NULL WHERE id = ?3",
            )
            .bind(now)
            .bind(error)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Commit::Done(None)
        }
        InboundResolution::Release => {
            release_inbound(&mut *conn, id).await?;
            woken.push(Queue::Inbound);
            Commit::Done(None)
        }
    })
}

/// Marks a webhook event processed (inside `effects::apply_atomically`'s savepoint).
pub(super) async fn mark_processed(
    conn: &mut SqliteConnection,
    id: i64,
    now: Millis,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE inbound SET processed_at = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ?",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn release_inbound(conn: &mut SqliteConnection, id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE inbound SET lease_owner = NULL, lease_until = NULL WHERE id = ?")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub(super) async fn finish_outbound(
    conn: &mut SqliteConnection,
    owner: &str,
    id: i64,
    result: DeliveryResult,
    now: Millis,
) -> StoreResult<()> {
    match result {
        DeliveryResult::Sent {
            platform_message_id,
        } => {
            sqlx::query(
                "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, platform_message_id = ?, \
                 last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'pending'",
            )
            .bind(now)
            .bind(platform_message_id)
            .bind(id)
            .execute(conn)
            .await?;
        }
        DeliveryResult::Retry { at, error } => {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, \
                 lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending'",
            )
            .bind(at)
            .bind(error)
            .bind(id)
            .bind(owner)
            .execute(conn)
            .await?;
        }
        DeliveryResult::Failed { error, unsubscribe } => {
            let failed: Option<i64> = sqlx::query_scalar(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, \
                 lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending' \
                 RETURNING subscriber_id",
            )
            .bind(error)
            .bind(id)
            .bind(owner)
            .fetch_optional(&mut *conn)
            .await?;
            if let (Some(subscriber), true) = (failed, unsubscribe) {
                sqlx::query(
                    "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = COALESCE(unsubscribed_at, ?) WHERE id = ?",
                )
                .bind(now)
                .bind(subscriber)
                .execute(conn)
                .await?;
            }
        }
    }
    Ok(())
}

pub(super) async fn finish_webhook(
    conn: &mut SqliteConnection,
    owner: &str,
    id: i64,
    result: DeliveryResult,
    now: Millis,
) -> StoreResult<()> {
    match result {
        DeliveryResult::Sent { .. } => {
            sqlx::query(
                "UPDATE merchant_webhooks SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, \
                 last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'pending'",
            )
            .bind(now)
            .bind(id)
            .execute(conn)
            .await?;
        }
        DeliveryResult::Retry { at, error } => {
            sqlx::query(
                "UPDATE merchant_webhooks SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, \
                 lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending'",
            )
            .bind(at)
            .bind(error)
            .bind(id)
            .bind(owner)
            .execute(conn)
            .await?;
        }
        DeliveryResult::Failed { error, .. } => {
            sqlx::query(
                "UPDATE merchant_webhooks SET status = 'failed', attempts = attempts + 1, last_error = ?, \
                 lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending'",
            )
            .bind(error)
            .bind(id)
            .bind(owner)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// Ends every lease: the SQLite store is one process's alone (see `SqliteStore::connect`), so
/// leases found at start belong to a process that is gone.
pub(super) async fn release_all(conn: &mut SqliteConnection) -> StoreResult<()> {
    for table in ["inbound", "outbox", "merchant_webhooks"] {
        sqlx::query(&format!(
            "UPDATE {table} SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
