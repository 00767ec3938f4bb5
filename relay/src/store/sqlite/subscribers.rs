//! Reading subscribers, and queuing the merchant webhooks that describe them.

use sqlx::SqliteConnection;

use super::rows::{self, SUBSCRIBER_COLUMNS};
use crate::domain::{ChannelKind, Millis, PlatformUserId, SubscriberId};
use crate::store::{MerchantEvent, StoreResult, Subscriber, SubscriberFilter};

pub(super) async fn by_id(
    conn: &mut SqliteConnection,
    site: &str,
    id: SubscriberId,
) -> StoreResult<Option<Subscriber>> {
    sqlx::query(&format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.site = ? AND s.id = ?"
    ))
    .bind(site)
    .bind(id.0)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::subscriber(&row))
    .transpose()
}

pub(super) async fn by_user(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    user: &PlatformUserId,
) -> StoreResult<Option<Subscriber>> {
    sqlx::query(&format!("SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.site = ? AND s.channel = ? AND s.platform_user_id = ?"))
        .bind(site)
        .bind(channel.as_str())
        .bind(user.as_str())
        .fetch_optional(conn)
        .await?
        .map(|row| rows::subscriber(&row))
        .transpose()
}

pub(super) async fn list(
    conn: &mut SqliteConnection,
    site: &str,
    filter: &SubscriberFilter,
) -> StoreResult<Vec<Subscriber>> {
    sqlx::query(&format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.site = ?1 \
         AND (?2 IS NULL OR s.channel = ?2) AND (?3 IS NULL OR s.status = ?3) \
         AND (?4 IS NULL OR s.subscribed_at >= ?4) AND (?5 IS NULL OR s.subscribed_at < ?5) \
         AND (?6 IS NULL OR s.customer_id = ?6) \
         AND (?7 IS NULL OR EXISTS (SELECT 1 FROM subscriber_orders o WHERE o.subscriber_id = s.id AND o.order_id = ?7)) \
         AND (?8 IS NULL OR s.id < ?8) ORDER BY s.id DESC LIMIT ?9"
    ))
    .bind(site)
    .bind(filter.channel.map(|c| c.as_str()))
    .bind(filter.status.map(|s| s.as_str()))
    .bind(filter.since)
    .bind(filter.until)
    .bind(&filter.customer_id)
    .bind(&filter.order_id)
    .bind(filter.before_id)
    .bind(filter.limit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::subscriber)
    .collect()
}

/// Queues a merchant webhook describing the subscriber as it is now (in the caller's transaction).
pub(super) async fn notify(
    conn: &mut SqliteConnection,
    site: &str,
    id: SubscriberId,
    event: MerchantEvent,
    now: Millis,
) -> StoreResult<()> {
    let Some(subscriber) = by_id(&mut *conn, site, id).await? else {
        return Ok(());
    };
    let event_id = format!("evt_{:016x}", rand::random::<u64>());
    let body = crate::views::webhook_body(&event_id, event, site, subscriber, now);
    sqlx::query("INSERT INTO merchant_webhooks (site, event_type, payload, status, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', ?, ?)")
        .bind(site)
        .bind(event.as_str())
        .bind(body)
        .bind(now)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
