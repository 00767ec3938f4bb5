//! Recording delivery attempts of messages and merchant webhooks, and ending their leases.
//!
//! `Sent` is recorded whoever holds the lease now (the message went out; a relay that took the
//! row over meanwhile finds it sent when it reports back); `Retry` and `Failed` only by the
//! lease's owner, so a relay whose lease ended cannot undo another's delivery.

use sqlx::{Acquire, PgConnection};

use super::rows;
use crate::domain::Millis;
use crate::store::{DeliveryResult, StoreResult};

pub(super) async fn finish_outbound(
    conn: &mut PgConnection,
    owner: &str,
    id: i64,
    result: DeliveryResult,
    now: Millis,
) -> StoreResult<()> {
    match result {
        DeliveryResult::Sent {
            platform_message_id,
        } => {
            sqlx::query(
                "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, \
                 platform_message_id = $2, last_error = NULL, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $3 AND status = 'pending'",
            )
            .bind(now)
            .bind(rows::text_opt(platform_message_id.as_deref()))
            .bind(id)
            .execute(conn)
            .await?;
        }
        DeliveryResult::Retry { at, error } => {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2, \
                 lease_owner = NULL, lease_until = NULL \
                 WHERE id = $3 AND lease_owner = $4 AND status = 'pending'",
            )
            .bind(at)
            .bind(rows::text(&error))
            .bind(id)
            .bind(owner)
            .execute(conn)
            .await?;
        }
        DeliveryResult::Failed { error, unsubscribe } => {
            let mut tx = conn.begin().await?;
            let failed: Option<i64> = sqlx::query_scalar(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $1, \
                 lease_owner = NULL, lease_until = NULL \
                 WHERE id = $2 AND lease_owner = $3 AND status = 'pending' RETURNING subscriber_id",
            )
            .bind(rows::text(&error))
            .bind(id)
            .bind(owner)
            .fetch_optional(&mut *tx)
            .await?;
            if let (Some(subscriber), true) = (failed, unsubscribe) {
                sqlx::query(
                    "UPDATE subscribers SET status = 'unsubscribed', \
                     unsubscribed_at = COALESCE(unsubscribed_at, $1) WHERE id = $2",
                )
                .bind(now)
                .bind(subscriber)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}

pub(super) async fn finish_webhook(
    conn: &mut PgConnection,
    owner: &str,
    id: i64,
    result: DeliveryResult,
    now: Millis,
) -> StoreResult<()> {
    match result {
        DeliveryResult::Sent { .. } => {
            sqlx::query(
                "UPDATE merchant_webhooks SET status = 'delivered', attempts = attempts + 1, \
                 delivered_at = $1, last_error = NULL, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $2 AND status = 'pending'",
            )
            .bind(now)
            .bind(id)
            .execute(conn)
            .await?;
        }
        DeliveryResult::Retry { at, error } => {
            sqlx::query(
                "UPDATE merchant_webhooks SET attempts = attempts + 1, next_attempt_at = $1, \
                 last_error = $2, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $3 AND lease_owner = $4 AND status = 'pending'",
            )
            .bind(at)
            .bind(rows::text(&error))
            .bind(id)
            .bind(owner)
            .execute(conn)
            .await?;
        }
        DeliveryResult::Failed { error, .. } => {
            sqlx::query(
                "UPDATE merchant_webhooks SET status = 'failed', attempts = attempts + 1, \
                 last_error = $1, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $2 AND lease_owner = $3 AND status = 'pending'",
            )
            .bind(rows::text(&error))
            .bind(id)
            .bind(owner)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}
