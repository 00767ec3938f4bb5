//! Validated values the relay works with, parsed once at the edge ("parse, don't validate").

mod attribution;
mod conversation_token;
mod customer;
mod locale;
mod office_hours;
pub mod recap;
mod refs;
mod reply_window;
mod retry;

pub use attribution::{Attribution, AttributionError, PAGE_URL_PATTERN};
pub use conversation_token::ConversationToken;
pub use customer::Customer;
pub use ferry_wire::ChannelKind;
pub use locale::Locale;
pub use office_hours::OfficeHours;
pub use refs::{IntentRef, RefError};
pub use reply_window::{Author, Recipient, Refusal, ReplyDecision, ReplyWindow};
pub use retry::{NextAttempt, RetryPolicy};

/// A subscriber's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SubscriberId(pub i64);

/// A person's id on a platform: Telegram user id, Messenger PSID, WhatsApp wa_id (or BSUID).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct PlatformUserId(String);

impl PlatformUserId {
    /// Accepts a non-empty id of printable ASCII, at most 128 bytes.
    pub fn parse(id: impl Into<String>) -> Option<Self> {
        let id = id.into();
        let ok = !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic());
        ok.then_some(Self(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Milliseconds since the Unix epoch: how the store keeps time.
pub type Millis = i64;

/// The system's current time in milliseconds since the Unix epoch, for what must be wall-clock
/// time whatever the relay's injected clock says (signature timestamps, platform stand-ins).
pub fn now_millis() -> Millis {
    crate::clock::Clock::now(&crate::clock::SystemClock)
}

/// Formats stored milliseconds as RFC 3339 for API responses.
pub fn rfc3339(millis: Millis) -> String {
    let nanos = i128::from(millis) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
