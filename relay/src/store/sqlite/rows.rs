//! Decoding SQLite rows into store records, and the JSON columns' encoding.

use serde::{Serialize, de::DeserializeOwned};
use sqlx::{Row, sqlite::SqliteRow};

use crate::domain::{ChannelKind, PlatformUserId, SubscriberId};
use crate::store::{
    Intent, StoreError, StoredInbound, StoredOutbound, Subscriber, SubscriberStatus,
};

pub(super) fn to_json<T: Serialize>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(e.into()))
}

pub(super) fn to_json_opt<T: Serialize>(value: Option<&T>) -> Result<Option<String>, sqlx::Error> {
    value.map(to_json).transpose()
}

fn from_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

fn channel(row: &SqliteRow) -> Result<ChannelKind, StoreError> {
    let name: String = row.try_get("channel")?;
    ChannelKind::parse(&name).ok_or_else(|| StoreError::Corrupt(format!("channel {name:?}")))
}

fn optional_json<T: DeserializeOwned>(
    row: &SqliteRow,
    column: &str,
) -> Result<Option<T>, StoreError> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| from_json(column, &t)).transpose()
}

/// Columns `intent` reads.
pub(super) const INTENT_COLUMNS: &str =
    "site, channel, ref, created_at, attribution, customer, order_id, linked_at";

pub(super) fn intent(row: &SqliteRow) -> Result<Intent, StoreError> {
    Ok(Intent {
        site: row.try_get("site")?,
        channel: channel(row)?,
        reference: row.try_get("ref")?,
        created_at: row.try_get("created_at")?,
        attribution: from_json("attribution", &row.try_get::<String, _>("attribution")?)?,
        customer: optional_json(row, "customer")?,
        order_id: row.try_get("order_id")?,
        linked_at: row.try_get("linked_at")?,
    })
}

/// Columns `subscriber` reads (from `subscribers s`).
pub(super) const SUBSCRIBER_COLUMNS: &str = "s.id, s.site, s.channel, s.platform_user_id, s.display_name, s.status, s.ref, \
     s.attribution, s.subscribed_at, s.last_inbound_at, s.unsubscribed_at, s.customer, s.linked_at, \
     (SELECT group_concat(order_id, char(31)) FROM (SELECT order_id FROM subscriber_orders o WHERE o.subscriber_id = s.id ORDER BY o.created_at, o.order_id)) AS order_ids";

pub(super) fn subscriber(row: &SqliteRow) -> Result<Subscriber, StoreError> {
    let status: String = row.try_get("status")?;
    let user: String = row.try_get("platform_user_id")?;
    let attribution: Option<String> = row.try_get("attribution")?;
    let order_ids: Option<String> = row.try_get("order_ids")?;
    Ok(Subscriber {
        id: SubscriberId(row.try_get("id")?),
        site: row.try_get("site")?,
        channel: channel(row)?,
        platform_user_id: PlatformUserId::parse(user)
            .ok_or_else(|| StoreError::Corrupt("platform_user_id".into()))?,
        display_name: row.try_get("display_name")?,
        status: SubscriberStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("status {status:?}")))?,
        reference: row.try_get("ref")?,
        attribution: attribution
            .map(|a| from_json("attribution", &a))
            .transpose()?,
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

pub(super) fn inbound(row: &SqliteRow) -> Result<StoredInbound, StoreError> {
    Ok(StoredInbound {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        channel: channel(row)?,
        event: from_json("event", &row.try_get::<String, _>("event")?)?,
        attempts: row.try_get("attempts")?,
    })
}

pub(super) fn outbound(row: &SqliteRow) -> Result<StoredOutbound, StoreError> {
    Ok(StoredOutbound {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        channel: channel(row)?,
        subscriber_id: SubscriberId(row.try_get("subscriber_id")?),
        recipient: row.try_get("recipient")?,
        message: from_json("message", &row.try_get::<String, _>("message")?)?,
        attempts: row.try_get("attempts")?,
    })
}

pub(super) fn webhook(row: &SqliteRow) -> Result<crate::store::StoredWebhook, StoreError> {
    Ok(crate::store::StoredWebhook {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        event_type: row.try_get("event_type")?,
        payload: row.try_get("payload")?,
        attempts: row.try_get("attempts")?,
    })
}
