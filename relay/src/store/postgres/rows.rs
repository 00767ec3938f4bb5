//! Decoding PostgreSQL rows into store records, and what values look like on the way in.
//!
//! JSON columns are jsonb. A jsonb value that no longer matches its record (written by another
//! version of the relay, edited by hand) is not an error of the whole read: claimed work carries
//! the decoding error instead, as on SQLite.

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use sqlx::{Row, postgres::PgRow, types::Json};

use crate::domain::{ChannelKind, PlatformUserId, SubscriberId};
use crate::store::{
    ClaimedInbound, ClaimedOutbound, ClaimedWebhook, Conversation, ConversationId,
    ConversationStatus, Intent, LinkCodeRecord, MerchantEvent, Message, MessageAuthor,
    MessageStatus, Place, StoreError, StoreResult, Subscriber, SubscriberStatus, WebhookContent,
};

/// A value for a jsonb column.
///
/// PostgreSQL keeps no NUL character in text or jsonb (it refuses the whole statement), while a
/// platform user may well send one in a message or a name: each becomes U+FFFD, so the event is
/// stored instead of failing every retry of the webhook.
pub(super) fn to_json<T: Serialize>(value: &T) -> StoreResult<Json<Value>> {
    let mut value = serde_json::to_value(value).map_err(|e| StoreError::Encode(e.to_string()))?;
    without_nul(&mut value);
    Ok(Json(value))
}

pub(super) fn to_json_opt<T: Serialize>(value: Option<&T>) -> StoreResult<Option<Json<Value>>> {
    value.map(to_json).transpose()
}

/// Text from outside (names, platform ids, error messages) as PostgreSQL can keep it.
pub(super) fn text(value: &str) -> String {
    value.replace('\0', "\u{fffd}")
}

/// `text` for an optional value.
pub(super) fn text_opt(value: Option<&str>) -> Option<String> {
    value.map(text)
}

fn without_nul(value: &mut Value) {
    match value {
        Value::String(s) if s.contains('\0') => *s = text(s),
        Value::Array(items) => items.iter_mut().for_each(without_nul),
        Value::Object(fields) => {
            let renamed: Vec<String> = fields
                .keys()
                .filter(|k| k.contains('\0'))
                .cloned()
                .collect();
            for key in renamed {
                if let Some(field) = fields.remove(&key) {
                    fields.insert(text(&key), field);
                }
            }
            fields.values_mut().for_each(without_nul);
        }
        _ => {}
    }
}

fn from_json<T: DeserializeOwned>(column: &str, value: Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("{column}: {e}"))
}

fn corrupt(what: String) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(what.into()))
}

fn channel(row: &PgRow) -> StoreResult<ChannelKind> {
    let name: String = row.try_get("channel")?;
    ChannelKind::parse(&name).ok_or_else(|| corrupt(format!("channel {name:?}")))
}

fn json(row: &PgRow, column: &str) -> StoreResult<Value> {
    Ok(row.try_get::<Json<Value>, _>(column)?.0)
}

fn optional_json<T: DeserializeOwned>(row: &PgRow, column: &str) -> StoreResult<Option<T>> {
    let value: Option<Json<Value>> = row.try_get(column)?;
    value
        .map(|v| from_json(column, v.0).map_err(corrupt))
        .transpose()
}

fn attempts(row: &PgRow) -> StoreResult<u32> {
    let attempts: i32 = row.try_get("attempts")?;
    Ok(u32::try_from(attempts).unwrap_or(0))
}

/// Columns `intent` reads.
pub(super) const INTENT_COLUMNS: &str =
    "site, channel, ref, created_at, attribution, customer, order_id, linked_at, conversation_id";

pub(super) fn intent(row: &PgRow) -> StoreResult<Intent> {
    Ok(Intent {
        site: row.try_get("site")?,
        channel: channel(row)?,
        reference: row.try_get("ref")?,
        created_at: row.try_get("created_at")?,
        attribution: from_json("attribution", json(row, "attribution")?).map_err(corrupt)?,
        customer: optional_json(row, "customer")?,
        order_id: row.try_get("order_id")?,
        linked_at: row.try_get("linked_at")?,
        conversation: row
            .try_get::<Option<i64>, _>("conversation_id")?
            .map(crate::store::ConversationId),
    })
}

/// Columns `subscriber` reads (from `subscribers s`).
pub(super) const SUBSCRIBER_COLUMNS: &str = "s.id, s.site, s.channel, s.platform_user_id, s.display_name, s.status, s.ref, \
     s.attribution, s.subscribed_at, s.last_inbound_at, s.unsubscribed_at, s.customer, s.linked_at, \
     ARRAY(SELECT o.order_id FROM subscriber_orders o WHERE o.subscriber_id = s.id \
           ORDER BY o.created_at, o.order_id) AS order_ids";

pub(super) fn subscriber(row: &PgRow) -> StoreResult<Subscriber> {
    let status: String = row.try_get("status")?;
    let user: String = row.try_get("platform_user_id")?;
    Ok(Subscriber {
        id: SubscriberId(row.try_get("id")?),
        site: row.try_get("site")?,
        channel: channel(row)?,
        platform_user_id: PlatformUserId::parse(user)
            .ok_or_else(|| corrupt("platform_user_id".into()))?,
        display_name: row.try_get("display_name")?,
        status: SubscriberStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("status {status:?}")))?,
        reference: row.try_get("ref")?,
        attribution: optional_json(row, "attribution")?,
        subscribed_at: row.try_get("subscribed_at")?,
        last_inbound_at: row.try_get("last_inbound_at")?,
        unsubscribed_at: row.try_get("unsubscribed_at")?,
        customer: optional_json(row, "customer")?,
        linked_at: row.try_get("linked_at")?,
        order_ids: row.try_get("order_ids")?,
    })
}

pub(super) fn link_code(row: &PgRow) -> StoreResult<LinkCodeRecord> {
    Ok(LinkCodeRecord {
        code: row.try_get("code")?,
        site: row.try_get("site")?,
        subscriber_id: SubscriberId(row.try_get("subscriber_id")?),
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
    })
}

pub(super) fn inbound(row: &PgRow) -> StoreResult<ClaimedInbound> {
    Ok(ClaimedInbound {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        channel: channel(row)?,
        event: from_json("event", json(row, "event")?),
        attempts: attempts(row)?,
    })
}

pub(super) fn outbound(row: &PgRow) -> StoreResult<ClaimedOutbound> {
    Ok(ClaimedOutbound {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        channel: channel(row)?,
        subscriber_id: SubscriberId(row.try_get("subscriber_id")?),
        recipient: row.try_get("recipient")?,
        message: from_json("message", json(row, "message")?),
        attempts: attempts(row)?,
        conversation: row
            .try_get::<Option<i64>, _>("conversation_id")?
            .map(crate::store::ConversationId),
    })
}

pub(super) fn webhook(row: &PgRow) -> StoreResult<ClaimedWebhook> {
    let event_type: String = row.try_get("event_type")?;
    let content = match from_json::<Subscriber>("snapshot", json(row, "snapshot")?) {
        Ok(subscriber) => WebhookContent::Snapshot(Box::new(subscriber)),
        Err(error) => WebhookContent::Unreadable(error),
    };
    Ok(ClaimedWebhook {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        event_id: row.try_get("event_id")?,
        event: MerchantEvent::parse(&event_type)
            .ok_or_else(|| corrupt(format!("event_type {event_type:?}")))?,
        content,
        created_at: row.try_get("created_at")?,
        attempts: attempts(row)?,
    })
}

/// Columns `conversation` reads.
pub(super) const CONVERSATION_COLUMNS: &str = "id, site, customer_id, subscriber_id, channel, \
     status, attribution, last_seq, read_seq, created_at, updated_at";

pub(super) fn conversation(row: &PgRow) -> StoreResult<Conversation> {
    let place: String = row.try_get("channel")?;
    let status: String = row.try_get("status")?;
    Ok(Conversation {
        id: ConversationId(row.try_get("id")?),
        site: row.try_get("site")?,
        customer_id: row.try_get("customer_id")?,
        subscriber_id: row
            .try_get::<Option<i64>, _>("subscriber_id")?
            .map(SubscriberId),
        place: Place::parse(&place).ok_or_else(|| corrupt(format!("channel {place:?}")))?,
        status: ConversationStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("status {status:?}")))?,
        attribution: optional_json(row, "attribution")?,
        last_seq: row.try_get("last_seq")?,
        read_seq: row.try_get("read_seq")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Columns `message` reads.
pub(super) const MESSAGE_COLUMNS: &str =
    "conversation_id, seq, author, operator, channel, body, status, client_key, created_at";

pub(super) fn message(row: &PgRow) -> StoreResult<Message> {
    let author: String = row.try_get("author")?;
    let place: String = row.try_get("channel")?;
    let status: String = row.try_get("status")?;
    Ok(Message {
        conversation_id: ConversationId(row.try_get("conversation_id")?),
        seq: row.try_get("seq")?,
        author: MessageAuthor::parse(&author)
            .ok_or_else(|| corrupt(format!("author {author:?}")))?,
        operator: row.try_get("operator")?,
        place: Place::parse(&place).ok_or_else(|| corrupt(format!("channel {place:?}")))?,
        body: row.try_get("body")?,
        status: MessageStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("status {status:?}")))?,
        client_key: row.try_get("client_key")?,
        created_at: row.try_get("created_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_in_json_strings_and_keys_become_replacement_characters() {
        let value = serde_json::json!({ "text": "a\u{0}b", "list": ["\u{0}"], "k\u{0}": 1 });
        let Json(stored) = to_json(&value).expect("encodes");
        assert_eq!(
            stored,
            serde_json::json!({ "text": "a\u{fffd}b", "list": ["\u{fffd}"], "k\u{fffd}": 1 })
        );
    }
}
