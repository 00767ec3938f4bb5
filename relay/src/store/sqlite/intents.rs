//! Storing intents, and attributing subscribers who arrived before their intent did.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::rows::{self, INTENT_COLUMNS};
use crate::domain::{ChannelKind, Millis};
use crate::store::{Intent, StoreResult};

pub(super) async fn insert(
    conn: &mut SqliteConnection,
    intent: &Intent,
) -> StoreResult<Option<Intent>> {
    let attribution = rows::to_json(&intent.attribution)?;
    let inserted = sqlx::query(
        "INSERT INTO intents (site, channel, ref, created_at, attribution, customer, order_id, \
         conversation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site, channel, ref) DO NOTHING",
    )
    .bind(&intent.site)
    .bind(intent.channel.as_str())
    .bind(&intent.reference)
    .bind(intent.created_at)
    .bind(&attribution)
    .bind(rows::to_json_opt(intent.customer.as_ref())?)
    .bind(&intent.order_id)
    .bind(intent.conversation.map(|id| id.0))
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return find(conn, &intent.site, intent.channel, &intent.reference).await;
    }
    attribute_waiting(conn, intent, &attribution).await?;
    Ok(None)
}

pub(super) async fn replace(
    conn: &mut SqliteConnection,
    replaced_created_at: Millis,
    intent: &Intent,
) -> StoreResult<bool> {
    let attribution = rows::to_json(&intent.attribution)?;
    let replaced = sqlx::query(
        "UPDATE intents SET created_at = ?, attribution = ?, customer = ?, order_id = ?, linked_at = NULL, \
         conversation_id = ? WHERE site = ? AND channel = ? AND ref = ? AND created_at = ?",
    )
    .bind(intent.created_at)
    .bind(&attribution)
    .bind(rows::to_json_opt(intent.customer.as_ref())?)
    .bind(&intent.order_id)
    .bind(intent.conversation.map(|id| id.0))
    .bind(&intent.site)
    .bind(intent.channel.as_str())
    .bind(&intent.reference)
    .bind(replaced_created_at)
    .execute(&mut *conn)
    .await?;
    if replaced.rows_affected() == 0 {
        return Ok(false);
    }
    attribute_waiting(conn, intent, &attribution).await?;
    Ok(true)
}

/// A subscriber may have arrived with this ref before the widget's request landed. They get the
/// attribution, and so do their funnel events that carry the ref.
async fn attribute_waiting(
    conn: &mut SqliteConnection,
    intent: &Intent,
    attribution: &str,
) -> StoreResult<()> {
    let waiting: Vec<i64> = sqlx::query_scalar(
        "UPDATE subscribers SET attribution = ? \
         WHERE site = ? AND channel = ? AND ref = ? AND attribution IS NULL RETURNING id",
    )
    .bind(attribution)
    .bind(&intent.site)
    .bind(intent.channel.as_str())
    .bind(&intent.reference)
    .fetch_all(&mut *conn)
    .await?;
    for subscriber in waiting {
        sqlx::query(
            "UPDATE events SET attribution = ? WHERE subscriber_id = ? AND ref = ? AND attribution IS NULL",
        )
        .bind(attribution)
        .bind(subscriber)
        .bind(&intent.reference)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(super) async fn find_all(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    references: &[String],
) -> StoreResult<Vec<Intent>> {
    if references.is_empty() {
        return Ok(Vec::new());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {INTENT_COLUMNS} FROM intents WHERE site = "
    ));
    query.push_bind(site);
    query.push(" AND channel = ").push_bind(channel.as_str());
    query.push(" AND ref IN (");
    let mut list = query.separated(", ");
    for reference in references {
        list.push_bind(reference.as_str());
    }
    query.push(")");
    query
        .build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(rows::intent)
        .collect()
}

pub(super) async fn find(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    reference: &str,
) -> StoreResult<Option<Intent>> {
    sqlx::query(&format!(
        "SELECT {INTENT_COLUMNS} FROM intents WHERE site = ? AND channel = ? AND ref = ?"
    ))
    .bind(site)
    .bind(channel.as_str())
    .bind(reference)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::intent(&row))
    .transpose()
}
