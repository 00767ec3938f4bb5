//! Facebook Messenger: page webhooks in, the Send API out.
//!
//! Refs arrive in `postback.referral.ref` (a new person tapping Get Started after an m.me link)
//! or `referral.ref` (an existing thread opened through the link). Events are batched: every
//! `entry[].messaging[]` item is one event, and one app may deliver several pages' entries to
//! the same URL, so entries for other pages are skipped.

mod client;
mod webhook;

use std::sync::Arc;

use axum::http::HeaderMap;
use serde::Deserialize;

pub use webhook::parse;

use super::platform::{
    Account, Limits, Platform, Rate, RateScope, WebhookAuthError, WebhookDoc, link_host,
};
use super::{Keyed, OutboundMessage, PayloadError, SendError, meta};
use crate::config::{PlatformSettings, Secret, SiteSettings};
use crate::domain::{ChannelKind, ReplyWindow};

/// The platform, for the registry.
pub(super) struct Messenger;

impl Platform for Messenger {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Messenger
    }

    fn read_account(&self, section: toml::Value) -> Result<Arc<dyn Account>, toml::de::Error> {
        Ok(Arc::new(section.try_into::<MessengerSettings>()?))
    }

    fn webhook_doc(&self) -> WebhookDoc {
        meta::webhook_doc("A Messenger webhook (`object: page`)")
    }

    fn limits(&self) -> Limits {
        // Send API: 300 text calls a second per page. Texts must stay within 2000 characters.
        Limits {
            max_text: 2000,
            rates: &[Rate {
                messages: 300,
                per_secs: 1,
                scope: RateScope::Account,
            }],
            // 24 hours; a human operator's reply up to 7 days with the HUMAN_AGENT tag.
            reply_window: ReplyWindow::HoursOrHumanTag {
                hours: 24,
                human_hours: 7 * 24,
                human_tag: "HUMAN_AGENT",
            },
        }
    }
}

/// `[sites.messenger]`: a Facebook page receiving Messenger conversations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessengerSettings {
    /// Graph API id of the page; webhook events for other pages are ignored.
    pub page_id: String,
    /// The page's username, used in `m.me/<page>` links.
    pub page_username: String,
    /// Page access token for the send API.
    pub page_access_token: Secret,
    /// Meta app secret that signs webhooks.
    pub app_secret: Secret,
    /// Token Meta sends back when you register the webhook.
    pub verify_token: Secret,
}

#[async_trait::async_trait]
impl Account for MessengerSettings {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Messenger
    }

    fn handle(&self) -> &str {
        &self.page_username
    }

    fn validate(&self) -> Result<(), String> {
        let name = &self.page_username;
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
            return Err("messenger.page_username must be the page's m.me username".into());
        }
        meta::validate_app("messenger", &self.app_secret, &self.verify_token)
    }

    fn deep_link(&self, _site: &SiteSettings, sandbox_base: Option<&str>) -> String {
        let host = link_host("https://m.me", self.kind(), sandbox_base);
        format!("{host}/{}?ref={{ref}}", self.page_username)
    }

    fn authenticate(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookAuthError> {
        meta::authenticate(&self.app_secret, headers, body)
    }

    fn handshake(&self, query: &[(String, String)]) -> Result<String, WebhookAuthError> {
        meta::handshake(&self.verify_token, query)
    }

    fn parse(&self, body: &[u8]) -> Result<Vec<Keyed>, PayloadError> {
        parse(body, &self.page_id)
    }

    async fn send(
        &self,
        http: &reqwest::Client,
        apis: &PlatformSettings,
        recipient: &str,
        message: &OutboundMessage,
    ) -> Result<Option<String>, SendError> {
        client::send(http, &apis.graph_api, self, recipient, message).await
    }
}
