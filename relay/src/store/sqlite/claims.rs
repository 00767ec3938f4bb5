//! Claiming messages and merchant webhooks for delivery on SQLite: soonest due first, one chat
//! (or one person's webhooks) at a time, and no more per lane than the lane has room for.
//!
//! The work is read lane by lane, never as one queue: the sites with pending rows are found by
//! skipping from one to the next on the lane index (a seek per site), their lanes are each
//! platform of each, full lanes are left out, and each of the others gives its soonest-due
//! rows, no more than the claim could take.
//! Each lane then keeps as many as it has room for, and the soonest due of those are claimed.
//! So a claim reads about (lanes × room) index entries whatever the backlog: a lane holding a
//! hundred thousand messages behind a platform's rate limit costs one seek while it is full.
//! Both queues are claimed by one query shape; `DeliveryQueue` says what differs.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection, sqlite::SqliteRow};

use super::rows;
use crate::domain::ChannelKind;
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
    returning: "id, site, channel, subscriber_id, recipient, message, attempts, conversation_id",
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
    /// The columns that make up a lane, in order, `site` first.
    const COLUMNS: &'static [&'static str];
    /// The lanes of the sites in `sites (site)` (a NULL site ends that list), as a query
    /// giving `COLUMNS`.
    const LANES_OF_SITES: &'static str;
    /// Binds this lane's values, in `COLUMNS` order, separated by commas.
    fn bind(&self, query: &mut QueryBuilder<'_, Sqlite>);
}

impl LaneColumns for Lane {
    const COLUMNS: &'static [&'static str] = &["site", "channel"];
    // Every platform: a lane without pending rows costs one index seek.
    const LANES_OF_SITES: &'static str =
        "SELECT s.site, k.channel FROM sites s, channels k WHERE s.site IS NOT NULL";
    fn bind(&self, query: &mut QueryBuilder<'_, Sqlite>) {
        query.push_bind(self.site.clone());
        query.push(", ").push_bind(self.channel.as_str());
    }
}

impl LaneColumns for String {
    const COLUMNS: &'static [&'static str] = &["site"];
    const LANES_OF_SITES: &'static str = "SELECT s.site FROM sites s WHERE s.site IS NOT NULL";
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
    let table = queue.table;
    let lane_columns = L::COLUMNS.join(", ");
    let mut query: QueryBuilder<Sqlite> =
        QueryBuilder::new(format!("UPDATE {table} SET lease_owner = "));
    query.push_bind(&claim.owner);
    query.push(", lease_until = ").push_bind(claim.until);
    // The sites with pending rows, skipping from one to the next on the lane index.
    query.push(format!(
        " WHERE id IN (WITH RECURSIVE sites (site) AS (\
         SELECT (SELECT o.site FROM {table} o WHERE o.status = 'pending' ORDER BY o.site LIMIT 1) \
         UNION ALL SELECT (SELECT o.site FROM {table} o WHERE o.status = 'pending' \
         AND o.site > s.site ORDER BY o.site LIMIT 1) FROM sites s WHERE s.site IS NOT NULL), \
         channels (channel) AS (VALUES {channels}), \
         lanes ({lane_columns}) AS ({lanes_of_sites})",
        channels = ChannelKind::ALL
            .map(|kind| format!("('{}')", kind.as_str()))
            .join(", "),
        lanes_of_sites = L::LANES_OF_SITES,
    ));
    let open = room.open().next().is_some();
    if open {
        query.push(format!(", room ({lane_columns}, room) AS (VALUES "));
        push_lanes(
            &mut query,
            room.open().map(|(lane, left)| (lane, Some(left))),
        );
        query.push(")");
    }
    let in_lane = L::COLUMNS
        .iter()
        .map(|column| format!("q.{column} = l.{column}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let lane_of_w = columns::<L>("w");
    query.push(format!(
        " SELECT c.id FROM (SELECT w.id, {lane_of_w}, w.next_attempt_at, ROW_NUMBER() OVER \
         (PARTITION BY {lane_of_w} ORDER BY w.next_attempt_at, w.id) AS place \
         FROM lanes l JOIN {table} w ON w.id IN (SELECT q.id FROM {table} q \
         WHERE q.status = 'pending' AND {in_lane} AND q.next_attempt_at <= "
    ));
    query.push_bind(claim.now);
    query.push(" AND (q.lease_until IS NULL OR q.lease_until < ");
    query.push_bind(claim.now);
    query.push(") AND ").push(queue.head_of_person);
    query.push(" ORDER BY q.next_attempt_at, q.id LIMIT ");
    query.push_bind(i64::from(room.per_lane.min(claim.limit)));
    query.push(")");
    if room.full().next().is_some() {
        query.push(format!(" WHERE ({}) NOT IN (VALUES ", columns::<L>("l")));
        push_lanes(&mut query, room.full().map(|lane| (lane, None)));
        query.push(")");
    }
    query.push(") c");
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
    query.push(" ORDER BY c.next_attempt_at, c.id LIMIT ");
    query.push_bind(claim.limit);
    query.push(") RETURNING ").push(queue.returning);
    query
        .build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(read)
        .collect()
}
