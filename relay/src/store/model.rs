//! The records the store reads and writes.

use serde::{Deserialize, Serialize};

use crate::channels::{InboundEvent, OutboundMessage};
use crate::domain::{Attribution, ChannelKind, Customer, Millis, PlatformUserId, SubscriberId};

/// A webhook event to store durably before the webhook is acknowledged.
#[derive(Debug, Clone)]
pub struct NewInbound {
    /// Site the webhook was addressed to.
    pub site: String,
    /// Platform that sent it.
    pub channel: ChannelKind,
    /// The platform's own id for the event (update id, message id…), for deduplication.
    pub dedupe_key: String,
    /// The event, normalised.
    pub event: InboundEvent,
    /// When the relay received it.
    pub received_at: Millis,
}

/// A stored webhook event waiting to be processed.
#[derive(Debug, Clone)]
pub struct StoredInbound {
    /// Row id.
    pub id: i64,
    /// Site.
    pub site: String,
    /// Platform.
    pub channel: ChannelKind,
    /// The event.
    pub event: InboundEvent,
    /// Failed processing attempts so far.
    pub attempts: i64,
}

/// A funnel event (`view`, `open`, `click`, `subscribed`, …).
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Site.
    pub site: String,
    /// Step name.
    pub kind: String,
    /// Channel, where the step has one.
    pub channel: Option<ChannelKind>,
    /// When it happened.
    pub at: Millis,
    /// Where the visitor came from, when known.
    pub attribution: Option<Attribution>,
}

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
}

/// What `record_intent` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentOutcome {
    /// Stored now.
    Created,
    /// The same intent was already stored (a retried request).
    AlreadyRecorded,
    /// A different, still valid intent holds this ref.
    Conflict,
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
#[derive(Debug, Clone)]
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

/// A subscriber to create.
#[derive(Debug, Clone)]
pub struct NewSubscriber {
    /// The platform user.
    pub platform_user_id: PlatformUserId,
    /// Name the platform reported.
    pub display_name: Option<String>,
    /// Ref they arrived with.
    pub reference: Option<String>,
    /// The intent's attribution, if the ref matched one.
    pub attribution: Option<Attribution>,
    /// Arrival time.
    pub at: Millis,
}

/// How processing changes the subscriber an inbound event is about.
#[derive(Debug, Clone)]
pub enum SubscriberChange {
    /// The event concerns nobody (ignored event types).
    None,
    /// A new subscriber.
    Create(Box<NewSubscriber>),
    /// An existing subscriber's state.
    Update {
        /// Whom.
        id: SubscriberId,
        /// New status.
        status: SubscriberStatus,
        /// Last inbound activity.
        last_inbound_at: Millis,
    },
}

/// A funnel event about the subscriber of the same `InboundEffects`.
#[derive(Debug, Clone)]
pub struct EventDraft {
    /// Step name.
    pub kind: &'static str,
    /// The ref the step came with (so an intent stored later can still attribute it).
    pub reference: Option<String>,
    /// Attribution of the step.
    pub attribution: Option<Attribution>,
}

/// A message to queue for the subscriber of the same `InboundEffects`.
#[derive(Debug, Clone)]
pub struct OutboundDraft {
    /// Platform address (chat id, PSID, wa_id).
    pub recipient: String,
    /// What to send.
    pub message: OutboundMessage,
}

/// How the link between the subscriber and a customer account changes.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountChange {
    /// No change.
    Keep,
    /// Link to this customer; `via_ref` is the intent whose single use this spends.
    Link {
        /// The customer.
        customer: Customer,
        /// The intent's ref.
        via_ref: Option<String>,
    },
    /// Remove the link.
    Unlink,
}

/// A one-time code for linking from the chat, to store for the subscriber.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkCode {
    /// The code (part of the link-your-account URL).
    pub code: String,
    /// Until when it may be used.
    pub expires_at: Millis,
}

/// A subscriber event the merchant's webhook receives (serialised as `as_str` names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
}

/// Why a link code could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LinkCodeError {
    /// No such code for this site.
    #[error("no such link code")]
    NotFound,
    /// The code is too old.
    #[error("the link code has expired")]
    Expired,
    /// The code was used already.
    #[error("the link code was already used")]
    Used,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] super::StoreError),
}

/// A signed webhook to the merchant, due for delivery.
#[derive(Debug, Clone)]
pub struct StoredWebhook {
    /// Row id.
    pub id: i64,
    /// Site.
    pub site: String,
    /// Event type.
    pub event_type: String,
    /// The JSON body.
    pub payload: String,
    /// Attempts so far.
    pub attempts: i64,
}

/// Everything processing one inbound event decided, applied atomically.
#[derive(Debug, Clone)]
pub struct InboundEffects {
    /// Subscriber change.
    pub subscriber: SubscriberChange,
    /// Customer account link change.
    pub account: AccountChange,
    /// An order to attach to the subscription.
    pub order_id: Option<String>,
    /// A one-time code to store for in-chat linking.
    pub link_code: Option<LinkCode>,
    /// Webhooks to queue for the merchant (only when the site has a webhook URL).
    pub notify: Vec<MerchantEvent>,
    /// Funnel events to record.
    pub events: Vec<EventDraft>,
    /// Messages to queue.
    pub replies: Vec<OutboundDraft>,
}

/// A queued message due for delivery.
#[derive(Debug, Clone)]
pub struct StoredOutbound {
    /// Row id.
    pub id: i64,
    /// Site.
    pub site: String,
    /// Platform.
    pub channel: ChannelKind,
    /// Recipient subscriber.
    pub subscriber_id: SubscriberId,
    /// Platform address.
    pub recipient: String,
    /// Content.
    pub message: OutboundMessage,
    /// Attempts so far.
    pub attempts: i64,
}

/// Result of one delivery attempt.
#[derive(Debug, Clone)]
pub enum DeliveryResult {
    /// The platform accepted it.
    Sent {
        /// The platform's message id.
        platform_message_id: Option<String>,
    },
    /// Try again at `at`.
    Retry {
        /// When.
        at: Millis,
        /// Why it failed this time.
        error: String,
    },
    /// Give up.
    Failed {
        /// Why.
        error: String,
        /// The platform says the user cannot be reached any more (blocked the bot).
        unsubscribe: bool,
    },
}
