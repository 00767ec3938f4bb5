//! Conversations on SQLite as they move: a person's messenger message joining their
//! conversation, a web chat continuing in a messenger, replies queued for delivery, the list
//! operators read, closing, reading, and a returning customer's further devices.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::conversations::{add_message, find, start};
use super::rows::{self, CONVERSATION_COLUMNS, MESSAGE_COLUMNS};
use crate::domain::{ChannelKind, Millis, SubscriberId};
use crate::store::{
    Conversation, ConversationChange, ConversationFilter, ConversationId, ConversationStatus,
    ConversationSummary, Delivery, Message, MessageAuthor, MessageStatus, NewConversation,
    NewMessage, Place, StoreResult,
};

/// Applies a decision's conversation change for `subscriber`; the conversation it changed.
pub(super) async fn apply_change(
    conn: &mut SqliteConnection,
    site: &str,
    channel: ChannelKind,
    subscriber: SubscriberId,
    change: &ConversationChange,
    now: Millis,
) -> StoreResult<Option<ConversationId>> {
    match change {
        ConversationChange::VisitorWrote {
            text,
            key,
            attribution,
            customer_id,
        } => {
            let latest: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, status FROM conversations WHERE site = ? AND subscriber_id = ? \
                 ORDER BY updated_at DESC, id DESC LIMIT 1",
            )
            .bind(site)
            .bind(subscriber.0)
            .fetch_optional(&mut *conn)
            .await?;
            let id = match latest {
                Some((id, status)) => {
                    if status != ConversationStatus::Open.as_str() {
                        reopen(conn, site, ConversationId(id)).await?;
                    }
                    ConversationId(id)
                }
                None => {
                    let new = NewConversation {
                        site: site.to_owned(),
                        token_hash: None,
                        customer_id: customer_id.clone(),
                        subscriber_id: Some(subscriber),
                        place: Place::Messenger(channel),
                        attribution: attribution.as_deref().cloned(),
                        at: now,
                    };
                    start(conn, &new).await?.id
                }
            };
            let message = NewMessage {
                author: MessageAuthor::Visitor,
                operator: None,
                place: Place::Messenger(channel),
                body: text.clone(),
                status: MessageStatus::Received,
                client_key: Some(format!("in-{key}")),
                at: now,
            };
            add_message(conn, site, id, &message).await?;
            Ok(Some(id))
        }
        ConversationChange::Continued {
            conversation,
            recap,
        } => {
            let moved = sqlx::query(
                "UPDATE conversations SET channel = ?, subscriber_id = ?, status = 'open' \
                 WHERE id = ? AND site = ?",
            )
            .bind(channel.as_str())
            .bind(subscriber.0)
            .bind(conversation.0)
            .bind(site)
            .execute(&mut *conn)
            .await?;
            if moved.rows_affected() == 0 {
                // Erased meanwhile: the subscription stands without it.
                return Ok(None);
            }
            let message = NewMessage {
                author: MessageAuthor::System,
                operator: None,
                place: Place::Messenger(channel),
                body: recap.message.text.clone(),
                status: MessageStatus::Pending,
                client_key: Some(format!("recap-{}", recap.dedupe_key)),
                at: now,
            };
            let delivery = Delivery {
                channel,
                subscriber_id: subscriber,
                recipient: recap.recipient.clone(),
                message: recap.message.clone(),
                dedupe_key: recap.dedupe_key.clone(),
            };
            add_reply(conn, site, *conversation, &message, Some(&delivery)).await?;
            Ok(Some(*conversation))
        }
    }
}

async fn reopen(conn: &mut SqliteConnection, site: &str, id: ConversationId) -> StoreResult<()> {
    sqlx::query("UPDATE conversations SET status = 'open' WHERE id = ? AND site = ?")
        .bind(id.0)
        .bind(site)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds `message` and, with `delivery`, queues it for the messenger; one savepoint is the
/// caller's (the writer runs each job in one).
pub(super) async fn add_reply(
    conn: &mut SqliteConnection,
    site: &str,
    id: ConversationId,
    message: &NewMessage,
    delivery: Option<&Delivery>,
) -> StoreResult<Option<Message>> {
    let Some(added) = add_message(conn, site, id, message).await? else {
        return Ok(None);
    };
    if let Some(delivery) = delivery {
        sqlx::query(
            "INSERT INTO outbox (site, channel, subscriber_id, recipient, message, dedupe_key, \
             status, next_attempt_at, created_at, conversation_id, message_seq) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7, ?8, ?9) \
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(site)
        .bind(delivery.channel.as_str())
        .bind(delivery.subscriber_id.0)
        .bind(&delivery.recipient)
        .bind(rows::to_json(&delivery.message)?)
        .bind(&delivery.dedupe_key)
        .bind(message.at)
        .bind(id.0)
        .bind(added.seq)
        .execute(conn)
        .await?;
    }
    Ok(Some(added))
}

/// Conversations of `sites` matching `filter`, latest activity first.
pub(super) async fn list(
    conn: &mut SqliteConnection,
    sites: &[String],
    filter: &ConversationFilter,
) -> StoreResult<Vec<ConversationSummary>> {
    if sites.is_empty() {
        return Ok(Vec::new());
    }
    let columns: String = CONVERSATION_COLUMNS
        .split(", ")
        .map(|column| format!("c.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {columns}, s.display_name AS visitor_name, \
         (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.seq > c.read_seq \
          AND m.author = 'visitor') AS unread \
         FROM conversations c LEFT JOIN subscribers s ON s.id = c.subscriber_id WHERE c.site IN ("
    ));
    let mut list = query.separated(", ");
    for site in sites {
        list.push_bind(site);
    }
    query.push(")");
    if let Some(status) = filter.status {
        query.push(" AND c.status = ").push_bind(status.as_str());
    }
    if let Some(place) = filter.place {
        query.push(" AND c.channel = ").push_bind(place.as_str());
    }
    if let Some(customer) = &filter.customer_id {
        query.push(" AND c.customer_id = ").push_bind(customer);
    }
    if let Some(since) = filter.updated_since {
        query.push(" AND c.updated_at >= ").push_bind(since);
    }
    if let Some((at, id)) = filter.before {
        query
            .push(" AND (c.updated_at < ")
            .push_bind(at)
            .push(" OR (c.updated_at = ")
            .push_bind(at)
            .push(" AND c.id < ")
            .push_bind(id.0)
            .push("))");
    }
    query
        .push(" ORDER BY c.updated_at DESC, c.id DESC LIMIT ")
        .push_bind(filter.limit);
    let found = query.build().fetch_all(&mut *conn).await?;
    let mut summaries = Vec::with_capacity(found.len());
    for row in &found {
        let conversation = rows::conversation(row)?;
        let last_message = last_message(conn, &conversation).await?;
        summaries.push(ConversationSummary {
            last_message,
            unread: sqlx::Row::try_get(row, "unread")?,
            visitor_name: sqlx::Row::try_get(row, "visitor_name")?,
            conversation,
        });
    }
    Ok(summaries)
}

async fn last_message(
    conn: &mut SqliteConnection,
    conversation: &Conversation,
) -> StoreResult<Option<Message>> {
    sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq = ?"
    ))
    .bind(conversation.id.0)
    .bind(conversation.last_seq)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::message(&row))
    .transpose()
}

/// Opens or closes a conversation; it as it is now.
pub(super) async fn set_status(
    conn: &mut SqliteConnection,
    site: &str,
    id: ConversationId,
    status: ConversationStatus,
    now: Millis,
) -> StoreResult<Option<Conversation>> {
    sqlx::query(&format!(
        "UPDATE conversations SET status = ?, updated_at = MAX(updated_at, ?) \
         WHERE id = ? AND site = ? RETURNING {CONVERSATION_COLUMNS}"
    ))
    .bind(status.as_str())
    .bind(now)
    .bind(id.0)
    .bind(site)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::conversation(&row))
    .transpose()
}

/// Marks messages up to `seq` read (never backwards); whether the conversation exists.
pub(super) async fn mark_read(
    conn: &mut SqliteConnection,
    site: &str,
    id: ConversationId,
    seq: i64,
) -> StoreResult<bool> {
    let updated = sqlx::query(
        "UPDATE conversations SET read_seq = MAX(read_seq, MIN(?, last_seq)) WHERE id = ? AND site = ?",
    )
    .bind(seq)
    .bind(id.0)
    .bind(site)
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// Gives a customer's latest open conversation one more device token.
pub(super) async fn resume(
    conn: &mut SqliteConnection,
    site: &str,
    customer_id: &str,
    token_hash: &str,
    now: Millis,
) -> StoreResult<Option<Conversation>> {
    let latest: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM conversations WHERE site = ? AND customer_id = ? AND status = 'open' \
         ORDER BY updated_at DESC, id DESC LIMIT 1",
    )
    .bind(site)
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = latest else {
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO conversation_devices (token_hash, conversation_id, created_at) VALUES (?, ?, ?)",
    )
    .bind(token_hash)
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    find(conn, site, ConversationId(id)).await
}
