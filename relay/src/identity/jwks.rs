//! Fetching and caching merchants' JWKS documents, per site, in memory.
//!
//! Keys are fetched on first use and kept. They are fetched again when a token names a `kid`
//! the cache does not know (so a merchant can rotate keys without restarting the relay) and
//! when the copy is older than `MAX_AGE` (so a removed key stops working). Every fetch of one
//! site's JWKS is at most once per `MIN_REFRESH_INTERVAL`, whatever tokens arrive: made-up
//! kids cannot turn the relay into a flood against the merchant. A failed fetch keeps the
//! keys already held.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use jsonwebtoken::DecodingKey;

use super::{TokenError, keys::PublicKey};
use crate::config::JwtAlgorithm;

/// Shortest time between two fetches of one site's JWKS.
pub(crate) const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// Age after which cached keys are fetched again before use.
const MAX_AGE: Duration = Duration::from_secs(15 * 60);
/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest JWKS document read; real ones are a few KB.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// Where "now" comes from; tests move it forward instead of sleeping.
pub(crate) type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// (site id, JWKS URL): a changed URL never serves the old document's keys.
type SiteUrl = (String, String);

/// The cached JWKS of every site that uses one.
pub(crate) struct JwksCache {
    http: reqwest::Client,
    clock: Clock,
    /// Each entry has its own async lock, held while that site's JWKS is fetched.
    entries: Mutex<HashMap<SiteUrl, Arc<tokio::sync::Mutex<Entry>>>>,
}

#[derive(Default)]
struct Entry {
    keys: Option<Arc<Vec<PublicKey>>>,
    fetched_at: Option<Instant>,
    attempted_at: Option<Instant>,
}

impl JwksCache {
    pub(crate) fn new(http: reqwest::Client, clock: Clock) -> Self {
        Self {
            http,
            clock,
            entries: Mutex::default(),
        }
    }

    /// The site's keys for a token of `alg`: with a `kid`, the keys of that kid (fetching
    /// the JWKS again if none has it, rate limit permitting; `unknown_kid` if still none),
    /// filtered to `alg`; without, every key of `alg`.
    pub(crate) async fn keys_for(
        &self,
        site: &str,
        url: &str,
        alg: JwtAlgorithm,
        kid: Option<&str>,
    ) -> Result<Vec<DecodingKey>, TokenError> {
        let of_alg = |set: &[PublicKey], kid: Option<&str>| -> Vec<DecodingKey> {
            let keys = set.iter().filter(|key| key.alg == alg);
            let keys = keys.filter(|key| kid.is_none_or(|kid| key.kid.as_deref() == Some(kid)));
            keys.map(|key| key.key.clone()).collect()
        };
        let set = self.keys(site, url).await?;
        let Some(kid) = kid else {
            return Ok(of_alg(&set, None));
        };
        let known = |set: &[PublicKey]| set.iter().any(|key| key.kid.as_deref() == Some(kid));
        if known(&set) {
            return Ok(of_alg(&set, Some(kid)));
        }
        // Perhaps the merchant rotated keys since the last fetch.
        let set = self.refreshed(site, url).await?;
        if known(&set) {
            Ok(of_alg(&set, Some(kid)))
        } else {
            Err(TokenError::UnknownKid)
        }
    }

    /// The site's keys: cached, or fetched when missing or old (within the rate limit).
    async fn keys(&self, site: &str, url: &str) -> Result<Arc<Vec<PublicKey>>, TokenError> {
        self.load(site, url, false).await
    }

    /// The site's keys after fetching them again, if the rate limit allows; otherwise the
    /// cached ones. Called when a token names a kid the cache does not know.
    async fn refreshed(&self, site: &str, url: &str) -> Result<Arc<Vec<PublicKey>>, TokenError> {
        self.load(site, url, true).await
    }

    async fn load(
        &self,
        site: &str,
        url: &str,
        force: bool,
    ) -> Result<Arc<Vec<PublicKey>>, TokenError> {
        let entry = {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            entries
                .entry((site.to_owned(), url.to_owned()))
                .or_default()
                .clone()
        };
        // One fetch per site at a time; tokens arriving meanwhile wait for its result rather
        // than starting their own.
        let mut entry = entry.lock().await;
        let now = (self.clock)();
        let stale = entry
            .fetched_at
            .is_none_or(|at| now.saturating_duration_since(at) >= MAX_AGE);
        let allowed = entry
            .attempted_at
            .is_none_or(|at| now.saturating_duration_since(at) >= MIN_REFRESH_INTERVAL);
        if (force || stale) && allowed {
            entry.attempted_at = Some(now);
            match self.fetch(url).await {
                Ok((keys, skipped)) => {
                    if !skipped.is_empty() {
                        tracing::info!(site, url, ?skipped, "JWKS keys left out");
                    }
                    entry.keys = Some(Arc::new(keys));
                    entry.fetched_at = Some(now);
                }
                Err(reason) => {
                    tracing::warn!(site, url, %reason, kept = entry.keys.is_some(), "JWKS fetch failed");
                }
            }
        }
        entry.keys.clone().ok_or(TokenError::JwksUnavailable)
    }

    async fn fetch(&self, url: &str) -> Result<(Vec<PublicKey>, Vec<String>), String> {
        let mut response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| e.without_url().to_string())?
        {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(format!("larger than {MAX_BODY_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        super::keys::parse_jwks(&body)
    }
}

#[cfg(test)]
mod tests;
