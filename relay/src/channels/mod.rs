//! The messenger platforms: what their webhooks mean and how to send through them.
//!
//! Each platform module parses its webhook bodies into `InboundEvent`s (after the HTTP layer
//! checked the platform's authentication on the raw bytes) and sends `OutboundMessage`s through
//! its API. Nothing here touches storage; `ingest` decides what events mean for subscribers.

pub mod messenger;
pub mod meta;
pub mod telegram;
pub mod whatsapp;

use serde::{Deserialize, Serialize};

use crate::config::{PlatformSettings, SiteSettings};
use crate::domain::{ChannelKind, Millis, PlatformUserId};

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
        /// The ref, as the platform delivered it.
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
    /// Not JSON, or not the platform's shape.
    #[error("the body is not a valid {platform} webhook payload: {detail}")]
    Malformed {
        /// Platform name.
        platform: &'static str,
        /// What serde said.
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

/// A message to send: text and optional link buttons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// Plain text.
    pub text: String,
    /// Buttons that open a URL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<LinkButton>,
}

/// A button that opens a URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkButton {
    /// Label.
    pub text: String,
    /// Target.
    pub url: String,
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// Temporary (rate limit, 5xx, network); try again, after `after` seconds if the platform said.
    Retry {
        /// The platform's `retry_after`, in seconds.
        after: Option<u64>,
        /// What happened.
        reason: String,
    },
    /// Will not succeed on retry.
    Permanent {
        /// What happened.
        reason: String,
        /// The user cannot be reached any more (blocked the bot, left).
        unsubscribe: bool,
    },
}

/// Sends messages through the platforms' APIs at the configured base URLs.
#[derive(Clone)]
pub struct Platforms {
    http: reqwest::Client,
    settings: PlatformSettings,
}

impl Platforms {
    /// Builds the senders with one shared HTTP client.
    pub fn new(settings: PlatformSettings) -> reqwest::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(settings.timeout_secs))
            .user_agent(concat!("ferry-relay/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, settings })
    }

    /// The shared HTTP client (with the platform timeout), for other outbound calls.
    pub fn http_client(&self) -> reqwest::Client {
        self.http.clone()
    }

    /// Sends `message` to `recipient` on `channel` with the site's credentials; returns the
    /// platform's message id.
    pub async fn send(
        &self,
        site: &SiteSettings,
        channel: ChannelKind,
        recipient: &str,
        message: &OutboundMessage,
    ) -> Result<Option<String>, SendError> {
        let not_configured = || SendError::Permanent {
            reason: format!(
                "{} is not configured for site {}",
                channel.as_str(),
                site.id
            ),
            unsubscribe: false,
        };
        match channel {
            ChannelKind::Telegram => {
                let bot = site.telegram.as_ref().ok_or_else(not_configured)?;
                telegram::send(
                    &self.http,
                    &self.settings.telegram_api,
                    bot,
                    recipient,
                    message,
                )
                .await
            }
            ChannelKind::Messenger => {
                let page = site.messenger.as_ref().ok_or_else(not_configured)?;
                messenger::send(
                    &self.http,
                    &self.settings.graph_api,
                    page,
                    recipient,
                    message,
                )
                .await
            }
            ChannelKind::Whatsapp => {
                let number = site.whatsapp.as_ref().ok_or_else(not_configured)?;
                whatsapp::send(
                    &self.http,
                    &self.settings.graph_api,
                    number,
                    recipient,
                    message,
                )
                .await
            }
        }
    }
}

/// Classifies a transport error: timeouts and connection failures are worth retrying.
fn transport_error(error: &reqwest::Error) -> SendError {
    SendError::Retry {
        after: None,
        reason: format!("request failed: {error}"),
    }
}
