//! Where a site's own events go: the merchant's webhook endpoint and its signing secret.

use serde::Deserialize;

use super::Secret;

/// `[sites.webhook]`: Ferry POSTs `subscriber.*` events here, signed with `secret`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantWebhookSettings {
    /// The merchant's HTTPS endpoint.
    pub url: String,
    /// Signs every delivery: `Ferry-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
    pub secret: Secret,
}

impl MerchantWebhookSettings {
    pub(super) fn validate(&self) -> Result<(), String> {
        let url =
            url::Url::parse(&self.url).map_err(|e| format!("webhook.url {:?}: {e}", self.url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("webhook.url must be an http(s) URL".into());
        }
        if self.secret.expose().len() < 16 {
            return Err("webhook.secret must be at least 16 characters".into());
        }
        Ok(())
    }
}
