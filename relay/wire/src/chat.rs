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
    /// Only resume: with a customer `token`, answer the customer's open conversation (on a new
    /// device) and start none when there is none (`404 conversation_not_found`). The widget asks
    /// so when the chat view opens, to show a returning customer their history.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resume: bool,
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
    /// Where it was written or delivered: `web`, or the messenger's name (`telegram`, …).
    pub channel: String,
}

/// `GET /api/widget/{site}/conversation/messages?after=N`: the messages after seq `N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessages {
    /// In seq order; at most 100, so ask again after the last while a page comes back full.
    pub messages: Vec<ChatMessage>,
}

/// `GET /api/widget/{site}/conversation/events`: the live stream (`text/event-stream`).
///
/// Each new message is one event `message` whose `id` is its seq and whose data is a
/// [`ChatMessage`]; a reconnecting client sends the last id it saw as `Last-Event-ID` and gets
/// exactly the messages after it. The stream begins with one event `conversation` (no id)
/// carrying a [`ConversationState`], sent again whenever the state changes. Comment lines
/// (`: ping`) keep idle connections open through proxies.
pub const EVENT_MESSAGE: &str = "message";
/// The event name of a [`ConversationState`] on the live stream.
pub const EVENT_CONVERSATION: &str = "conversation";

/// Where the conversation stands, as the widget shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationState {
    /// Where it continues now: `web`, or the messenger it moved to (`telegram`, …).
    pub channel: String,
    /// `open` or `closed`.
    pub status: String,
    /// For a conversation moved to a messenger: a link that opens the shop's chat there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// The chat's settings and texts, part of the widget's config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatSettings {
    /// Whether an operator is there now (the site's office hours); when not, the chat says so
    /// and offers the messengers, where the answer reaches the visitor later.
    pub open_now: bool,
    /// Texts in the site's locale.
    pub texts: ChatTexts,
}

/// The chat's texts. `{channel}` is filled by the widget with the messenger's label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatTexts {
    /// The button or tab that opens the chat: "Write to us".
    pub open: String,
    /// The composer's placeholder and accessible label.
    pub placeholder: String,
    /// The send button's label.
    pub send: String,
    /// Under a message on its way.
    pub sending: String,
    /// Under a message that did not go, before the retry button.
    pub failed: String,
    /// The retry button.
    pub retry: String,
    /// The line shown while operators are in.
    pub online: String,
    /// The line shown outside office hours.
    pub away: String,
    /// Above the messenger buttons in the chat: "Or continue in your messenger".
    pub continue_in: String,
    /// The notice once the conversation moved, with `{channel}`: "Continued in {channel}".
    pub continued: String,
    /// The link back into the messenger, with `{channel}`: "Open {channel}".
    pub open_channel: String,
    /// The label of the visitor's own messages for screen readers: "You".
    pub you: String,
    /// The launcher's badge label for screen readers, with `{count}`: "{count} new messages".
    pub unread: String,
}
