//! Rows that arrive from outside and are only ever appended: webhook events and funnel events.

use std::collections::HashSet;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::rows;
use crate::store::{NewEvent, NewInbound, StoreResult};

/// Rows per `INSERT` (7 parameters each, well under SQLite's limit of 32,766).
const ROWS_PER_STATEMENT: usize = 1000;

/// Stores several callers' webhook events with as few statements as possible, skipping ones
/// already stored; returns how many of each caller's events were new. A key given twice in one
/// call is new once, for the first caller that gave it.
pub(super) async fn insert_inbound_batches(
    conn: &mut SqliteConnection,
    batches: &[&[NewInbound]],
) -> StoreResult<Vec<usize>> {
    let rows: Vec<(usize, &NewInbound)> = batches
        .iter()
        .enumerate()
        .flat_map(|(caller, rows)| rows.iter().map(move |row| (caller, row)))
        .collect();
    let mut inserted: HashSet<(String, String, String)> = HashSet::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let events: Vec<String> = chunk
            .iter()
            .map(|(_, row)| rows::to_json(&row.event))
            .collect::<StoreResult<_>>()?;
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO inbound (site, channel, dedupe_key, user_id, event, received_at, next_attempt_at) ",
        );
        query.push_values(
            chunk.iter().zip(&events),
            |mut values, ((_, row), event)| {
                values
                    .push_bind(&row.site)
                    .push_bind(row.channel.as_str())
                    .push_bind(&row.dedupe_key)
                    .push_bind(row.event.user.as_str())
                    .push_bind(event)
                    .push_bind(row.received_at)
                    .push_bind(row.received_at);
            },
        );
        query.push(
            " ON CONFLICT (site, channel, dedupe_key) DO NOTHING RETURNING site, channel, dedupe_key",
        );
        let new: Vec<(String, String, String)> =
            query.build_query_as().fetch_all(&mut *conn).await?;
        inserted.extend(new);
    }
    let mut counts = vec![0; batches.len()];
    for (caller, row) in rows {
        let key = (
            row.site.clone(),
            row.channel.as_str().to_owned(),
            row.dedupe_key.clone(),
        );
        if inserted.remove(&key) {
            counts[caller] += 1;
        }
    }
    Ok(counts)
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
