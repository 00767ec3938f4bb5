//! The verifier end to end: valid tokens of each algorithm, and each attack with its code.

use serde_json::{Value, json};

use super::testkit::{
    SECRET, by_hand, claims, hs256_site, http, key, now, pem_site, settings, sign, signing_key,
    site,
};
use super::{Identity, TokenError, Verifier};
use crate::config::{JwtAlgorithm, Secret, SiteSettings};

use JwtAlgorithm::{EdDsa, Es256, Hs256, Rs256};

async fn verify(site: &SiteSettings, token: &str) -> Result<Identity, TokenError> {
    Verifier::new(http()).verify(site, token).await
}

async fn code(site: &SiteSettings, token: &str) -> &'static str {
    match verify(site, token).await {
        Ok(identity) => panic!("accepted: {identity:?}"),
        Err(error) => error.code(),
    }
}

fn hs256(claims: &Value) -> String {
    sign(Hs256, &signing_key(Hs256, ""), None, claims)
}

#[tokio::test]
async fn valid_hs256_tokens_are_accepted() {
    let mut claims = claims();
    claims["name"] = json!("Ann Lee");
    claims["phone"] = json!("+4915112345678");
    claims["order_id"] = json!("A-1001");
    let identity = verify(&hs256_site(), &hs256(&claims)).await.unwrap();
    assert_eq!(
        identity,
        Identity {
            customer_id: "cust-42".into(),
            email: Some("ann@example.com".into()),
            name: Some("Ann Lee".into()),
            phone: Some("+4915112345678".into()),
            order_id: Some("A-1001".into()),
            expires_at: claims["exp"].as_i64().unwrap(),
        }
    );
}

#[tokio::test]
async fn valid_rs256_es256_and_eddsa_tokens_are_accepted() {
    for (alg, private, public) in [
        (Rs256, "rsa_private.pem", "rsa_public.pem"),
        (Es256, "ec_private.pem", "ec_public.pem"),
        (EdDsa, "ed25519_private.pem", "ed25519_public.pem"),
    ] {
        let token = sign(
            alg,
            &signing_key(alg, private),
            Some("any-label"),
            &claims(),
        );
        let identity = verify(&pem_site(alg, public), &token).await;
        assert_eq!(identity.unwrap().customer_id, "cust-42", "{alg:?}");
    }
}

#[tokio::test]
async fn an_audience_list_naming_the_site_is_accepted() {
    let mut claims = claims();
    claims["aud"] = json!(["other", "shop"]);
    assert!(verify(&hs256_site(), &hs256(&claims)).await.is_ok());
}

#[tokio::test]
async fn unsigned_tokens_are_refused_whatever_the_case_of_none() {
    for alg in ["none", "None", "NONE", "nOnE", "NoNe"] {
        let token = by_hand(&json!({"alg": alg, "typ": "JWT"}), &claims(), b"");
        assert_eq!(
            code(&hs256_site(), &token).await,
            "algorithm_not_allowed",
            "{alg}"
        );
        // With a stray signature, too.
        let token = by_hand(&json!({"alg": alg}), &claims(), b"sig");
        assert_eq!(
            code(&hs256_site(), &token).await,
            "algorithm_not_allowed",
            "{alg}"
        );
    }
}

#[tokio::test]
async fn algorithms_the_site_did_not_list_or_we_do_not_know_are_refused() {
    for alg in ["HS512", "PS256", "RS256", "hs256", "ES256K", ""] {
        let token = by_hand(&json!({"alg": alg}), &claims(), b"sig");
        assert_eq!(
            code(&hs256_site(), &token).await,
            "algorithm_not_allowed",
            "{alg}"
        );
    }
    let token = sign(
        Rs256,
        &signing_key(Rs256, "rsa_private.pem"),
        None,
        &claims(),
    );
    assert_eq!(code(&hs256_site(), &token).await, "algorithm_not_allowed");
}

#[tokio::test]
async fn hs256_signed_with_a_public_key_is_refused_when_only_asymmetric_algorithms_are_listed() {
    for (alg, public) in [(Rs256, "rsa_public.pem"), (Es256, "ec_public.pem")] {
        let forged = jsonwebtoken::EncodingKey::from_secret(key(public).as_bytes());
        let token = sign(Hs256, &forged, None, &claims());
        assert_eq!(
            code(&pem_site(alg, public), &token).await,
            "algorithm_not_allowed"
        );
    }
}

#[tokio::test]
async fn hs256_signed_with_a_public_key_fails_the_signature_when_hs256_is_listed() {
    for (alg, public) in [(Rs256, "rsa_public.pem"), (Es256, "ec_public.pem")] {
        let mut identity = settings(&[Hs256, alg]);
        identity.hs256_secret = Some(Secret::new(SECRET));
        identity.public_key_pem = Some(key(public));
        let forged = jsonwebtoken::EncodingKey::from_secret(key(public).as_bytes());
        let token = sign(Hs256, &forged, None, &claims());
        assert_eq!(code(&site(identity), &token).await, "bad_signature");
    }
}

#[tokio::test]
async fn headers_that_bring_their_own_key_are_refused() {
    let jwk = json!({"kty": "oct", "k": "c2VjcmV0"});
    for name in ["jwk", "jku", "x5u", "x5c"] {
        let mut header = json!({"alg": "HS256"});
        header[name] = if name == "jwk" {
            jwk.clone()
        } else {
            json!("https://evil.example/k")
        };
        let token = by_hand(&header, &claims(), b"sig");
        assert_eq!(
            code(&hs256_site(), &token).await,
            "untrusted_key_header",
            "{name}"
        );
    }
}

#[tokio::test]
async fn path_like_or_odd_kids_are_refused() {
    for kid in [
        json!("../../etc/passwd"),
        json!(""),
        json!("a b"),
        json!(7),
        json!("k".repeat(129)),
    ] {
        let token = by_hand(&json!({"alg": "HS256", "kid": kid}), &claims(), b"sig");
        assert_eq!(code(&hs256_site(), &token).await, "invalid_kid", "{kid}");
    }
}

#[tokio::test]
async fn an_all_zero_es256_signature_is_refused() {
    let token = by_hand(&json!({"alg": "ES256"}), &claims(), &[0; 64]);
    assert_eq!(
        code(&pem_site(Es256, "ec_public.pem"), &token).await,
        "bad_signature"
    );
}

#[tokio::test]
async fn a_signature_by_another_key_is_refused() {
    let token = sign(
        Rs256,
        &signing_key(Rs256, "rsa_other_private.pem"),
        None,
        &claims(),
    );
    assert_eq!(
        code(&pem_site(Rs256, "rsa_public.pem"), &token).await,
        "bad_signature"
    );
    let other_secret =
        jsonwebtoken::EncodingKey::from_secret(b"another-secret-of-enough-length-000");
    let token = sign(Hs256, &other_secret, None, &claims());
    assert_eq!(code(&hs256_site(), &token).await, "bad_signature");
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let token = hs256(&claims());
    let signature = token.rsplit('.').next().unwrap();
    let mut changed = claims();
    changed["sub"] = json!("admin");
    let header = token.split('.').next().unwrap();
    let payload = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        changed.to_string(),
    );
    let tampered = format!("{header}.{payload}.{signature}");
    assert_eq!(code(&hs256_site(), &tampered).await, "bad_signature");
}

#[tokio::test]
async fn expired_not_yet_valid_and_future_tokens_are_refused() {
    let cases = [
        (json!({"exp": now() - 120, "iat": now() - 600}), "expired"),
        (json!({"nbf": now() + 120}), "not_yet_valid"),
        (
            json!({"iat": now() + 120, "exp": now() + 600}),
            "issued_in_future",
        ),
        (json!({"exp": Value::Null}), "missing_exp"),
        (json!({"exp": "tomorrow"}), "invalid_claims"),
        (
            json!({"iat": now(), "exp": now() + 7200}),
            "lifetime_too_long",
        ),
        (
            json!({"iat": Value::Null, "exp": now() + 7200}),
            "lifetime_too_long",
        ),
    ];
    for (change, expected) in cases {
        let mut claims = claims();
        for (name, value) in change.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        assert_eq!(
            code(&hs256_site(), &hs256(&claims)).await,
            expected,
            "{change}"
        );
    }
}

#[tokio::test]
async fn clock_skew_within_the_leeway_is_tolerated() {
    let mut claims = claims();
    claims["exp"] = json!(now() - 10);
    claims["iat"] = json!(now() - 300);
    claims["nbf"] = json!(now() + 10);
    assert!(verify(&hs256_site(), &hs256(&claims)).await.is_ok());
}

#[tokio::test]
async fn tokens_for_another_audience_or_site_are_refused() {
    for aud in [
        json!("other-shop"),
        json!(["other-shop"]),
        json!(""),
        json!(7),
    ] {
        let mut claims = claims();
        claims["aud"] = aud.clone();
        assert_eq!(
            code(&hs256_site(), &hs256(&claims)).await,
            "wrong_audience",
            "{aud}"
        );
    }
    let mut claims = claims();
    claims.as_object_mut().unwrap().remove("aud");
    assert_eq!(code(&hs256_site(), &hs256(&claims)).await, "wrong_audience");
}

#[tokio::test]
async fn the_issuer_must_match_when_the_site_sets_one() {
    let mut site = hs256_site();
    if let Some(identity) = site.identity.as_mut() {
        identity.issuer = Some("https://shop.example".into());
    }
    let mut claims = claims();
    assert_eq!(code(&site, &hs256(&claims)).await, "wrong_issuer");
    claims["iss"] = json!("https://evil.example");
    assert_eq!(code(&site, &hs256(&claims)).await, "wrong_issuer");
    claims["iss"] = json!("https://shop.example");
    assert!(verify(&site, &hs256(&claims)).await.is_ok());
}

#[tokio::test]
async fn a_usable_sub_is_required_and_profile_claims_must_be_short_text() {
    for sub in [Value::Null, json!(""), json!(42), json!("x".repeat(257))] {
        let mut claims = claims();
        claims["sub"] = sub.clone();
        assert_eq!(
            code(&hs256_site(), &hs256(&claims)).await,
            "missing_sub",
            "{sub}"
        );
    }
    for name in ["email", "name", "phone", "order_id"] {
        for value in [json!("x".repeat(257)), json!(1), json!("line\nbreak")] {
            let mut claims = claims();
            claims[name] = value;
            assert_eq!(
                code(&hs256_site(), &hs256(&claims)).await,
                "invalid_claims",
                "{name}"
            );
        }
    }
}

#[tokio::test]
async fn malformed_tokens_are_refused() {
    let good = hs256(&claims());
    let long = format!("{good}{}", "A".repeat(9000));
    for token in [
        "",
        "garbage",
        "a.b",
        "a.b.c.d",
        ".payload.sig",
        "eyJhbGciOiJIUzI1NiJ9..sig",
        "e30.e30.sig",
        "bm90IGpzb24.e30.sig",
        "eyJhbGciOiJIUzI1NiJ9.e30.s+g",
        long.as_str(),
    ] {
        assert_eq!(
            code(&hs256_site(), token).await,
            "malformed_token",
            "{token:.40}"
        );
    }
    let crit = by_hand(&json!({"alg": "HS256", "crit": ["exp"]}), &claims(), b"sig");
    assert_eq!(code(&hs256_site(), &crit).await, "malformed_token");
}

#[tokio::test]
async fn a_site_without_identity_settings_refuses_every_token() {
    let mut site = hs256_site();
    site.identity = None;
    assert_eq!(
        code(&site, &hs256(&claims())).await,
        "identity_not_configured"
    );
}

#[test]
fn error_codes_are_distinct_snake_case() {
    let errors = [
        TokenError::NotConfigured,
        TokenError::Malformed,
        TokenError::AlgorithmNotAllowed,
        TokenError::UntrustedKeyHeader,
        TokenError::InvalidKid,
        TokenError::UnknownKid,
        TokenError::NoMatchingKey,
        TokenError::BadSignature,
        TokenError::MissingExp,
        TokenError::Expired,
        TokenError::NotYetValid,
        TokenError::IssuedInFuture,
        TokenError::LifetimeTooLong,
        TokenError::WrongAudience,
        TokenError::WrongIssuer,
        TokenError::MissingSub,
        TokenError::InvalidClaims { claim: "email" },
        TokenError::JwksUnavailable,
    ];
    let codes: std::collections::HashSet<_> = errors.iter().map(TokenError::code).collect();
    assert_eq!(codes.len(), errors.len());
    assert!(
        codes
            .iter()
            .all(|code| code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    );
}

#[test]
fn an_identity_round_trips_through_json() {
    let identity = Identity {
        customer_id: "c".into(),
        email: None,
        name: Some("Ann".into()),
        phone: None,
        order_id: None,
        expires_at: 1,
    };
    let text = serde_json::to_string(&identity).unwrap();
    assert_eq!(serde_json::from_str::<Identity>(&text).unwrap(), identity);
}
