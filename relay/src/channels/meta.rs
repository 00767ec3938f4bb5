//! What Messenger and WhatsApp share as Meta platforms: the signed webhook, the
//! subscription handshake and the Graph API's error shape.
//!
//! Signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(raw body, app secret)>`, computed
//! over the raw bytes before any JSON parsing, compared in constant time.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::SendError;

/// The header Meta signs webhooks with.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Why a Meta webhook's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header.
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    /// The header is not `sha256=<64 hex digits>`.
    #[error("the X-Hub-Signature-256 header is not sha256=<hex>")]
    Malformed,
    /// The signature does not match the body.
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks Meta's signature header against the raw body.
pub fn verify_signature(
    app_secret: &str,
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_digest = header
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let expected = hex::decode(hex_digest).map_err(|_| SignatureError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes())
        .map_err(|_| SignatureError::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// Computes the header value for a body (the sandbox and tests sign with it).
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The query of Meta's subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`).
#[derive(Debug, Deserialize)]
pub struct Handshake {
    /// Must be `subscribe`.
    #[serde(rename = "hub.mode")]
    pub mode: Option<String>,
    /// Must equal the configured verify token.
    #[serde(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    /// Echoed back as the body.
    #[serde(rename = "hub.challenge")]
    pub challenge: Option<String>,
}

impl Handshake {
    /// The challenge to echo if the handshake is valid for `verify_token`.
    pub fn accept(&self, verify_token: &str) -> Option<&str> {
        let token_ok = self.verify_token.as_deref().is_some_and(|given| {
            subtle::ConstantTimeEq::ct_eq(given.as_bytes(), verify_token.as_bytes()).into()
        });
        (self.mode.as_deref() == Some("subscribe") && token_ok)
            .then_some(self.challenge.as_deref()?)
    }
}

#[derive(Deserialize)]
struct GraphErrorBody {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    message: Option<String>,
    code: Option<i64>,
    error_subcode: Option<i64>,
}

/// Graph error codes after which the person cannot be messaged any more.
const UNREACHABLE: [i64; 3] = [551, 1_545_041, 131_026];
/// Graph error codes that are rate limits or temporary.
const TEMPORARY: [i64; 9] = [1, 2, 4, 17, 32, 613, 130_429, 131_056, 131_057];

/// Maps a failed Graph API response to a retry decision.
pub fn graph_failure(status: reqwest::StatusCode, body: &str) -> SendError {
    let parsed = serde_json::from_str::<GraphErrorBody>(body)
        .ok()
        .map(|b| b.error);
    let code = parsed.as_ref().and_then(|e| e.code);
    let subcode = parsed.as_ref().and_then(|e| e.error_subcode);
    let reason = format!(
        "graph api {status}: code {} {}",
        code.map_or("-".into(), |c| c.to_string()),
        parsed.and_then(|e| e.message).unwrap_or_default()
    );
    let is = |list: &[i64]| {
        code.is_some_and(|c| list.contains(&c)) || subcode.is_some_and(|c| list.contains(&c))
    };
    if status.is_server_error()
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        || is(&TEMPORARY)
    {
        SendError::Retry {
            after: None,
            reason,
        }
    } else {
        SendError::Permanent {
            reason,
            unsubscribe: is(&UNREACHABLE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_signed_with_the_app_secret_verifies() {
        let body = br#"{"object":"page","entry":[]}"#;
        assert_eq!(
            verify_signature("s3cret", Some(&sign("s3cret", body)), body),
            Ok(())
        );
    }

    #[test]
    fn a_forged_or_missing_signature_is_refused() {
        let body = br#"{"object":"page","entry":[]}"#;
        assert_eq!(
            verify_signature("s3cret", Some(&sign("other", body)), body),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature("s3cret", None, body),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature("s3cret", Some("sha1=abcd"), body),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_signature("s3cret", Some("sha256=zz"), body),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn a_re_serialised_body_no_longer_verifies() {
        let raw = "{\"text\":\"caf\\u00e9\"}".as_bytes();
        let reserialised =
            serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(raw).unwrap()).unwrap();
        assert!(verify_signature("k", Some(&sign("k", raw)), &reserialised).is_err());
    }

    #[test]
    fn the_handshake_echoes_the_challenge_for_the_right_token_only() {
        let handshake = Handshake {
            mode: Some("subscribe".into()),
            verify_token: Some("tok".into()),
            challenge: Some("1158201444".into()),
        };
        assert_eq!(handshake.accept("tok"), Some("1158201444"));
        assert_eq!(handshake.accept("other"), None);
    }

    #[test]
    fn graph_errors_are_classified() {
        let rate = r#"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429}}"#;
        assert!(matches!(
            graph_failure(reqwest::StatusCode::BAD_REQUEST, rate),
            SendError::Retry { .. }
        ));
        let window = r#"{"error":{"message":"Re-engagement message","code":131047}}"#;
        assert!(matches!(
            graph_failure(reqwest::StatusCode::BAD_REQUEST, window),
            SendError::Permanent {
                unsubscribe: false,
                ..
            }
        ));
        let gone = r#"{"error":{"message":"This person isn't available right now.","code":551}}"#;
        assert!(matches!(
            graph_failure(reqwest::StatusCode::BAD_REQUEST, gone),
            SendError::Permanent {
                unsubscribe: true,
                ..
            }
        ));
    }
}
