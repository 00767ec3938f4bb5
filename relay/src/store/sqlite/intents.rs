//! Storing intents, and attributing subscribers who arrived before their intent did.

use sqlx::SqliteConnection;

use super::rows::{self, INTENT_COLUMNS};
use crate::domain::{ChannelKind, Millis};
use crate::store::{Intent, IntentOutcome, StoreResult};

pub(super) async fn record(
    conn: &mut SqliteConnection,
    intent: &Intent,
    lifetime_ms: Millis,
) -> StoreResult<IntentOutcome> {
    if let Some(existing) = find(
        &mut *conn,
        &intent.site,
        intent.channel,
        &intent.reference,
        i64::MIN,
    )
    .await?
    {
        let same = existing.attribution == intent.attribution
            && existing.customer == intent.customer
            && existing.order_id == intent.order_id;
        if same {
            return Ok(IntentOutcome::AlreadyRecorded);
        }
        if existing.created_at >= intent.created_at - lifetime_ms {
            return Ok(IntentOutcome::Conflict);
        }
    }
    let attribution = rows::to_json(&intent.attribution)?;
    sqlx::query(
        "INSERT INTO intents (site, channel, ref, created_at, attribution, customer, order_id) VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (site, channel, ref) DO UPDATE SET created_at = excluded.created_at, attribution = excluded.attribution, \
         customer = excluded.customer, order_id = excluded.order_id, linked_at = NULL",
    )
    .bind(&intent.site)
    .bind(intent.channel.as_str())
    .bind(&intent.reference)
    .bind(intent.created_at)
    .bind(&attribution)
    .bind(rows::to_json_opt(intent.customer.as_ref())?)
    .bind(&intent.order_id)
    .execute(&mut *conn)
    .await?;
    // A subscriber may have arrived with this ref before the widget's request landed. They get
    // the attribution; linking an account needs the intent first, so it is not done late.
    let waiting: Vec<i64> = sqlx::query_scalar(
        "UPDATE subscribers SET attribution = ? WHERE site = ? AND channel = ? AND ref = ? AND attribution IS NULL RETURNING id",
    )
    .bind(&attribution)
    .bind(&intent.site)
    .bind(intent.channel.as_str())
    .bind(&intent.reference)
    .fetch_all(&mut *conn)
    .await?;
    for subscriber in waiting {
        sqlx::query("UPDATE events SET attribution = ? WHERE subscriber_id = ? AND ref = ? AND attribution IS NULL")
            .bind(&attribution)
            .bind(subscriber)
            .bind(&intent.reference)
            .execute(&mut *conn)
            .await?;
    }
    Ok(IntentOutcome::Created)
}

pub(super) async fn find(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    reference: &str,
    not_before: Millis,
) -> StoreResult<Option<Intent>> {
    sqlx::query(&format!("SELECT {INTENT_COLUMNS} FROM intents WHERE site = ? AND channel = ? AND ref = ? AND created_at >= ?"))
        .bind(site)
        .bind(channel.as_str())
        .bind(reference)
        .bind(not_before)
        .fetch_optional(conn)
        .await?
        .map(|row| rows::intent(&row))
        .transpose()
}
