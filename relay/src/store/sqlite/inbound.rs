//! Applying what processing decided for one inbound event, in one transaction.

use sqlx::SqliteConnection;

use super::{rows, subscribers};
use crate::domain::{Millis, SubscriberId};
use crate::store::{AccountChange, InboundEffects, StoreResult, SubscriberChange};

pub(super) async fn commit(
    conn: &mut SqliteConnection,
    inbound_id: i64,
    effects: InboundEffects,
    now: Millis,
) -> StoreResult<Option<SubscriberId>> {
    let (site, channel): (String, String) =
        sqlx::query_as("SELECT site, channel FROM inbound WHERE id = ?")
            .bind(inbound_id)
            .fetch_one(&mut *conn)
            .await?;
    let subscriber = match &effects.subscriber {
        SubscriberChange::None => None,
        SubscriberChange::Create(new) => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO subscribers (site, channel, platform_user_id, display_name, status, ref, attribution, subscribed_at, last_inbound_at) \
                 VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?) \
                 ON CONFLICT (site, channel, platform_user_id) DO UPDATE SET last_inbound_at = MAX(last_inbound_at, excluded.last_inbound_at) \
                 RETURNING id",
            )
            .bind(&site)
            .bind(&channel)
            .bind(new.platform_user_id.as_str())
            .bind(&new.display_name)
            .bind(&new.reference)
            .bind(rows::to_json_opt(new.attribution.as_ref())?)
            .bind(new.at)
            .bind(new.at)
            .fetch_one(&mut *conn)
            .await?;
            Some(SubscriberId(id))
        }
        SubscriberChange::Update {
            id,
            status,
            last_inbound_at,
        } => {
            sqlx::query(
                "UPDATE subscribers SET status = ?1, last_inbound_at = MAX(last_inbound_at, ?2), \
                 unsubscribed_at = CASE WHEN ?1 = 'unsubscribed' THEN COALESCE(unsubscribed_at, ?3) ELSE NULL END WHERE id = ?4",
            )
            .bind(status.as_str())
            .bind(last_inbound_at)
            .bind(now)
            .bind(id.0)
            .execute(&mut *conn)
            .await?;
            Some(*id)
        }
    };
    let Some(subscriber) = subscriber else {
        mark_processed(conn, inbound_id, now).await?;
        return Ok(None);
    };
    apply_account(conn, &site, &channel, subscriber, &effects.account, now).await?;
    if let Some(order_id) = &effects.order_id {
        sqlx::query("INSERT INTO subscriber_orders (subscriber_id, order_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(subscriber.0)
            .bind(order_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(code) = &effects.link_code {
        sqlx::query("INSERT INTO link_codes (code, site, subscriber_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&code.code)
            .bind(&site)
            .bind(subscriber.0)
            .bind(now)
            .bind(code.expires_at)
            .execute(&mut *conn)
            .await?;
    }
    for event in &effects.events {
        sqlx::query("INSERT INTO events (site, kind, channel, at, subscriber_id, ref, attribution) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(&site)
            .bind(event.kind)
            .bind(&channel)
            .bind(now)
            .bind(subscriber.0)
            .bind(&event.reference)
            .bind(rows::to_json_opt(event.attribution.as_ref())?)
            .execute(&mut *conn)
            .await?;
    }
    for (index, reply) in effects.replies.iter().enumerate() {
        sqlx::query(
            "INSERT INTO outbox (site, channel, subscriber_id, recipient, message, dedupe_key, status, next_attempt_at, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(&site)
        .bind(&channel)
        .bind(subscriber.0)
        .bind(&reply.recipient)
        .bind(rows::to_json(&reply.message)?)
        .bind(format!("inbound:{inbound_id}:{index}"))
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    for event in &effects.notify {
        subscribers::notify(&mut *conn, &site, subscriber, *event, now).await?;
    }
    mark_processed(conn, inbound_id, now).await?;
    Ok(Some(subscriber))
}

async fn apply_account(
    conn: &mut SqliteConnection,
    site: &str,
    channel: &str,
    subscriber: SubscriberId,
    change: &AccountChange,
    now: Millis,
) -> StoreResult<()> {
    match change {
        AccountChange::Keep => {}
        AccountChange::Link { customer, via_ref } => {
            if let Some(reference) = via_ref {
                // Spend the ref's single link; if it is already spent, the subscriber stays unlinked.
                let spent = sqlx::query("UPDATE intents SET linked_at = ? WHERE site = ? AND channel = ? AND ref = ? AND linked_at IS NULL")
                    .bind(now)
                    .bind(site)
                    .bind(channel)
                    .bind(reference)
                    .execute(&mut *conn)
                    .await?;
                if spent.rows_affected() == 0 {
                    return Ok(());
                }
            }
            link(conn, subscriber, customer, now).await?;
        }
        AccountChange::Unlink => {
            sqlx::query("UPDATE subscribers SET customer_id = NULL, customer = NULL, linked_at = NULL WHERE id = ?")
                .bind(subscriber.0)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

pub(super) async fn link(
    conn: &mut SqliteConnection,
    subscriber: SubscriberId,
    customer: &crate::domain::Customer,
    now: Millis,
) -> StoreResult<()> {
    sqlx::query("UPDATE subscribers SET customer_id = ?, customer = ?, linked_at = ? WHERE id = ?")
        .bind(&customer.id)
        .bind(rows::to_json(customer)?)
        .bind(now)
        .bind(subscriber.0)
        .execute(conn)
        .await?;
    Ok(())
}

async fn mark_processed(
    conn: &mut SqliteConnection,
    inbound_id: i64,
    now: Millis,
) -> StoreResult<()> {
    sqlx::query("UPDATE inbound SET processed_at = ? WHERE id = ?")
        .bind(now)
        .bind(inbound_id)
        .execute(conn)
        .await?;
    Ok(())
}
