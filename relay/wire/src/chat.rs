//! The web chat's JSON: starting the visitor's conversation, writing in it, and reading what
//! was written since the last message the widget saw.

use serde::{Deserialize, Serialize};

use crate::{Visit, object};

/// The header that carries a conversation's token on every chat request after the first.
pub const CONVERSATION_HEADER: &str = "X-Ferry-Conversation";

/// `POST /api/widget/{site}/conversations`: start the visitor's web conversation, just before
/// their first message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartConversation {
    /// The visit's attribution: where the conversation came from.
    #[serde(deserialize_with = "object")]
    pub visit: Visit,
    /// A JWT signed by the merchant's backend for the logged-in customer (`Ferry.identify`):
    /// the conversation is then theirs, on any device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// The conversation started: the token the widget keeps and sends back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationStarted {
    /// Send it as `X-Ferry-Conversation` with every later chat request.
    pub token: String,
}

/// `POST /api/widget/{site}/conversation/messages`: the visitor writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendMessage {
    /// What they wrote.
    pub text: String,
    /// The widget's own id for this message; sending it again (after a lost answer) adds
    /// nothing and answers the message it added.
    pub client_key: String,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatAuthor {
    /// The visitor.
    Visitor,
    /// One of the shop's operators.
    Operator,
    /// The shop's chat itself (a notice).
    System,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatStatus {
    /// The visitor's message reached the shop.
    Received,
    /// A message to the visitor, on its way.
    Pending,
    /// Delivered.
    Sent,
    /// Could not be delivered.
    Failed,
}

/// A message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Its number in the conversation: 1, 2, 3…
    pub seq: i64,
    /// Who wrote it.
    pub author: ChatAuthor,
    /// What they wrote.
    pub text: String,
    /// When, RFC 3339.
    pub at: String,
    /// Where it stands.
    pub status: ChatStatus,
}

/// `GET /api/widget/{site}/conversation/messages?after=N`: the messages after seq `N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessages {
    /// In seq order; at most 100, so ask again after the last while a page comes back full.
    pub messages: Vec<ChatMessage>,
}
