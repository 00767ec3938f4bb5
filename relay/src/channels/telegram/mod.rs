//! Telegram Bot API: webhook updates in, `sendMessage` out.
//!
//! Webhooks are authenticated by the `X-Telegram-Bot-Api-Secret-Token` header, which echoes the
//! `secret_token` given to `setWebhook`. Refs arrive as the text `/start <ref>` after a
//! `t.me/<bot>?start=<ref>` link.

mod client;
mod webhook;

use std::sync::Arc;

use axum::http::HeaderMap;
use serde::Deserialize;

pub use webhook::{SECRET_HEADER, parse, verify_secret};

use super::platform::{
    Account, Limits, MIN_WEBHOOK_SECRET_LEN, Platform, Rate, RateScope, WebhookAuthError,
    WebhookDoc, link_host,
};
use super::{Keyed, OutboundMessage, PayloadError, SendError};
use crate::config::{PlatformSettings, Secret, SiteSettings};
use crate::domain::{ChannelKind, ReplyWindow};

/// The platform, for the registry.
pub(super) struct Telegram;

impl Platform for Telegram {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Telegram
    }

    fn read_account(&self, section: toml::Value) -> Result<Arc<dyn Account>, toml::de::Error> {
        Ok(Arc::new(section.try_into::<TelegramSettings>()?))
    }

    fn webhook_doc(&self) -> WebhookDoc {
        WebhookDoc {
            body: "A Telegram Bot API `Update`",
            auth_header: (
                "X-Telegram-Bot-Api-Secret-Token",
                "Equals the bot's `webhook_secret` (`setWebhook … secret_token=`)",
            ),
            unauthorized: "`missing_secret_token`: the header is missing.",
            forbidden: "`invalid_secret_token`: the header is wrong.",
            handshake: None,
        }
    }

    fn limits(&self) -> Limits {
        // Bots FAQ: about one message a second per chat, about 30 a second across chats.
        Limits {
            max_text: 4096,
            rates: &[
                Rate {
                    messages: 1,
                    per_secs: 1,
                    scope: RateScope::Chat,
                },
                Rate {
                    messages: 30,
                    per_secs: 1,
                    scope: RateScope::Account,
                },
            ],
            // No window: a bot may write any time after the person started it, until they block it.
            reply_window: ReplyWindow::Always,
        }
    }
}

/// `[sites.telegram]`: a Telegram bot.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramSettings {
    /// The bot's username without `@`, used in `t.me/<bot>` links.
    pub bot_username: String,
    /// Bot API token from @BotFather.
    pub bot_token: Secret,
    /// The `secret_token` given to `setWebhook`; Telegram echoes it in a header.
    pub webhook_secret: Secret,
}

#[async_trait::async_trait]
impl Account for TelegramSettings {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Telegram
    }

    fn handle(&self) -> &str {
        &self.bot_username
    }

    fn validate(&self) -> Result<(), String> {
        let name = &self.bot_username;
        if !(5..=32).contains(&name.len())
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(
                "telegram.bot_username must be 5-32 characters of A-Z, a-z, 0-9 and '_'".into(),
            );
        }
        // setWebhook takes 1-256 characters of this alphabet; fewer than 16 could be guessed.
        let secret = self.webhook_secret.expose();
        if !(MIN_WEBHOOK_SECRET_LEN..=256).contains(&secret.len())
            || !secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(format!(
                "telegram.webhook_secret must be {MIN_WEBHOOK_SECRET_LEN}-256 characters of A-Z, a-z, 0-9, '_' and '-'"
            ));
        }
        Ok(())
    }

    fn deep_link(&self, _site: &SiteSettings, sandbox_base: Option<&str>) -> String {
        let host = link_host("https://t.me", self.kind(), sandbox_base);
        format!("{host}/{}?start={{ref}}", self.bot_username)
    }

    fn authenticate(&self, headers: &HeaderMap, _body: &[u8]) -> Result<(), WebhookAuthError> {
        const HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";
        let given = headers
            .get(SECRET_HEADER)
            .ok_or(WebhookAuthError::MissingSecretToken(HEADER))?;
        if verify_secret(self.webhook_secret.expose(), Some(given.as_bytes())) {
            Ok(())
        } else {
            Err(WebhookAuthError::InvalidSecretToken(HEADER))
        }
    }

    fn parse(&self, body: &[u8]) -> Result<Vec<Keyed>, PayloadError> {
        parse(body)
    }

    async fn send(
        &self,
        http: &reqwest::Client,
        apis: &PlatformSettings,
        recipient: &str,
        message: &OutboundMessage,
    ) -> Result<Option<String>, SendError> {
        client::send(http, &apis.telegram_api, self, recipient, message).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bot(secret: &str) -> TelegramSettings {
        TelegramSettings {
            bot_username: "northwind_demo_bot".into(),
            bot_token: Secret::new("123:token"),
            webhook_secret: Secret::new(secret),
        }
    }

    #[test]
    fn a_webhook_secret_shorter_than_16_characters_is_refused() {
        assert!(bot("demo-telegram-webhook-secret").validate().is_ok());
        let error = bot("s3cret").validate().unwrap_err();
        assert!(
            error.contains("telegram.webhook_secret must be 16-256"),
            "{error}"
        );
        assert!(bot(&"x".repeat(257)).validate().is_err());
        assert!(
            bot("sixteen chars ok").validate().is_err(),
            "spaces are not allowed"
        );
    }

    #[test]
    fn the_secret_header_authenticates_the_update() {
        let account = bot("demo-telegram-webhook-secret");
        let mut headers = HeaderMap::new();
        assert_eq!(
            account.authenticate(&headers, b"{}"),
            Err(WebhookAuthError::MissingSecretToken(
                "X-Telegram-Bot-Api-Secret-Token"
            ))
        );
        headers.insert(SECRET_HEADER, "wrong".parse().unwrap());
        assert!(matches!(
            account.authenticate(&headers, b"{}"),
            Err(WebhookAuthError::InvalidSecretToken(_))
        ));
        headers.insert(
            SECRET_HEADER,
            "demo-telegram-webhook-secret".parse().unwrap(),
        );
        assert_eq!(account.authenticate(&headers, b"{}"), Ok(()));
        assert_eq!(
            account.handshake(&[]),
            Err(WebhookAuthError::NoHandshake),
            "Telegram has no GET handshake"
        );
    }
}
