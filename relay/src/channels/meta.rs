//! What Messenger and WhatsApp share as Meta platforms: the signed webhook, the
//! subscription handshake, the app credentials and the Graph API's calls and errors.
//!
//! Signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(raw body, app secret)>`, computed
//! over the raw bytes before any JSON parsing, compared in constant time.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::platform::{HandshakeDoc, MIN_WEBHOOK_SECRET_LEN, WebhookAuthError, WebhookDoc};
use super::{SendError, send::transport_error};
use crate::config::Secret;

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

/// A Meta webhook request's authentication: the signature header against the app secret.
pub(super) fn authenticate(
    app_secret: &Secret,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), WebhookAuthError> {
    let header = headers
        .get(SIGNATURE_HEADER)
        .map(|v| v.to_str().unwrap_or(""));
    verify_signature(app_secret.expose(), header, body).map_err(|error| match error {
        SignatureError::Missing => WebhookAuthError::MissingSignature("X-Hub-Signature-256"),
        _ => WebhookAuthError::InvalidSignature(error.to_string()),
    })
}

/// Meta's subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`):
/// the challenge to echo, if the mode is `subscribe` and the token matches.
pub(super) fn handshake(
    verify_token: &Secret,
    query: &[(String, String)],
) -> Result<String, WebhookAuthError> {
    let value = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let token_ok = value("hub.verify_token").is_some_and(|given| {
        subtle::ConstantTimeEq::ct_eq(given.as_bytes(), verify_token.expose().as_bytes()).into()
    });
    match value("hub.challenge") {
        Some(challenge) if token_ok && value("hub.mode") == Some("subscribe") => {
            Ok(challenge.to_owned())
        }
        _ => Err(WebhookAuthError::InvalidVerifyToken(
            "hub.mode must be subscribe and hub.verify_token must match",
        )),
    }
}

/// Checks the Meta app credentials of a `[sites.<kind>]` section.
pub(super) fn validate_app(
    section: &str,
    app_secret: &Secret,
    verify_token: &Secret,
) -> Result<(), String> {
    for (field, secret) in [("app_secret", app_secret), ("verify_token", verify_token)] {
        if secret.expose().chars().count() < MIN_WEBHOOK_SECRET_LEN {
            return Err(format!(
                "{section}.{field} must be at least {MIN_WEBHOOK_SECRET_LEN} characters"
            ));
        }
    }
    Ok(())
}

/// The OpenAPI description of a Meta webhook taking `body`.
pub(super) fn webhook_doc(body: &'static str) -> WebhookDoc {
    WebhookDoc {
        body,
        auth_header: (
            "X-Hub-Signature-256",
            "`sha256=<hex HMAC-SHA256(raw body, the app's app_secret)>`",
        ),
        unauthorized: "`missing_signature`: the header is missing.",
        forbidden: "`invalid_signature`: the signature does not match the body.",
        handshake: Some(HandshakeDoc {
            name: "Meta's subscription handshake",
            query: &[
                ("hub.mode", "`subscribe`"),
                ("hub.verify_token", "Equals the configured `verify_token`"),
                ("hub.challenge", "Echoed back"),
            ],
            forbidden: "`invalid_verify_token`: `hub.mode` is not `subscribe` or \
                `hub.verify_token` does not match.",
        }),
    }
}

/// POSTs `body` to a Graph API `url` with a bearer token; the response text on success.
pub(super) async fn post(
    http: &reqwest::Client,
    url: String,
    token: &Secret,
    body: &serde_json::Value,
) -> Result<String, SendError> {
    let response = http
        .post(url)
        .bearer_auth(token.expose())
        .json(body)
        .send()
        .await
        .map_err(|e| transport_error(&e))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| transport_error(&e))?;
    if status.is_success() {
        Ok(text)
    } else {
        Err(graph_failure(status, &text))
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
    } else if is(&UNREACHABLE) {
        SendError::Blocked { reason }
    } else {
        SendError::Permanent { reason }
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
        let query = |mode: &str, token: &str| {
            vec![
                ("hub.mode".to_owned(), mode.to_owned()),
                ("hub.verify_token".to_owned(), token.to_owned()),
                ("hub.challenge".to_owned(), "1158201444".to_owned()),
            ]
        };
        let token = Secret::new("tok");
        assert_eq!(
            handshake(&token, &query("subscribe", "tok")).as_deref(),
            Ok("1158201444")
        );
        assert!(handshake(&token, &query("subscribe", "other")).is_err());
        assert!(handshake(&token, &query("unsubscribe", "tok")).is_err());
        assert!(handshake(&token, &[]).is_err());
    }

    #[test]
    fn short_app_secrets_and_verify_tokens_are_refused() {
        let long = Secret::new("0123456789abcdef");
        let short = Secret::new("0123456789abcde");
        assert!(validate_app("whatsapp", &long, &long).is_ok());
        let error = validate_app("whatsapp", &short, &long).unwrap_err();
        assert!(error.contains("whatsapp.app_secret"), "{error}");
        let error = validate_app("messenger", &long, &short).unwrap_err();
        assert!(error.contains("messenger.verify_token"), "{error}");
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
            SendError::Permanent { .. }
        ));
        let gone = r#"{"error":{"message":"This person isn't available right now.","code":551}}"#;
        assert!(matches!(
            graph_failure(reqwest::StatusCode::BAD_REQUEST, gone),
            SendError::Blocked { .. }
        ));
    }
}
