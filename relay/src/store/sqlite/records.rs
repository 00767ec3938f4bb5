//! Rows that arrive from outside and are only ever appended: webhook events and funnel events.

use std::collections::HashSet;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::rows;
use crate::domain::Millis;
use crate::store::{NewEvent, NewInbound, StoreResult};

/// Rows per `INSERT` (7 parameters each, well under SQLite's limit of 32,766).
pub(super) const ROWS_PER_STATEMENT: usize = 1000;

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

/// A message the platform accepted.
pub(super) struct Sent {
    /// The outbox row.
    pub id: i64,
    /// The platform's id for it.
    pub platform_message_id: Option<String>,
    /// When.
    pub at: Millis,
}

/// Marks accepted messages sent with one statement (whoever holds their lease: they went out).
pub(super) async fn mark_sent(conn: &mut SqliteConnection, sent: &[&Sent]) -> StoreResult<()> {
    for chunk in sent.chunks(ROWS_PER_STATEMENT) {
        let mut query: QueryBuilder<Sqlite> =
            QueryBuilder::new("WITH sent (id, message_id, at) AS (");
        query.push_values(chunk, |mut row, message| {
            row.push_bind(message.id)
                .push_bind(&message.platform_message_id)
                .push_bind(message.at);
        });
        query.push(
            ") UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = sent.at, \
             platform_message_id = sent.message_id, last_error = NULL, lease_owner = NULL, \
             lease_until = NULL FROM sent WHERE outbox.id = sent.id AND outbox.status = 'pending'",
        );
        query.build().execute(&mut *conn).await?;
    }
    Ok(())
}
