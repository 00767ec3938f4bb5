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

pub(super) fn intent(row: &SqliteRow) -> Result<Intent, StoreError> {
    Ok(Intent {
        site: row.try_get("site")?,
        channel: channel(row)?,
        reference: row.try_get("ref")?,
        created_at: row.try_get("created_at")?,
        attribution: from_json("attribution", &row.try_get::<String, _>("attribution")?)?,
    })
}

pub(super) fn subscriber(row: &SqliteRow) -> Result<Subscriber, StoreError> {
    let status: String = row.try_get("status")?;
    let user: String = row.try_get("platform_user_id")?;
    let attribution: Option<String> = row.try_get("attribution")?;
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
