//! Conversations and their messages on PostgreSQL.
//!
//! Adding a message locks its conversation's row first (`FOR UPDATE`) and keeps the lock until
//! commit: relays adding to one conversation at once take turns, so a key is checked against
//! every message committed before, and seqs are given in commit order — a live connection that
//! resumes after the last seq it saw can never miss one committed late with a lower number.

use sqlx::PgConnection;

use super::rows::{self, CONVERSATION_COLUMNS, MESSAGE_COLUMNS};
use crate::store::{
    Conversation, ConversationId, ConversationStatus, Message, NewConversation, NewMessage,
    StoreResult,
};

pub(super) async fn start(
    conn: &mut PgConnection,
    new: &NewConversation,
) -> StoreResult<Conversation> {
    let row = sqlx::query(&format!(
        "INSERT INTO conversations (site, token_hash, customer_id, subscriber_id, channel, status, \
         attribution, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         RETURNING {CONVERSATION_COLUMNS}"
    ))
    .bind(&new.site)
    .bind(rows::text_opt(new.token_hash.as_deref()))
    .bind(rows::text_opt(new.customer_id.as_deref()))
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
    conn: &mut PgConnection,
    site: &str,
    id: ConversationId,
) -> StoreResult<Option<Conversation>> {
    sqlx::query(&format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1 AND site = $2"
    ))
    .bind(id.0)
    .bind(site)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::conversation(&row))
    .transpose()
}

pub(super) async fn find_by_token(
    conn: &mut PgConnection,
    site: &str,
    token_hash: &str,
) -> StoreResult<Option<Conversation>> {
    sqlx::query(&format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE site = $2 AND (token_hash = $1 \
         OR id = (SELECT conversation_id FROM conversation_devices WHERE token_hash = $1))"
    ))
    .bind(rows::text(token_hash))
    .bind(site)
    .fetch_optional(conn)
    .await?
    .map(|row| rows::conversation(&row))
    .transpose()
}

/// Adds the message with the next seq; run it in a transaction (the lock lasts until commit).
pub(super) async fn add_message(
    conn: &mut PgConnection,
    site: &str,
    id: ConversationId,
    message: &NewMessage,
) -> StoreResult<Option<Message>> {
    let locked: Option<i64> =
        sqlx::query_scalar("SELECT id FROM conversations WHERE id = $1 AND site = $2 FOR UPDATE")
            .bind(id.0)
            .bind(site)
            .fetch_optional(&mut *conn)
            .await?;
    if locked.is_none() {
        return Ok(None);
    }
    let client_key = rows::text_opt(message.client_key.as_deref());
    if let Some(key) = &client_key {
        let existing = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND client_key = $2"
        ))
        .bind(id.0)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = existing {
            return rows::message(&row).map(Some);
        }
    }
    let seq: i64 = sqlx::query_scalar(
        "UPDATE conversations SET last_seq = last_seq + 1, \
         updated_at = GREATEST(updated_at, $1) WHERE id = $2 RETURNING last_seq",
    )
    .bind(message.at)
    .bind(id.0)
    .fetch_one(&mut *conn)
    .await?;
    let row = sqlx::query(&format!(
        "INSERT INTO messages (conversation_id, seq, author, operator, channel, body, status, \
         client_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING {MESSAGE_COLUMNS}"
    ))
    .bind(id.0)
    .bind(seq)
    .bind(message.author.as_str())
    .bind(rows::text_opt(message.operator.as_deref()))
    .bind(message.place.as_str())
    .bind(rows::text(&message.body))
    .bind(message.status.as_str())
    .bind(&client_key)
    .bind(message.at)
    .fetch_one(conn)
    .await?;
    rows::message(&row).map(Some)
}

pub(super) async fn messages_after(
    conn: &mut PgConnection,
    site: &str,
    id: ConversationId,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 \
         AND EXISTS (SELECT 1 FROM conversations c WHERE c.id = $1 AND c.site = $3) \
         ORDER BY seq LIMIT $4"
    ))
    .bind(id.0)
    .bind(after)
    .bind(site)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?
    .iter()
    .map(rows::message)
    .collect()
}
