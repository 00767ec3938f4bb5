//! The widget API: what pages on allowed origins may do, and what everyone else gets.

use ferry_relay::domain::Locale;
use ferry_tests::{fixtures, spawn_app, spawn_app_with};
use serde_json::{Value, json};

fn visit() -> Value {
    json!({ "page_url": "https://shop.example/p/beans?utm_source=ig", "utm": { "source": "ig" }, "placement": "floating", "device": "desktop" })
}

#[tokio::test]
async fn the_config_lists_the_sites_channels_with_ref_placeholders() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/api/widget/demo/config", app.address))
        .header("Origin", app.origin())
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        app.origin()
    );
    let config: ferry_wire::WidgetConfig = response.json().await.unwrap();
    assert_eq!(config.name, "Northwind Coffee");
    let kinds: Vec<_> = config.channels.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["telegram", "whatsapp", "messenger"]);
    assert!(config.channels.iter().all(|c| c.link.contains("{ref}")));
    let sandbox_base = format!(
        "{}/sandbox/telegram/northwind_demo_bot?start={{ref}}",
        app.address
    );
    assert_eq!(
        config.channels[0].link, sandbox_base,
        "sandbox links lead to the phone page"
    );
    assert!(
        config.channels[1]
            .link
            .contains("text=Hi%20Northwind%20Coffee"),
        "{}",
        config.channels[1].link
    );
}

#[tokio::test]
async fn a_lithuanian_sites_config_carries_lithuanian_texts() {
    let app = spawn_app_with(|settings| settings.sites[0].locale = Locale::Lt).await;

    let response = app
        .client
        .get(format!("{}/api/widget/demo/config", app.address))
        .header("Origin", app.origin())
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    let config: Value = response.json().await.unwrap();
    assert_eq!(config["locale"], "lt");
    assert_eq!(config["texts"]["launcher"], "Parašykite mums");
    assert_eq!(config["texts"]["inline"]["or"], "ar");
    // The widget's own tests build the Lithuanian inline block from this file.
    let expected: Value =
        serde_json::from_str(include_str!("../fixtures/widget/texts_lt.json")).unwrap();
    assert_eq!(config["texts"], expected);
    let chat: Value =
        serde_json::from_str(include_str!("../fixtures/widget/chat_texts_lt.json")).unwrap();
    assert_eq!(config["chat"]["texts"], chat);
    let whatsapp = config["channels"][1]["link"].as_str().unwrap();
    assert!(
        whatsapp.contains("text=Sveiki%2C%20Northwind%20Coffee%21%20Nor%C4%97%C4%8Diau"),
        "{whatsapp}"
    );
}

#[tokio::test]
async fn a_page_on_another_origin_is_refused() {
    let app = spawn_app().await;
    let before = app.snapshot().await;

    let config = app
        .client
        .get(format!("{}/api/widget/demo/config", app.address))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    let intent = app
        .client
        .post(format!("{}/api/widget/demo/intents", app.address))
        .header("Origin", "https://evil.example")
        .json(&json!({ "ref": fixtures::token(), "channel": "telegram", "visit": visit() }))
        .send()
        .await
        .unwrap();
    let no_origin = app
        .client
        .post(format!("{}/api/widget/demo/events", app.address))
        .json(&json!({ "kind": "view", "visit": visit() }))
        .send()
        .await
        .unwrap();

    assert_eq!(config.status(), 403);
    assert_eq!(intent.status(), 403);
    assert_eq!(
        intent.json::<Value>().await.unwrap()["error"]["code"],
        "origin_not_allowed"
    );
    assert_eq!(no_origin.status(), 403);
    assert_eq!(
        no_origin.json::<Value>().await.unwrap()["error"]["code"],
        "origin_required"
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered() {
    let app = spawn_app().await;
    let response = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/widget/demo/intents", app.address),
        )
        .header("Origin", app.origin())
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        app.origin()
    );
    assert!(
        response.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("content-type")
    );
}

#[tokio::test]
async fn an_intent_is_stored_once_and_a_retry_is_acknowledged() {
    let app = spawn_app().await;
    let reference = fixtures::token();

    let first = app.create_intent("telegram", &reference, "spring").await;
    let retry = app.create_intent("telegram", &reference, "spring").await;
    let hijack = app.create_intent("telegram", &reference, "other").await;

    assert_eq!(first.status(), 201);
    assert_eq!(retry.status(), 200);
    assert_eq!(
        hijack.status(),
        409,
        "a ref in use cannot be re-pointed at another visit"
    );
    assert_eq!(app.count_rows("intents").await, 1);
}

#[tokio::test]
async fn invalid_intents_get_precise_errors_and_change_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let post = |body: Value| {
        app.client
            .post(format!("{}/api/widget/demo/intents", app.address))
            .header("Origin", app.origin())
            .json(&body)
            .send()
    };

    let cases = [
        (
            json!({ "ref": "short", "channel": "telegram", "visit": visit() }),
            400,
            "invalid_ref",
        ),
        (
            json!({ "ref": "NOT-A-CODE", "channel": "whatsapp", "visit": visit() }),
            400,
            "invalid_ref",
        ),
        (
            json!({ "ref": fixtures::token(), "channel": "icq", "visit": visit() }),
            400,
            "invalid_json",
        ),
        (
            json!({ "ref": fixtures::token(), "channel": "telegram", "visit": { "page_url": "javascript:alert(1)", "placement": "floating" } }),
            400,
            "invalid_visit",
        ),
        (
            json!({ "ref": fixtures::token(), "channel": "telegram" }),
            400,
            "invalid_json",
        ),
        (
            json!([fixtures::token(), "telegram", visit()]),
            400,
            "invalid_json",
        ),
        (
            json!({ "ref": fixtures::token(), "channel": "telegram", "visit": ["https://shop.example/", null, {}, "floating"] }),
            400,
            "invalid_json",
        ),
        (
            json!({ "ref": fixtures::token(), "channel": "telegram", "visit": visit(), "order_id": "A".repeat(129) }),
            400,
            "invalid_order_id",
        ),
    ];
    for (body, status, code) in cases {
        let response = post(body.clone()).await.unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"]["code"],
            code,
            "{body}"
        );
    }
    let not_json = app
        .client
        .post(format!("{}/api/widget/demo/intents", app.address))
        .header("Origin", app.origin())
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 415);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn funnel_events_are_recorded_with_their_attribution() {
    let app = spawn_app().await;
    for kind in ["view", "open"] {
        let response = app
            .client
            .post(format!("{}/api/widget/demo/events", app.address))
            .header("Origin", app.origin())
            .json(&json!({ "kind": kind, "visit": visit() }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
    }
    let click = app
        .client
        .post(format!("{}/api/widget/demo/events", app.address))
        .header("Origin", app.origin())
        .json(&json!({ "kind": "click", "channel": "whatsapp", "visit": visit() }))
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), 202);
    assert_eq!(app.count_rows("events").await, 3);
}

#[tokio::test]
async fn a_client_over_the_widget_rate_limit_gets_429_with_retry_after() {
    let app =
        ferry_tests::spawn_app_with(|settings| settings.server.widget_rate_limit_per_minute = 3)
            .await;
    let post = || {
        app.client
            .post(format!("{}/api/widget/demo/events", app.address))
            .header("Origin", app.origin())
            .json(&json!({ "kind": "view", "visit": visit() }))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(post().await.unwrap().status(), 202);
    }

    let limited = post().await.unwrap();

    assert_eq!(limited.status(), 429);
    assert!(
        limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(
        limited.json::<Value>().await.unwrap()["error"]["code"],
        "rate_limited"
    );
    assert_eq!(
        app.count_rows("events").await,
        3,
        "the limited request stored nothing"
    );
}
