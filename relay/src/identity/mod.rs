//! Verified identity: checks the JWT a merchant's backend signs for a logged-in customer and
//! turns it into an `Identity`.
//!
//! The site's `[sites.identity]` settings decide everything; the token decides nothing about
//! how it is checked. In order: the header is read here (algorithm pinned to the site's list,
//! no key-bearing headers, a plain `kid`), a key of that algorithm is chosen from the site's
//! own material (`keys`, `jwks`), jsonwebtoken checks the signature with a strict `Validation`
//! for that one algorithm, and `claims` applies the claims rules, which also pick the error
//! code, so every rejection has one stable, documented code.
//!
//! Tokens are never logged or put into errors; a rejection is logged with its code, the site
//! id and the kid.

mod claims;
mod jwks;
pub(crate) mod keys;

use std::{sync::Arc, time::Instant};

use jsonwebtoken::{DecodingKey, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::{IdentitySettings, JwtAlgorithm, SiteSettings};
use jwks::{Clock, JwksCache};

/// A customer as the merchant's backend vouched for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The merchant's customer id (`sub`).
    pub customer_id: String,
    /// `email`, if the token carried one.
    pub email: Option<String>,
    /// `name`, if the token carried one.
    pub name: Option<String>,
    /// `phone`, if the token carried one.
    pub phone: Option<String>,
    /// `order_id`, if the token carried one (checkout opt-in).
    pub order_id: Option<String>,
    /// When the token expires (`exp`), unix seconds.
    pub expires_at: i64,
}

/// Why a token was refused. `code()` is the stable name given to API clients and logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// `identity_not_configured`: the site has no `[sites.identity]`.
    #[error("this site does not accept identity tokens")]
    NotConfigured,
    /// `malformed_token`: not a compact JWS with a JSON header and payload (or too long, or
    /// with `crit` extensions).
    #[error("the token is not a well-formed JWT")]
    Malformed,
    /// `algorithm_not_allowed`: the header's `alg` is `none` (any case), unknown, or not one
    /// the site lists.
    #[error("the token's algorithm is not accepted for this site")]
    AlgorithmNotAllowed,
    /// `untrusted_key_header`: the header carries `jwk`, `jku`, `x5u` or `x5c`.
    #[error("the token may not name or carry its own key")]
    UntrustedKeyHeader,
    /// `invalid_kid`: `kid` is not 1-128 characters of `A-Z a-z 0-9 . _ -`, or holds `..`.
    #[error("the token's kid is not a valid key id")]
    InvalidKid,
    /// `unknown_kid`: the site's JWKS has no key with that `kid`, even after a refresh.
    #[error("the token's kid is not in the site's key set")]
    UnknownKid,
    /// `no_matching_key`: no `kid`, and the site has no key for the token's algorithm.
    #[error("the site has no key for the token's algorithm")]
    NoMatchingKey,
    /// `bad_signature`: no key of the site verifies the signature.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// `missing_exp`: no `exp` claim.
    #[error("the token has no expiry (exp)")]
    MissingExp,
    /// `expired`: `exp` has passed (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `not_yet_valid`: `nbf` is in the future (beyond the leeway).
    #[error("the token is not valid yet (nbf)")]
    NotYetValid,
    /// `issued_in_future`: `iat` is in the future (beyond the leeway).
    #[error("the token was issued in the future (iat)")]
    IssuedInFuture,
    /// `lifetime_too_long`: `exp - iat` (or `exp - now`) exceeds `max_lifetime_secs`.
    #[error("the token lives longer than this site allows")]
    LifetimeTooLong,
    /// `wrong_audience`: `aud` is missing or does not name this site's id.
    #[error("the token is not meant for this site (aud)")]
    WrongAudience,
    /// `wrong_issuer`: the site sets `issuer` and `iss` differs or is missing.
    #[error("the token comes from another issuer (iss)")]
    WrongIssuer,
    /// `missing_sub`: `sub` is missing, empty, not a string, or over 256 characters.
    #[error("the token has no usable customer id (sub)")]
    MissingSub,
    /// `invalid_claims`: a date claim is not a number, or a profile claim (`email`, `name`,
    /// `phone`, `order_id`) is not plain text of at most 256 characters.
    #[error("the token's {claim} claim is invalid")]
    InvalidClaims {
        /// The claim at fault.
        claim: &'static str,
    },
    /// `jwks_unavailable`: the site's JWKS could not be fetched and no copy is cached.
    #[error("the site's key set is unavailable")]
    JwksUnavailable,
}

impl TokenError {
    /// The stable snake_case code of this rejection.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotConfigured => "identity_not_configured",
            Self::Malformed => "malformed_token",
            Self::AlgorithmNotAllowed => "algorithm_not_allowed",
            Self::UntrustedKeyHeader => "untrusted_key_header",
            Self::InvalidKid => "invalid_kid",
            Self::UnknownKid => "unknown_kid",
            Self::NoMatchingKey => "no_matching_key",
            Self::BadSignature => "bad_signature",
            Self::MissingExp => "missing_exp",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::IssuedInFuture => "issued_in_future",
            Self::LifetimeTooLong => "lifetime_too_long",
            Self::WrongAudience => "wrong_audience",
            Self::WrongIssuer => "wrong_issuer",
            Self::MissingSub => "missing_sub",
            Self::InvalidClaims { .. } => "invalid_claims",
            Self::JwksUnavailable => "jwks_unavailable",
        }
    }
}

/// Verifies customer tokens. Cheap to clone; clones share the JWKS cache.
#[derive(Clone)]
pub struct Verifier {
    jwks: Arc<JwksCache>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier fetching JWKS documents with `http` (each fetch has its own 5 s timeout).
    pub fn new(http: reqwest::Client) -> Self {
        Self::with_clock(http, Arc::new(Instant::now))
    }

    /// Like `new`, with the clock the JWKS refresh rate limit reads.
    pub(crate) fn with_clock(http: reqwest::Client, clock: Clock) -> Self {
        Self {
            jwks: Arc::new(JwksCache::new(http, clock)),
        }
    }

    /// Verifies `token` for `site` at the current time.
    pub async fn verify(&self, site: &SiteSettings, token: &str) -> Result<Identity, TokenError> {
        let mut kid = None;
        let result = self.check(site, token, &mut kid).await;
        if let Err(error) = &result {
            let kid = kid.as_deref().unwrap_or("-");
            if *error == TokenError::JwksUnavailable {
                tracing::warn!(site = %site.id, code = error.code(), kid, "identity token rejected");
            } else {
                tracing::debug!(site = %site.id, code = error.code(), kid, "identity token rejected");
            }
        }
        result
    }

    /// The checks, in order; `kid` is filled in as soon as it is known to be well-formed.
    async fn check(
        &self,
        site: &SiteSettings,
        token: &str,
        kid: &mut Option<String>,
    ) -> Result<Identity, TokenError> {
        let settings = site.identity.as_ref().ok_or(TokenError::NotConfigured)?;
        let header = claims::header(token)?;
        kid.clone_from(&header.kid);
        if !settings.algorithms.contains(&header.alg) {
            return Err(TokenError::AlgorithmNotAllowed);
        }
        let candidates = self.candidates(site, settings, &header).await?;
        let validation = validation(site, settings, header.alg);
        for key in &candidates {
            match jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
                Ok(data) => return claims::check(&data.claims, &site.id, settings, now()),
                // This key did not sign it (or cannot check it); try the next one.
                Err(error) if signature_failure(error.kind()) => {}
                Err(error) => return Err(library_error(token, site, settings, error.kind())),
            }
        }
        Err(TokenError::BadSignature)
    }

    /// The keys that may have signed a token with this header: the HS256 secret for HS256;
    /// otherwise the JWKS key the `kid` names, or, without a kid, every site key of the
    /// algorithm. The pinned PEM key stands in when the JWKS is down or lacks the kid (a
    /// merchant may label tokens signed with it).
    async fn candidates(
        &self,
        site: &SiteSettings,
        settings: &IdentitySettings,
        header: &claims::Header,
    ) -> Result<Vec<DecodingKey>, TokenError> {
        let alg = header.alg;
        if alg == JwtAlgorithm::Hs256 {
            let secret = settings.hs256_secret.as_ref();
            return Ok(vec![keys::hs256(secret.ok_or(TokenError::NotConfigured)?)]);
        }
        // Validated when the config was loaded, so parsing cannot fail here.
        let pinned: Vec<DecodingKey> = (settings.public_key_pem.iter())
            .filter_map(|pem| keys::parse_pem(pem).ok())
            .filter(|key| key.alg == alg)
            .map(|key| key.key)
            .collect();
        let non_empty = |keys: Vec<DecodingKey>| {
            if keys.is_empty() {
                Err(TokenError::NoMatchingKey)
            } else {
                Ok(keys)
            }
        };
        let Some(url) = &settings.jwks_url else {
            // Without a JWKS a kid is only a label.
            return non_empty(pinned);
        };
        let kid = header.kid.as_deref();
        match (self.jwks.keys_for(&site.id, url, alg, kid).await, kid) {
            // A kid names its key; no other is tried (none, if it names a key of another
            // algorithm: the signature then fails).
            (Ok(named), Some(_)) => Ok(named),
            (Ok(mut of_alg), None) => {
                of_alg.extend(pinned);
                non_empty(of_alg)
            }
            (Err(_), _) if !pinned.is_empty() => Ok(pinned),
            (Err(error), _) => Err(error),
        }
    }
}

/// jsonwebtoken's checks for one algorithm: required `exp`, `aud` and `sub`, the site id as
/// audience, the issuer when configured, `nbf` honoured, the site's leeway.
fn validation(site: &SiteSettings, settings: &IdentitySettings, alg: JwtAlgorithm) -> Validation {
    let mut validation = Validation::new(keys::to_jwt(alg));
    validation.leeway = settings.leeway_secs;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.validate_aud = true;
    validation.set_audience(&[&site.id]);
    let mut required = vec!["exp", "aud", "sub"];
    if let Some(issuer) = &settings.issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    validation.set_required_spec_claims(&required);
    validation
}

/// Errors meaning "this key did not verify this signature".
fn signature_failure(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidSignature
            | ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidEddsaKey
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidKeyFormat
    )
}

/// The code for anything else jsonwebtoken refused. Its claims errors come only after the
/// signature held; for those our own claims rules name the problem, so codes do not depend on
/// the library's order of checks (its error is mapped only if our rules disagree).
fn library_error(
    token: &str,
    site: &SiteSettings,
    settings: &IdentitySettings,
    kind: &ErrorKind,
) -> TokenError {
    let from_claims = match kind {
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidSubject => TokenError::MissingSub,
        ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
            "exp" => TokenError::MissingExp,
            "aud" => TokenError::WrongAudience,
            "iss" => TokenError::WrongIssuer,
            _ => TokenError::MissingSub,
        },
        ErrorKind::InvalidClaimFormat(claim) => TokenError::InvalidClaims {
            claim: if claim == "nbf" { "nbf" } else { "exp" },
        },
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
            return TokenError::AlgorithmNotAllowed;
        }
        // Undecodable signature, or JSON the library reads differently (duplicate members).
        _ => return TokenError::Malformed,
    };
    match claims::payload(token)
        .and_then(|claims| claims::check(&claims, &site.id, settings, now()))
    {
        Err(ours) => ours,
        Ok(_) => from_claims,
    }
}

/// Unix seconds now.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
