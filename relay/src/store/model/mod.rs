//! The records the store reads and writes.

mod conversations;
mod effects;
mod people;
mod sessions;
mod work;

pub use conversations::{
    Conversation, ConversationFilter, ConversationId, ConversationStatus, ConversationSummary,
    Delivery, Message, MessageAuthor, MessageStatus, NewConversation, NewMessage, Place,
};
pub use effects::{
    AccountChange, ConversationChange, Effects, EventDraft, LinkCode, LinkVia, NewEvent,
    NewSubscriber, OutboundDraft, SubscriberChange,
};
pub use people::{
    Intent, LinkCodeRecord, MerchantEvent, Subscriber, SubscriberFilter, SubscriberStatus,
};
pub use sessions::{NewSession, Session};
pub use work::{
    Claim, ClaimedInbound, ClaimedOutbound, ClaimedWebhook, Commit, DeliveryResult,
    InboundResolution, Lane, LaneRoom, NewInbound, WebhookContent,
};
