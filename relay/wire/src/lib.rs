//! The JSON shapes the widget and the relay exchange over the widget API, and the few facts
//! about channels and refs both sides must agree on.
//!
//! This crate holds plain serde types and pure functions only — no I/O, no runtime, no other
//! dependencies — so the widget can depend on it without pulling server crates into the
//! WebAssembly build. Validation of request values happens in the relay at the edge (see
//! `ferry_relay::domain`); `refs` and `crockford` are the rules it and the widget share.

mod channel;
mod chat;
pub mod crockford;
pub mod refs;

use std::{fmt, marker::PhantomData};

pub use channel::{ChannelKind, RefKind};
pub use chat::{
    CONVERSATION_HEADER, ChatAuthor, ChatMessage, ChatMessages, ChatSettings, ChatStatus,
    ChatTexts, ConversationStarted, ConversationState, EVENT_CONVERSATION, EVENT_MESSAGE,
    SendMessage, StartConversation,
};
use serde::{
    Deserialize, Deserializer, Serialize,
    de::{MapAccess, Visitor, value::MapAccessDeserializer},
};

/// Reads a struct from a JSON object only. serde also reads structs from an array of their
/// fields in order; no client sends that, and the API's documents say object.
fn object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectOnly<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
        type Value = T;

        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(ObjectOnly(PhantomData))
}

/// Where the launcher sits on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LauncherPosition {
    /// Bottom right corner (the default).
    #[default]
    Right,
    /// Bottom left corner.
    Left,
}

/// `GET /api/widget/{site}/config`: everything the widget needs to draw itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetConfig {
    /// The site id from the embed snippet's `data-site`.
    pub site: String,
    /// The merchant's name, shown in the panel header.
    pub name: String,
    /// The site's language (BCP 47, e.g. `en`, `ru`, `lt`); texts below are already in it.
    pub locale: String,
    /// Accent colour as `#rrggbb`.
    pub accent: String,
    /// Launcher corner.
    #[serde(default)]
    pub position: LauncherPosition,
    /// Texts in the site's locale.
    pub texts: WidgetTexts,
    /// The site's enabled channels, in display order.
    pub channels: Vec<ChannelButton>,
    /// The web chat.
    pub chat: ChatSettings,
}

/// Texts the widget shows, already localised by the relay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetTexts {
    /// Accessible label of the floating launcher button.
    pub launcher: String,
    /// Panel title, e.g. "Continue in your messenger".
    pub title: String,
    /// One line under the title saying what the visitor gets.
    pub subtitle: String,
    /// Small print at the bottom: how to stop.
    pub footer: String,
    /// Label of the panel's close button.
    pub close: String,
    /// The inline block's texts.
    pub inline: InlineTexts,
}

/// The inline block's texts. Sentences that name things are templates the widget fills in:
/// `{channels}` with the channel names joined by commas and, before the last, `or` or `and`;
/// `{shop}` with the merchant's name; `{order}` with the order id; `{customer}` with the masked
/// customer. A template may place its placeholder anywhere, as its language needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InlineTexts {
    /// The offer, with `{channels}` joined by `or`: "Get order updates in {channels}".
    pub title: String,
    /// The confirmation, with `{channels}` joined by `and`: "You'll get updates in {channels}".
    pub subscribed: String,
    /// The word before the last of several alternatives: "or".
    pub or: String,
    /// The word before the last of several channels together: "and".
    pub and: String,
    /// The line under the title on an order's page, with `{shop}` and `{order}`.
    pub order: String,
    /// The line naming the linked account, with `{customer}`: "Linked to {customer}".
    pub linked_to: String,
    /// The button that reveals the channels a subscribed customer does not use yet.
    pub add_another: String,
    /// The line above the QR codes.
    pub scan: String,
}

/// One "continue in …" button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelButton {
    /// Which messenger.
    pub kind: ChannelKind,
    /// Button text, e.g. "Telegram".
    pub label: String,
    /// Deep link with the literal placeholder `{ref}` where the widget puts the ref. Everything
    /// else is already URL-encoded, and both ref alphabets are URL-safe, so the widget only
    /// substitutes.
    pub link: String,
    /// The kind of ref this link wants.
    pub ref_kind: RefKind,
}

/// UTM parameters of the landing URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Utm {
    /// `utm_source`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `utm_medium`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// `utm_campaign`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// `utm_content`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `utm_term`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
}

/// Visitor's device class, as the widget judged it from the viewport and pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceClass {
    /// Phone-sized touch screen.
    Mobile,
    /// Tablet-sized touch screen.
    Tablet,
    /// Anything with a fine pointer or a wide screen.
    #[default]
    Desktop,
}

impl DeviceClass {
    /// The lowercase name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Tablet => "tablet",
            Self::Desktop => "desktop",
        }
    }
}

/// What the widget knows about the visit; every event and intent carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// Full URL of the page the widget runs on.
    pub page_url: String,
    /// `document.referrer`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// UTM parameters of the page URL.
    #[serde(default, deserialize_with = "object")]
    pub utm: Utm,
    /// Where the widget was shown: `floating`, `inline`, `checkout` or a merchant's own name.
    pub placement: String,
    /// The browser's language, e.g. `en-US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Device class.
    #[serde(default)]
    pub device: DeviceClass,
}

/// `POST /api/widget/{site}/intents`: a visitor tapped a channel button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewIntent {
    /// The ref the widget generated and put into the deep link (token or code per `ref_kind`).
    #[serde(rename = "ref")]
    pub reference: String,
    /// The channel tapped.
    pub channel: ChannelKind,
    /// The visit's attribution.
    #[serde(deserialize_with = "object")]
    pub visit: Visit,
    /// A JWT signed by the merchant's backend for the logged-in customer (`Ferry.identify` or
    /// `data-ferry-token`). Sent in the body only, never in a URL or deep link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The order this opt-in is about (`data-ferry-order`); the token's `order_id` wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
}

/// Answer to an intent: the ref, and whose account it will link when a token was verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentReceipt {
    /// The ref as stored (codes normalised).
    #[serde(rename = "ref")]
    pub reference: String,
    /// The verified customer, masked (`j***@example.com`), when the intent carried a token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
}

/// `POST /api/widget/{site}/identity`: who is this token, and where are they subscribed?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityRequest {
    /// The merchant-signed JWT.
    pub token: String,
}

/// Answer to `IdentityRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityStatus {
    /// The customer, masked for display (`j***@example.com`, or a masked id).
    pub customer: String,
    /// Channels where this customer is subscribed and linked.
    pub subscriptions: Vec<LinkedSubscription>,
}

/// One messenger subscription linked to a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedSubscription {
    /// The messenger.
    pub channel: ChannelKind,
    /// `active` or `unsubscribed`.
    pub status: String,
}

/// `POST /api/widget/{site}/links`: complete an in-chat link on the merchant's logged-in page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRequest {
    /// The one-time code from the bot's "link your account" button (`?ferry_link=` in the URL).
    pub code: String,
    /// The merchant-signed JWT of the logged-in customer.
    pub token: String,
}

/// Answer to `LinkRequest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkResult {
    /// The messenger that is now linked.
    pub channel: ChannelKind,
    /// The customer, masked.
    pub customer: String,
}

/// Funnel steps the widget reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WidgetEventKind {
    /// The launcher (or an inline block) was shown.
    View,
    /// The visitor opened the panel.
    Open,
    /// The visitor tapped a channel button.
    Click,
}

impl WidgetEventKind {
    /// The lowercase name used in JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Open => "open",
            Self::Click => "click",
        }
    }
}

/// `POST /api/widget/{site}/events`: one funnel step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WidgetEvent {
    /// Which step.
    pub kind: WidgetEventKind,
    /// The channel, for clicks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ChannelKind>,
    /// The visit's attribution.
    #[serde(deserialize_with = "object")]
    pub visit: Visit,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_uses_ref_as_the_json_field_name() {
        let json = r#"{"ref":"abc","channel":"whatsapp","visit":{"page_url":"https://shop.example/","placement":"floating"}}"#;
        let intent: NewIntent = serde_json::from_str(json).unwrap();
        assert_eq!(intent.reference, "abc");
        assert_eq!(intent.channel, ChannelKind::Whatsapp);
        assert_eq!(intent.visit.device, DeviceClass::Desktop);
    }

    #[test]
    fn nested_structs_are_read_from_objects_only() {
        let event = |visit: &str| {
            serde_json::from_str::<WidgetEvent>(&format!(r#"{{"kind":"view","visit":{visit}}}"#))
        };

        assert!(event(r#"{"page_url":"https://shop.example/","placement":"floating"}"#).is_ok());
        assert!(event(r#"["https://shop.example/",null,{},"floating"]"#).is_err());
        assert!(event(r#"{"page_url":"https://shop.example/","placement":"x","utm":[]}"#).is_err());
    }
}
