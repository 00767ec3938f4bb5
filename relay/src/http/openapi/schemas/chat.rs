//! Schema twins of the web chat's bodies (`ferry_wire::chat`). See the parent module for why
//! twins exist; lengths and patterns are exactly what the handlers accept.

// Described, never constructed.
#![allow(dead_code)]

use utoipa::{IntoParams, ToSchema};

use super::visits::Visit;

/// Start the visitor's web conversation.
#[derive(ToSchema)]
pub struct StartConversation {
    visit: Visit,
    /// A JWT signed by the merchant's backend for the logged-in customer: the conversation is
    /// then theirs.
    #[schema(
        min_length = 1,
        max_length = 8192,
        pattern = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
    )]
    token: Option<String>,
    /// Only resume the customer's open conversation (with `token`); start none.
    resume: Option<bool>,
}

/// The conversation's token: keep it, and send it as `X-Ferry-Conversation`.
#[derive(ToSchema)]
pub struct ConversationStarted {
    /// 32 random bytes, base64url without padding.
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    token: String,
}

/// The token of the visitor's conversation.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct ConversationHeader {
    /// What `POST /api/widget/{site}/conversations` answered.
    #[param(rename = "X-Ferry-Conversation", pattern = "^[A-Za-z0-9_-]{43}$")]
    token: String,
}

/// Where the live stream resumes.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct LastEventIdHeader {
    /// The seq of the last message received (0, the default, for the whole conversation).
    #[param(rename = "Last-Event-ID", pattern = "^[0-9]{1,18}$")]
    last_event_id: Option<String>,
}

/// Where the history resumes.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AfterQuery {
    /// The last seq the widget has (0, the default, for the whole conversation).
    #[param(minimum = 0)]
    after: Option<i64>,
}

/// What the visitor writes.
#[derive(ToSchema)]
pub struct SendMessage {
    /// Some visible text, at most 2000 characters; no control characters but line breaks and
    /// tabs.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*\
            [^\\x00-\\x20\\x7F-\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]\
            [^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    text: String,
    /// The widget's own id for the message: sending it again adds nothing.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    client_key: String,
}

/// Who wrote a message.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
enum ChatAuthor {
    /// The visitor.
    Visitor,
    /// One of the shop's operators.
    Operator,
    /// The shop's chat itself.
    System,
}

/// Where a message stands.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
enum ChatStatus {
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
#[derive(ToSchema)]
pub struct ChatMessage {
    /// Its number in the conversation: 1, 2, 3…
    #[schema(minimum = 1)]
    seq: i64,
    author: ChatAuthor,
    text: String,
    /// When, RFC 3339.
    #[schema(format = DateTime)]
    at: String,
    status: ChatStatus,
    /// Where it was written or delivered: `web` or the messenger's name.
    #[schema(pattern = "^[a-z]+$")]
    channel: String,
}

/// Messages after the one the widget had, in order.
#[derive(ToSchema)]
pub struct ChatMessages {
    /// At most 100: ask again after the last while a page comes back full.
    messages: Vec<ChatMessage>,
}

/// The web chat's settings in the widget's config.
#[derive(ToSchema)]
pub struct ChatSettings {
    /// Whether an operator is in now (the site's office hours).
    open_now: bool,
    texts: ChatTexts,
}

/// The chat's texts in the site's locale; the widget fills `{channel}` and `{count}`.
#[derive(ToSchema)]
struct ChatTexts {
    /// Opens the chat.
    open: String,
    /// The composer's placeholder.
    placeholder: String,
    /// The send button.
    send: String,
    /// Under a message on its way.
    sending: String,
    /// Under a message that did not go.
    failed: String,
    /// The retry button.
    retry: String,
    /// While operators are in.
    online: String,
    /// Outside office hours.
    away: String,
    /// Above the messenger buttons in the chat.
    continue_in: String,
    /// Once moved, with `{channel}`.
    continued: String,
    /// The link back into the messenger, with `{channel}`.
    open_channel: String,
    /// The visitor's own messages, for screen readers.
    you: String,
    /// The launcher badge, with `{count}`.
    unread: String,
}
