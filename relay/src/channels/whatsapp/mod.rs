//! WhatsApp Cloud API: `messages` webhooks in, `POST /<PHONE_NUMBER_ID>/messages` out.
//!
//! WhatsApp links carry no hidden parameter, so the ref is a short code inside the prefilled
//! text the person sends (`wa.me/<digits>?text=…(ref K7M2Q9AB)`); `code` finds it again.

mod client;
mod code;
mod webhook;

use std::sync::Arc;

use axum::http::HeaderMap;
use serde::Deserialize;

pub use code::find_code;
pub use webhook::parse;

use super::platform::{
    Account, Limits, Platform, Rate, RateScope, RefCandidates, WebhookAuthError, WebhookDoc,
    link_host,
};
use super::{InboundEvent, InboundKind, Keyed, OutboundMessage, PayloadError, SendError, meta};
use crate::config::{PlatformSettings, Secret, SiteSettings};
use crate::domain::{ChannelKind, ReplyWindow};
use crate::texts;

/// The platform, for the registry.
pub(super) struct Whatsapp;

impl Platform for Whatsapp {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Whatsapp
    }

    fn read_account(&self, section: toml::Value) -> Result<Arc<dyn Account>, toml::de::Error> {
        Ok(Arc::new(section.try_into::<WhatsappSettings>()?))
    }

    fn webhook_doc(&self) -> WebhookDoc {
        meta::webhook_doc("A WhatsApp Cloud API webhook (`object: whatsapp_business_account`)")
    }

    fn limits(&self) -> Limits {
        // 80 messages a second per number by default; about one every 6 s to the same person
        // (error 131056 beyond that).
        Limits {
            max_text: 4096,
            rates: &[
                Rate {
                    messages: 1,
                    per_secs: 6,
                    scope: RateScope::Chat,
                },
                Rate {
                    messages: 80,
                    per_secs: 1,
                    scope: RateScope::Account,
                },
            ],
            // The 24-hour customer service window; outside it approved templates only.
            reply_window: ReplyWindow::Hours(24),
        }
    }

    /// The code after the word "ref" in a text, then any other code-shaped word in it.
    fn ref_candidates(&self, event: &InboundEvent) -> RefCandidates {
        match &event.kind {
            InboundKind::Text { text } => find_code(text),
            _ => RefCandidates::default(),
        }
    }
}

/// `[sites.whatsapp]`: a WhatsApp Cloud API phone number.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatsappSettings {
    /// The number in international format, digits only (for `wa.me/<digits>`).
    pub phone_number: String,
    /// Graph API id of the number; inbound webhooks for other numbers are ignored.
    pub phone_number_id: String,
    /// System-user access token for the send API.
    pub access_token: Secret,
    /// Meta app secret that signs webhooks.
    pub app_secret: Secret,
    /// Token Meta sends back when you register the webhook.
    pub verify_token: Secret,
}

#[async_trait::async_trait]
impl Account for WhatsappSettings {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Whatsapp
    }

    fn handle(&self) -> &str {
        &self.phone_number
    }

    fn validate(&self) -> Result<(), String> {
        let digits = &self.phone_number;
        if !(7..=15).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(
                "whatsapp.phone_number must be the international number as digits, e.g. 4915112345678"
                    .into(),
            );
        }
        meta::validate_app("whatsapp", &self.app_secret, &self.verify_token)
    }

    fn deep_link(&self, site: &SiteSettings, sandbox_base: Option<&str>) -> String {
        let (before, after) = texts::whatsapp_prefill(site.locale, &site.name);
        let encode = |text: &str| {
            url::form_urlencoded::byte_serialize(text.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        };
        format!(
            "{}/{}?text={}{{ref}}{}",
            link_host("https://wa.me", self.kind(), sandbox_base),
            self.phone_number,
            encode(&before),
            encode(&after)
        )
    }

    fn authenticate(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookAuthError> {
        meta::authenticate(&self.app_secret, headers, body)
    }

    fn handshake(&self, query: &[(String, String)]) -> Result<String, WebhookAuthError> {
        meta::handshake(&self.verify_token, query)
    }

    fn parse(&self, body: &[u8]) -> Result<Vec<Keyed>, PayloadError> {
        parse(body, &self.phone_number_id)
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
