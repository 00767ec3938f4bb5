//! One merchant site's settings: identity, widget look, API key and its messenger accounts.
//!
//! A site's `[sites.<platform>]` sections are read by the platforms themselves (see
//! `channels::Platform::read_account`): this module knows no platform by name.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, de::Error as _};
use sha2::{Digest, Sha256};

use super::{IdentitySettings, Secret};
use crate::channels::{self, Account};
use crate::domain::ChannelKind;
use crate::domain::{Locale, OfficeHours};

/// A merchant's site.
///
/// Deserialised in two steps: the platforms take their sections out of the site's table, and
/// the remaining keys are read by the derive (`remote = "Self"` turns the derived impl into the
/// inherent `SiteSettings::deserialize` the `Deserialize` impl below calls), which still refuses
/// unknown keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
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
    /// Language of the widget and of the bot's messages: `en`, `ru` or `lt`.
    #[serde(default)]
    pub locale: Locale,
    /// Widget accent colour, `#rrggbb`.
    #[serde(default = "default_accent")]
    pub accent: String,
    /// The merchant's endpoint for signed `subscriber.*` webhooks.
    #[serde(default)]
    pub webhook: Option<super::MerchantWebhookSettings>,
    /// How customer tokens (JWTs from the merchant's backend) are verified; without it the
    /// site accepts none.
    #[serde(default)]
    pub identity: Option<IdentitySettings>,
    /// When operators answer, in the site's time zone; without it the chat never says they
    /// are away.
    #[serde(default)]
    pub office_hours: Option<OfficeHours>,
    /// The site's messenger accounts, in the registry's display order.
    #[serde(skip)]
    accounts: Vec<Arc<dyn Account>>,
}

impl<'de> Deserialize<'de> for SiteSettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut table = toml::Table::deserialize(deserializer)?;
        let mut accounts = Vec::new();
        for platform in channels::registry() {
            let name = platform.kind().as_str();
            if let Some(section) = table.remove(name) {
                let account = platform
                    .read_account(section)
                    .map_err(|e| D::Error::custom(format!("[sites.{name}]: {}", e.message())))?;
                accounts.push(account);
            }
        }
        let mut site = SiteSettings::deserialize(toml::Value::Table(table)).map_err(|e| {
            let message = e.message();
            if message.starts_with("unknown field") {
                // The derive's list cannot name the platforms' sections.
                let sections: Vec<String> = channels::registry()
                    .iter()
                    .map(|p| format!("[sites.{}]", p.kind().as_str()))
                    .collect();
                D::Error::custom(format!("{message}, or a channel: {}", sections.join(", ")))
            } else {
                D::Error::custom(message)
            }
        })?;
        site.accounts = accounts;
        Ok(site)
    }
}

fn default_accent() -> String {
    "#2563eb".into()
}

/// Shortest accepted `api_key`: keys are bearer credentials open to online guessing, and 16
/// random characters are far beyond what any guessing rate can reach.
pub const MIN_API_KEY_CHARS: usize = 16;

impl SiteSettings {
    /// The site's account on `channel`, if it offers that messenger.
    pub fn account(&self, channel: ChannelKind) -> Option<&dyn Account> {
        self.accounts().find(|account| account.kind() == channel)
    }

    /// The site's messenger accounts, in display order.
    pub fn accounts(&self) -> impl Iterator<Item = &dyn Account> {
        self.accounts.iter().map(|account| &**account)
    }

    /// The messengers the site offers, in display order.
    pub fn channels(&self) -> impl Iterator<Item = ChannelKind> + '_ {
        self.accounts().map(|account| account.kind())
    }

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
        let accent = self.accent.strip_prefix('#').unwrap_or("");
        if accent.len() != 6 || !accent.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(at("accent must be a colour like #2563eb"));
        }
        if self.accounts.is_empty() {
            let names: Vec<&str> = channels::registry()
                .iter()
                .map(|p| p.kind().as_str())
                .collect();
            let (last, rest) = names.split_last().unwrap_or((&"", &[]));
            return Err(at(&format!(
                "enable at least one channel ({} or {last})",
                rest.join(", ")
            )));
        }
        for account in &self.accounts {
            account.validate().map_err(|e| at(&e))?;
        }
        if let Some(webhook) = &self.webhook {
            webhook.validate().map_err(|e| at(&e))?;
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
