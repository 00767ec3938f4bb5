//! Interop: customer tokens signed by PyJWT, what merchants' Python backends really use, pass
//! the relay's `Verifier` for each algorithm, with the demo site's settings.
//!
//! Needs `python3` with PyJWT (`python3 -m pip install 'pyjwt[crypto]'`). Without it the test is
//! skipped with a note, unless `FERRY_REQUIRE_PYJWT` is set (as `tests/run.sh` does): then it
//! fails.

use std::{collections::HashMap, path::PathBuf, time::SystemTime};

use ferry_relay::{
    config::{JwtAlgorithm, Settings, SiteSettings},
    identity::{Identity, Verifier},
};
use serde_json::json;
use tokio::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

fn demo_site() -> SiteSettings {
    let settings = Settings::parse(include_str!("../../relay/demo.toml")).unwrap();
    settings.site("demo").unwrap().clone()
}

/// The demo site, switched to `alg` with the fixture public key `public_pem`.
fn site_for(alg: JwtAlgorithm, public_pem: &str) -> SiteSettings {
    let mut site = demo_site();
    let identity = site.identity.as_mut().unwrap();
    identity.algorithms = vec![alg];
    identity.hs256_secret = None;
    identity.public_key_pem =
        Some(std::fs::read_to_string(fixtures().join("keys").join(public_pem)).unwrap());
    site
}

/// Whether `python3 -c "import jwt"` works; if not, whether the test may be skipped.
async fn pyjwt_available() -> bool {
    let works = Command::new("python3")
        .args(["-c", "import jwt"])
        .output()
        .await
        .is_ok_and(|output| output.status.success());
    if !works {
        assert!(
            std::env::var_os("FERRY_REQUIRE_PYJWT").is_none(),
            "PyJWT is required (FERRY_REQUIRE_PYJWT is set): python3 -m pip install 'pyjwt[crypto]'"
        );
        eprintln!(
            "skipping the PyJWT interop test: python3 -m pip install 'pyjwt[crypto]' to run it"
        );
    }
    works
}

#[tokio::test]
async fn tokens_signed_by_pyjwt_are_accepted_for_every_algorithm() {
    if !pyjwt_available().await {
        return;
    }
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({
        "sub": "cust-1001", "aud": "demo", "iat": now, "nbf": now, "exp": now + 300,
        "email": "ann@example.com", "name": "Ann Lee", "phone": "+4915112345678", "order_id": "NW-1001",
    });
    let demo = demo_site();
    let secret = demo
        .identity
        .as_ref()
        .unwrap()
        .hs256_secret
        .as_ref()
        .unwrap()
        .expose()
        .to_owned();
    let output = Command::new("python3")
        .arg(fixtures().join("pyjwt_sign.py"))
        .arg(fixtures().join("keys"))
        .arg(claims.to_string())
        .env("FERRY_HS256_SECRET", secret)
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "pyjwt_sign.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tokens: HashMap<String, String> = serde_json::from_slice(&output.stdout).unwrap();

    let expected = Identity {
        customer_id: "cust-1001".into(),
        email: Some("ann@example.com".into()),
        name: Some("Ann Lee".into()),
        phone: Some("+4915112345678".into()),
        order_id: Some("NW-1001".into()),
        expires_at: now + 300,
    };
    let verifier = Verifier::new(reqwest::Client::builder().build().unwrap());
    let sites = [
        ("HS256", demo.clone()),
        ("RS256", site_for(JwtAlgorithm::Rs256, "rsa_public.pem")),
        ("ES256", site_for(JwtAlgorithm::Es256, "ec_public.pem")),
        ("EdDSA", site_for(JwtAlgorithm::EdDsa, "ed25519_public.pem")),
    ];
    for (alg, site) in &sites {
        let verified = verifier.verify(site, &tokens[*alg]).await;
        assert_eq!(
            verified.as_ref().ok(),
            Some(&expected),
            "{alg}: {verified:?}"
        );
    }
    // And the demo site, which lists only HS256, refuses PyJWT's RS256 token.
    let refused = verifier.verify(&demo, &tokens["RS256"]).await.unwrap_err();
    assert_eq!(refused.code(), "algorithm_not_allowed");
}
