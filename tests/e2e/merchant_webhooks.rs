//! Signed webhooks to the merchant: what arrives, how it is signed, and retries until delivered.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use axum::{Router, body::Bytes, http::HeaderMap, http::StatusCode, routing::post};
use ferry_relay::config::{MerchantWebhookSettings, Secret};
use ferry_tests::{TELEGRAM_SECRET, TestApp, customer_token, fixtures, spawn_app_with};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const SECRET: &str = "whsec_demo_0123456789abcdef";

/// A merchant endpoint: answers 500 to the first `failures` deliveries, then 200, and keeps
/// every delivery whose signature verifies (the rest it counts as forged).
#[derive(Clone, Default)]
struct Receiver {
    accepted: Arc<Mutex<Vec<Value>>>,
    attempts: Arc<AtomicUsize>,
    forged: Arc<AtomicUsize>,
    failures: usize,
}

impl Receiver {
    async fn start(failures: usize) -> (Receiver, String) {
        let receiver = Receiver {
            failures,
            ..Receiver::default()
        };
        let handler = receiver.clone();
        let app = Router::new().route(
            "/ferry",
            post(move |headers: HeaderMap, body: Bytes| {
                let receiver = handler.clone();
                async move { receiver.receive(&headers, &body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/ferry", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn receive(&self, headers: &HeaderMap, body: &[u8]) -> StatusCode {
        let attempt = self.attempts.fetch_add(1, Ordering::SeqCst);
        if !verify(headers, body) {
            self.forged.fetch_add(1, Ordering::SeqCst);
            return StatusCode::BAD_REQUEST;
        }
        if attempt < self.failures {
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        self.accepted
            .lock()
            .unwrap()
            .push(serde_json::from_slice(body).unwrap());
        StatusCode::OK
    }

    fn types(&self) -> Vec<String> {
        self.accepted
            .lock()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// What a merchant's receiver does: recompute the HMAC over "<t>.<body>" and refuse old `t`.
fn verify(headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(header) = headers.get("ferry-signature").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = header.split(',');
    let (Some(t), Some(v1)) = (
        parts.next().and_then(|p| p.strip_prefix("t=")),
        parts.next().and_then(|p| p.strip_prefix("v1=")),
    ) else {
        return false;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if t.parse::<i64>().map_or(true, |t| (now - t).abs() > 300) {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::decode(v1).is_ok_and(|sig| mac.verify_slice(&sig).is_ok())
}

async fn app_sending_to(url: String) -> TestApp {
    spawn_app_with(move |settings| {
        settings.sites[0].webhook = Some(MerchantWebhookSettings {
            url,
            secret: Secret::new(SECRET),
        });
    })
    .await
}

#[tokio::test]
async fn subscriber_events_reach_the_merchant_signed_over_timestamp_and_body() {
    // Arrange
    let (receiver, url) = Receiver::start(0).await;
    let app = app_sending_to(url).await;
    let reference = fixtures::token();
    app.create_vouched_intent(
        "telegram",
        &reference,
        &customer_token("cus_ann", "ann@example.com", Some("NW-1")),
    )
    .await;

    // Act: subscribe (created + linked), unlink, stop
    app.post_telegram(
        &fixtures::telegram_start(1, 501, &reference),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;
    let id = app.subscribers("").await[0]["id"].as_i64().unwrap();
    app.merchant(
        reqwest::Method::POST,
        &format!("/v1/subscribers/{id}/unlink"),
    )
    .await;
    app.post_telegram(
        &fixtures::telegram_text(2, 501, "STOP"),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;

    // Assert
    assert_eq!(receiver.forged.load(Ordering::SeqCst), 0);
    assert_eq!(
        receiver.types(),
        [
            "subscriber.created",
            "subscriber.linked",
            "subscriber.unlinked",
            "subscriber.unsubscribed"
        ]
    );
    let linked = receiver.accepted.lock().unwrap()[1].clone();
    assert_eq!(linked["site"], "demo");
    assert!(linked["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(linked["data"]["subscriber"]["customer"]["id"], "cus_ann");
    assert_eq!(linked["data"]["subscriber"]["order_ids"][0], "NW-1");
}

#[tokio::test]
async fn a_failing_receiver_gets_retries_and_nothing_is_lost() {
    // Arrange: the endpoint fails twice
    let (receiver, url) = Receiver::start(2).await;
    let app = app_sending_to(url).await;
    app.post_telegram(
        &fixtures::telegram_start(1, 501, &fixtures::token()),
        Some(TELEGRAM_SECRET),
    )
    .await;

    // Act: each retry is scheduled with backoff; make it due instead of waiting for it
    app.drain().await;
    assert!(receiver.types().is_empty());
    for _ in 0..2 {
        app.clock.advance_secs(3600);
        app.drain().await;
    }

    // Assert
    assert_eq!(receiver.attempts.load(Ordering::SeqCst), 3);
    assert_eq!(receiver.types(), ["subscriber.created"]);
    assert_eq!(
        app.count_rows("merchant_webhooks WHERE status = 'delivered'")
            .await,
        1
    );
}

#[tokio::test]
async fn without_a_webhook_endpoint_nothing_is_queued() {
    let app = spawn_app_with(|_| {}).await;
    app.post_telegram(
        &fixtures::telegram_start(1, 501, &fixtures::token()),
        Some(TELEGRAM_SECRET),
    )
    .await;
    app.drain().await;
    assert_eq!(app.count_rows("merchant_webhooks").await, 0);
}

#[tokio::test]
async fn a_person_who_blocked_the_bot_is_announced_as_unsubscribed() {
    let (receiver, url) = Receiver::start(0).await;
    let app = app_sending_to(url).await;
    app.state.sandbox.as_ref().unwrap().fail_next_sends(
        ferry_relay::domain::ChannelKind::Telegram,
        "501",
        &[ferry_relay::sandbox::Failure::Blocked],
    );
    app.post_telegram(
        &fixtures::telegram_start(1, 501, &fixtures::token()),
        Some(TELEGRAM_SECRET),
    )
    .await;

    app.drain().await;

    assert_eq!(
        receiver.types(),
        ["subscriber.created", "subscriber.unsubscribed"]
    );
    let unsubscribed = receiver.accepted.lock().unwrap()[1].clone();
    assert_eq!(unsubscribed["data"]["subscriber"]["status"], "unsubscribed");
}
