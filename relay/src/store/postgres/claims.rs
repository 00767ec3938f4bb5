//! Claiming work on PostgreSQL, where any number of relays claim from the same queues at once.
//!
//! Each claim is one statement: `UPDATE … SET lease … WHERE id = ANY (ARRAY (SELECT … FOR UPDATE
//! SKIP LOCKED)) RETURNING …` — `id IN (SELECT …)`, written so the selection runs once, on the
//! indexes of pending rows, and the update finds its rows by primary key (an `IN` may be planned
//! as a join over the whole table, processed rows included).
//!
//! Why two claimers never get the same row while its lease holds: a claimer skips the rows
//! another has locked (claimed in a transaction not yet committed), and a row it does lock is
//! checked again as it is after the other's commit — its lease then holds, so the row is not
//! taken. Why one person's work stays in order across relays: a row is only
//! claimable while no earlier row of the same person (platform user, subscriber) is pending,
//! whoever holds that one; it becomes claimable once the earlier one is finished and committed.
//! (Rows are ordered by id, given at insert: of two events of one person stored by different
//! relays at the same instant, either may count as the first.)
//!
//! Deliveries are read lane by lane, never as one queue: the sites with pending rows are found
//! by skipping from one to the next on the lane index, full lanes are left out, and each other
//! lane locks its soonest-due candidates (no more than the claim could take); each lane then
//! keeps as many as it has room for, the soonest due of those are claimed, and the candidates
//! not kept are unlocked when the statement ends. A backlog in a full lane is never read.

use sqlx::PgConnection;

use super::rows;
use crate::domain::ChannelKind;
use crate::store::{
    Claim, ClaimedInbound, ClaimedOutbound, ClaimedWebhook, Lane, LaneRoom, StoreResult,
};

pub(super) async fn claim_inbound(
    conn: &mut PgConnection,
    claim: &Claim,
) -> StoreResult<Vec<ClaimedInbound>> {
    let mut claimed: Vec<ClaimedInbound> = sqlx::query(
        "UPDATE inbound SET lease_owner = $1, lease_until = $2 WHERE id = ANY (ARRAY (\
           SELECT i.id FROM inbound i \
           WHERE i.processed_at IS NULL AND i.next_attempt_at <= $3 \
             AND (i.lease_until IS NULL OR i.lease_until < $3) \
             AND NOT EXISTS (SELECT 1 FROM inbound e WHERE e.processed_at IS NULL \
               AND e.site = i.site AND e.channel = i.channel AND e.user_id = i.user_id AND e.id < i.id) \
           ORDER BY i.id LIMIT $4 \
           FOR UPDATE SKIP LOCKED)) \
         RETURNING id, site, channel, event, attempts",
    )
    .bind(&claim.owner)
    .bind(claim.until)
    .bind(claim.now)
    .bind(i64::from(claim.limit))
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::inbound)
    .collect::<StoreResult<_>>()?;
    claimed.sort_by_key(|item| item.id);
    Ok(claimed)
}

pub(super) async fn claim_outbound(
    conn: &mut PgConnection,
    claim: &Claim,
    room: &LaneRoom<Lane>,
) -> StoreResult<Vec<ClaimedOutbound>> {
    let (full_sites, full_channels): (Vec<String>, Vec<&str>) = room
        .full()
        .map(|lane| (lane.site.clone(), lane.channel.as_str()))
        .unzip();
    let (mut open_sites, mut open_channels, mut open_room) = (Vec::new(), Vec::new(), Vec::new());
    for (lane, left) in room.open() {
        open_sites.push(lane.site.clone());
        open_channels.push(lane.channel.as_str());
        open_room.push(i64::from(left));
    }
    let channels: Vec<&str> = ChannelKind::ALL.iter().map(|kind| kind.as_str()).collect();
    let mut claimed: Vec<ClaimedOutbound> = sqlx::query(&format!(
        "UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id = ANY (ARRAY (\
           {sites}, \
           lanes AS (SELECT s.site, k.channel FROM sites s CROSS JOIN UNNEST($11::text[]) AS k (channel) \
             WHERE s.site IS NOT NULL AND (s.site, k.channel) NOT IN \
               (SELECT f.site, f.channel FROM UNNEST($5::text[], $6::text[]) AS f (site, channel))) \
           SELECT c.id FROM (\
             SELECT q.id, q.site, q.channel, q.next_attempt_at, ROW_NUMBER() OVER \
               (PARTITION BY q.site, q.channel ORDER BY q.next_attempt_at, q.id) AS place \
             FROM lanes l CROSS JOIN LATERAL (\
               SELECT o.id, o.site, o.channel, o.next_attempt_at FROM outbox o \
               WHERE o.status = 'pending' AND o.site = l.site AND o.channel = l.channel \
                 AND o.next_attempt_at <= $3 AND (o.lease_until IS NULL OR o.lease_until < $3) \
                 AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.status = 'pending' \
                   AND e.subscriber_id = o.subscriber_id AND e.id < o.id) \
               ORDER BY o.next_attempt_at, o.id LIMIT $4 \
               FOR UPDATE SKIP LOCKED) q) c \
           LEFT JOIN UNNEST($7::text[], $8::text[], $9::int8[]) AS r (site, channel, room) \
             ON r.site = c.site AND r.channel = c.channel \
           WHERE c.place <= COALESCE(r.room, $10) \
           ORDER BY c.next_attempt_at, c.id LIMIT $12)) \
         RETURNING id, site, channel, subscriber_id, recipient, message, attempts, conversation_id",
        sites = sites_with_pending("outbox"),
    ))
    .bind(&claim.owner)
    .bind(claim.until)
    .bind(claim.now)
    .bind(i64::from(room.per_lane.min(claim.limit)))
    .bind(full_sites)
    .bind(full_channels)
    .bind(open_sites)
    .bind(open_channels)
    .bind(open_room)
    .bind(i64::from(room.per_lane))
    .bind(channels)
    .bind(i64::from(claim.limit))
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::outbound)
    .collect::<StoreResult<_>>()?;
    claimed.sort_by_key(|item| item.id);
    Ok(claimed)
}

pub(super) async fn claim_webhooks(
    conn: &mut PgConnection,
    claim: &Claim,
    room: &LaneRoom<String>,
) -> StoreResult<Vec<ClaimedWebhook>> {
    let full: Vec<String> = room.full().cloned().collect();
    let (open_sites, open_room): (Vec<String>, Vec<i64>) = room
        .open()
        .map(|(site, left)| (site.clone(), i64::from(left)))
        .unzip();
    let mut claimed: Vec<ClaimedWebhook> = sqlx::query(&format!(
        "UPDATE merchant_webhooks SET lease_owner = $1, lease_until = $2 WHERE id = ANY (ARRAY (\
           {sites} \
           SELECT c.id FROM (\
             SELECT q.id, q.site, q.next_attempt_at, ROW_NUMBER() OVER \
               (PARTITION BY q.site ORDER BY q.next_attempt_at, q.id) AS place \
             FROM sites l CROSS JOIN LATERAL (\
               SELECT w.id, w.site, w.next_attempt_at FROM merchant_webhooks w \
               WHERE w.status = 'pending' AND w.site = l.site \
                 AND w.next_attempt_at <= $3 AND (w.lease_until IS NULL OR w.lease_until < $3) \
                 AND NOT EXISTS (SELECT 1 FROM merchant_webhooks e WHERE e.status = 'pending' \
                   AND e.site = w.site AND e.subscriber_id = w.subscriber_id AND e.id < w.id) \
               ORDER BY w.next_attempt_at, w.id LIMIT $4 \
               FOR UPDATE SKIP LOCKED) q \
             WHERE l.site IS NOT NULL AND l.site <> ALL ($5::text[])) c \
           LEFT JOIN UNNEST($6::text[], $7::int8[]) AS r (site, room) ON r.site = c.site \
           WHERE c.place <= COALESCE(r.room, $8) \
           ORDER BY c.next_attempt_at, c.id LIMIT $9)) \
         RETURNING id, site, event_id, event_type, snapshot, created_at, attempts",
        sites = sites_with_pending("merchant_webhooks"),
    ))
    .bind(&claim.owner)
    .bind(claim.until)
    .bind(claim.now)
    .bind(i64::from(room.per_lane.min(claim.limit)))
    .bind(full)
    .bind(open_sites)
    .bind(open_room)
    .bind(i64::from(room.per_lane))
    .bind(i64::from(claim.limit))
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::webhook)
    .collect::<StoreResult<_>>()?;
    claimed.sort_by_key(|item| item.id);
    Ok(claimed)
}

/// `WITH RECURSIVE sites (site) AS (…)`: the sites with pending rows in `table`, found by
/// skipping from one to the next on its lane index (a NULL site ends the list).
fn sites_with_pending(table: &str) -> String {
    format!(
        "WITH RECURSIVE sites (site) AS (\
           (SELECT o.site FROM {table} o WHERE o.status = 'pending' ORDER BY o.site LIMIT 1) \
           UNION ALL SELECT (SELECT o.site FROM {table} o WHERE o.status = 'pending' \
             AND o.site > s.site ORDER BY o.site LIMIT 1) FROM sites s WHERE s.site IS NOT NULL)"
    )
}
