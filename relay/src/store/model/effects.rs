//! What a decision changes, handed to the store to apply atomically: the subscriber, their
//! account link, funnel events, messages and merchant webhooks to queue.

use crate::channels::OutboundMessage;
use crate::domain::{Attribution, ChannelKind, Customer, Millis, PlatformUserId, SubscriberId};

use super::{MerchantEvent, SubscriberStatus};

/// Everything one decision changes, applied in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Effects {
    /// Subscriber change.
    pub subscriber: SubscriberChange,
    /// Customer account link change.
    pub account: AccountChange,
    /// An order to attach to the subscription.
    pub order_id: Option<String>,
    /// A one-time code to store for in-chat linking.
    pub link_code: Option<LinkCode>,
    /// Webhooks to queue for the merchant, describing the subscriber as the effects leave them.
    pub notify: Vec<MerchantEvent>,
    /// Funnel events to record.
    pub events: Vec<EventDraft>,
    /// Messages to queue for the subscriber.
    pub replies: Vec<OutboundDraft>,
    /// What happens to the subscriber's conversation.
    pub conversation: Option<ConversationChange>,
}

/// What the effects do to a conversation of the subscriber they are about.
#[derive(Debug, Clone, PartialEq)]
pub enum ConversationChange {
    /// The person wrote in their messenger: the message joins their latest conversation
    /// (reopened if it was closed), or a new one on this channel.
    VisitorWrote {
        /// What they wrote.
        text: String,
        /// The platform's id of the event, so a message is added once however often its
        /// webhook is processed.
        key: String,
        /// For a new conversation: where the subscriber came from.
        attribution: Option<Box<Attribution>>,
        /// For a new conversation: the customer the subscriber is linked to.
        customer_id: Option<String>,
    },
    /// The visitor arrived in the messenger from this web conversation (their intent carried
    /// it): it moves to this channel and becomes the subscriber's, and `recap` is added as a
    /// system message and queued for delivery, its status following the delivery's.
    Continued {
        /// The conversation.
        conversation: super::ConversationId,
        /// The recap to post there.
        recap: OutboundDraft,
    },
}

impl Effects {
    /// No change yet to `subscriber`; the other fields are filled in by the caller.
    pub fn about(subscriber: SubscriberChange) -> Self {
        Self {
            subscriber,
            account: AccountChange::Keep,
            order_id: None,
            link_code: None,
            notify: Vec::new(),
            events: Vec::new(),
            replies: Vec::new(),
            conversation: None,
        }
    }
}

/// How the decision changes the subscriber it is about.
#[derive(Debug, Clone, PartialEq)]
pub enum SubscriberChange {
    /// It concerns nobody (an ignored event); nothing else in the effects is applied.
    None,
    /// A new subscriber. If one exists for the same platform user already (a race between
    /// two relays), that one is used and its `last_inbound_at` moves forward.
    Create(Box<NewSubscriber>),
    /// An existing subscriber's status and last activity (which only ever moves forward).
    Update {
        /// Whom.
        id: SubscriberId,
        /// New status; leaving `unsubscribed` clears `unsubscribed_at`, entering it sets it.
        status: SubscriberStatus,
        /// Last inbound activity.
        last_inbound_at: Millis,
    },
    /// An existing subscriber, unchanged (the effects are about them).
    Existing(SubscriberId),
}

/// A subscriber to create.
#[derive(Debug, Clone, PartialEq)]
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

/// How the link between the subscriber and a customer account changes.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountChange {
    /// No change.
    Keep,
    /// Link to this customer, spending the single use of `via`: if it is spent already the
    /// whole commit is refused with `Commit::LinkSpent`.
    Link {
        /// The customer.
        customer: Customer,
        /// What vouches for the link.
        via: LinkVia,
    },
    /// Remove the link.
    Unlink,
}

/// What vouches for a customer link, and is spent by it.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkVia {
    /// The intent with this ref (its channel is the subscriber's).
    Ref(String),
    /// The one-time in-chat link code.
    Code(String),
}

/// A one-time code for linking from the chat, to store for the subscriber.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkCode {
    /// The code (part of the link-your-account URL).
    pub code: String,
    /// Until when it may be used.
    pub expires_at: Millis,
}

/// A funnel event about the subscriber of the same `Effects`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDraft {
    /// Step name.
    pub kind: &'static str,
    /// The ref the step came with (so an intent stored later can still attribute it).
    pub reference: Option<String>,
    /// Attribution of the step.
    pub attribution: Option<Attribution>,
}

/// A message to queue for the subscriber of the same `Effects`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundDraft {
    /// Platform address (chat id, PSID, wa_id).
    pub recipient: String,
    /// What to send.
    pub message: OutboundMessage,
    /// Deduplicates the message: queuing the same key twice queues it once.
    pub dedupe_key: String,
}

/// A funnel event not about a subscriber (`view`, `open`, `click` from the widget).
#[derive(Debug, Clone, PartialEq)]
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
