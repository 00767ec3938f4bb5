//! A site's `[sites.identity]` settings: how the relay verifies the JWTs merchants sign for
//! their logged-in customers, and the account-linking knobs that go with them.

use serde::Deserialize;

use super::Secret;
use crate::identity::keys;

/// The only JWT algorithms the relay ever accepts. Anything else (`none`, `HS512`, `PS256`…) is
/// rejected when the config is read and when a token names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum JwtAlgorithm {
    /// HMAC-SHA256 with a shared secret (`hs256_secret`).
    #[serde(rename = "HS256")]
    Hs256,
    /// RSASSA-PKCS1-v1_5 with SHA-256, RSA key of at least 2048 bits.
    #[serde(rename = "RS256")]
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    #[serde(rename = "ES256")]
    Es256,
    /// Ed25519.
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl JwtAlgorithm {
    /// Every supported algorithm.
    pub const ALL: [Self; 4] = [Self::Hs256, Self::Rs256, Self::Es256, Self::EdDsa];

    /// The name as written in a JWT header (`alg`) and in the config.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hs256 => "HS256",
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    /// The algorithm with exactly this name (JOSE names are case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// Whether tokens of this algorithm are verified with a public key (not the shared secret).
    pub fn is_asymmetric(self) -> bool {
        self != Self::Hs256
    }
}

/// How a site's customer tokens are verified (`[sites.identity]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySettings {
    /// Accepted algorithms: any of `HS256`, `RS256`, `ES256`, `EdDSA`. A token's header never
    /// widens this list.
    pub algorithms: Vec<JwtAlgorithm>,
    /// Shared secret for HS256, at least 32 bytes; required exactly when HS256 is listed.
    #[serde(default)]
    pub hs256_secret: Option<Secret>,
    /// One public key (PEM, `-----BEGIN PUBLIC KEY-----`) for RS256, ES256 or EdDSA.
    #[serde(default)]
    pub public_key_pem: Option<String>,
    /// The merchant's JWKS (`https://…/jwks.json`): public keys by `kid`, re-read on rotation.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// When set, a token's `iss` must equal it.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Longest accepted token lifetime in seconds: `exp - iat`, or `exp - now` without `iat`.
    #[serde(default = "default_max_lifetime_secs")]
    pub max_lifetime_secs: u64,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
    #[serde(default = "default_leeway_secs")]
    pub leeway_secs: u64,
    /// How long after the widget click a ref may still link a messenger account, in seconds.
    #[serde(default = "default_link_window_secs")]
    pub link_window_secs: u64,
    /// The merchant's page where a customer links messengers from inside the chat.
    #[serde(default)]
    pub login_url: Option<String>,
}

fn default_max_lifetime_secs() -> u64 {
    3600
}

fn default_leeway_secs() -> u64 {
    30
}

fn default_link_window_secs() -> u64 {
    900
}

/// Tokens are meant to be short-lived; a week is already far more than any page view needs.
const MAX_LIFETIME_LIMIT_SECS: u64 = 7 * 24 * 3600;
/// More skew than this means a broken clock, not a tolerance.
const MAX_LEEWAY_SECS: u64 = 300;
/// A ref older than a day should not link anyone's account.
const MAX_LINK_WINDOW_SECS: u64 = 24 * 3600;
/// HS256 secrets shorter than the hash output are guessable (RFC 7518 §3.2).
const MIN_SECRET_BYTES: usize = 32;

impl IdentitySettings {
    /// Checks what serde cannot; the message names the `identity.*` key at fault.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.algorithms.is_empty() {
            return Err(
                "identity.algorithms must list at least one of HS256, RS256, ES256, EdDSA".into(),
            );
        }
        for (i, alg) in self.algorithms.iter().enumerate() {
            if self.algorithms[..i].contains(alg) {
                return Err(format!("identity.algorithms lists {} twice", alg.name()));
            }
        }
        let hs256 = self.algorithms.contains(&JwtAlgorithm::Hs256);
        match (&self.hs256_secret, hs256) {
            (None, true) => {
                return Err("identity.hs256_secret is required when HS256 is listed".into());
            }
            (Some(_), false) => {
                return Err(
                    "identity.hs256_secret is set but HS256 is not in identity.algorithms".into(),
                );
            }
            (Some(secret), true) if secret.expose().len() < MIN_SECRET_BYTES => {
                return Err(format!(
                    "identity.hs256_secret must be at least {MIN_SECRET_BYTES} bytes (openssl rand -hex 32 makes one)"
                ));
            }
            _ => {}
        }
        self.validate_public_keys()?;
        if let Some(url) = &self.jwks_url {
            check_http_url("identity.jwks_url", url)?;
        }
        if let Some(url) = &self.login_url {
            check_http_url("identity.login_url", url)?;
        }
        if self
            .issuer
            .as_deref()
            .is_some_and(|iss| iss.trim().is_empty())
        {
            return Err(
                "identity.issuer must not be empty (leave it out to accept any iss)".into(),
            );
        }
        if !(1..=MAX_LIFETIME_LIMIT_SECS).contains(&self.max_lifetime_secs) {
            return Err(format!(
                "identity.max_lifetime_secs must be between 1 and {MAX_LIFETIME_LIMIT_SECS} (7 days)"
            ));
        }
        // 0 is allowed: no skew tolerance is the strictest setting, not a mistake.
        if self.leeway_secs > MAX_LEEWAY_SECS {
            return Err(format!(
                "identity.leeway_secs must be at most {MAX_LEEWAY_SECS}"
            ));
        }
        if !(1..=MAX_LINK_WINDOW_SECS).contains(&self.link_window_secs) {
            return Err(format!(
                "identity.link_window_secs must be between 1 and {MAX_LINK_WINDOW_SECS} (1 day)"
            ));
        }
        Ok(())
    }

    /// Every listed asymmetric algorithm needs somewhere to find its keys, and a PEM key must
    /// be of a listed algorithm's family (else the setting would silently do nothing).
    fn validate_public_keys(&self) -> Result<(), String> {
        let asymmetric: Vec<JwtAlgorithm> = self
            .algorithms
            .iter()
            .copied()
            .filter(|alg| alg.is_asymmetric())
            .collect();
        if asymmetric.is_empty() {
            if self.public_key_pem.is_some() || self.jwks_url.is_some() {
                return Err(
                    "identity.public_key_pem and identity.jwks_url are for RS256, ES256 or EdDSA; list one in identity.algorithms"
                        .into(),
                );
            }
            return Ok(());
        }
        let pem_alg = match &self.public_key_pem {
            Some(pem) => {
                let key =
                    keys::parse_pem(pem).map_err(|e| format!("identity.public_key_pem: {e}"))?;
                if !asymmetric.contains(&key.alg) {
                    return Err(format!(
                        "identity.public_key_pem is a key for {} but identity.algorithms does not list it",
                        key.alg.name()
                    ));
                }
                Some(key.alg)
            }
            None => None,
        };
        if self.jwks_url.is_none()
            && let Some(missing) = asymmetric.iter().find(|alg| Some(**alg) != pem_alg)
        {
            return Err(match pem_alg {
                None => format!(
                    "identity.algorithms lists {}: give identity.public_key_pem or identity.jwks_url",
                    missing.name()
                ),
                Some(pem) => format!(
                    "identity.algorithms lists {} but identity.public_key_pem is a {} key: add identity.jwks_url or remove {}",
                    missing.name(),
                    pem.name(),
                    missing.name()
                ),
            });
        }
        Ok(())
    }
}

fn check_http_url(key: &str, url: &str) -> Result<(), String> {
    match url::Url::parse(url) {
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some() =>
        {
            Ok(())
        }
        _ => Err(format!("{key} {url:?} must be an http(s) URL")),
    }
}

#[cfg(test)]
mod tests;
