//! Each `[sites.identity]` rule, through TOML as a merchant would write it.

use super::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn key(name: &str) -> String {
    let path = format!(
        "{}/../tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(toml_text: &str) -> Result<IdentitySettings, String> {
    let settings: IdentitySettings = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    settings.validate()?;
    Ok(settings)
}

fn error(toml_text: &str) -> String {
    match parse(toml_text) {
        Ok(settings) => panic!("accepted: {settings:?}"),
        Err(error) => error,
    }
}

fn with_pem(algorithms: &str, pem_file: &str) -> String {
    format!(
        "algorithms = {algorithms}\npublic_key_pem = '''\n{}'''\n",
        key(pem_file)
    )
}

#[test]
fn an_hs256_site_gets_the_defaults() {
    let settings = parse(&format!(
        "algorithms = [\"HS256\"]\nhs256_secret = \"{SECRET}\""
    ))
    .unwrap();
    assert_eq!(settings.algorithms, [JwtAlgorithm::Hs256]);
    assert_eq!(
        (
            settings.max_lifetime_secs,
            settings.leeway_secs,
            settings.link_window_secs
        ),
        (3600, 30, 900)
    );
}

#[test]
fn algorithms_must_be_listed_known_and_once() {
    assert!(error("algorithms = []").contains("at least one"));
    for unknown in ["none", "HS512", "hs256", "PS256"] {
        let message = error(&format!("algorithms = [\"{unknown}\"]"));
        assert!(message.contains(unknown), "{message}");
    }
    let twice = format!("algorithms = [\"HS256\", \"HS256\"]\nhs256_secret = \"{SECRET}\"");
    assert!(error(&twice).contains("twice"));
}

#[test]
fn unknown_keys_are_reported() {
    let message = error(&format!(
        "algorithms = [\"HS256\"]\nhs256_secret = \"{SECRET}\"\naudience = \"x\""
    ));
    assert!(message.contains("audience"), "{message}");
}

#[test]
fn the_hs256_secret_is_required_exactly_with_hs256_and_long_enough() {
    assert!(error("algorithms = [\"HS256\"]").contains("hs256_secret is required"));
    let short = error("algorithms = [\"HS256\"]\nhs256_secret = \"short\"");
    assert!(short.contains("at least 32 bytes"), "{short}");
    let unused = format!(
        "{}hs256_secret = \"{SECRET}\"",
        with_pem("[\"RS256\"]", "rsa_public.pem")
    );
    assert!(error(&unused).contains("HS256 is not in"));
}

#[test]
fn asymmetric_algorithms_need_a_key_source() {
    let message = error("algorithms = [\"RS256\"]");
    assert!(
        message.contains("public_key_pem or identity.jwks_url"),
        "{message}"
    );
    assert!(
        parse("algorithms = [\"RS256\", \"EdDSA\"]\njwks_url = \"https://shop.example/jwks.json\"")
            .is_ok()
    );
}

#[test]
fn key_sources_without_an_asymmetric_algorithm_are_refused() {
    let text = format!(
        "algorithms = [\"HS256\"]\nhs256_secret = \"{SECRET}\"\njwks_url = \"https://shop.example/jwks.json\""
    );
    assert!(error(&text).contains("list one in identity.algorithms"));
}

#[test]
fn the_pem_key_must_fit_a_listed_algorithm() {
    for (alg, pem) in [
        ("RS256", "rsa_public.pem"),
        ("ES256", "ec_public.pem"),
        ("EdDSA", "ed25519_public.pem"),
    ] {
        assert!(
            parse(&with_pem(&format!("[\"{alg}\"]"), pem)).is_ok(),
            "{alg}"
        );
    }
    let mismatch = error(&with_pem("[\"ES256\"]", "rsa_public.pem"));
    assert!(mismatch.contains("a key for RS256"), "{mismatch}");
    let private = error(&with_pem("[\"RS256\"]", "rsa_private.pem"));
    assert!(private.contains("private key"), "{private}");
    let garbage = error(
        "algorithms = [\"RS256\"]\npublic_key_pem = \"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"",
    );
    assert!(garbage.contains("public_key_pem"), "{garbage}");
}

#[test]
fn every_listed_asymmetric_algorithm_needs_a_key_without_jwks() {
    let message = error(&with_pem("[\"RS256\", \"ES256\"]", "rsa_public.pem"));
    assert!(
        message.contains("lists ES256 but identity.public_key_pem is a RS256 key"),
        "{message}"
    );
    let text = format!(
        "{}jwks_url = \"https://shop.example/jwks.json\"\n",
        with_pem("[\"RS256\", \"ES256\"]", "rsa_public.pem")
    );
    assert!(parse(&text).is_ok());
}

#[test]
fn urls_must_be_http_or_https() {
    let base = "algorithms = [\"EdDSA\"]\n";
    for url in [
        "ftp://shop.example/jwks.json",
        "file:///etc/jwks.json",
        "jwks.json",
        "https://",
    ] {
        let message = error(&format!("{base}jwks_url = \"{url}\""));
        assert!(message.contains("jwks_url"), "{message}");
    }
    let hs = format!("algorithms = [\"HS256\"]\nhs256_secret = \"{SECRET}\"\n");
    let message = error(&format!("{hs}login_url = \"javascript:alert(1)\""));
    assert!(message.contains("login_url"), "{message}");
    assert!(
        parse(&format!(
            "{hs}login_url = \"http://127.0.0.1:8080/account\""
        ))
        .is_ok()
    );
}

#[test]
fn numbers_must_be_positive_and_sane() {
    let hs = format!("algorithms = [\"HS256\"]\nhs256_secret = \"{SECRET}\"\n");
    for (line, key) in [
        ("max_lifetime_secs = 0", "max_lifetime_secs"),
        ("max_lifetime_secs = 604801", "max_lifetime_secs"),
        ("leeway_secs = 301", "leeway_secs"),
        ("link_window_secs = 0", "link_window_secs"),
        ("link_window_secs = 86401", "link_window_secs"),
        ("leeway_secs = -1", "leeway_secs"),
    ] {
        let message = error(&format!("{hs}{line}"));
        assert!(message.contains(key), "{line}: {message}");
    }
    assert!(parse(&format!("{hs}max_lifetime_secs = 604800\nleeway_secs = 0")).is_ok());
}

#[test]
fn an_empty_issuer_is_refused() {
    let message = error(&format!(
        "algorithms = [\"HS256\"]\nhs256_secret = \"{SECRET}\"\nissuer = \"\""
    ));
    assert!(message.contains("issuer"), "{message}");
}
