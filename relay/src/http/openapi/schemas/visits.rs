//! Schema twins of what the widget reports: the visit, funnel events and intents. See the
//! parent module for why twins exist; lengths and patterns are exactly what the handlers accept.

// Described, never constructed.
#![allow(dead_code)]

use utoipa::ToSchema;

use super::ChannelKind;

/// UTM parameters of the landing URL; blank values count as absent.
#[derive(ToSchema)]
struct Utm {
    /// `utm_source`
    #[schema(max_length = 200)]
    source: Option<String>,
    /// `utm_medium`
    #[schema(max_length = 200)]
    medium: Option<String>,
    /// `utm_campaign`
    #[schema(max_length = 200)]
    campaign: Option<String>,
    /// `utm_content`
    #[schema(max_length = 200)]
    content: Option<String>,
    /// `utm_term`
    #[schema(max_length = 200)]
    term: Option<String>,
}

/// The visitor's device class, as the widget judged it.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
enum DeviceClass {
    /// Phone-sized touch screen.
    Mobile,
    /// Tablet-sized touch screen.
    Tablet,
    /// Anything with a fine pointer or a wide screen (the default).
    Desktop,
}

/// What the widget knows about the visit; every event and intent carries it.
#[derive(ToSchema)]
pub(super) struct Visit {
    /// Full http(s) URL of the page the widget runs on (`location.href`): a host name (labels
    /// starting `xn--` must be valid punycode) or IPv4 address, no spaces or control
    /// characters, at most 2048 characters.
    #[schema(
        max_length = 2048,
        pattern = "^[Hh][Tt][Tt][Pp][Ss]?://\
            (([A-Za-z0-9_-]+\\.)*[A-Za-z][A-Za-z0-9_-]*\
            |((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}\
            (25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))\
            (:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?\
            ([/?#][^\\x00-\\x20\\x7f]*)?$"
    )]
    page_url: String,
    /// `document.referrer`, if any.
    #[schema(max_length = 2048)]
    referrer: Option<String>,
    #[serde(default)]
    utm: Utm,
    /// Where the widget was shown: `floating`, `inline`, `checkout` or the merchant's own name.
    #[schema(pattern = "^[a-z0-9_-]{1,32}$")]
    placement: String,
    /// The browser's language, e.g. `en-US`.
    #[schema(max_length = 200)]
    locale: Option<String>,
    #[serde(default)]
    device: DeviceClass,
}

/// A visitor tapped a channel button. The ref's shape follows the channel's `ref_kind`: a
/// code for WhatsApp, a token for the others.
#[derive(ToSchema)]
#[serde(untagged)]
pub enum NewIntent {
    /// A WhatsApp intent.
    Code(CodeIntent),
    /// A Telegram or Messenger intent.
    Token(TokenIntent),
}

/// A tap on the WhatsApp button, whose prefilled text carries a code.
#[derive(ToSchema)]
pub struct CodeIntent {
    /// The code the widget generated and put into the deep link: 8 Crockford base32
    /// characters, any case (I and L read as 1, O as 0).
    #[serde(rename = "ref")]
    #[schema(pattern = "^[0-9A-TV-Za-tv-z]{8}$")]
    reference: String,
    channel: CodeChannel,
    visit: Visit,
    /// A JWT signed by the merchant's backend for the logged-in customer (see the README).
    #[schema(
        min_length = 1,
        max_length = 8192,
        pattern = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
    )]
    token: Option<String>,
    /// The order this opt-in is about (`data-ferry-order`); blank means none. The token's
    /// `order_id` wins.
    #[schema(max_length = 128)]
    order_id: Option<String>,
}

/// A tap on a Telegram or Messenger button, whose deep link carries a token.
#[derive(ToSchema)]
pub struct TokenIntent {
    /// The token the widget generated and put into the deep link: 16 random bytes in
    /// base64url (16–64 characters accepted).
    #[serde(rename = "ref")]
    #[schema(pattern = "^[A-Za-z0-9_-]{16,64}$")]
    reference: String,
    channel: TokenChannel,
    visit: Visit,
    /// A JWT signed by the merchant's backend for the logged-in customer (see the README).
    #[schema(
        min_length = 1,
        max_length = 8192,
        pattern = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
    )]
    token: Option<String>,
    /// The order this opt-in is about (`data-ferry-order`); blank means none. The token's
    /// `order_id` wins.
    #[schema(max_length = 128)]
    order_id: Option<String>,
}

/// The channel whose refs are codes.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
enum CodeChannel {
    /// WhatsApp.
    Whatsapp,
}

/// The channels whose refs are tokens.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
enum TokenChannel {
    /// Telegram.
    Telegram,
    /// Messenger.
    Messenger,
}

/// The ref as stored, and whose account it will link when the intent carried a token.
#[derive(ToSchema)]
pub struct IntentReceipt {
    /// The ref as stored (codes normalised).
    #[serde(rename = "ref")]
    reference: String,
    /// The verified customer, masked (`j***@example.com`).
    customer: Option<String>,
}

/// Funnel steps the widget reports.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
enum WidgetEventKind {
    /// The launcher (or an inline block) was shown.
    View,
    /// The visitor opened the panel.
    Open,
    /// The visitor tapped a channel button.
    Click,
}

/// One funnel step.
#[derive(ToSchema)]
pub struct WidgetEvent {
    kind: WidgetEventKind,
    /// The channel, for clicks.
    channel: Option<ChannelKind>,
    visit: Visit,
}

/// The event is recorded.
#[derive(ToSchema)]
pub struct Accepted {
    /// Always `true`.
    accepted: bool,
}
