//! Reading a token without trusting it: its shape, its header (read here, before any library
//! sees it, so the site's rules decide), and the claims rules applied once the signature holds.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Map, Value};

use super::{Identity, TokenError, keys};
use crate::config::{IdentitySettings, JwtAlgorithm};

/// Longer tokens are not customer tokens; the bound keeps decoding cheap.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Longest `sub`, `email`, `name`, `phone` and `order_id`, in characters.
const MAX_CLAIM_CHARS: usize = 256;
/// Header members that would let a token bring its own key; never honoured.
const KEY_HEADERS: [&str; 4] = ["jwk", "jku", "x5u", "x5c"];

/// What the relay reads from a token's header.
#[derive(Debug)]
pub(super) struct Header {
    pub alg: JwtAlgorithm,
    pub kid: Option<String>,
}

/// The three base64url parts of a compact JWS. The signature may be empty here (an unsigned
/// token is reported for its `alg`, not for its shape).
fn parts(token: &str) -> Result<[&str; 3], TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed);
    }
    let mut split = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (split.next(), split.next(), split.next(), split.next())
    else {
        return Err(TokenError::Malformed);
    };
    let base64url = |part: &str| {
        part.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if header.is_empty()
        || payload.is_empty()
        || ![header, payload, signature].iter().all(|p| base64url(p))
    {
        return Err(TokenError::Malformed);
    }
    Ok([header, payload, signature])
}

/// A base64url JSON object.
fn json_object(part: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::Malformed),
    }
}

/// Reads and checks the header: a known algorithm named exactly, no key-bearing members, no
/// critical extensions, a well-formed `kid`.
pub(super) fn header(token: &str) -> Result<Header, TokenError> {
    let [header, ..] = parts(token)?;
    let header = json_object(header)?;
    let Some(Value::String(alg)) = header.get("alg") else {
        return Err(TokenError::Malformed);
    };
    // `none` in any letter case, and any name we do not implement, is one answer: not allowed.
    let alg = JwtAlgorithm::from_name(alg).ok_or(TokenError::AlgorithmNotAllowed)?;
    if KEY_HEADERS.iter().any(|name| header.contains_key(*name)) {
        return Err(TokenError::UntrustedKeyHeader);
    }
    // RFC 7515 §4.1.11: a `crit` extension we do not understand makes the token invalid, and
    // we understand none.
    if header.contains_key("crit") {
        return Err(TokenError::Malformed);
    }
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) if keys::valid_kid(kid) => Some(kid.clone()),
        Some(_) => return Err(TokenError::InvalidKid),
    };
    Ok(Header { alg, kid })
}

/// The claims, decoded but not verified: call only after the signature has been checked.
pub(super) fn payload(token: &str) -> Result<Map<String, Value>, TokenError> {
    let [_, payload, _] = parts(token)?;
    json_object(payload)
}

/// A NumericDate claim: absent (or null), or a non-negative number of seconds.
fn date(claims: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, TokenError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => {
            // Fractions are allowed by RFC 7519; round as jsonwebtoken does.
            let seconds = number.as_i64().or_else(|| {
                number
                    .as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 1e15)
                    .map(|f| f.round() as i64)
            });
            match seconds {
                Some(seconds) if seconds >= 0 => Ok(Some(seconds)),
                _ => Err(TokenError::InvalidClaims { claim: name }),
            }
        }
        Some(_) => Err(TokenError::InvalidClaims { claim: name }),
    }
}

/// An optional profile string; empty counts as absent.
fn text(claims: &Map<String, Value>, name: &'static str) -> Result<Option<String>, TokenError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) if value.is_empty() => Ok(None),
        Some(Value::String(value)) if plain_text(value) => Ok(Some(value.clone())),
        Some(_) => Err(TokenError::InvalidClaims { claim: name }),
    }
}

/// At most `MAX_CLAIM_CHARS` characters and no control characters: these values end up in
/// messages and the merchant API.
fn plain_text(value: &str) -> bool {
    value.chars().count() <= MAX_CLAIM_CHARS && !value.chars().any(char::is_control)
}

/// Applies the site's claims rules at `now` (unix seconds) and returns the identity.
/// Checked in a fixed order so each token gets one stable error code.
pub(super) fn check(
    claims: &Map<String, Value>,
    site_id: &str,
    settings: &IdentitySettings,
    now: i64,
) -> Result<Identity, TokenError> {
    let leeway = i64::try_from(settings.leeway_secs).unwrap_or(i64::MAX);
    let max_lifetime = i64::try_from(settings.max_lifetime_secs).unwrap_or(i64::MAX);
    let exp = date(claims, "exp")?.ok_or(TokenError::MissingExp)?;
    if now.saturating_sub(leeway) >= exp {
        return Err(TokenError::Expired);
    }
    if date(claims, "nbf")?.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(TokenError::NotYetValid);
    }
    let iat = date(claims, "iat")?;
    if iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
        return Err(TokenError::IssuedInFuture);
    }
    if exp.saturating_sub(iat.unwrap_or(now)) > max_lifetime {
        return Err(TokenError::LifetimeTooLong);
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == site_id,
        Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(site_id)),
        _ => false,
    };
    if !audience_ok {
        return Err(TokenError::WrongAudience);
    }
    if let Some(issuer) = &settings.issuer
        && claims.get("iss").and_then(Value::as_str) != Some(issuer.as_str())
    {
        return Err(TokenError::WrongIssuer);
    }
    let customer_id = match claims.get("sub") {
        Some(Value::String(sub)) if !sub.trim().is_empty() && plain_text(sub) => sub.clone(),
        _ => return Err(TokenError::MissingSub),
    };
    Ok(Identity {
        customer_id,
        email: text(claims, "email")?,
        name: text(claims, "name")?,
        phone: text(claims, "phone")?,
        order_id: text(claims, "order_id")?,
        expires_at: exp,
    })
}

#[cfg(test)]
mod tests;
