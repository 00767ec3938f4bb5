//! Schema-only types: the `ferry-wire` types the widget API exchanges, and the few small
//! bodies handlers build with `json!`. The `Channel` enum is built from `ChannelKind::ALL`.
//!
//! `ferry-wire` stays serde-only (the widget's WebAssembly build depends on it), so these twins
//! describe its JSON here. They are never built; `super::tests` serialises real wire values
//! and checks every field against these schemas, so a field added there and not here fails.
//!
//! Lengths and patterns state exactly what the handlers accept (in characters, as JSON Schema
//! counts), so a client generating requests from the document gets no 400 it did not predict.

// Described, never constructed.
#![allow(dead_code)]

mod chat;
mod visits;

use std::borrow::Cow;

use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

pub use chat::{
    AfterQuery, ChatMessage, ChatMessages, ChatSettings, ConversationHeader, ConversationStarted,
    LastEventIdHeader, SendMessage, StartConversation,
};
pub use visits::{Accepted, IntentReceipt, NewIntent, WidgetEvent};

/// The `{site}` of the widget API and the webhooks.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SitePath {
    /// The site id (`data-site` in the embed snippet).
    #[param(pattern = "^[a-z0-9_-]{1,64}$")]
    site: String,
}

/// The page's origin, which must be one of the site's allowed origins.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct OriginHeader {
    /// Sent by browsers; required for writes, optional for reads.
    #[param(rename = "Origin", value_type = String, required = false)]
    origin: Option<String>,
}

/// A messenger: the `Channel` schema, whose values are every `ferry_wire::ChannelKind`, so a
/// platform added there is documented without a twin enum here.
pub struct ChannelKind;

impl PartialSchema for ChannelKind {
    fn schema() -> RefOr<Schema> {
        let names = ferry_wire::ChannelKind::ALL.map(ferry_wire::ChannelKind::as_str);
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A messenger."))
            .enum_values(Some(names))
            .into()
    }
}

impl ToSchema for ChannelKind {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Channel")
    }
}

/// Which kind of ref a channel's deep link carries.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
enum RefKind {
    /// 22 characters of base64url (16 random bytes): Telegram `start`, Messenger `ref`.
    Token,
    /// 8 characters of Crockford base32, readable inside WhatsApp's prefilled text.
    Code,
}

/// Where the launcher sits on the page.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
enum LauncherPosition {
    /// Bottom right corner.
    Right,
    /// Bottom left corner.
    Left,
}

/// Everything the widget needs to draw itself.
#[derive(ToSchema)]
pub struct WidgetConfig {
    /// The site id from the embed snippet's `data-site`.
    site: String,
    /// The merchant's name, shown in the panel header.
    name: String,
    /// The site's language (`en`, `ru` or `lt`); the texts are already in it.
    locale: String,
    /// Accent colour as `#rrggbb`.
    #[schema(pattern = "^#[0-9a-fA-F]{6}$")]
    accent: String,
    #[serde(default)]
    position: LauncherPosition,
    texts: WidgetTexts,
    /// The site's enabled channels, in display order.
    channels: Vec<ChannelButton>,
    chat: ChatSettings,
}

/// Texts the widget shows, already localised by the relay.
#[derive(ToSchema)]
struct WidgetTexts {
    /// Accessible label of the floating launcher button.
    launcher: String,
    /// Panel title.
    title: String,
    /// One line under the title saying what the visitor gets.
    subtitle: String,
    /// Small print at the bottom: how to stop.
    footer: String,
    /// Label of the panel's close button.
    close: String,
    inline: InlineTexts,
}

/// The inline block's texts. Templates name their placeholders, which the widget fills:
/// `{channels}` (the channel names joined by commas and, before the last, `or` or `and`),
/// `{shop}`, `{order}` and `{customer}` (masked).
#[derive(ToSchema)]
struct InlineTexts {
    /// The offer, with `{channels}` joined by `or`.
    title: String,
    /// The confirmation for a linked customer, with `{channels}` joined by `and`.
    subscribed: String,
    /// The word before the last of several alternatives.
    or: String,
    /// The word before the last of several channels together.
    and: String,
    /// The line under the title on an order's page, with `{shop}` and `{order}`.
    order: String,
    /// The linked account, with `{customer}`.
    linked_to: String,
    /// The button that shows the channels a subscribed customer does not use yet.
    add_another: String,
    /// The line above the QR codes.
    scan: String,
}

/// One "continue in …" button.
#[derive(ToSchema)]
struct ChannelButton {
    kind: ChannelKind,
    /// Button text.
    label: String,
    /// Deep link with the literal placeholder `{ref}` where the widget puts the ref.
    link: String,
    ref_kind: RefKind,
}

/// Who is this token, and where are they subscribed?
#[derive(ToSchema)]
pub struct IdentityRequest {
    /// The merchant-signed JWT.
    #[schema(
        min_length = 1,
        max_length = 8192,
        pattern = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
    )]
    token: String,
}

/// The customer a token names and their linked subscriptions.
#[derive(ToSchema)]
pub struct IdentityStatus {
    /// The customer, masked for display (`j***@example.com`, or a masked id).
    customer: String,
    /// Channels where this customer is subscribed and linked.
    subscriptions: Vec<LinkedSubscription>,
}

/// One messenger subscription linked to a customer.
#[derive(ToSchema)]
struct LinkedSubscription {
    channel: ChannelKind,
    /// `active` or `unsubscribed`.
    status: String,
}

/// Complete an in-chat link on the merchant's logged-in page.
#[derive(ToSchema)]
pub struct LinkRequest {
    /// The one-time code from the bot's "link your account" button (`?ferry_link=`), as given:
    /// letters and digits, any case.
    #[schema(pattern = "^[A-Za-z0-9]{1,32}$")]
    code: String,
    /// The merchant-signed JWT of the logged-in customer.
    #[schema(
        min_length = 1,
        max_length = 8192,
        pattern = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
    )]
    token: String,
}

/// The link is made.
#[derive(ToSchema)]
pub struct LinkResult {
    channel: ChannelKind,
    /// The customer, masked.
    customer: String,
}

/// A platform webhook is stored.
#[derive(ToSchema)]
pub struct HookReceipt {
    /// Always `true`.
    ok: bool,
    /// Events found in the body (ignored kinds are not counted).
    received: u32,
    /// Events not seen before (the rest were retries).
    new: u32,
}

/// A bound of the subscriber list: an RFC 3339 time, or a day (its start, UTC).
#[derive(ToSchema)]
#[serde(untagged)]
pub enum TimeBound {
    /// `YYYY-MM-DD`: the start of that day, UTC.
    #[schema(format = Date)]
    Day(String),
    /// An RFC 3339 time, e.g. `2026-11-21T14:00:00Z`.
    #[schema(format = DateTime)]
    Moment(String),
}

/// The process, or its database, answers.
#[derive(ToSchema)]
pub struct HealthStatus {
    /// `ok` for `/healthz`, `ready` for `/readyz`.
    status: String,
}
