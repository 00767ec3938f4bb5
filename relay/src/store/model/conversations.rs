//! Conversations between a site and a visitor, and their messages, as the store keeps them.

use crate::domain::{Attribution, ChannelKind, Millis, SubscriberId};

/// A conversation's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ConversationId(pub i64);

/// Where a conversation (or one message of it) takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// The web chat in the widget.
    Web,
    /// A messenger.
    Messenger(ChannelKind),
}

impl Place {
    /// As stored: `web` or the platform's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Messenger(kind) => kind.as_str(),
        }
    }

    /// The name people know it by: "Web chat", "Telegram", …
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Web => "Web chat",
            Self::Messenger(kind) => kind.display_name(),
        }
    }

    /// The stored name back; `None` for a name no place has.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "web" => Some(Self::Web),
            other => ChannelKind::parse(other).map(Self::Messenger),
        }
    }
}

/// Whether operators still expect to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationStatus {
    /// Ongoing.
    Open,
    /// Done with, until someone writes again.
    Closed,
}

impl ConversationStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// The stored name back.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// A conversation to start.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConversation {
    /// Site.
    pub site: String,
    /// SHA-256 (hex) of the visitor's conversation token, for one begun in the web chat.
    pub token_hash: Option<String>,
    /// The merchant's customer, when the page vouched for the visitor.
    pub customer_id: Option<String>,
    /// The subscriber, for one begun in (or moved to) a messenger.
    pub subscriber_id: Option<SubscriberId>,
    /// Where it takes place.
    pub place: Place,
    /// Where the visitor came from.
    pub attribution: Option<Attribution>,
    /// When it began.
    pub at: Millis,
}

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// Row id.
    pub id: ConversationId,
    /// Site.
    pub site: String,
    /// The merchant's customer, if known.
    pub customer_id: Option<String>,
    /// The subscriber, once there is one.
    pub subscriber_id: Option<SubscriberId>,
    /// Where it takes place now.
    pub place: Place,
    /// Open or closed.
    pub status: ConversationStatus,
    /// Where the visitor came from.
    pub attribution: Option<Attribution>,
    /// The seq of its latest message (0 before the first).
    pub last_seq: i64,
    /// The seq of the latest message an operator has read.
    pub read_seq: i64,
    /// When it began.
    pub created_at: Millis,
    /// Its latest activity.
    pub updated_at: Millis,
}

impl Conversation {
    /// How many of `messages` (some of its own) are the visitor's and after what operators
    /// have read.
    pub fn unread_in(&self, messages: &[Message]) -> i64 {
        let unread = messages
            .iter()
            .filter(|m| m.seq > self.read_seq && m.author == MessageAuthor::Visitor)
            .count();
        i64::try_from(unread).unwrap_or(i64::MAX)
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageAuthor {
    /// The visitor, on the web or in their messenger.
    Visitor,
    /// An operator of the site.
    Operator,
    /// Ferry itself (a recap, a notice).
    System,
}

impl MessageAuthor {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Operator => "operator",
            Self::System => "system",
        }
    }

    /// The stored name back.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "visitor" => Some(Self::Visitor),
            "operator" => Some(Self::Operator),
            "system" => Some(Self::System),
            _ => None,
        }
    }
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Written by the visitor and received.
    Received,
    /// To be delivered to the visitor.
    Pending,
    /// Delivered to the visitor's channel.
    Sent,
    /// Could not be delivered.
    Failed,
}

impl MessageStatus {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// The stored name back.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "received" => Some(Self::Received),
            "pending" => Some(Self::Pending),
            "sent" => Some(Self::Sent),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A message to add to a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    /// Who wrote it.
    pub author: MessageAuthor,
    /// The operator's login, for an operator's message.
    pub operator: Option<String>,
    /// Where it was written or is to be delivered.
    pub place: Place,
    /// Its text.
    pub body: String,
    /// Where it stands.
    pub status: MessageStatus,
    /// The sender's key for it: adding a message with a key the conversation has already
    /// seen adds nothing and answers the first one.
    pub client_key: Option<String>,
    /// When it was written.
    pub at: Millis,
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Its number in the conversation: 1, 2, 3… in commit order.
    pub seq: i64,
    /// Who wrote it.
    pub author: MessageAuthor,
    /// The operator's login, for an operator's message.
    pub operator: Option<String>,
    /// Where it was written or delivered.
    pub place: Place,
    /// Its text.
    pub body: String,
    /// Where it stands.
    pub status: MessageStatus,
    /// The sender's key, if it gave one.
    pub client_key: Option<String>,
    /// When it was written.
    pub created_at: Millis,
}

/// Which conversations to list, latest activity first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationFilter {
    /// Only open or only closed ones.
    pub status: Option<ConversationStatus>,
    /// Only those continuing there now.
    pub place: Option<Place>,
    /// Only this customer's.
    pub customer_id: Option<String>,
    /// Only those with activity at or after this time.
    pub updated_since: Option<Millis>,
    /// Only those before this one in the order (its latest activity and id): the next page.
    pub before: Option<(Millis, ConversationId)>,
    /// At most this many.
    pub limit: u32,
}

/// A conversation as a list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationSummary {
    /// The conversation.
    pub conversation: Conversation,
    /// Its latest message.
    pub last_message: Option<Message>,
    /// Visitor messages after the last one an operator read.
    pub unread: i64,
    /// The name the messenger reported for the subscriber, if there is one.
    pub visitor_name: Option<String>,
}

/// An outgoing message that delivers a conversation's message to the person's messenger.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The messenger.
    pub channel: ChannelKind,
    /// The subscriber there.
    pub subscriber_id: SubscriberId,
    /// Their platform address.
    pub recipient: String,
    /// What to send.
    pub message: crate::channels::OutboundMessage,
    /// Deduplicates the delivery, as `OutboundDraft::dedupe_key` does.
    pub dedupe_key: String,
}
