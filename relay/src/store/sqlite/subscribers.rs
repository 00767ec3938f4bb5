//! Reading subscribers and their link codes, and erasing a subscriber.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::rows::{self, SUBSCRIBER_COLUMNS};
use crate::domain::{ChannelKind, PlatformUserId, SubscriberId};
use crate::store::{LinkCodeRecord, StoreResult, Subscriber, SubscriberFilter};

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

pub(super) async fn by_users(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    users: &[PlatformUserId],
) -> StoreResult<Vec<Subscriber>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.site = "
    ));
    query.push_bind(site);
    query.push(" AND s.channel = ").push_bind(channel.as_str());
    query.push(" AND s.platform_user_id IN (");
    let mut list = query.separated(", ");
    for user in users {
        list.push_bind(user.as_str());
    }
    query.push(")");
    query
        .build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(rows::subscriber)
        .collect()
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

pub(super) async fn link_code(
    conn: &mut SqliteConnection,
    site: &str,
    code: &str,
) -> StoreResult<Option<LinkCodeRecord>> {
    sqlx::query(
        "SELECT code, site, subscriber_id, expires_at, used_at FROM link_codes WHERE site = ? AND code = ?",
    )
    .bind(site)
    .bind(code)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::link_code(&row))
    .transpose()
}

pub(super) async fn erase(
    conn: &mut SqliteConnection,
    site: &str,
    id: SubscriberId,
) -> StoreResult<bool> {
    let Some(subscriber) = by_id(&mut *conn, site, id).await? else {
        return Ok(false);
    };
    let channel = subscriber.channel.as_str();
    // Webhook bodies kept for replay hold names and message texts.
    sqlx::query("DELETE FROM inbound WHERE site = ? AND channel = ? AND user_id = ?")
        .bind(site)
        .bind(channel)
        .bind(subscriber.platform_user_id.as_str())
        .execute(&mut *conn)
        .await?;
    if let Some(reference) = &subscriber.reference {
        sqlx::query(
            "UPDATE intents SET customer = NULL, order_id = NULL WHERE site = ? AND channel = ? AND ref = ?",
        )
        .bind(site)
        .bind(channel)
        .bind(reference)
        .execute(&mut *conn)
        .await?;
    }
    // Their conversations, messages included (ON DELETE CASCADE): what they wrote and what
    // was written to them.
    sqlx::query("DELETE FROM conversations WHERE subscriber_id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM outbox WHERE subscriber_id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM merchant_webhooks WHERE site = ? AND subscriber_id = ?")
        .bind(site)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    // Funnel counts stay; the person behind them does not.
    sqlx::query("UPDATE events SET subscriber_id = NULL, ref = NULL WHERE subscriber_id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    // Link codes and orders go with the row (ON DELETE CASCADE).
    sqlx::query("DELETE FROM subscribers WHERE id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}
