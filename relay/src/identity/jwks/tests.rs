//! JWKS sites against a real HTTP server on 127.0.0.1: lookup by kid, rotation, the refresh
//! rate limit (with a hand-moved clock, never sleeping) and outages.

use std::time::Duration;

use serde_json::{Value, json};

use super::MIN_REFRESH_INTERVAL;
use crate::config::{JwtAlgorithm, SiteSettings};
use crate::identity::testkit::{
    JwksServer, TestClock, claims, jwk, key, settings, sign, signing_key, site,
};

use JwtAlgorithm::{EdDsa, Es256, Rs256};

fn jwks_site(url: &str) -> SiteSettings {
    let mut identity = settings(&[Rs256, Es256, EdDsa]);
    identity.jwks_url = Some(url.to_owned());
    site(identity)
}

fn first_keys() -> Value {
    json!([
        jwk(Rs256, "rsa_public.pem", "rsa-1"),
        jwk(Es256, "ec_public.pem", "ec-1"),
        jwk(EdDsa, "ed25519_public.pem", "ed-1"),
    ])
}

fn rs256(private: &str, kid: Option<&str>) -> String {
    sign(Rs256, &signing_key(Rs256, private), kid, &claims())
}

/// A port nothing listens on.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}/jwks.json")
}

#[tokio::test]
async fn keys_named_by_kid_verify_tokens_of_each_algorithm_and_are_fetched_once() {
    let server = JwksServer::start(first_keys()).await;
    let verifier = TestClock::new().verifier();
    let site = jwks_site(&server.url);
    for (alg, private, kid) in [
        (Rs256, "rsa_private.pem", "rsa-1"),
        (Es256, "ec_private.pem", "ec-1"),
        (EdDsa, "ed25519_private.pem", "ed-1"),
    ] {
        let token = sign(alg, &signing_key(alg, private), Some(kid), &claims());
        assert!(verifier.verify(&site, &token).await.is_ok(), "{alg:?}");
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn tokens_without_kid_are_checked_against_the_keys_of_their_algorithm() {
    let server = JwksServer::start(first_keys()).await;
    let verifier = TestClock::new().verifier();
    let token = sign(
        Es256,
        &signing_key(Es256, "ec_private.pem"),
        None,
        &claims(),
    );
    assert!(
        verifier
            .verify(&jwks_site(&server.url), &token)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_signature_by_another_key_under_a_known_kid_is_refused() {
    let server = JwksServer::start(first_keys()).await;
    let verifier = TestClock::new().verifier();
    let token = rs256("rsa_other_private.pem", Some("rsa-1"));
    let error = verifier
        .verify(&jwks_site(&server.url), &token)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "bad_signature");
}

#[tokio::test]
async fn a_kid_naming_a_key_of_another_algorithm_is_refused() {
    let server = JwksServer::start(first_keys()).await;
    let verifier = TestClock::new().verifier();
    let token = sign(
        Es256,
        &signing_key(Es256, "ec_private.pem"),
        Some("rsa-1"),
        &claims(),
    );
    let error = verifier
        .verify(&jwks_site(&server.url), &token)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "bad_signature");
}

#[tokio::test]
async fn keys_rotated_on_the_server_are_used_without_a_restart() {
    let server = JwksServer::start(json!([jwk(Rs256, "rsa_public.pem", "rsa-1")])).await;
    let clock = TestClock::new();
    let verifier = clock.verifier();
    let site = jwks_site(&server.url);
    assert!(
        verifier
            .verify(&site, &rs256("rsa_private.pem", Some("rsa-1")))
            .await
            .is_ok()
    );

    server.serve(json!([jwk(Rs256, "rsa_other_public.pem", "rsa-2")]));
    clock.advance(MIN_REFRESH_INTERVAL);
    let rotated = rs256("rsa_other_private.pem", Some("rsa-2"));
    assert!(verifier.verify(&site, &rotated).await.is_ok());
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn an_unknown_kid_refreshes_the_jwks_at_most_once_per_interval() {
    let server = JwksServer::start(first_keys()).await;
    let clock = TestClock::new();
    let verifier = clock.verifier();
    let site = jwks_site(&server.url);
    assert!(
        verifier
            .verify(&site, &rs256("rsa_private.pem", Some("rsa-1")))
            .await
            .is_ok()
    );

    // Right after the first fetch, an unknown kid may not fetch again.
    let unknown = rs256("rsa_private.pem", Some("nobody"));
    let error = verifier.verify(&site, &unknown).await.unwrap_err();
    assert_eq!(error.code(), "unknown_kid");
    assert_eq!(server.hits(), 1);

    // Once the interval has passed it fetches once; a flood of made-up kids fetches no more.
    clock.advance(MIN_REFRESH_INTERVAL);
    for _ in 0..5 {
        let error = verifier.verify(&site, &unknown).await.unwrap_err();
        assert_eq!(error.code(), "unknown_kid");
    }
    assert_eq!(server.hits(), 2);

    // A key published now is found at the next allowed refresh.
    server.serve(json!([jwk(Rs256, "rsa_other_public.pem", "rsa-2")]));
    let rotated = rs256("rsa_other_private.pem", Some("rsa-2"));
    clock.advance(MIN_REFRESH_INTERVAL - Duration::from_secs(1));
    assert_eq!(
        verifier.verify(&site, &rotated).await.unwrap_err().code(),
        "unknown_kid"
    );
    clock.advance(Duration::from_secs(1));
    assert!(verifier.verify(&site, &rotated).await.is_ok());
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn the_rate_limit_is_per_site() {
    let server = JwksServer::start(first_keys()).await;
    let verifier = TestClock::new().verifier();
    let token = rs256("rsa_private.pem", Some("rsa-1"));
    let shop = jwks_site(&server.url);
    let mut other = jwks_site(&server.url);
    other.id = "other".into();
    let other_token = {
        let mut claims = claims();
        claims["aud"] = json!("other");
        sign(
            Rs256,
            &signing_key(Rs256, "rsa_private.pem"),
            Some("rsa-1"),
            &claims,
        )
    };
    assert!(verifier.verify(&shop, &token).await.is_ok());
    assert!(verifier.verify(&other, &other_token).await.is_ok());
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_jwks_server_that_is_down_leaves_tokens_unverifiable() {
    let verifier = TestClock::new().verifier();
    let token = rs256("rsa_private.pem", Some("rsa-1"));
    let error = verifier
        .verify(&jwks_site(&closed_port_url().await), &token)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "jwks_unavailable");

    let server = JwksServer::start(first_keys()).await;
    server.fail(true);
    let error = verifier
        .verify(&jwks_site(&server.url), &token)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "jwks_unavailable");
}

#[tokio::test]
async fn cached_keys_outlive_a_jwks_outage() {
    let server = JwksServer::start(first_keys()).await;
    let clock = TestClock::new();
    let verifier = clock.verifier();
    let site = jwks_site(&server.url);
    let token = rs256("rsa_private.pem", Some("rsa-1"));
    assert!(verifier.verify(&site, &token).await.is_ok());
    server.fail(true);
    // Old enough to be fetched again: the fetch fails and the cached keys still serve.
    clock.advance(Duration::from_secs(3600));
    assert!(verifier.verify(&site, &token).await.is_ok());
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn the_pinned_key_still_works_while_the_jwks_is_down() {
    let verifier = TestClock::new().verifier();
    let mut identity = settings(&[Rs256]);
    identity.public_key_pem = Some(key("rsa_public.pem"));
    identity.jwks_url = Some(closed_port_url().await);
    let site = site(identity);
    assert!(
        verifier
            .verify(&site, &rs256("rsa_private.pem", None))
            .await
            .is_ok()
    );
    assert!(
        verifier
            .verify(&site, &rs256("rsa_private.pem", Some("pinned")))
            .await
            .is_ok()
    );
}
