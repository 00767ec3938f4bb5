//! The three work queues on SQLite: claiming with a lease column, and recording what came of it.
//!
//! SQLite has a single writer, so a claim (`UPDATE … WHERE id IN (SELECT …) RETURNING`) is
//! atomic without row locks; the lease is what keeps a claimed row from being claimed again
//! until its owner reports back or the lease ends.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{effects, rows};
use crate::domain::Millis;
use crate::store::{
    Claim, ClaimedInbound, ClaimedOutbound, ClaimedWebhook, Commit, DeliveryResult,
    InboundResolution, Lane, Queue, StoreResult,
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

/// Resolves each claimed event in its own savepoint; returns the commits and the queues that
/// got new work.
pub(super) async fn resolve_inbound(
    conn: &mut SqliteConnection,
    owner: &str,
    resolved: Vec<(i64, InboundResolution)>,
    now: Millis,
) -> StoreResult<(Vec<Commit>, Vec<Queue>)> {
    let mut commits = Vec::with_capacity(resolved.len());
    let mut woken = Vec::new();
    for (id, resolution) in resolved {
        let held: Option<(String, String)> = sqlx::query_as(
            "SELECT site, channel FROM inbound WHERE id = ? AND lease_owner = ? AND processed_at IS NULL",
        )
        .bind(id)
        .bind(owner)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((site, channel)) = held else {
            commits.push(Commit::LeaseLost);
            continue;
        };
        let commit = match resolution {
            InboundResolution::Processed(effects) => {
                let channel = rows::parse_channel(&channel)?;
                let replies = !effects.replies.is_empty();
                let notifies = !effects.notify.is_empty();
                let commit =
                    effects::apply_atomically(&mut *conn, &site, channel, *effects, now, Some(id))
                        .await?;
                match &commit {
                    Commit::Done(_) => {
                        if replies {
                            woken.push(Queue::Outbound);
                        }
                        if notifies {
                            woken.push(Queue::Webhooks);
                        }
                    }
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
        };
        commits.push(commit);
    }
    Ok((commits, woken))
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

pub(super) async fn claim_outbound(
    conn: &mut SqliteConnection,
    claim: &Claim,
    full: &[Lane],
) -> StoreResult<Vec<ClaimedOutbound>> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE outbox SET lease_owner = ");
    query.push_bind(&claim.owner);
    query.push(", lease_until = ").push_bind(claim.until);
    query.push(
        " WHERE id IN (SELECT o.id FROM outbox o WHERE o.status = 'pending' AND o.next_attempt_at <= ",
    );
    query.push_bind(claim.now);
    query.push(" AND (o.lease_until IS NULL OR o.lease_until < ");
    query.push_bind(claim.now);
    query.push(
        ") AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.status = 'pending' \
         AND e.subscriber_id = o.subscriber_id AND e.id < o.id)",
    );
    if !full.is_empty() {
        query.push(" AND (o.site, o.channel) NOT IN (VALUES ");
        let mut lanes = query.separated(", ");
        for lane in full {
            lanes.push("(");
            lanes.push_bind_unseparated(lane.site.clone());
            lanes.push_unseparated(", ");
            lanes.push_bind_unseparated(lane.channel.as_str());
            lanes.push_unseparated(")");
        }
        query.push(")");
    }
    query.push(" ORDER BY o.next_attempt_at, o.id LIMIT ");
    query.push_bind(claim.limit);
    query.push(") RETURNING id, site, channel, subscriber_id, recipient, message, attempts");
    let mut claimed: Vec<ClaimedOutbound> = query
        .build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(rows::outbound)
        .collect::<StoreResult<_>>()?;
    claimed.sort_by_key(|item| item.id);
    Ok(claimed)
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

pub(super) async fn claim_webhooks(
    conn: &mut SqliteConnection,
    claim: &Claim,
    full: &[String],
) -> StoreResult<Vec<ClaimedWebhook>> {
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new("UPDATE merchant_webhooks SET lease_owner = ");
    query.push_bind(&claim.owner);
    query.push(", lease_until = ").push_bind(claim.until);
    query.push(
        " WHERE id IN (SELECT w.id FROM merchant_webhooks w WHERE w.status = 'pending' AND w.next_attempt_at <= ",
    );
    query.push_bind(claim.now);
    query.push(" AND (w.lease_until IS NULL OR w.lease_until < ");
    query.push_bind(claim.now);
    query.push(
        ") AND NOT EXISTS (SELECT 1 FROM merchant_webhooks e WHERE e.status = 'pending' \
         AND e.site = w.site AND e.subscriber_id = w.subscriber_id AND e.id < w.id)",
    );
    if !full.is_empty() {
        query.push(" AND w.site NOT IN (");
        let mut sites = query.separated(", ");
        for site in full {
            sites.push_bind(site.clone());
        }
        query.push(")");
    }
    query.push(" ORDER BY w.next_attempt_at, w.id LIMIT ");
    query.push_bind(claim.limit);
    query.push(
        ") RETURNING id, site, event_id, event_type, snapshot, payload, created_at, attempts",
    );
    let mut claimed: Vec<ClaimedWebhook> = query
        .build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(rows::webhook)
        .collect::<StoreResult<_>>()?;
    claimed.sort_by_key(|item| item.id);
    Ok(claimed)
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
