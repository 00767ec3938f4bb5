//! Decoding SQLite rows into store records, and the JSON columns' encoding.

use serde::{Serialize, de::DeserializeOwned};
use sqlx::{Row, sqlite::SqliteRow};

use crate::domain::{ChannelKind, PlatformUserId, SubscriberId};
use crate::store::{
    ClaimedInbound, ClaimedOutbound, ClaimedWebhook, Conversation, ConversationId,
    ConversationStatus, Intent, LinkCodeRecord, MerchantEvent, Message, MessageAuthor,
    MessageStatus, Place, StoreError, StoreResult, Subscriber, SubscriberStatus, WebhookContent,
};

pub(super) fn to_json<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Encode(e.to_string()))
}

pub(super) fn to_json_opt<T: Serialize>(value: Option<&T>) -> StoreResult<Option<String>> {
    value.map(to_json).transpose()
}

fn from_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("{column}: {e}"))
}

fn corrupt(what: String) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(what.into()))
}

pub(super) fn parse_channel(name: &str) -> StoreResult<ChannelKind> {
    ChannelKind::parse(name).ok_or_else(|| corrupt(format!("channel {name:?}")))
}

fn channel(row: &SqliteRow) -> StoreResult<ChannelKind> {
    parse_channel(&row.try_get::<String, _>("channel")?)
}

fn optional_json<T: DeserializeOwned>(row: &SqliteRow, column: &str) -> StoreResult<Option<T>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| from_json(column, &t).map_err(corrupt))
        .transpose()
}

fn attempts(row: &SqliteRow) -> StoreResult<u32> {
    let attempts: i64 = row.try_get("attempts")?;
    Ok(u32::try_from(attempts).unwrap_or(u32::MAX))
}

/// Columns `intent` reads.
pub(super) const INTENT_COLUMNS: &str =
    "site, channel, ref, created_at, attribution, customer, order_id, linked_at, conversation_id";

pub(super) fn intent(row: &SqliteRow) -> StoreResult<Intent> {
    let attribution: String = row.try_get("attribution")?;
    Ok(Intent {
        site: row.try_get("site")?,
        channel: channel(row)?,
        reference: row.try_get("ref")?,
        created_at: row.try_get("created_at")?,
        attribution: from_json("attribution", &attribution).map_err(corrupt)?,
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
     (SELECT group_concat(order_id, char(31)) FROM (SELECT order_id FROM subscriber_orders o WHERE o.subscriber_id = s.id ORDER BY o.created_at, o.order_id)) AS order_ids";

pub(super) fn subscriber(row: &SqliteRow) -> StoreResult<Subscriber> {
    let status: String = row.try_get("status")?;
    let user: String = row.try_get("platform_user_id")?;
    let order_ids: Option<String> = row.try_get("order_ids")?;
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
        order_ids: order_ids
            .map(|ids| ids.split('\u{1f}').map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

pub(super) fn link_code(row: &SqliteRow) -> StoreResult<LinkCodeRecord> {
    Ok(LinkCodeRecord {
        code: row.try_get("code")?,
        site: row.try_get("site")?,
        subscriber_id: SubscriberId(row.try_get("subscriber_id")?),
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
    })
}

pub(super) fn inbound(row: &SqliteRow) -> StoreResult<ClaimedInbound> {
    let event: String = row.try_get("event")?;
    Ok(ClaimedInbound {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        channel: channel(row)?,
        event: from_json("event", &event),
        attempts: attempts(row)?,
    })
}

pub(super) fn outbound(row: &SqliteRow) -> StoreResult<ClaimedOutbound> {
    let message: String = row.try_get("message")?;
    Ok(ClaimedOutbound {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        channel: channel(row)?,
        subscriber_id: SubscriberId(row.try_get("subscriber_id")?),
        recipient: row.try_get("recipient")?,
        message: from_json("message", &message),
        attempts: attempts(row)?,
        conversation: row
            .try_get::<Option<i64>, _>("conversation_id")?
            .map(crate::store::ConversationId),
    })
}

pub(super) fn webhook(row: &SqliteRow) -> StoreResult<ClaimedWebhook> {
    let event_type: String = row.try_get("event_type")?;
    let snapshot: Option<String> = row.try_get("snapshot")?;
    let payload: Option<String> = row.try_get("payload")?;
    let content = match (snapshot, payload) {
        (Some(snapshot), _) => match from_json::<Subscriber>("snapshot", &snapshot) {
            Ok(subscriber) => WebhookContent::Snapshot(Box::new(subscriber)),
            Err(error) => WebhookContent::Unreadable(error),
        },
        (None, Some(payload)) => WebhookContent::Body(payload),
        (None, None) => WebhookContent::Unreadable("neither snapshot nor payload".into()),
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

pub(super) fn conversation(row: &SqliteRow) -> StoreResult<Conversation> {
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

pub(super) fn message(row: &SqliteRow) -> StoreResult<Message> {
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
