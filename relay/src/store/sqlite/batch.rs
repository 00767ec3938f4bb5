//! Applying a whole batch of processed webhook events with a handful of statements.
//!
//! Every statement is a round trip to SQLite's thread, and a burst of new subscribers would
//! otherwise cost seven of them per event. Events whose effects are the common ones — a
//! subscriber created or updated, funnel events, replies, merchant webhooks — are applied
//! together: one multi-row `INSERT` per table and one `UPDATE` marking them processed, all in
//! one savepoint. If anything in it fails, the savepoint is rolled back and the caller applies
//! the events one by one instead, so one bad event still fails alone. A new subscriber's link code
//! goes in with the batch too (a code that collides fails the batch, and one by one it fails
//! alone); events that spend an account link, attach an order or touch a conversation always go
//! one by one.

use std::collections::HashMap;

use sqlx::{Acquire, QueryBuilder, Sqlite, SqliteConnection};

use super::rows::{self, SUBSCRIBER_COLUMNS};
use crate::domain::{ChannelKind, Millis, SubscriberId};
use crate::store::{AccountChange, Effects, LinkCode, StoreResult, SubscriberChange};

/// A processed event the batch applies.
pub(super) struct Item {
    /// The webhook event's row id.
    pub id: i64,
    /// Its site.
    pub site: String,
    /// Its platform.
    pub channel: ChannelKind,
    /// What processing decided.
    pub effects: Box<Effects>,
}

/// Whether these effects can be applied with the batch.
pub(super) fn eligible(effects: &Effects) -> bool {
    effects.account == AccountChange::Keep
        && effects.order_id.is_none()
        && effects.conversation.is_none()
}

/// Applies every item in one savepoint; the subscriber each item was about, in order. On an
/// error nothing of the batch is applied.
pub(super) async fn apply(
    conn: &mut SqliteConnection,
    items: &[Item],
    now: Millis,
) -> StoreResult<Vec<Option<SubscriberId>>> {
    let mut savepoint = conn.begin().await?;
    match apply_all(&mut savepoint, items, now).await {
        Ok(subscribers) => {
            savepoint.commit().await?;
            Ok(subscribers)
        }
        Err(error) => {
            savepoint.rollback().await?;
            Err(error)
        }
    }
}

async fn apply_all(
    conn: &mut SqliteConnection,
    items: &[Item],
    now: Millis,
) -> StoreResult<Vec<Option<SubscriberId>>> {
    let created = create_subscribers(conn, items).await?;
    let mut subscribers = Vec::with_capacity(items.len());
    for item in items {
        let subscriber = match &item.effects.subscriber {
            SubscriberChange::None => None,
            SubscriberChange::Existing(id) => Some(*id),
            SubscriberChange::Create(new) => created
                .get(&(
                    item.site.clone(),
                    item.channel.as_str().to_owned(),
                    new.platform_user_id.as_str().to_owned(),
                ))
                .copied()
                .map(SubscriberId),
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
                .bind(&item.site)
                .execute(&mut *conn)
                .await?;
                Some(*id)
            }
        };
        subscribers.push(subscriber);
    }
    insert_link_codes(conn, items, &subscribers, now).await?;
    insert_events(conn, items, &subscribers, now).await?;
    insert_replies(conn, items, &subscribers, now).await?;
    insert_webhooks(conn, items, &subscribers, now).await?;
    let mut processed: QueryBuilder<Sqlite> =
        QueryBuilder::new("UPDATE inbound SET processed_at = ");
    processed.push_bind(now);
    processed.push(", last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id IN (");
    let mut ids = processed.separated(", ");
    for item in items {
        ids.push_bind(item.id);
    }
    processed.push(")");
    processed.build().execute(&mut *conn).await?;
    Ok(subscribers)
}

/// Creates the batch's new subscribers with one statement; their ids by (site, channel, user).
/// A person who exists already (created by another relay meanwhile) keeps their row.
async fn create_subscribers(
    conn: &mut SqliteConnection,
    items: &[Item],
) -> StoreResult<HashMap<(String, String, String), i64>> {
    let new: Vec<(&Item, &crate::store::NewSubscriber)> = items
        .iter()
        .filter_map(|item| match &item.effects.subscriber {
            SubscriberChange::Create(new) => Some((item, new.as_ref())),
            _ => None,
        })
        .collect();
    if new.is_empty() {
        return Ok(HashMap::new());
    }
    let attributions: Vec<Option<String>> = new
        .iter()
        .map(|(_, subscriber)| rows::to_json_opt(subscriber.attribution.as_ref()))
        .collect::<StoreResult<_>>()?;
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO subscribers (site, channel, platform_user_id, display_name, status, ref, attribution, subscribed_at, last_inbound_at) ",
    );
    query.push_values(
        new.iter().zip(&attributions),
        |mut row, ((item, subscriber), attribution)| {
            row.push_bind(&item.site)
                .push_bind(item.channel.as_str())
                .push_bind(subscriber.platform_user_id.as_str())
                .push_bind(&subscriber.display_name)
                .push_bind("active")
                .push_bind(&subscriber.reference)
                .push_bind(attribution)
                .push_bind(subscriber.at)
                .push_bind(subscriber.at);
        },
    );
    query.push(
        " ON CONFLICT (site, channel, platform_user_id) DO UPDATE SET last_inbound_at = MAX(last_inbound_at, excluded.last_inbound_at) \
         RETURNING id, site, channel, platform_user_id",
    );
    let created: Vec<(i64, String, String, String)> =
        query.build_query_as().fetch_all(&mut *conn).await?;
    Ok(created
        .into_iter()
        .map(|(id, site, channel, user)| ((site, channel, user), id))
        .collect())
}

async fn insert_link_codes(
    conn: &mut SqliteConnection,
    items: &[Item],
    subscribers: &[Option<SubscriberId>],
    now: Millis,
) -> StoreResult<()> {
    let codes: Vec<(&Item, SubscriberId, &LinkCode)> = items
        .iter()
        .zip(subscribers)
        .filter_map(|(item, subscriber)| {
            Some((item, (*subscriber)?, item.effects.link_code.as_ref()?))
        })
        .collect();
    if codes.is_empty() {
        return Ok(());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO link_codes (code, site, subscriber_id, created_at, expires_at) ",
    );
    query.push_values(&codes, |mut row, (item, subscriber, code)| {
        row.push_bind(&code.code)
            .push_bind(&item.site)
            .push_bind(subscriber.0)
            .push_bind(now)
            .push_bind(code.expires_at);
    });
    query.build().execute(&mut *conn).await?;
    Ok(())
}

async fn insert_events(
    conn: &mut SqliteConnection,
    items: &[Item],
    subscribers: &[Option<SubscriberId>],
    now: Millis,
) -> StoreResult<()> {
    let mut events = Vec::new();
    for (item, subscriber) in items.iter().zip(subscribers) {
        let Some(subscriber) = subscriber else {
            continue;
        };
        for event in &item.effects.events {
            let attribution = rows::to_json_opt(event.attribution.as_ref())?;
            events.push((item, *subscriber, event, attribution));
        }
    }
    if events.is_empty() {
        return Ok(());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO events (site, kind, channel, at, subscriber_id, ref, attribution) ",
    );
    query.push_values(
        &events,
        |mut row, (item, subscriber, event, attribution)| {
            row.push_bind(&item.site)
                .push_bind(event.kind)
                .push_bind(item.channel.as_str())
                .push_bind(now)
                .push_bind(subscriber.0)
                .push_bind(&event.reference)
                .push_bind(attribution);
        },
    );
    query.build().execute(&mut *conn).await?;
    Ok(())
}

async fn insert_replies(
    conn: &mut SqliteConnection,
    items: &[Item],
    subscribers: &[Option<SubscriberId>],
    now: Millis,
) -> StoreResult<()> {
    let mut replies = Vec::new();
    for (item, subscriber) in items.iter().zip(subscribers) {
        let Some(subscriber) = subscriber else {
            continue;
        };
        for reply in &item.effects.replies {
            replies.push((item, *subscriber, reply, rows::to_json(&reply.message)?));
        }
    }
    if replies.is_empty() {
        return Ok(());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO outbox (site, channel, subscriber_id, recipient, message, dedupe_key, status, next_attempt_at, created_at) ",
    );
    query.push_values(&replies, |mut row, (item, subscriber, reply, message)| {
        row.push_bind(&item.site)
            .push_bind(item.channel.as_str())
            .push_bind(subscriber.0)
            .push_bind(&reply.recipient)
            .push_bind(message)
            .push_bind(&reply.dedupe_key)
            .push_bind("pending")
            .push_bind(now)
            .push_bind(now);
    });
    query.push(" ON CONFLICT (dedupe_key) DO NOTHING");
    query.build().execute(&mut *conn).await?;
    Ok(())
}

/// Queues the batch's merchant webhooks, each with a snapshot of its subscriber as the batch
/// leaves them.
async fn insert_webhooks(
    conn: &mut SqliteConnection,
    items: &[Item],
    subscribers: &[Option<SubscriberId>],
    now: Millis,
) -> StoreResult<()> {
    let wanted: Vec<(&Item, SubscriberId)> = items
        .iter()
        .zip(subscribers)
        .filter(|(item, _)| !item.effects.notify.is_empty())
        .filter_map(|(item, subscriber)| Some((item, (*subscriber)?)))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut select: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers s WHERE s.id IN ("
    ));
    let mut ids = select.separated(", ");
    for (_, subscriber) in &wanted {
        ids.push_bind(subscriber.0);
    }
    select.push(")");
    let snapshots: HashMap<i64, String> = select
        .build()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            let subscriber = rows::subscriber(row)?;
            Ok((subscriber.id.0, rows::to_json(&subscriber)?))
        })
        .collect::<StoreResult<_>>()?;
    let mut webhooks = Vec::new();
    for (item, subscriber) in &wanted {
        let Some(snapshot) = snapshots.get(&subscriber.0) else {
            continue;
        };
        for event in &item.effects.notify {
            webhooks.push((*item, *subscriber, *event, snapshot));
        }
    }
    if webhooks.is_empty() {
        return Ok(());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO merchant_webhooks (site, event_id, event_type, subscriber_id, snapshot, status, next_attempt_at, created_at) ",
    );
    query.push_values(&webhooks, |mut row, (item, subscriber, event, snapshot)| {
        row.push_bind(&item.site)
            .push_bind(crate::store::new_event_id())
            .push_bind(event.as_str())
            .push_bind(subscriber.0)
            .push_bind(*snapshot)
            .push_bind("pending")
            .push_bind(now)
            .push_bind(now);
    });
    query.build().execute(&mut *conn).await?;
    Ok(())
}
