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
//! Deliveries are capped per lane: the soonest-due candidates are locked (as many as the
//! claim's limit, full lanes left out), then each lane keeps as many as it has room for; the
//! candidates it does not keep are unlocked when the statement ends.

use sqlx::PgConnection;

use super::rows;
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
    let mut claimed: Vec<ClaimedOutbound> = sqlx::query(
        "UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id = ANY (ARRAY (\
           SELECT c.id FROM (\
             SELECT l.id, l.site, l.channel, ROW_NUMBER() OVER \
               (PARTITION BY l.site, l.channel ORDER BY l.next_attempt_at, l.id) AS place \
             FROM (SELECT o.id, o.site, o.channel, o.next_attempt_at FROM outbox o \
               WHERE o.status = 'pending' AND o.next_attempt_at <= $3 \
                 AND (o.lease_until IS NULL OR o.lease_until < $3) \
                 AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.status = 'pending' \
                   AND e.subscriber_id = o.subscriber_id AND e.id < o.id) \
                 AND (o.site, o.channel) NOT IN \
                   (SELECT f.site, f.channel FROM UNNEST($5::text[], $6::text[]) AS f (site, channel)) \
               ORDER BY o.next_attempt_at, o.id LIMIT $4 \
               FOR UPDATE SKIP LOCKED) l) c \
           LEFT JOIN UNNEST($7::text[], $8::text[], $9::int8[]) AS r (site, channel, room) \
             ON r.site = c.site AND r.channel = c.channel \
           WHERE c.place <= COALESCE(r.room, $10))) \
         RETURNING id, site, channel, subscriber_id, recipient, message, attempts",
    )
    .bind(&claim.owner)
    .bind(claim.until)
    .bind(claim.now)
    .bind(i64::from(claim.limit))
    .bind(full_sites)
    .bind(full_channels)
    .bind(open_sites)
    .bind(open_channels)
    .bind(open_room)
    .bind(i64::from(room.per_lane))
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
    let mut claimed: Vec<ClaimedWebhook> = sqlx::query(
        "UPDATE merchant_webhooks SET lease_owner = $1, lease_until = $2 WHERE id = ANY (ARRAY (\
           SELECT c.id FROM (\
             SELECT l.id, l.site, ROW_NUMBER() OVER \
               (PARTITION BY l.site ORDER BY l.next_attempt_at, l.id) AS place \
             FROM (SELECT w.id, w.site, w.next_attempt_at FROM merchant_webhooks w \
               WHERE w.status = 'pending' AND w.next_attempt_at <= $3 \
                 AND (w.lease_until IS NULL OR w.lease_until < $3) \
                 AND NOT EXISTS (SELECT 1 FROM merchant_webhooks e WHERE e.status = 'pending' \
                   AND e.site = w.site AND e.subscriber_id = w.subscriber_id AND e.id < w.id) \
                 AND w.site <> ALL ($5::text[]) \
               ORDER BY w.next_attempt_at, w.id LIMIT $4 \
               FOR UPDATE SKIP LOCKED) l) c \
           LEFT JOIN UNNEST($6::text[], $7::int8[]) AS r (site, room) ON r.site = c.site \
           WHERE c.place <= COALESCE(r.room, $8))) \
         RETURNING id, site, event_id, event_type, snapshot, created_at, attempts",
    )
    .bind(&claim.owner)
    .bind(claim.until)
    .bind(claim.now)
    .bind(i64::from(claim.limit))
    .bind(full)
    .bind(open_sites)
    .bind(open_room)
    .bind(i64::from(room.per_lane))
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::webhook)
    .collect::<StoreResult<_>>()?;
    claimed.sort_by_key(|item| item.id);
    Ok(claimed)
}
