//! The work queues' records: webhook events to process, messages and merchant webhooks to deliver,
//! the claims workers take on them and what they report back.

use crate::channels::{InboundEvent, OutboundMessage};
use crate::domain::{ChannelKind, Millis, SubscriberId};

use super::{Effects, MerchantEvent, Subscriber};

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

/// A claim on up to `limit` items of a work queue for `owner`, until `until`.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Who claims (one id per worker process).
    pub owner: String,
    /// The current time: items due at or before it, and leases that ended before it, are taken.
    pub now: Millis,
    /// Until when the items are the owner's alone.
    pub until: Millis,
    /// The most items to take.
    pub limit: u32,
}

/// A stored webhook event, claimed for processing.
#[derive(Debug, Clone)]
pub struct ClaimedInbound {
    /// Row id.
    pub id: i64,
    /// Site.
    pub site: String,
    /// Platform.
    pub channel: ChannelKind,
    /// The event, or why the stored row could not be read back (such an event is parked).
    pub event: Result<InboundEvent, String>,
    /// Failed processing attempts so far.
    pub attempts: u32,
}

/// What became of one claimed inbound event.
#[derive(Debug, Clone)]
pub enum InboundResolution {
    /// Processed: apply these effects and mark it done.
    Processed(Box<Effects>),
    /// Failed for now: count the attempt and make it due again at `at`.
    Retry {
        /// When to try again.
        at: Millis,
        /// What went wrong.
        error: String,
    },
    /// Failed for good: keep it with its error and never process it again.
    Park {
        /// What went wrong.
        error: String,
    },
    /// Not processed and not failed (it waits behind another event): hand the claim back.
    Release,
}

/// The result of committing one unit of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commit {
    /// Applied; the subscriber the effects were about, if any.
    Done(Option<SubscriberId>),
    /// Not applied: the account link it spends (an intent's ref, a link code) was spent by
    /// someone else first. Decide again from the current state.
    LinkSpent,
    /// Not applied: the claim's lease ended and the work may belong to another worker now.
    LeaseLost,
    /// Not applied: the database refused this unit alone (others in its batch went in).
    Failed(String),
}

/// A delivery lane: one site's account on one platform. Deliveries are bounded per lane so one
/// slow platform or merchant cannot hold up the others.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lane {
    /// Site.
    pub site: String,
    /// Platform.
    pub channel: ChannelKind,
}

/// How many more deliveries each lane may take in one claim: the lanes in `busy` as many as
/// given with them (none, when full), every other lane `per_lane`.
#[derive(Debug, Clone)]
pub struct LaneRoom<L> {
    /// Room in a lane with nothing in flight.
    pub per_lane: u32,
    /// Lanes with deliveries in flight, and the room they have left.
    pub busy: Vec<(L, u32)>,
}

impl<L> LaneRoom<L> {
    /// No bound on any lane (one-off drains and tests).
    pub fn unbounded() -> Self {
        Self {
            per_lane: u32::MAX,
            busy: Vec::new(),
        }
    }

    /// The busy lanes with no room left.
    pub fn full(&self) -> impl Iterator<Item = &L> {
        self.busy
            .iter()
            .filter(|(_, room)| *room == 0)
            .map(|(lane, _)| lane)
    }

    /// The busy lanes with room left, and their room.
    pub fn open(&self) -> impl Iterator<Item = (&L, u32)> {
        self.busy
            .iter()
            .filter(|(_, room)| *room > 0)
            .map(|(lane, room)| (lane, *room))
    }
}

/// A queued message, claimed for delivery.
#[derive(Debug, Clone)]
pub struct ClaimedOutbound {
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
    /// Content, or why the stored row could not be read back (such a message fails).
    pub message: Result<OutboundMessage, String>,
    /// Attempts so far.
    pub attempts: u32,
    /// The conversation whose message this delivers (a recap, an operator's reply), if any.
    pub conversation: Option<super::ConversationId>,
}

impl ClaimedOutbound {
    /// The lane this message is delivered in.
    pub fn lane(&self) -> Lane {
        Lane {
            site: self.site.clone(),
            channel: self.channel,
        }
    }
}

/// A webhook to the merchant, claimed for delivery.
#[derive(Debug, Clone)]
pub struct ClaimedWebhook {
    /// Row id.
    pub id: i64,
    /// Site.
    pub site: String,
    /// The event's id (`evt_…`), the same on every attempt.
    pub event_id: String,
    /// What happened.
    pub event: MerchantEvent,
    /// What the body is made of.
    pub content: WebhookContent,
    /// When it happened.
    pub created_at: Millis,
    /// Attempts so far.
    pub attempts: u32,
}

/// What a merchant webhook's body is made of.
#[derive(Debug, Clone)]
pub enum WebhookContent {
    /// The subscriber as they were right after the event; rendered when delivered.
    Snapshot(Box<Subscriber>),
    /// A body queued by an earlier version of the relay, sent as it is.
    Body(String),
    /// The stored row could not be read back (such a webhook fails).
    Unreadable(String),
}

/// The result of one delivery attempt, as decided by the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryResult {
    /// Delivered (the platform or the merchant accepted it).
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
    /// Given up.
    Failed {
        /// Why.
        error: String,
        /// The platform says the person cannot be reached any more (blocked the bot): the
        /// subscriber is unsubscribed too.
        unsubscribe: bool,
    },
}
