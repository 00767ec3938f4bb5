//! Prometheus metrics: what the relay counts, and `GET /metrics` in the text format.
//!
//! Counters and histograms go through the `metrics` facade; one process-wide Prometheus
//! recorder renders them. HTTP traffic is counted by matched route (not raw path, to keep the
//! number of series small) and status.
//!
//! | metric | labels |
//! |---|---|
//! | `ferry_http_requests_total` | `route`, `method`, `status` |
//! | `ferry_http_request_duration_seconds` (histogram) | `route` |
//! | `ferry_inbound_events_total` — new webhook events stored | `platform` |
//! | `ferry_inbound_processed_total` | `outcome` (`ok`, `failed`) |
//! | `ferry_subscriptions_total` — new subscribers | `platform` |
//! | `ferry_outbound_messages_total` | `platform`, `result` (`sent`, `retry`, `failed`) |
//! | `ferry_merchant_webhooks_total` | `result` |
//! | `ferry_live_connections` (gauge) — open live streams (web chat and inbox) | `stream` |

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::store::DeliveryResult;

/// The process-wide recorder, installed on first use (tests build many apps in one process).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding program's); ours still renders.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Installs the recorder so counts start with the first request.
pub fn init() {
    handle();
}

/// `GET /metrics`
pub async fn render() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
}

/// Middleware counting every request by matched route and status.
pub async fn track_http(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("ferry_http_request_duration_seconds", "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("ferry_http_requests_total", "route" => route, "method" => method, "status" => status).increment(1);
    response
}

/// Counts the result of one delivery attempt to a subscriber.
pub fn outbound(platform: &'static str, result: &DeliveryResult) {
    metrics::counter!("ferry_outbound_messages_total", "platform" => platform, "result" => result_name(result)).increment(1);
}

/// Counts the result of one merchant webhook attempt.
pub fn merchant_webhook(result: &DeliveryResult) {
    metrics::counter!("ferry_merchant_webhooks_total", "result" => result_name(result))
        .increment(1);
}

fn result_name(result: &DeliveryResult) -> &'static str {
    match result {
        DeliveryResult::Sent { .. } => "sent",
        DeliveryResult::Retry { .. } => "retry",
        DeliveryResult::Failed { .. } => "failed",
    }
}

/// A live stream of `stream` (`chat`, `inbox`) opened.
pub fn live_connection_opened(stream: &'static str) {
    metrics::gauge!("ferry_live_connections", "stream" => stream).increment(1.0);
}

/// A live stream of `stream` closed.
pub fn live_connection_closed(stream: &'static str) {
    metrics::gauge!("ferry_live_connections", "stream" => stream).decrement(1.0);
}
