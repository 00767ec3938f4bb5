//! The two delivery queues: messages to subscribers (outbox) and webhooks to the merchant.

use sqlx::SqliteConnection;

use super::rows;
use crate::domain::Millis;
use crate::store::{DeliveryResult, StoreResult, StoredOutbound, StoredWebhook};

pub(super) async fn due_outbound(
    conn: &mut SqliteConnection,
    now: Millis,
    limit: u32,
) -> StoreResult<Vec<StoredOutbound>> {
    sqlx::query(
        "SELECT id, site, channel, subscriber_id, recipient, message, attempts FROM outbox \
         WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::outbound)
    .collect()
}

pub(super) async fn finish_outbound(
    conn: &mut SqliteConnection,
    message: &StoredOutbound,
    result: DeliveryResult,
    now: Millis,
) -> StoreResult<()> {
    match result {
        DeliveryResult::Sent {
            platform_message_id,
        } => {
            sqlx::query("UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?, platform_message_id = ?, last_error = NULL WHERE id = ?")
                .bind(now)
                .bind(platform_message_id)
                .bind(message.id)
                .execute(conn)
                .await?;
        }
        DeliveryResult::Retry { at, error } => {
            sqlx::query("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?")
                .bind(at)
                .bind(error)
                .bind(message.id)
                .execute(conn)
                .await?;
        }
        DeliveryResult::Failed { error, unsubscribe } => {
            sqlx::query("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?")
                .bind(error)
                .bind(message.id)
                .execute(&mut *conn)
                .await?;
            if unsubscribe {
                sqlx::query("UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = COALESCE(unsubscribed_at, ?) WHERE id = ?")
                    .bind(now)
                    .bind(message.subscriber_id.0)
                    .execute(conn)
                    .await?;
            }
        }
    }
    Ok(())
}

pub(super) async fn due_webhooks(
    conn: &mut SqliteConnection,
    now: Millis,
    limit: u32,
) -> StoreResult<Vec<StoredWebhook>> {
    sqlx::query(
        "SELECT id, site, event_type, payload, attempts FROM merchant_webhooks \
         WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::webhook)
    .collect()
}

pub(super) async fn finish_webhook(
    conn: &mut SqliteConnection,
    id: i64,
    result: DeliveryResult,
    now: Millis,
) -> StoreResult<()> {
    let (status, next_attempt_at, error) = match result {
        DeliveryResult::Sent { .. } => ("delivered", None, None),
        DeliveryResult::Retry { at, error } => ("pending", Some(at), Some(error)),
        DeliveryResult::Failed { error, .. } => ("failed", None, Some(error)),
    };
    sqlx::query(
        "UPDATE merchant_webhooks SET status = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, next_attempt_at), \
         last_error = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?",
    )
    .bind(status)
    .bind(next_attempt_at)
    .bind(error)
    .bind(status)
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
