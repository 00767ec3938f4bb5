//! Reading subscribers and their link codes, and erasing a subscriber.

use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::rows::{self, SUBSCRIBER_COLUMNS};
use crate::domain::{ChannelKind, PlatformUserId, SubscriberId};
use crate::store::{LinkCodeRecord, StoreResult, Subscriber, SubscriberFilter};

pub(super) async fn by_id(
    conn: &mut PgConnection,
    site: &str,
    id: SubscriberId,
) -> StoreResult<Option<Subscriber>> {
    sqlx::query(&format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.site = $1 AND s.id = $2"
    ))
    .bind(site)
    .bind(id.0)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::subscriber(&row))
    .transpose()
}

pub(super) async fn by_users(
    conn: &mut PgConnection,
    site: &str,
    channel: ChannelKind,
    users: &[PlatformUserId],
) -> StoreResult<Vec<Subscriber>> {
    let users: Vec<String> = users.iter().map(|u| rows::text(u.as_str())).collect();
    sqlx::query(&format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s \
         WHERE s.site = $1 AND s.channel = $2 AND s.platform_user_id = ANY($3)"
    ))
    .bind(site)
    .bind(channel.as_str())
    .bind(users)
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::subscriber)
    .collect()
}

/// Only the filters given become conditions, so the planner can pick the index that fits
/// (by customer, by order, or the site's ids newest first).
pub(super) async fn list(
    conn: &mut PgConnection,
    site: &str,
    filter: &SubscriberFilter,
) -> StoreResult<Vec<Subscriber>> {
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.site = "
    ));
    query.push_bind(site);
    if let Some(channel) = filter.channel {
        query.push(" AND s.channel = ").push_bind(channel.as_str());
    }
    if let Some(status) = filter.status {
        query.push(" AND s.status = ").push_bind(status.as_str());
    }
    if let Some(since) = filter.since {
        query.push(" AND s.subscribed_at >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        query.push(" AND s.subscribed_at < ").push_bind(until);
    }
    if let Some(customer) = &filter.customer_id {
        query
            .push(" AND s.customer_id = ")
            .push_bind(rows::text(customer));
    }
    if let Some(order) = &filter.order_id {
        query
            .push(" AND EXISTS (SELECT 1 FROM subscriber_orders o WHERE o.subscriber_id = s.id AND o.order_id = ")
            .push_bind(rows::text(order))
            .push(")");
    }
    if let Some(before) = filter.before_id {
        query.push(" AND s.id < ").push_bind(before);
    }
    query
        .push(" ORDER BY s.id DESC LIMIT ")
        .push_bind(i64::from(filter.limit));
    query
        .build()
        .fetch_all(conn)
        .await?
        .iter()
        .map(rows::subscriber)
        .collect()
}

pub(super) async fn link_code(
    conn: &mut PgConnection,
    site: &str,
    code: &str,
) -> StoreResult<Option<LinkCodeRecord>> {
    sqlx::query(
        "SELECT code, site, subscriber_id, expires_at, used_at FROM link_codes WHERE site = $1 AND code = $2",
    )
    .bind(site)
    .bind(rows::text(code))
    .fetch_optional(conn)
    .await?
    .map(|row| rows::link_code(&row))
    .transpose()
}

/// Erases inside the caller's transaction (see `Store::erase_subscriber` for what goes).
pub(super) async fn erase(
    conn: &mut PgConnection,
    site: &str,
    id: SubscriberId,
) -> StoreResult<bool> {
    // Locks the row: a relay linking or updating this subscriber meanwhile waits, then finds
    // nobody.
    let found: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT channel, platform_user_id, ref FROM subscribers WHERE site = $1 AND id = $2 FOR UPDATE",
    )
    .bind(site)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((channel, user, reference)) = found else {
        return Ok(false);
    };
    // Webhook bodies kept for replay hold names and message texts.
    sqlx::query("DELETE FROM inbound WHERE site = $1 AND channel = $2 AND user_id = $3")
        .bind(site)
        .bind(&channel)
        .bind(&user)
        .execute(&mut *conn)
        .await?;
    if let Some(reference) = &reference {
        sqlx::query(
            "UPDATE intents SET customer = NULL, order_id = NULL WHERE site = $1 AND channel = $2 AND ref = $3",
        )
        .bind(site)
        .bind(&channel)
        .bind(reference)
        .execute(&mut *conn)
        .await?;
    }
    // Their conversations, messages included (ON DELETE CASCADE): what they wrote and what
    // was written to them.
    sqlx::query("DELETE FROM conversations WHERE subscriber_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM outbox WHERE subscriber_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM merchant_webhooks WHERE site = $1 AND subscriber_id = $2")
        .bind(site)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    // Funnel counts stay; the person behind them does not.
    sqlx::query("UPDATE events SET subscriber_id = NULL, ref = NULL WHERE subscriber_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    // Link codes and orders go with the row (ON DELETE CASCADE).
    sqlx::query("DELETE FROM subscribers WHERE id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}
