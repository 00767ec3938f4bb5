//! The merchant API and the operations endpoints.

use ferry_tests::{API_KEY, TELEGRAM_SECRET, fixtures, spawn_app, spawn_app_with};
use serde_json::Value;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn the_api_refuses_a_missing_or_wrong_key() {
    let app = spawn_app().await;
    let url = format!("{}/v1/subscribers", app.address);

    let missing = app.client.get(&url).send().await.unwrap();
    let wrong = app
        .client
        .get(&url)
        .bearer_auth("not-the-key")
        .send()
        .await
        .unwrap();

    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"]["code"],
        "missing_api_key"
    );
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"]["code"],
        "invalid_api_key"
    );
}

#[tokio::test]
async fn a_burst_of_wrong_keys_is_throttled_for_that_client_address_only() {
    // Arrange: behind a proxy, so the test can speak from two addresses
    let app = spawn_app_with(|s| s.server.client_ip_header = Some("X-Forwarded-For".into())).await;
    let list = |key: &'static str, client: &'static str| {
        app.client
            .get(format!("{}/v1/subscribers", app.address))
            .bearer_auth(key)
            .header("X-Forwarded-For", client)
            .send()
    };
    let (guesser, merchant) = ("203.0.113.9", "198.51.100.7");

    // Act: wrong keys from one address until refused (a bounded number of tries)
    let mut refused_after = None;
    for attempt in 1..=50 {
        let response = list("wrong-key-0123456789", guesser).await.unwrap();
        if response.status() == 429 {
            refused_after = Some((attempt, response));
            break;
        }
        assert_eq!(response.status(), 401, "attempt {attempt}");
    }

    // Assert: throttled after a small burst, with Retry-After, even when the key is right
    let (attempts, refused) = refused_after.expect("429 within 50 wrong keys");
    assert!(attempts <= 20, "{attempts} guesses before the throttle");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let right_key_from_guesser = list(API_KEY, guesser).await.unwrap();
    assert_eq!(
        right_key_from_guesser.status(),
        429,
        "the key is not even looked at"
    );
    let right_key_from_merchant = list(API_KEY, merchant).await.unwrap();
    assert_eq!(right_key_from_merchant.status(), 200);
}

#[tokio::test]
async fn successful_requests_are_never_throttled() {
    let app = spawn_app().await;
    for request in 1..=40 {
        let response = app.merchant_get("/v1/subscribers").await;
        assert_eq!(response.status(), 200, "request {request}");
    }
}

#[tokio::test]
async fn every_answer_forbids_content_sniffing() {
    let app = spawn_app().await;
    for path in [
        "/healthz",
        "/v1/subscribers",
        "/v1/openapi.json",
        "/api/widget/demo/config",
        "/no/such/page",
        "/demo/",
        "/metrics",
    ] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("x-content-type-options")
                .map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{path} ({})",
            response.status()
        );
    }
}

#[tokio::test]
async fn subscribers_filter_by_channel_and_date_and_page_with_a_cursor() {
    // Arrange: three Telegram subscribers
    let app = spawn_app().await;
    for (update_id, user) in [(1_i64, 101_i64), (2, 102), (3, 103)] {
        let mut update = fixtures::load("telegram/start_with_ref.json", &fixtures::token());
        update["update_id"] = update_id.into();
        update["message"]["chat"]["id"] = user.into();
        update["message"]["from"]["id"] = user.into();
        app.post_telegram(&update, Some(TELEGRAM_SECRET)).await;
    }
    app.drain().await;

    // Act & Assert
    assert_eq!(app.subscribers("channel=telegram").await.len(), 3);
    assert!(app.subscribers("channel=whatsapp").await.is_empty());
    assert_eq!(app.subscribers("since=2000-01-01").await.len(), 3);
    assert!(
        app.subscribers("until=2000-01-01T00:00:00Z")
            .await
            .is_empty()
    );

    let first: Value = app
        .merchant_get("/v1/subscribers?limit=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = app
        .merchant_get(&format!("/v1/subscribers?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());

    let id = first["data"][0]["id"].as_i64().unwrap();
    let one: Value = app
        .merchant_get(&format!("/v1/subscribers/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["id"], id);
}

#[tokio::test]
async fn bad_filters_get_precise_errors() {
    let app = spawn_app().await;
    let long_id = "c".repeat(257);
    for (query, code) in [
        ("channel=icq", "invalid_channel"),
        ("since=yesterday", "invalid_time"),
        ("until=", "invalid_time"),
        ("limit=0", "invalid_limit"),
        ("cursor=abc", "invalid_cursor"),
        ("cursor=-1", "invalid_cursor"),
        (&format!("customer_id={long_id}"), "invalid_customer_id"),
        (&format!("order_id={long_id}"), "invalid_order_id"),
        ("colour=red", "invalid_query"),
    ] {
        let response = app.merchant_get(&format!("/v1/subscribers?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"]["code"],
            code,
            "{query}"
        );
    }
    let missing = app.merchant_get("/v1/subscribers/999").await;
    assert_eq!(missing.status(), 404);
    let _ = API_KEY;
}

/// The paths the relay routes under `/v1` and `/api/widget` (see `relay/src/http`).
const ROUTED: [&str; 10] = [
    "/v1/subscribers",
    "/v1/subscribers/{id}",
    "/v1/subscribers/{id}/unlink",
    "/v1/openapi.json",
    "/api/widget/{site}/config",
    "/api/widget/{site}/events",
    "/api/widget/{site}/intents",
    "/api/widget/{site}/identity",
    "/api/widget/{site}/links",
    "/api/widget/{site}/qr.svg",
];

#[tokio::test]
async fn the_openapi_document_describes_the_merchant_api() {
    // Arrange
    let app = spawn_app().await;

    // Act: no API key needed
    let response = app
        .client
        .get(format!("{}/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
    assert!(header("content-type").starts_with("application/json"));
    assert_eq!(header("cache-control"), "public, max-age=300");
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let list = &doc["paths"]["/v1/subscribers"]["get"];
    let parameters = list["parameters"].as_array().unwrap();
    assert!(
        parameters
            .iter()
            .any(|p| p["name"] == "order_id" && p["in"] == "query")
    );
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let (bearer, _) = schemes
        .iter()
        .find(|(_, scheme)| scheme["type"] == "http" && scheme["scheme"] == "bearer")
        .expect("a bearer security scheme");
    assert!(
        list["security"][0].get(bearer).is_some(),
        "listing needs the key"
    );
    for path in ROUTED {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
}

/// The other direction: a documented path or method the router does not know would get the
/// fallback's `404 not_found` or a 405.
#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = spawn_app().await;
    let doc: Value = app
        .merchant_get("/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        let url = path.replace("{site}", "demo").replace("{id}", "1");
        for method in item.as_object().unwrap().keys() {
            // Act: the documented method, with key and origin, without a body or secrets
            let response = app
                .client
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{}{url}", app.address),
                )
                .bearer_auth(API_KEY)
                .header("Origin", app.origin())
                .send()
                .await
                .unwrap();

            // Assert: anything but the router's own 404 and 405
            let status = response.status();
            let text = response.text().await.unwrap();
            let code = serde_json::from_str::<Value>(&text).ok();
            let code = code.as_ref().map(|body| &body["error"]["code"]);
            assert_ne!(status, 405, "{method} {path}");
            assert_ne!(code, Some(&Value::from("not_found")), "{method} {path}");
        }
    }
}
