//! Every pattern the document states for a value the relay checks by hand is compared with
//! that check on tricky samples: what the document allows is accepted, and the rest refused.

use ferry_wire as wire;
use regex::Regex;
use serde_json::{Value, json};

use super::{document_json, misfit, visit};
use crate::domain::{Attribution, IntentRef, PAGE_URL_PATTERN};

/// The pattern the document states for `property` of the schema `name`.
fn documented_pattern(doc: &Value, name: &str, property: &str) -> Regex {
    let pattern = doc["components"]["schemas"][name]["properties"][property]["pattern"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}.{property} states no pattern"));
    Regex::new(pattern).unwrap()
}

/// The pattern the document states for the query parameter `name` of `GET path`.
fn parameter_pattern(doc: &Value, path: &str, name: &str) -> Regex {
    let parameters = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
    let parameter = parameters.iter().find(|p| p["name"] == name).unwrap();
    Regex::new(parameter["schema"]["pattern"].as_str().unwrap()).unwrap()
}

#[test]
fn refs_are_documented_exactly_as_the_relay_checks_them() {
    let doc = document_json();
    let token = documented_pattern(&doc, "TokenIntent", "ref");
    let code = documented_pattern(&doc, "CodeIntent", "ref");
    let samples = [
        "Zm9vYmFyYmF6cXV4MTIzNDU2",
        "Zm9vYmFyYmF6cXV4LTEy",
        "K7M2Q9AB",
        "k7m2q9ol",
        "K7M2Q9U1",
        "K7M2Q9",
        "K7M2Q9AB1",
        "short",
        "has.dots.in.it.xxxxx",
        "",
        "ÄÖÜäöüßÄÖÜäöüßÄÖÜ",
        "ＫＫＫＫＫＫＫＫ",
    ];
    let long = ["a".repeat(64), "a".repeat(65)];
    for sample in samples
        .iter()
        .copied()
        .chain(long.iter().map(String::as_str))
    {
        let as_token = IntentRef::parse(wire::RefKind::Token, sample).is_ok();
        let as_code = IntentRef::parse(wire::RefKind::Code, sample).is_ok();
        assert_eq!(token.is_match(sample), as_token, "token {sample:?}");
        assert_eq!(code.is_match(sample), as_code, "code {sample:?}");
    }
}

#[test]
fn page_urls_and_placements_are_documented_exactly_as_the_relay_checks_them() {
    let doc = document_json();
    let page_url = &doc["components"]["schemas"]["Visit"]["properties"]["page_url"];
    assert_eq!(page_url["pattern"], PAGE_URL_PATTERN);
    let accepted = |url: &str, placement: &str| {
        let mut visit = visit();
        visit.page_url = url.into();
        visit.placement = placement.into();
        Attribution::from_visit(&visit).is_ok()
    };
    let urls = [
        "https://shop.example/p/beans?utm_source=news#top",
        "http://127.0.0.1:8080/demo/",
        "HTTPS://Shop.Example",
        "https://shop.example:65535/",
        "https://shop.example:65536/",
        "https://my_shop.example/",
        "https://shop.example/caf\u{e9}?q=\u{1f600}",
        "https://shop.example/a b",
        " https://shop.example/",
        "https://shop.example/\t",
        "https://",
        "https://:80/",
        "http://1.2.3.4.5/",
        "http://256.1.1.1/",
        "http://0x7f.1/",
        "https://user@shop.example/",
        "https://[::1]/",
        "https://xn--80aairftm.xn--p1ai/",
        "http://-.example/",
        "javascript:alert(1)",
        "ftp://shop.example/",
        "",
    ];
    let too_long = format!("https://shop.example/{}", "\u{e9}".repeat(2048));
    for url in urls.iter().copied().chain([too_long.as_str()]) {
        let documented = misfit(&doc, page_url, &json!(url), "page_url", false).is_none();
        assert_eq!(documented, accepted(url, "floating"), "{url:?}");
    }
    let placement = documented_pattern(&doc, "Visit", "placement");
    for sample in [
        "floating",
        "checkout",
        "my-block_2",
        "",
        "Inline",
        "<script>",
        &"a".repeat(33),
    ] {
        let url = "https://shop.example/";
        assert_eq!(
            placement.is_match(sample),
            accepted(url, sample),
            "{sample:?}"
        );
    }
}

#[test]
fn link_codes_and_cursors_are_documented_exactly_as_the_relay_checks_them() {
    let doc = document_json();
    let link_code = documented_pattern(&doc, "LinkRequest", "code");
    for sample in [
        "K3M9P2Q7R4T8",
        "k3m9p2q7r4t8",
        "",
        " K3M9P2Q7R4T8",
        "K3M9-P2Q7",
        &"A".repeat(33),
    ] {
        let accepted = crate::http::widget_identity::link_code(sample).is_some();
        assert_eq!(link_code.is_match(sample), accepted, "{sample:?}");
    }
    let cursor = parameter_pattern(&doc, "/v1/subscribers", "cursor");
    for sample in [
        "7",
        "123456789012345678",
        "1234567890123456789",
        "",
        "-1",
        "+1",
        "1e3",
        "١",
    ] {
        let accepted = crate::http::merchant::parse_cursor(sample).is_ok();
        assert_eq!(cursor.is_match(sample), accepted, "{sample:?}");
    }
}
