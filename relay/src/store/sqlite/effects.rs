//! Applying a decision's `Effects` on SQLite, all or nothing.

use sqlx::{Acquire, SqliteConnection};

use super::{conversation_flow, queues, rows, subscribers};
use crate::domain::{ChannelKind, Customer, Millis, SubscriberId};
use crate::store::{
    AccountChange, Commit, ConversationId, Effects, LinkVia, MerchantEvent, StoreResult,
    SubscriberChange,
};

/// Applies `effects` inside a savepoint of its own: a spent link rolls everything back and
/// answers `LinkSpent`, a database error rolls back and answers `Failed`. With `inbound`, the
/// webhook event is marked processed in the same savepoint. A conversation it changed is added
/// to `changed`, to be signalled once the writer has committed.
pub(super) async fn apply_atomically(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    effects: Effects,
    now: Millis,
    inbound: Option<i64>,
    changed: &mut Vec<(String, ConversationId)>,
) -> StoreResult<Commit> {
    let mut savepoint = conn.begin().await?;
    let applied = apply(&mut savepoint, site, channel, effects, now, changed).await;
    let applied = match (applied, inbound) {
        (Ok(Commit::Done(subscriber)), Some(id)) => queues::mark_processed(&mut savepoint, id, now)
            .await
            .map(|()| Commit::Done(subscriber)),
        (other, _) => other,
    };
    match applied {
        Ok(Commit::Done(subscriber)) => {
            savepoint.commit().await?;
            Ok(Commit::Done(subscriber))
        }
        Ok(other) => {
            savepoint.rollback().await?;
            Ok(other)
        }
        Err(error) => {
            savepoint.rollback().await?;
            Ok(Commit::Failed(error.to_string()))
        }
    }
}

async fn apply(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    effects: Effects,
    now: Millis,
    changed: &mut Vec<(String, ConversationId)>,
) -> StoreResult<Commit> {
    let Some(subscriber) = change_subscriber(conn, site, channel, &effects.subscriber, now).await?
    else {
        return Ok(Commit::Done(None));
    };
    if !change_account(conn, site, channel, subscriber, &effects.account, now).await? {
        return Ok(Commit::LinkSpent);
    }
    if let Some(order_id) = &effects.order_id {
        sqlx::query(
            "INSERT INTO subscriber_orders (subscriber_id, order_id, created_at) VALUES (?, ?, ?) \
             ON CONFLICT DO NOTHING",
        )
        .bind(subscriber.0)
        .bind(order_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(code) = &effects.link_code {
        sqlx::query(
            "INSERT INTO link_codes (code, site, subscriber_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&code.code)
        .bind(site)
        .bind(subscriber.0)
        .bind(now)
        .bind(code.expires_at)
        .execute(&mut *conn)
        .await?;
    }
    for event in &effects.events {
        sqlx::query(
            "INSERT INTO events (site, kind, channel, at, subscriber_id, ref, attribution) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(site)
        .bind(event.kind)
        .bind(channel.as_str())
        .bind(now)
        .bind(subscriber.0)
        .bind(&event.reference)
        .bind(rows::to_json_opt(event.attribution.as_ref())?)
        .execute(&mut *conn)
        .await?;
    }
    for reply in &effects.replies {
        sqlx::query(
            "INSERT INTO outbox (site, channel, subscriber_id, recipient, message, dedupe_key, status, next_attempt_at, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(site)
        .bind(channel.as_str())
        .bind(subscriber.0)
        .bind(&reply.recipient)
        .bind(rows::to_json(&reply.message)?)
        .bind(&reply.dedupe_key)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    for event in &effects.notify {
        queue_webhook(conn, site, subscriber, *event, now).await?;
    }
    if let Some(change) = &effects.conversation
        && let Some(id) =
            conversation_flow::apply_change(conn, site, channel, subscriber, change, now).await?
    {
        changed.push((site.to_owned(), id));
    }
    Ok(Commit::Done(Some(subscriber)))
}

async fn change_subscriber(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    change: &SubscriberChange,
    now: Millis,
) -> StoreResult<Option<SubscriberId>> {
    Ok(match change {
        SubscriberChange::None => None,
        SubscriberChange::Existing(id) => Some(*id),
        SubscriberChange::Create(new) => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO subscribers (site, channel, platform_user_id, display_name, status, ref, attribution, subscribed_at, last_inbound_at) \
                 VALUES (?, ?, ?, ?, 'active', ?, ?, ?, ?) \
                 ON CONFLICT (site, channel, platform_user_id) DO UPDATE SET last_inbound_at = MAX(last_inbound_at, excluded.last_inbound_at) \
                 RETURNING id",
            )
            .bind(site)
            .bind(channel.as_str())
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
                 unsubscribed_at = CASE WHEN ?1 = 'unsubscribed' THEN COALESCE(unsubscribed_at, ?3) ELSE NULL END \
                 WHERE id = ?4 AND site = ?5",
            )
            .bind(status.as_str())
            .bind(last_inbound_at)
            .bind(now)
            .bind(id.0)
            .bind(site)
            .execute(&mut *conn)
            .await?;
            Some(*id)
        }
    })
}

/// Applies the account change; `false` if the link it spends was spent already.
async fn change_account(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    subscriber: SubscriberId,
    change: &AccountChange,
    now: Millis,
) -> StoreResult<bool> {
    match change {
        AccountChange::Keep => {}
        AccountChange::Link { customer, via } => {
            let spent = match via {
                LinkVia::Ref(reference) => sqlx::query(
                    "UPDATE intents SET linked_at = ? WHERE site = ? AND channel = ? AND ref = ? AND linked_at IS NULL",
                )
                .bind(now)
                .bind(site)
                .bind(channel.as_str())
                .bind(reference),
                LinkVia::Code(code) => sqlx::query(
                    "UPDATE link_codes SET used_at = ? WHERE site = ? AND subscriber_id = ? AND code = ? AND used_at IS NULL",
                )
                .bind(now)
                .bind(site)
                .bind(subscriber.0)
                .bind(code),
            }
            .execute(&mut *conn)
            .await?;
            if spent.rows_affected() == 0 {
                return Ok(false);
            }
            link(conn, subscriber, customer, now).await?;
        }
        AccountChange::Unlink => {
            sqlx::query(
                "UPDATE subscribers SET customer_id = NULL, customer = NULL, linked_at = NULL WHERE id = ?",
            )
            .bind(subscriber.0)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(true)
}

async fn link(
    conn: &mut SqliteConnection,
    subscriber: SubscriberId,
    customer: &Customer,
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

/// Queues a merchant webhook with a snapshot of the subscriber as they are now.
async fn queue_webhook(
    conn: &mut SqliteConnection,
    site: &str,
    id: SubscriberId,
    event: MerchantEvent,
    now: Millis,
) -> StoreResult<()> {
    let Some(subscriber) = subscribers::by_id(&mut *conn, site, id).await? else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO merchant_webhooks (site, event_id, event_type, subscriber_id, snapshot, status, next_attempt_at, created_at) \
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
    )
    .bind(site)
    .bind(crate::store::new_event_id())
    .bind(event.as_str())
    .bind(id.0)
    .bind(rows::to_json(&subscriber)?)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
