//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the database answers)
//! and `/metrics` (Prometheus text, see `crate::metrics`).

use axum::{Json, Router, extract::State, routing::get};
use serde_json::{Value, json};

use super::AppState;
use crate::error::{ApiError, ApiResult};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::render))
}

/// The process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "Up", body = super::openapi::schemas::HealthStatus,
        example = json!({"status": "ok"}))),
)]
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = super::openapi::schemas::HealthStatus,
            example = json!({"status": "ready"})),
        (status = 503, body = crate::error::ErrorBody, description = "`storage_unavailable` \
            (the database does not answer) or `not_ready` (a part of the relay keeps failing; \
            the message says which)."),
    ),
)]
async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.store.ping().await?;
    let problems = state.health.problems();
    if !problems.is_empty() {
        return Err(ApiError::NotReady(problems.join("; ")));
    }
    Ok(Json(json!({ "status": "ready" })))
}
