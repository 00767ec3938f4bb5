//! Key material for verifying customer tokens: the HS256 secret, PEM public keys and JWKS
//! documents, each turned into a key bound to exactly one algorithm.
//!
//! Binding every key to one algorithm when it is loaded is what stops algorithm confusion: an
//! RSA key can only ever check RS256, and the shared secret only HS256.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::DecodingKey;
use rsa::{BigUint, RsaPublicKey, pkcs1::DecodeRsaPublicKey, traits::PublicKeyParts};
use serde::Deserialize;

use crate::config::{JwtAlgorithm, Secret};

/// Smallest RSA modulus accepted, in bytes (2048 bits; NIST SP 800-131A).
const MIN_RSA_BYTES: usize = 256;

/// A public key trusted for one algorithm.
#[derive(Clone)]
pub(crate) struct PublicKey {
    /// The one algorithm this key verifies.
    pub alg: JwtAlgorithm,
    /// The JWKS `kid`; PEM keys have none.
    pub kid: Option<String>,
    /// The key as jsonwebtoken takes it.
    pub key: DecodingKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The HS256 key. Only ever used for tokens whose header says HS256.
pub(crate) fn hs256(secret: &Secret) -> DecodingKey {
    DecodingKey::from_secret(secret.expose().as_bytes())
}

/// Whether `kid` is safe to compare, log and keep: 1–128 of `[A-Za-z0-9._-]`, no `..`.
/// A kid is only ever a lookup key in the configured JWKS, never a path or URL; the charset
/// keeps log lines clean and path-like values out entirely.
pub(crate) fn valid_kid(kid: &str) -> bool {
    (1..=128).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && !kid.contains("..")
}

/// Reads a PEM public key (SPKI `PUBLIC KEY`, or PKCS#1 `RSA PUBLIC KEY`) and picks its
/// algorithm from the key type: RSA → RS256, P-256 → ES256, Ed25519 → EdDSA.
pub(crate) fn parse_pem(pem: &str) -> Result<PublicKey, String> {
    if pem.contains("PRIVATE KEY") {
        return Err(
            "this is a private key; give only the public key (openssl pkey -in key.pem -pubout)"
                .into(),
        );
    }
    let bytes = pem.trim().as_bytes();
    let (alg, key) = if let Ok(key) = DecodingKey::from_rsa_pem(bytes) {
        // jsonwebtoken hands back the PKCS#1 DER; read it to check the modulus size.
        let der = key.try_get_as_bytes().map_err(|e| e.to_string())?;
        let rsa = RsaPublicKey::from_pkcs1_der(der).map_err(|e| format!("bad RSA key: {e}"))?;
        check_rsa_size(&rsa)?;
        (JwtAlgorithm::Rs256, key)
    } else if let Ok(key) = DecodingKey::from_ec_pem(bytes) {
        (JwtAlgorithm::Es256, key)
    } else if let Ok(key) = DecodingKey::from_ed_pem(bytes) {
        // Checked first: jsonwebtoken slices the first 32 bytes and would panic on fewer.
        if key.try_get_as_bytes().map_or(true, |raw| raw.len() != 32) {
            return Err("an Ed25519 public key must be 32 bytes".into());
        }
        (JwtAlgorithm::EdDsa, key)
    } else {
        return Err(
            "not a PEM public key (expected -----BEGIN PUBLIC KEY----- with an RSA, P-256 or Ed25519 key)"
                .into(),
        );
    };
    if !usable(&key, alg) {
        return Err(match alg {
            JwtAlgorithm::Es256 => "the EC key is not on P-256 (ES256 needs a P-256 key)".into(),
            _ => format!("the key cannot verify {} signatures", alg.name()),
        });
    }
    Ok(PublicKey {
        alg,
        kid: None,
        key,
    })
}

/// One entry of a JWKS document, as far as the relay reads it.
#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    key_ops: Option<Vec<String>>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
    /// A private part: its presence means the key has been published and cannot be trusted.
    d: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<serde_json::Value>,
}

/// Parses a JWKS document. Keys the relay cannot or must not use (symmetric `oct` keys,
/// encryption keys, other curves, keys with a private part, malformed material) are left out
/// and described in the second list, for the log.
pub(crate) fn parse_jwks(body: &[u8]) -> Result<(Vec<PublicKey>, Vec<String>), String> {
    let set: JwkSet =
        serde_json::from_slice(body).map_err(|e| format!("not a JWKS document: {e}"))?;
    let mut keys = Vec::new();
    let mut skipped = Vec::new();
    for (index, value) in set.keys.into_iter().enumerate() {
        match serde_json::from_value::<Jwk>(value)
            .map_err(|e| e.to_string())
            .and_then(jwk_key)
        {
            Ok(key) => keys.push(key),
            Err(reason) => skipped.push(format!("key {index}: {reason}")),
        }
    }
    Ok((keys, skipped))
}

fn jwk_key(jwk: Jwk) -> Result<PublicKey, String> {
    if let Some(kid) = &jwk.kid
        && !valid_kid(kid)
    {
        return Err("kid is not 1-128 characters of A-Z a-z 0-9 . _ -".into());
    }
    if jwk.d.is_some() {
        return Err("it contains a private key part (d); the key is compromised".into());
    }
    if jwk.usage.as_deref().is_some_and(|usage| usage != "sig") {
        return Err("use is not sig".into());
    }
    if let Some(ops) = &jwk.key_ops
        && !ops.iter().any(|op| op == "verify")
    {
        return Err("key_ops does not include verify".into());
    }
    let field = |value: &Option<String>, name: &str| -> Result<Vec<u8>, String> {
        let text = value.as_deref().ok_or(format!("{name} is missing"))?;
        URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| format!("{name} is not base64url"))
    };
    let (alg, key) = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("RSA", _) => {
            let (n, e) = (field(&jwk.n, "n")?, field(&jwk.e, "e")?);
            let rsa = RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e))
                .map_err(|e| format!("bad RSA key: {e}"))?;
            check_rsa_size(&rsa)?;
            (
                JwtAlgorithm::Rs256,
                DecodingKey::from_rsa_raw_components(&n, &e),
            )
        }
        ("EC", Some("P-256")) => {
            let (x, y) = (field(&jwk.x, "x")?, field(&jwk.y, "y")?);
            if x.len() != 32 || y.len() != 32 {
                return Err("P-256 coordinates must be 32 bytes each".into());
            }
            // Uncompressed SEC1 point, the form jsonwebtoken verifies with.
            let point = [&[0x04][..], &x, &y].concat();
            (JwtAlgorithm::Es256, DecodingKey::from_ec_der(&point))
        }
        ("OKP", Some("Ed25519")) => {
            let x = field(&jwk.x, "x")?;
            // Checked here: jsonwebtoken slices the first 32 bytes and would panic on fewer.
            if x.len() != 32 {
                return Err("an Ed25519 key must be 32 bytes".into());
            }
            (JwtAlgorithm::EdDsa, DecodingKey::from_ed_der(&x))
        }
        ("oct", _) => return Err("symmetric keys are never taken from a JWKS".into()),
        (kty, crv) => return Err(format!("unsupported key type {kty} {crv:?}")),
    };
    if let Some(declared) = &jwk.alg
        && declared != alg.name()
    {
        return Err(format!("alg {declared} is not {}", alg.name()));
    }
    if !usable(&key, alg) {
        return Err(format!("not a valid {} key", alg.name()));
    }
    Ok(PublicKey {
        alg,
        kid: jwk.kid,
        key,
    })
}

fn check_rsa_size(key: &RsaPublicKey) -> Result<(), String> {
    if key.size() < MIN_RSA_BYTES {
        return Err(format!(
            "the RSA key has {} bits; at least 2048 are required",
            key.n().bits()
        ));
    }
    Ok(())
}

/// Whether jsonwebtoken can build a verifier from `key` for `alg`: a check of an empty
/// signature fails with `Ok(false)` for a good key and `Err` when the key itself is unusable
/// (not on the curve, wrong family…), so bad keys are caught when loaded, not per token.
fn usable(key: &DecodingKey, alg: JwtAlgorithm) -> bool {
    jsonwebtoken::crypto::verify("", b"", key, to_jwt(alg)).is_ok()
}

/// jsonwebtoken's name for the algorithm.
pub(crate) fn to_jwt(alg: JwtAlgorithm) -> jsonwebtoken::Algorithm {
    match alg {
        JwtAlgorithm::Hs256 => jsonwebtoken::Algorithm::HS256,
        JwtAlgorithm::Rs256 => jsonwebtoken::Algorithm::RS256,
        JwtAlgorithm::Es256 => jsonwebtoken::Algorithm::ES256,
        JwtAlgorithm::EdDsa => jsonwebtoken::Algorithm::EdDSA,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../tests/fixtures/keys/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn pem_keys_get_the_algorithm_of_their_type() {
        assert_eq!(
            parse_pem(&fixture("rsa_public.pem")).unwrap().alg,
            JwtAlgorithm::Rs256
        );
        assert_eq!(
            parse_pem(&fixture("ec_public.pem")).unwrap().alg,
            JwtAlgorithm::Es256
        );
        assert_eq!(
            parse_pem(&fixture("ed25519_public.pem")).unwrap().alg,
            JwtAlgorithm::EdDsa
        );
    }

    #[test]
    fn a_private_key_or_garbage_is_not_a_public_key() {
        let error = parse_pem(&fixture("rsa_private.pem")).unwrap_err();
        assert!(error.contains("private key"), "{error}");
        assert!(parse_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err());
        assert!(parse_pem("hello").is_err());
    }

    #[test]
    fn kids_are_short_plain_names() {
        assert!(valid_kid("2024-05.key_1"));
        assert!(!valid_kid(""));
        assert!(!valid_kid("../../etc/passwd"));
        assert!(!valid_kid("a..b"));
        assert!(!valid_kid("a/b"));
        assert!(!valid_kid("a b"));
        assert!(!valid_kid(&"k".repeat(129)));
    }

    #[test]
    fn jwks_keeps_signing_keys_and_explains_what_it_leaves_out() {
        let ed_x = URL_SAFE_NO_PAD.encode(
            DecodingKey::from_ed_pem(fixture("ed25519_public.pem").as_bytes())
                .unwrap()
                .try_get_as_bytes()
                .unwrap(),
        );
        let body = serde_json::json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": ed_x, "kid": "ed", "use": "sig"},
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            {"kty": "OKP", "crv": "Ed25519", "x": ed_x, "kid": "enc", "use": "enc"},
            {"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "kid": "short"},
            {"kty": "OKP", "crv": "Ed25519", "x": ed_x, "kid": "../x"},
            {"kty": "OKP", "crv": "Ed25519", "x": ed_x, "kid": "leaked", "d": "AAAA"},
            {"kty": "OKP", "crv": "Ed25519", "x": ed_x, "kid": "wrong-alg", "alg": "ES256"},
            {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA", "kid": "p384"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB", "kid": "tiny"}
        ]});
        let (keys, skipped) = parse_jwks(body.to_string().as_bytes()).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid.as_deref(), Some("ed"));
        assert_eq!(skipped.len(), 8, "{skipped:?}");
        assert!(parse_jwks(b"{\"kid\": 1}").is_err());
    }
}
