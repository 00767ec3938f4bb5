//! The header and claims rules alone, at a fixed time.

use serde_json::{Map, Value, json};

use super::{check, header};
use crate::config::JwtAlgorithm;
use crate::identity::{
    TokenError,
    testkit::{by_hand, settings},
};

const NOW: i64 = 1_800_000_000;

fn run(claims: Value) -> Result<crate::identity::Identity, TokenError> {
    let mut settings = settings(&[JwtAlgorithm::Hs256]);
    settings.issuer = Some("https://shop.example".into());
    let claims: Map<String, Value> = serde_json::from_value(claims).unwrap();
    check(&claims, "shop", &settings, NOW)
}

fn valid() -> Value {
    json!({"sub": "c1", "aud": "shop", "iss": "https://shop.example", "iat": NOW, "exp": NOW + 600})
}

fn with(change: &Value) -> Value {
    let mut claims = valid();
    for (name, value) in change.as_object().unwrap() {
        claims[name] = value.clone();
    }
    claims
}

#[test]
fn the_leeway_applies_at_each_time_boundary() {
    // 30 s of leeway: expired from exp + 30 on, valid until nbf/iat - 30.
    assert!(run(with(&json!({"exp": NOW - 29, "iat": NOW - 100}))).is_ok());
    assert_eq!(
        run(with(&json!({"exp": NOW - 30, "iat": NOW - 100}))),
        Err(TokenError::Expired)
    );
    assert!(run(with(&json!({"nbf": NOW + 30}))).is_ok());
    assert_eq!(
        run(with(&json!({"nbf": NOW + 31}))),
        Err(TokenError::NotYetValid)
    );
    assert!(run(with(&json!({"iat": NOW + 30}))).is_ok());
    assert_eq!(
        run(with(&json!({"iat": NOW + 31}))),
        Err(TokenError::IssuedInFuture)
    );
}

#[test]
fn lifetime_counts_from_iat_or_from_now() {
    assert!(run(with(&json!({"iat": NOW - 100, "exp": NOW + 3500}))).is_ok());
    assert_eq!(
        run(with(&json!({"iat": NOW - 100, "exp": NOW + 3501}))),
        Err(TokenError::LifetimeTooLong)
    );
    let mut no_iat = with(&json!({"exp": NOW + 3600}));
    no_iat.as_object_mut().unwrap().remove("iat");
    assert!(run(no_iat.clone()).is_ok());
    no_iat["exp"] = json!(NOW + 3601);
    assert_eq!(run(no_iat), Err(TokenError::LifetimeTooLong));
}

#[test]
fn fractional_dates_are_read_and_other_types_refused() {
    assert_eq!(
        run(with(&json!({"exp": (NOW + 600) as f64 + 0.4})))
            .unwrap()
            .expires_at,
        NOW + 600
    );
    for bad in [json!("1800000600"), json!(-1), json!(true), json!(1e300)] {
        let result = run(with(&json!({"exp": bad.clone()})));
        assert_eq!(
            result,
            Err(TokenError::InvalidClaims { claim: "exp" }),
            "{bad}"
        );
    }
}

#[test]
fn empty_or_null_profile_claims_count_as_absent() {
    let identity = run(with(&json!({"email": "", "name": null, "phone": "+1 555"}))).unwrap();
    assert_eq!(identity.email, None);
    assert_eq!(identity.name, None);
    assert_eq!(identity.phone.as_deref(), Some("+1 555"));
    // 256 characters (not bytes) are allowed.
    assert!(run(with(&json!({"name": "я".repeat(256)}))).is_ok());
}

#[test]
fn a_blank_sub_is_no_customer_id() {
    assert_eq!(
        run(with(&json!({"sub": "   "}))),
        Err(TokenError::MissingSub)
    );
    assert_eq!(
        run(with(&json!({"sub": "a\u{0}b"}))),
        Err(TokenError::MissingSub)
    );
}

#[test]
fn issuer_is_compared_exactly() {
    assert_eq!(
        run(with(&json!({"iss": "https://shop.example/"}))),
        Err(TokenError::WrongIssuer)
    );
    assert_eq!(
        run(with(&json!({"iss": ["https://shop.example"]}))),
        Err(TokenError::WrongIssuer)
    );
}

#[test]
fn the_header_is_read_before_anything_else() {
    let claims = valid();
    let parsed = header(&by_hand(
        &json!({"alg": "EdDSA", "kid": "k-1.a_b"}),
        &claims,
        b"s",
    ))
    .unwrap();
    assert_eq!(
        (parsed.alg, parsed.kid.as_deref()),
        (JwtAlgorithm::EdDsa, Some("k-1.a_b"))
    );
    // alg is case-sensitive (RFC 7515 §4.1.1) and checked before the key headers.
    let lower = by_hand(&json!({"alg": "eddsa"}), &claims, b"s");
    assert_eq!(header(&lower).unwrap_err(), TokenError::AlgorithmNotAllowed);
    let none_with_jwk = by_hand(&json!({"alg": "none", "jwk": {}}), &claims, b"");
    assert_eq!(
        header(&none_with_jwk).unwrap_err(),
        TokenError::AlgorithmNotAllowed
    );
    let alg_not_string = by_hand(&json!({"alg": ["HS256"]}), &claims, b"s");
    assert_eq!(header(&alg_not_string).unwrap_err(), TokenError::Malformed);
}
