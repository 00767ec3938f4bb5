//! Customer links made from the merchant's page or the API, and erasing a subscriber.

use sqlx::{Row, SqliteConnection};

use super::{inbound, rows, subscribers};
use crate::channels::OutboundMessage;
use crate::domain::{Customer, Millis, SubscriberId};
use crate::store::{LinkCodeError, MerchantEvent, StoreResult, Subscriber};

pub(super) async fn complete_link(
    conn: &mut SqliteConnection,
    site: &str,
    code: &str,
    customer: &Customer,
    confirmation: OutboundMessage,
    notify: bool,
    now: Millis,
) -> Result<Subscriber, LinkCodeError> {
    let row = sqlx::query(
        "SELECT subscriber_id, expires_at, used_at FROM link_codes WHERE code = ? AND site = ?",
    )
    .bind(code)
    .bind(site)
    .fetch_optional(&mut *conn)
    .await
    .map_err(crate::store::StoreError::from)?
    .ok_or(LinkCodeError::NotFound)?;
    let subscriber = SubscriberId(
        row.try_get("subscriber_id")
            .map_err(crate::store::StoreError::from)?,
    );
    let expires_at: Millis = row
        .try_get("expires_at")
        .map_err(crate::store::StoreError::from)?;
    let used_at: Option<Millis> = row
        .try_get("used_at")
        .map_err(crate::store::StoreError::from)?;
    if used_at.is_some() {
        return Err(LinkCodeError::Used);
    }
    if expires_at < now {
        return Err(LinkCodeError::Expired);
    }
    sqlx::query("UPDATE link_codes SET used_at = ? WHERE code = ?")
        .bind(now)
        .bind(code)
        .execute(&mut *conn)
        .await
        .map_err(crate::store::StoreError::from)?;
    inbound::link(&mut *conn, subscriber, customer, now).await?;
    let linked = subscribers::by_id(&mut *conn, site, subscriber)
        .await?
        .ok_or(LinkCodeError::NotFound)?;
    queue_message(
        &mut *conn,
        &linked,
        &confirmation,
        &format!("link:{code}"),
        now,
    )
    .await?;
    if notify {
        subscribers::notify(&mut *conn, site, subscriber, MerchantEvent::Linked, now).await?;
    }
    Ok(linked)
}

pub(super) async fn unlink(
    conn: &mut SqliteConnection,
    site: &str,
    id: SubscriberId,
    notify: bool,
    now: Millis,
) -> StoreResult<Option<Subscriber>> {
    let Some(subscriber) = subscribers::by_id(&mut *conn, site, id).await? else {
        return Ok(None);
    };
    if subscriber.customer.is_none() {
        return Ok(Some(subscriber));
    }
    sqlx::query(
        "UPDATE subscribers SET customer_id = NULL, customer = NULL, linked_at = NULL WHERE id = ?",
    )
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO events (site, kind, channel, at, subscriber_id, attribution) VALUES (?, 'unlinked', ?, ?, ?, ?)")
        .bind(site)
        .bind(subscriber.channel.as_str())
        .bind(now)
        .bind(id.0)
        .bind(rows::to_json_opt(subscriber.attribution.as_ref())?)
        .execute(&mut *conn)
        .await?;
    if notify {
        subscribers::notify(&mut *conn, site, id, MerchantEvent::Unlinked, now).await?;
    }
    subscribers::by_id(conn, site, id).await
}

pub(super) async fn erase(
    conn: &mut SqliteConnection,
    site: &str,
    id: SubscriberId,
) -> StoreResult<bool> {
    let Some(subscriber) = subscribers::by_id(&mut *conn, site, id).await? else {
        return Ok(false);
    };
    let channel = subscriber.channel.as_str();
    // Webhook bodies kept for replay hold names and message texts.
    sqlx::query(
        "DELETE FROM inbound WHERE site = ? AND channel = ? AND json_extract(event, '$.user') = ?",
    )
    .bind(site)
    .bind(channel)
    .bind(subscriber.platform_user_id.as_str())
    .execute(&mut *conn)
    .await?;
    if let Some(reference) = &subscriber.reference {
        sqlx::query("UPDATE intents SET customer = NULL, order_id = NULL WHERE site = ? AND channel = ? AND ref = ?")
            .bind(site)
            .bind(channel)
            .bind(reference)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM outbox WHERE subscriber_id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM merchant_webhooks WHERE site = ? AND json_extract(payload, '$.data.subscriber.id') = ?")
        .bind(site)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    // Funnel counts stay; the person behind them does not.
    sqlx::query("UPDATE events SET subscriber_id = NULL, ref = NULL WHERE subscriber_id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM subscribers WHERE id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

async fn queue_message(
    conn: &mut SqliteConnection,
    subscriber: &Subscriber,
    message: &OutboundMessage,
    dedupe_key: &str,
    now: Millis,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (site, channel, subscriber_id, recipient, message, dedupe_key, status, next_attempt_at, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(&subscriber.site)
    .bind(subscriber.channel.as_str())
    .bind(subscriber.id.0)
    .bind(subscriber.platform_user_id.as_str())
    .bind(rows::to_json(message)?)
    .bind(dedupe_key)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
