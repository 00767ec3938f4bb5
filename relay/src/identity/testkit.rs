//! Test helpers for identity: the fixture keys, sites configured for them, token signing (by
//! jsonwebtoken and by hand, for tokens no library would make) and a tiny JWKS server.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{EncodingKey, Header};
use rsa::{RsaPublicKey, pkcs8::DecodePublicKey, traits::PublicKeyParts};
use serde_json::{Value, json};

use super::Verifier;
use crate::config::{IdentitySettings, JwtAlgorithm, Secret, SiteSettings};

pub(crate) const SECRET: &str = "test-identity-secret-0123456789abcdef";

/// A file of `tests/fixtures/keys`.
pub(crate) fn key(name: &str) -> String {
    let path = format!(
        "{}/../tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Identity settings accepting `algorithms`, with no key material yet.
pub(crate) fn settings(algorithms: &[JwtAlgorithm]) -> IdentitySettings {
    IdentitySettings {
        algorithms: algorithms.to_vec(),
        hs256_secret: None,
        public_key_pem: None,
        jwks_url: None,
        issuer: None,
        max_lifetime_secs: 3600,
        leeway_secs: 30,
        link_window_secs: 900,
        login_url: None,
    }
}

/// A site `shop` whose identity settings are `identity`. Read from TOML, so fields other
/// engineers add to `SiteSettings` need no change here.
pub(crate) fn site(identity: IdentitySettings) -> SiteSettings {
    let mut site: SiteSettings = toml::from_str(
        r#"
        id = "shop"
        name = "Shop"
        api_key = "k"
        [telegram]
        bot_username = "shop_bot"
        bot_token = "t"
        webhook_secret = "s"
        "#,
    )
    .unwrap();
    site.identity = Some(identity);
    site
}

/// A site accepting HS256 with `SECRET`.
pub(crate) fn hs256_site() -> SiteSettings {
    let mut identity = settings(&[JwtAlgorithm::Hs256]);
    identity.hs256_secret = Some(Secret::new(SECRET));
    site(identity)
}

/// A site accepting `alg` with the fixture public key `pem`.
pub(crate) fn pem_site(alg: JwtAlgorithm, pem: &str) -> SiteSettings {
    let mut identity = settings(&[alg]);
    identity.public_key_pem = Some(key(pem));
    site(identity)
}

pub(crate) fn now() -> i64 {
    super::now()
}

/// Valid claims for site `shop`, issued now, for ten minutes.
pub(crate) fn claims() -> Value {
    json!({"sub": "cust-42", "aud": "shop", "iat": now(), "exp": now() + 600, "email": "ann@example.com"})
}

/// The encoding key for a fixture private key (`SECRET` for HS256).
pub(crate) fn signing_key(alg: JwtAlgorithm, private_pem: &str) -> EncodingKey {
    if alg == JwtAlgorithm::Hs256 {
        return EncodingKey::from_secret(SECRET.as_bytes());
    }
    let pem = key(private_pem);
    match alg {
        JwtAlgorithm::Rs256 => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        JwtAlgorithm::Es256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
    }
}

/// A token signed by jsonwebtoken.
pub(crate) fn sign(
    alg: JwtAlgorithm,
    key: &EncodingKey,
    kid: Option<&str>,
    claims: &Value,
) -> String {
    let mut header = Header::new(super::keys::to_jwt(alg));
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

/// `header.payload.signature` from JSON values and raw signature bytes, for tokens a library
/// would refuse to make.
pub(crate) fn by_hand(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// The JWK of a fixture public key.
pub(crate) fn jwk(alg: JwtAlgorithm, public_pem: &str, kid: &str) -> Value {
    let pem = key(public_pem);
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    match alg {
        JwtAlgorithm::Rs256 => {
            let rsa = RsaPublicKey::from_public_key_pem(&pem).unwrap();
            json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                   "n": b64(&rsa.n().to_bytes_be()), "e": b64(&rsa.e().to_bytes_be())})
        }
        JwtAlgorithm::Es256 => {
            let key = jsonwebtoken::DecodingKey::from_ec_pem(pem.as_bytes()).unwrap();
            let point = key.try_get_as_bytes().unwrap();
            json!({"kty": "EC", "crv": "P-256", "kid": kid, "x": b64(&point[1..33]), "y": b64(&point[33..])})
        }
        JwtAlgorithm::EdDsa => {
            let key = jsonwebtoken::DecodingKey::from_ed_pem(pem.as_bytes()).unwrap();
            json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(key.try_get_as_bytes().unwrap())})
        }
        JwtAlgorithm::Hs256 => unreachable!("no JWK for the shared secret"),
    }
}

/// A JWKS server on 127.0.0.1:0 serving whatever `set` holds, counting requests.
pub(crate) struct JwksServer {
    pub url: String,
    pub keys: Arc<Mutex<Value>>,
    pub hits: Arc<AtomicUsize>,
    pub failing: Arc<AtomicBool>,
}

impl JwksServer {
    pub(crate) async fn start(keys: Value) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let keys = Arc::new(Mutex::new(keys));
        let hits = Arc::new(AtomicUsize::new(0));
        let failing = Arc::new(AtomicBool::new(false));
        let (served, counted, down) = (keys.clone(), hits.clone(), failing.clone());
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                use axum::response::IntoResponse;
                counted.fetch_add(1, Ordering::SeqCst);
                let response = if down.load(Ordering::SeqCst) {
                    axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
                } else {
                    axum::Json(json!({"keys": served.lock().unwrap().clone()})).into_response()
                };
                async move { response }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            keys,
            hits,
            failing,
        }
    }

    /// Makes the server answer 503 (or serve again).
    pub(crate) fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// Replaces the served keys (a merchant rotating keys).
    pub(crate) fn serve(&self, keys: Value) {
        *self.keys.lock().unwrap() = keys;
    }

    pub(crate) fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub(crate) struct TestClock {
    base: Instant,
    offset_secs: Arc<AtomicU64>,
}

impl TestClock {
    pub(crate) fn new() -> Self {
        Self {
            base: Instant::now(),
            offset_secs: Arc::new(AtomicU64::new(0)),
        }
    }

    pub(crate) fn advance(&self, by: Duration) {
        self.offset_secs.fetch_add(by.as_secs(), Ordering::SeqCst);
    }

    /// A verifier whose JWKS rate limit reads this clock.
    pub(crate) fn verifier(&self) -> Verifier {
        let clock = self.clone();
        Verifier::with_clock(
            http(),
            Arc::new(move || {
                clock.base + Duration::from_secs(clock.offset_secs.load(Ordering::SeqCst))
            }),
        )
    }
}

pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}
