//! The people and clicks the store keeps: subscribers, the intents that brought them, link codes,
//! and the events about them the merchant's webhook receives.

use serde::{Deserialize, Serialize};

use crate::domain::{Attribution, ChannelKind, Customer, Millis, PlatformUserId, SubscriberId};

/// A click on a channel button, with the ref its deep link carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    /// Site.
    pub site: String,
    /// Channel tapped.
    pub channel: ChannelKind,
    /// The ref (token or normalised code).
    pub reference: String,
    /// When the relay heard of it.
    pub created_at: Millis,
    /// The visit's attribution.
    pub attribution: Attribution,
    /// The customer a verified token vouched for.
    pub customer: Option<Customer>,
    /// The order the opt-in is about.
    pub order_id: Option<String>,
    /// When a subscriber was linked through this ref (a ref links at most once).
    pub linked_at: Option<Millis>,
    /// The web conversation the visitor carries into the messenger with this ref.
    pub conversation: Option<super::ConversationId>,
}

/// A one-time in-chat link code as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCodeRecord {
    /// The code.
    pub code: String,
    /// Site.
    pub site: String,
    /// The subscriber who asked for it.
    pub subscriber_id: SubscriberId,
    /// Until when it may be used.
    pub expires_at: Millis,
    /// When it was used, if it was.
    pub used_at: Option<Millis>,
}

/// Whether a subscriber may be messaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriberStatus {
    /// Subscribed.
    Active,
    /// Asked to stop, or blocked the bot.
    Unsubscribed,
}

impl SubscriberStatus {
    /// Name used in the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Unsubscribed => "unsubscribed",
        }
    }

    /// Parses the database and API name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "unsubscribed" => Some(Self::Unsubscribed),
            _ => None,
        }
    }
}

/// A messenger user subscribed to a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]

pub struct Subscriber {
    /// Row id.
    pub id: SubscriberId,
    /// Site.
    pub site: String,
    /// Platform.
    pub channel: ChannelKind,
    /// The user's id on the platform (also the address messages go to).
    pub platform_user_id: PlatformUserId,
    /// The name the platform reported.
    pub display_name: Option<String>,
    /// Whether messages may be sent.
    pub status: SubscriberStatus,
    /// The ref they arrived with, if any.
    pub reference: Option<String>,
    /// The intent's attribution; `None` means direct/unknown.
    pub attribution: Option<Attribution>,
    /// First subscription.
    pub subscribed_at: Millis,
    /// Last message or action from the user (opens the platforms' reply windows).
    pub last_inbound_at: Millis,
    /// When they unsubscribed, if they did.
    pub unsubscribed_at: Option<Millis>,
    /// The merchant's customer account this subscriber is linked to.
    pub customer: Option<Customer>,
    /// When the link was made.
    pub linked_at: Option<Millis>,
    /// Orders the subscription is about, oldest first.
    pub order_ids: Vec<String>,
}

/// Filters for listing subscribers.
#[derive(Debug, Clone, Default)]
pub struct SubscriberFilter {
    /// Only this channel.
    pub channel: Option<ChannelKind>,
    /// Only this status.
    pub status: Option<SubscriberStatus>,
    /// Subscribed at or after.
    pub since: Option<Millis>,
    /// Subscribed before.
    pub until: Option<Millis>,
    /// Only subscribers linked to this customer.
    pub customer_id: Option<String>,
    /// Only subscribers whose subscription is about this order.
    pub order_id: Option<String>,
    /// Only ids below this (the cursor of the previous page).
    pub before_id: Option<i64>,
    /// Page size.
    pub limit: u32,
}

/// A subscriber event the merchant's webhook receives (serialised as `as_str` names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = MerchantWebhookType)]
pub enum MerchantEvent {
    /// `subscriber.created`: a new subscriber arrived.
    #[serde(rename = "subscriber.created")]
    Created,
    /// `subscriber.linked`: the subscriber was linked to a customer account.
    #[serde(rename = "subscriber.linked")]
    Linked,
    /// `subscriber.unlinked`: the customer link was removed.
    #[serde(rename = "subscriber.unlinked")]
    Unlinked,
    /// `subscriber.unsubscribed`: the subscriber asked to stop or blocked the bot.
    #[serde(rename = "subscriber.unsubscribed")]
    Unsubscribed,
}

impl MerchantEvent {
    /// The event type as the webhook names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "subscriber.created",
            Self::Linked => "subscriber.linked",
            Self::Unlinked => "subscriber.unlinked",
            Self::Unsubscribed => "subscriber.unsubscribed",
        }
    }

    /// Parses the name `as_str` gives.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Created,
            Self::Linked,
            Self::Unlinked,
            Self::Unsubscribed,
        ]
        .into_iter()
        .find(|event| event.as_str() == name)
    }
}
