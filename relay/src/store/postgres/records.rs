//! Rows that arrive from outside and are only ever appended: webhook events and funnel events.

use sqlx::PgConnection;

use super::{listener, rows};
use crate::store::{NewEvent, NewInbound, Queue, StoreResult};

/// Stores webhook events in one statement, skipping ones already stored, and announces them if
/// any were new (the caller commits); returns how many were new.
pub(super) async fn insert_inbound(
    conn: &mut PgConnection,
    batch: &[NewInbound],
) -> StoreResult<usize> {
    let mut sites = Vec::with_capacity(batch.len());
    let mut channels = Vec::with_capacity(batch.len());
    let mut keys = Vec::with_capacity(batch.len());
    let mut users = Vec::with_capacity(batch.len());
    let mut events = Vec::with_capacity(batch.len());
    let mut received = Vec::with_capacity(batch.len());
    for inbound in batch {
        sites.push(inbound.site.clone());
        channels.push(inbound.channel.as_str());
        keys.push(rows::text(&inbound.dedupe_key));
        users.push(inbound.event.user.as_str());
        events.push(rows::to_json(&inbound.event)?);
        received.push(inbound.received_at);
    }
    // WITH ORDINALITY keeps the batch's order, so ids follow arrival within it too.
    let inserted = sqlx::query(
        "INSERT INTO inbound (site, channel, dedupe_key, user_id, event, received_at, next_attempt_at) \
         SELECT site, channel, dedupe_key, user_id, event, received_at, received_at \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::bigint[]) \
              WITH ORDINALITY AS b (site, channel, dedupe_key, user_id, event, received_at, n) \
         ORDER BY n \
         ON CONFLICT (site, channel, dedupe_key) DO NOTHING",
    )
    .bind(sites)
    .bind(channels)
    .bind(keys)
    .bind(users)
    .bind(events)
    .bind(received)
    .execute(&mut *conn)
    .await?;
    let stored = usize::try_from(inserted.rows_affected()).unwrap_or(0);
    if stored > 0 {
        listener::notify(conn, Queue::Inbound).await?;
    }
    Ok(stored)
}

pub(super) async fn insert_event(conn: &mut PgConnection, event: &NewEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO events (site, kind, channel, at, attribution) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&event.site)
    .bind(rows::text(&event.kind))
    .bind(event.channel.map(|c| c.as_str()))
    .bind(event.at)
    .bind(rows::to_json_opt(event.attribution.as_ref())?)
    .execute(conn)
    .await?;
    Ok(())
}
