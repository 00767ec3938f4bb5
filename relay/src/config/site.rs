//! One merchant site's settings: identity, widget look, API key and channel credentials.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{IdentitySettings, Secret};

/// A merchant's site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSettings {
    /// Id used in the embed snippet (`data-site`) and in webhook URLs: `[a-z0-9_-]`, 1–64 chars.
    pub id: String,
    /// The merchant's name as visitors see it.
    pub name: String,
    /// Origins (`https://shop.example`) whose pages may call the widget API.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Merchant API key, given as the key itself (hashed when loaded)…
    #[serde(default)]
    pub api_key: Option<Secret>,
    /// …or as the hex SHA-256 of the key, so the file need not hold the key at all.
    #[serde(default)]
    pub api_key_sha256: Option<String>,
    /// Language of the widget and of the bot's messages: `en` or `ru`.
    #[serde(default = "default_locale")]
    pub locale: String,
    /// Widget accent colour, `#rrggbb`.
    #[serde(default = "default_accent")]
    pub accent: String,
    /// Telegram bot, if the site offers Telegram.
    #[serde(default)]
    pub telegram: Option<TelegramSettings>,
    /// WhatsApp Cloud API number, if the site offers WhatsApp.
    #[serde(default)]
    pub whatsapp: Option<WhatsappSettings>,
    /// Facebook page, if the site offers Messenger.
    #[serde(default)]
    pub messenger: Option<MessengerSettings>,
    /// The merchant's endpoint for signed `subscriber.*` webhooks.
    #[serde(default)]
    pub webhook: Option<super::MerchantWebhookSettings>,
    /// How customer tokens (JWTs from the merchant's backend) are verified; without it the
    /// site accepts none.
    #[serde(default)]
    pub identity: Option<IdentitySettings>,
}

/// A Telegram bot.
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

/// A WhatsApp Cloud API phone number.
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

/// A Facebook page receiving Messenger conversations.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessengerSettings {
    /// Graph API id of the page.
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

fn default_locale() -> String {
    "en".into()
}

fn default_accent() -> String {
    "#2563eb".into()
}

/// Shortest accepted `api_key`: keys are bearer credentials open to online guessing, and 16
/// random characters are far beyond what any guessing rate can reach.
pub const MIN_API_KEY_CHARS: usize = 16;

/// Locales the relay has texts for.
pub const LOCALES: [&str; 2] = ["en", "ru"];

impl SiteSettings {
    /// SHA-256 of the merchant API key: what requests are compared against.
    pub fn api_key_hash(&self) -> Option<[u8; 32]> {
        if let Some(key) = &self.api_key {
            return Some(Sha256::digest(key.expose().as_bytes()).into());
        }
        let hex = self.api_key_sha256.as_deref()?;
        hex::decode(hex).ok()?.try_into().ok()
    }

    /// Whether a browser page from `origin` may use this site's widget API.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|allowed| allowed == origin)
    }

    pub(super) fn validate(&self) -> Result<(), String> {
        let id = &self.id;
        let valid_id = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid_id {
            return Err(format!(
                "site id {id:?} must be 1-64 characters of a-z, 0-9, '-' and '_'"
            ));
        }
        let at = |what: &str| format!("site {id:?}: {what}");
        if self.name.trim().is_empty() {
            return Err(at("name must not be empty"));
        }
        for origin in &self.allowed_origins {
            if !is_origin(origin) {
                return Err(at(&format!(
                    "allowed origin {origin:?} must look like https://shop.example (scheme, host, optional port, no path)"
                )));
            }
        }
        match (&self.api_key, &self.api_key_sha256) {
            (Some(_), Some(_)) => return Err(at("give api_key or api_key_sha256, not both")),
            (None, None) => return Err(at("api_key or api_key_sha256 is required")),
            (None, Some(_)) if self.api_key_hash().is_none() => {
                return Err(at("api_key_sha256 must be 64 hex characters"));
            }
            (Some(key), None) if key.expose().chars().count() < MIN_API_KEY_CHARS => {
                return Err(at(&format!(
                    "api_key must be at least {MIN_API_KEY_CHARS} characters (e.g. openssl rand -hex 16)"
                )));
            }
            _ => {}
        }
        if !LOCALES.contains(&self.locale.as_str()) {
            return Err(at(&format!("locale must be one of {LOCALES:?}")));
        }
        let accent = self.accent.strip_prefix('#').unwrap_or("");
        if accent.len() != 6 || !accent.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(at("accent must be a colour like #2563eb"));
        }
        if self.telegram.is_none() && self.whatsapp.is_none() && self.messenger.is_none() {
            return Err(at(
                "enable at least one channel (telegram, whatsapp or messenger)",
            ));
        }
        if let Some(telegram) = &self.telegram {
            let name = &telegram.bot_username;
            if !(5..=32).contains(&name.len())
                || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(at(
                    "telegram.bot_username must be 5-32 characters of A-Z, a-z, 0-9 and '_'",
                ));
            }
            let secret = telegram.webhook_secret.expose();
            if secret.len() > 256
                || !secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(at(
                    "telegram.webhook_secret must be 1-256 characters of A-Z, a-z, 0-9, '_' and '-'",
                ));
            }
        }
        if let Some(whatsapp) = &self.whatsapp {
            let digits = &whatsapp.phone_number;
            if !(7..=15).contains(&digits.len())
                || !digits.bytes().all(|b| b.is_ascii_digit())
                || digits.starts_with('0')
            {
                return Err(at(
                    "whatsapp.phone_number must be the international number as digits, e.g. 4915112345678",
                ));
            }
        }
        if let Some(webhook) = &self.webhook {
            webhook.validate().map_err(|e| at(&e))?;
        }
        if let Some(messenger) = &self.messenger {
            let name = &messenger.page_username;
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
                return Err(at(
                    "messenger.page_username must be the page's m.me username",
                ));
            }
        }
        if let Some(identity) = &self.identity {
            identity.validate().map_err(|e| at(&e))?;
        }
        Ok(())
    }
}

fn is_origin(text: &str) -> bool {
    match url::Url::parse(text) {
        Ok(url) => {
            matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some()
                && url.path() == "/"
                && !text.ends_with('/')
                && url.query().is_none()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_have_no_path_or_trailing_slash() {
        assert!(is_origin("https://shop.example"));
        assert!(is_origin("http://127.0.0.1:8080"));
        assert!(!is_origin("https://shop.example/"));
        assert!(!is_origin("https://shop.example/cart"));
        assert!(!is_origin("shop.example"));
    }
}
