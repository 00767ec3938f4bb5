//! Storing intents, and attributing subscribers who arrived before their intent did.

use sqlx::{PgConnection, types::Json};

use super::rows::{self, INTENT_COLUMNS};
use crate::domain::{ChannelKind, Millis};
use crate::store::{Intent, StoreResult};

/// Inside the caller's transaction: a conflicting insert by another relay is waited for, so
/// the intent found afterwards is the one that won.
pub(super) async fn insert(
    conn: &mut PgConnection,
    intent: &Intent,
) -> StoreResult<Option<Intent>> {
    let attribution = rows::to_json(&intent.attribution)?;
    let inserted = sqlx::query(
        "INSERT INTO intents (site, channel, ref, created_at, attribution, customer, order_id, \
         conversation_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (site, channel, ref) DO NOTHING",
    )
    .bind(&intent.site)
    .bind(intent.channel.as_str())
    .bind(rows::text(&intent.reference))
    .bind(intent.created_at)
    .bind(&attribution)
    .bind(rows::to_json_opt(intent.customer.as_ref())?)
    .bind(rows::text_opt(intent.order_id.as_deref()))
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
    conn: &mut PgConnection,
    replaced_created_at: Millis,
    intent: &Intent,
) -> StoreResult<bool> {
    let attribution = rows::to_json(&intent.attribution)?;
    let replaced = sqlx::query(
        "UPDATE intents SET created_at = $1, attribution = $2, customer = $3, order_id = $4, linked_at = NULL, \
         conversation_id = $9 WHERE site = $5 AND channel = $6 AND ref = $7 AND created_at = $8",
    )
    .bind(intent.created_at)
    .bind(&attribution)
    .bind(rows::to_json_opt(intent.customer.as_ref())?)
    .bind(rows::text_opt(intent.order_id.as_deref()))
    .bind(&intent.site)
    .bind(intent.channel.as_str())
    .bind(rows::text(&intent.reference))
    .bind(replaced_created_at)
    .bind(intent.conversation.map(|id| id.0))
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
    conn: &mut PgConnection,
    intent: &Intent,
    attribution: &Json<serde_json::Value>,
) -> StoreResult<()> {
    let reference = rows::text(&intent.reference);
    let waiting: Vec<i64> = sqlx::query_scalar(
        "UPDATE subscribers SET attribution = $1 \
         WHERE site = $2 AND channel = $3 AND ref = $4 AND attribution IS NULL RETURNING id",
    )
    .bind(attribution)
    .bind(&intent.site)
    .bind(intent.channel.as_str())
    .bind(&reference)
    .fetch_all(&mut *conn)
    .await?;
    if !waiting.is_empty() {
        sqlx::query(
            "UPDATE events SET attribution = $1 \
             WHERE subscriber_id = ANY ($2) AND ref = $3 AND attribution IS NULL",
        )
        .bind(attribution)
        .bind(&waiting)
        .bind(&reference)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(super) async fn find_all(
    conn: &mut PgConnection,
    site: &str,
    channel: ChannelKind,
    references: &[String],
) -> StoreResult<Vec<Intent>> {
    let references: Vec<String> = references.iter().map(|r| rows::text(r)).collect();
    sqlx::query(&format!(
        "SELECT {INTENT_COLUMNS} FROM intents WHERE site = $1 AND channel = $2 AND ref = ANY($3)"
    ))
    .bind(site)
    .bind(channel.as_str())
    .bind(references)
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::intent)
    .collect()
}

pub(super) async fn find(
    conn: &mut PgConnection,
    site: &str,
    channel: ChannelKind,
    reference: &str,
) -> StoreResult<Option<Intent>> {
    sqlx::query(&format!(
        "SELECT {INTENT_COLUMNS} FROM intents WHERE site = $1 AND channel = $2 AND ref = $3"
    ))
    .bind(site)
    .bind(channel.as_str())
    .bind(rows::text(reference))
    .fetch_optional(conn)
    .await?
    .map(|row| rows::intent(&row))
    .transpose()
}
