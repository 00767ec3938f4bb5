//! Rows that arrive from outside and are only ever appended: webhook events and funnel events.

use sqlx::SqliteConnection;

use super::rows;
use crate::store::{NewEvent, NewInbound, StoreResult};

/// Stores webhook events, skipping ones already stored; returns how many were new.
pub(super) async fn insert_inbound(
    conn: &mut SqliteConnection,
    batch: &[NewInbound],
) -> StoreResult<usize> {
    let mut stored = 0;
    for inbound in batch {
        let inserted = sqlx::query(
            "INSERT INTO inbound (site, channel, dedupe_key, user_id, event, received_at, next_attempt_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site, channel, dedupe_key) DO NOTHING",
        )
        .bind(&inbound.site)
        .bind(inbound.channel.as_str())
        .bind(&inbound.dedupe_key)
        .bind(inbound.event.user.as_str())
        .bind(rows::to_json(&inbound.event)?)
        .bind(inbound.received_at)
        .bind(inbound.received_at)
        .execute(&mut *conn)
        .await?;
        stored += usize::try_from(inserted.rows_affected()).unwrap_or(0);
    }
    Ok(stored)
}

pub(super) async fn insert_event(conn: &mut SqliteConnection, event: &NewEvent) -> StoreResult<()> {
    sqlx::query("INSERT INTO events (site, kind, channel, at, attribution) VALUES (?, ?, ?, ?, ?)")
        .bind(&event.site)
        .bind(&event.kind)
        .bind(event.channel.map(|c| c.as_str()))
        .bind(event.at)
        .bind(rows::to_json_opt(event.attribution.as_ref())?)
        .execute(conn)
        .await?;
    Ok(())
}
