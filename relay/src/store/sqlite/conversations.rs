//! Conversations and their messages on SQLite.

use sqlx::SqliteConnection;

use super::rows::{self, CONVERSATION_COLUMNS, MESSAGE_COLUMNS};
use crate::store::{
    Conversation, ConversationId, ConversationStatus, Message, NewConversation, NewMessage,
    StoreResult,
};

pub(super) async fn start(
    conn: &mut SqliteConnection,
    new: &NewConversation,
) -> StoreResult<Conversation> {
    let row = sqlx::query(&format!(
        "INSERT INTO conversations (site, token_hash, customer_id, subscriber_id, channel, status, \
         attribution, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) \
         RETURNING {CONVERSATION_COLUMNS}"
    ))
    .bind(&new.site)
    .bind(&new.token_hash)
    .bind(&new.customer_id)
    .bind(new.subscriber_id.map(|id| id.0))
    .bind(new.place.as_str())
    .bind(ConversationStatus::Open.as_str())
    .bind(rows::to_json_opt(new.attribution.as_ref())?)
    .bind(new.at)
    .fetch_one(conn)
    .await?;
    rows::conversation(&row)
}

pub(super) async fn find(
    conn: &mut SqliteConnection,
    site: &str,
    id: ConversationId,
) -> StoreResult<Option<Conversation>> {
    sqlx::query(&format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ? AND site = ?"
    ))
    .bind(id.0)
    .bind(site)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::conversation(&row))
    .transpose()
}

pub(super) async fn find_by_token(
    conn: &mut SqliteConnection,
    site: &str,
    token_hash: &str,
) -> StoreResult<Option<Conversation>> {
    sqlx::query(&format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE site = ?2 AND (token_hash = ?1 \
         OR id = (SELECT conversation_id FROM conversation_devices WHERE token_hash = ?1))"
    ))
    .bind(token_hash)
    .bind(site)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::conversation(&row))
    .transpose()
}

/// Adds the message with the next seq. Runs in one writer job (a savepoint of its own), so the
/// check for its key, the seq and the insert see no other write in between.
pub(super) async fn add_message(
    conn: &mut SqliteConnection,
    site: &str,
    id: ConversationId,
    message: &NewMessage,
) -> StoreResult<Option<Message>> {
    if let Some(key) = &message.client_key
        && let Some(existing) = message_with_key(conn, site, id, key).await?
    {
        return Ok(Some(existing));
    }
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE conversations SET last_seq = last_seq + 1, updated_at = MAX(updated_at, ?1) \
         WHERE id = ?2 AND site = ?3 RETURNING last_seq",
    )
    .bind(message.at)
    .bind(id.0)
    .bind(site)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(seq) = seq else {
        return Ok(None);
    };
    let row = sqlx::query(&format!(
        "INSERT INTO messages (conversation_id, seq, author, operator, channel, body, status, \
         client_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {MESSAGE_COLUMNS}"
    ))
    .bind(id.0)
    .bind(seq)
    .bind(message.author.as_str())
    .bind(&message.operator)
    .bind(message.place.as_str())
    .bind(&message.body)
    .bind(message.status.as_str())
    .bind(&message.client_key)
    .bind(message.at)
    .fetch_one(conn)
    .await?;
    rows::message(&row).map(Some)
}

async fn message_with_key(
    conn: &mut SqliteConnection,
    site: &str,
    id: ConversationId,
    key: &str,
) -> StoreResult<Option<Message>> {
    sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?1 AND client_key = ?2 \
         AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = ?1 AND c.site = ?3)"
    ))
    .bind(id.0)
    .bind(key)
    .bind(site)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::message(&row))
    .transpose()
}

pub(super) async fn messages_after(
    conn: &mut SqliteConnection,
    site: &str,
    id: ConversationId,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?1 AND seq > ?2 \
         AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = ?1 AND c.site = ?3) \
         ORDER BY seq LIMIT ?4"
    ))
    .bind(id.0)
    .bind(after)
    .bind(site)
    .bind(limit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::message)
    .collect()
}
