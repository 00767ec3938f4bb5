//! Claiming messages and merchant webhooks for delivery on SQLite: soonest due first, one chat
//! (or one person's webhooks) at a time, and no more per lane than the lane has room for.
//!
//! The soonest-due candidates are picked first (bounded by the claim's limit, so the lane cap
//! costs a window over at most that many rows), then each lane keeps as many of its
//! candidates as it has room. Full lanes are left out of the candidates, so they never crowd
//! out lanes with room.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::rows;
use crate::store::{Claim, ClaimedOutbound, ClaimedWebhook, Lane, LaneRoom, StoreResult};

pub(super) async fn claim_outbound(
    conn: &mut SqliteConnection,
    claim: &Claim,
    room: &LaneRoom<Lane>,
) -> StoreResult<Vec<ClaimedOutbound>> {
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE outbox SET lease_owner = ");
    query.push_bind(&claim.owner);
    query.push(", lease_until = ").push_bind(claim.until);
    query.push(" WHERE id IN (");
    let open: Vec<(&Lane, u32)> = room.open().collect();
    if !open.is_empty() {
        query.push("WITH room (site, channel, room) AS (VALUES ");
        let mut lanes = query.separated(", ");
        for (lane, left) in &open {
            lanes.push("(");
            lanes.push_bind_unseparated(lane.site.clone());
            lanes.push_unseparated(", ");
            lanes.push_bind_unseparated(lane.channel.as_str());
            lanes.push_unseparated(", ");
            lanes.push_bind_unseparated(i64::from(*left));
            lanes.push_unseparated(")");
        }
        query.push(") ");
    }
    query.push(
        "SELECT c.id FROM (SELECT o.id, o.site, o.channel, ROW_NUMBER() OVER \
         (PARTITION BY o.site, o.channel ORDER BY o.next_attempt_at, o.id) AS place FROM \
         (SELECT o.id, o.site, o.channel, o.next_attempt_at FROM outbox o \
         WHERE o.status = 'pending' AND o.next_attempt_at <= ",
    );
    query.push_bind(claim.now);
    query.push(" AND (o.lease_until IS NULL OR o.lease_until < ");
    query.push_bind(claim.now);
    query.push(
        ") AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.status = 'pending' \
         AND e.subscriber_id = o.subscriber_id AND e.id < o.id)",
    );
    let full: Vec<&Lane> = room.full().collect();
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
    query.push(") o) c");
    if open.is_empty() {
        query.push(" WHERE c.place <= ");
    } else {
        query.push(
            " LEFT JOIN room r ON r.site = c.site AND r.channel = c.channel \
             WHERE c.place <= COALESCE(r.room, ",
        );
    }
    query.push_bind(i64::from(room.per_lane));
    if !open.is_empty() {
        query.push(")");
    }
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

pub(super) async fn claim_webhooks(
    conn: &mut SqliteConnection,
    claim: &Claim,
    room: &LaneRoom<String>,
) -> StoreResult<Vec<ClaimedWebhook>> {
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new("UPDATE merchant_webhooks SET lease_owner = ");
    query.push_bind(&claim.owner);
    query.push(", lease_until = ").push_bind(claim.until);
    query.push(" WHERE id IN (");
    let open: Vec<(&String, u32)> = room.open().collect();
    if !open.is_empty() {
        query.push("WITH room (site, room) AS (VALUES ");
        let mut sites = query.separated(", ");
        for (site, left) in &open {
            sites.push("(");
            sites.push_bind_unseparated((*site).clone());
            sites.push_unseparated(", ");
            sites.push_bind_unseparated(i64::from(*left));
            sites.push_unseparated(")");
        }
        query.push(") ");
    }
    query.push(
        "SELECT c.id FROM (SELECT w.id, w.site, ROW_NUMBER() OVER \
         (PARTITION BY w.site ORDER BY w.next_attempt_at, w.id) AS place FROM \
         (SELECT w.id, w.site, w.next_attempt_at FROM merchant_webhooks w \
         WHERE w.status = 'pending' AND w.next_attempt_at <= ",
    );
    query.push_bind(claim.now);
    query.push(" AND (w.lease_until IS NULL OR w.lease_until < ");
    query.push_bind(claim.now);
    query.push(
        ") AND NOT EXISTS (SELECT 1 FROM merchant_webhooks e WHERE e.status = 'pending' \
         AND e.site = w.site AND e.subscriber_id = w.subscriber_id AND e.id < w.id)",
    );
    let full: Vec<&String> = room.full().collect();
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
    query.push(") w) c");
    if open.is_empty() {
        query.push(" WHERE c.place <= ");
    } else {
        query.push(" LEFT JOIN room r ON r.site = c.site WHERE c.place <= COALESCE(r.room, ");
    }
    query.push_bind(i64::from(room.per_lane));
    if !open.is_empty() {
        query.push(")");
    }
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
