//! What flows through every platform, normalised: events people cause, messages Ferry sends.

use serde::{Deserialize, Serialize};

use crate::domain::{Millis, PlatformUserId};

/// One thing a platform user did, normalised across platforms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundEvent {
    /// Who (also the address to answer to).
    pub user: PlatformUserId,
    /// The name the platform reported, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it happened, per the platform.
    pub at: Millis,
    /// What happened.
    pub kind: InboundKind,
}

/// What a platform user did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboundKind {
    /// Opened the conversation through a link or a start button (Telegram `/start <ref>`,
    /// Messenger Get Started or a referral), carrying the link's ref if it had one.
    Start {
        /// The ref, as the platform delivered it (only if it could travel in a deep link).
        #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// Sent a text (or pressed a reply button, whose text this is).
    Text {
        /// The text.
        text: String,
    },
    /// Sent something else: a photo, a sticker, a reaction.
    Other,
    /// Blocked the bot or left the conversation.
    Blocked,
}

/// A webhook event with the platform's id for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed {
    /// The platform's id (update id, message id…), so a retried webhook is stored once.
    pub dedupe_key: String,
    /// The event.
    pub event: InboundEvent,
}

/// Why a webhook body was refused.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// Not JSON, not the platform's shape, or a value no real platform sends (a time outside
    /// 1970–3000, an id that is empty, not ASCII or too long).
    #[error("the body is not a valid {platform} webhook payload: {detail}")]
    Malformed {
        /// Platform name.
        platform: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// A well-formed payload for a different kind of account (e.g. Instagram on the Messenger URL).
    #[error("expected object {expected:?}, got {got:?}")]
    WrongObject {
        /// What this endpoint takes.
        expected: &'static str,
        /// What came.
        got: String,
    },
}

impl PayloadError {
    /// A malformed body of `platform`, for a JSON error or a failed check.
    pub fn malformed(platform: &'static str, detail: impl Into<String>) -> Self {
        Self::Malformed {
            platform,
            detail: detail.into(),
        }
    }
}

/// A message to send: text and optional link buttons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// Plain text.
    pub text: String,
    /// Buttons that open a URL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<LinkButton>,
    /// The platform's message tag, for a message outside its standard window that its rules
    /// allow with one (Messenger's `HUMAN_AGENT`; see `domain::ReplyWindow`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// A button that opens a URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkButton {
    /// Label.
    pub text: String,
    /// Target.
    pub url: String,
}
