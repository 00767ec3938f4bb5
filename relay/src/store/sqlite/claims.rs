//! Claiming messages and merchant webhooks for delivery on SQLite: soonest due first, one chat
//! (or one person's webhooks) at a time, and no more per lane than the lane has room for.
//!
//! The soonest-due candidates are picked first (bounded by the claim's limit, so the lane cap
//! costs a window over at most that many rows), then each lane keeps as many of its
//! candidates as it has room. Full lanes are left out of the candidates, so they never crowd
//! out lanes with room. Both queues are claimed by one query shape; `DeliveryQueue` says what
//! differs.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection, sqlite::SqliteRow};

use super::rows;
use crate::store::{Claim, ClaimedOutbound, ClaimedWebhook, Lane, LaneRoom, StoreResult};

pub(super) async fn claim_outbound(
    conn: &mut SqliteConnection,
    claim: &Claim,
    room: &LaneRoom<Lane>,
) -> StoreResult<Vec<ClaimedOutbound>> {
    let mut claimed = claim_from(conn, &OUTBOX, claim, room, rows::outbound).await?;
    claimed.sort_by_key(|item| item.id);
    Ok(claimed)
}

pub(super) async fn claim_webhooks(
    conn: &mut SqliteConnection,
    claim: &Claim,
    room: &LaneRoom<String>,
) -> StoreResult<Vec<ClaimedWebhook>> {
    let mut claimed = claim_from(conn, &MERCHANT_WEBHOOKS, claim, room, rows::webhook).await?;
    claimed.sort_by_key(|item| item.id);
    Ok(claimed)
}

/// What one delivery queue's claim needs to know of its table (rows in it are `q`).
struct DeliveryQueue {
    table: &'static str,
    /// Only a person's oldest pending row is claimable (one chat, in order).
    head_of_person: &'static str,
    returning: &'static str,
}

const OUTBOX: DeliveryQueue = DeliveryQueue {
    table: "outbox",
    head_of_person: "NOT EXISTS (SELECT 1 FROM outbox e WHERE e.status = 'pending' \
                     AND e.subscriber_id = q.subscriber_id AND e.id < q.id)",
    returning: "id, site, channel, subscriber_id, recipient, message, attempts",
};

const MERCHANT_WEBHOOKS: DeliveryQueue = DeliveryQueue {
    table: "merchant_webhooks",
    head_of_person: "NOT EXISTS (SELECT 1 FROM merchant_webhooks e WHERE e.status = 'pending' \
                     AND e.site = q.site AND e.subscriber_id = q.subscriber_id \
                     AND e.id < q.id)",
    returning: "id, site, event_id, event_type, snapshot, payload, created_at, attempts",
};

/// A lane as its queue's table stores it.
trait LaneColumns {
    /// The columns that make up a lane, in order.
    const COLUMNS: &'static [&'static str];
    /// Binds this lane's values, in `COLUMNS` order, separated by commas.
    fn bind(&self, query: &mut QueryBuilder<'_, Sqlite>);
}

impl LaneColumns for Lane {
    const COLUMNS: &'static [&'static str] = &["site", "channel"];
    fn bind(&self, query: &mut QueryBuilder<'_, Sqlite>) {
        query.push_bind(self.site.clone());
        query.push(", ").push_bind(self.channel.as_str());
    }
}

impl LaneColumns for String {
    const COLUMNS: &'static [&'static str] = &["site"];
    fn bind(&self, query: &mut QueryBuilder<'_, Sqlite>) {
        query.push_bind(self.clone());
    }
}

/// `alias.a, alias.b` for a lane's columns.
fn columns<L: LaneColumns>(alias: &str) -> String {
    L::COLUMNS
        .iter()
        .map(|column| format!("{alias}.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(v, v), (v, v)`: lanes as rows of values, each followed by `extra` if given.
fn push_lanes<'a, L: LaneColumns + 'a>(
    query: &mut QueryBuilder<'_, Sqlite>,
    lanes: impl Iterator<Item = (&'a L, Option<u32>)>,
) {
    for (n, (lane, extra)) in lanes.enumerate() {
        query.push(if n == 0 { "(" } else { ", (" });
        lane.bind(query);
        if let Some(extra) = extra {
            query.push(", ").push_bind(i64::from(extra));
        }
        query.push(")");
    }
}

async fn claim_from<L: LaneColumns, T>(
    conn: &mut SqliteConnection,
    queue: &DeliveryQueue,
    claim: &Claim,
    room: &LaneRoom<L>,
    read: fn(&SqliteRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let lane_of_q = columns::<L>("q");
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("UPDATE {} SET lease_owner = ", queue.table));
    query.push_bind(&claim.owner);
    query.push(", lease_until = ").push_bind(claim.until);
    query.push(" WHERE id IN (");
    let open = room.open().next().is_some();
    if open {
        query.push(format!(
            "WITH room ({}, room) AS (VALUES ",
            L::COLUMNS.join(", ")
        ));
        push_lanes(
            &mut query,
            room.open().map(|(lane, left)| (lane, Some(left))),
        );
        query.push(") ");
    }
    query.push(format!(
        "SELECT c.id FROM (SELECT q.id, {lane_of_q}, ROW_NUMBER() OVER \
         (PARTITION BY {lane_of_q} ORDER BY q.next_attempt_at, q.id) AS place FROM \
         (SELECT q.id, {lane_of_q}, q.next_attempt_at FROM {table} q \
         WHERE q.status = 'pending' AND q.next_attempt_at <= ",
        table = queue.table,
    ));
    query.push_bind(claim.now);
    query.push(" AND (q.lease_until IS NULL OR q.lease_until < ");
    query.push_bind(claim.now);
    query.push(") AND ").push(queue.head_of_person);
    if room.full().next().is_some() {
        query.push(format!(" AND ({lane_of_q}) NOT IN (VALUES "));
        push_lanes(&mut query, room.full().map(|lane| (lane, None)));
        query.push(")");
    }
    query.push(" ORDER BY q.next_attempt_at, q.id LIMIT ");
    query.push_bind(claim.limit);
    query.push(") q) c");
    if open {
        let joined = L::COLUMNS
            .iter()
            .map(|column| format!("r.{column} = c.{column}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        query.push(format!(
            " LEFT JOIN room r ON {joined} WHERE c.place <= COALESCE(r.room, "
        ));
        query.push_bind(i64::from(room.per_lane));
        query.push(")");
    } else {
        query.push(" WHERE c.place <= ");
        query.push_bind(i64::from(room.per_lane));
    }
    query.push(") RETURNING ").push(queue.returning);
    query
        .build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(read)
        .collect()
}
