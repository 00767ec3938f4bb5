//! Operations endpoints: `/healthz` (the process answers) and `/readyz` (the database answers).

use axum::{Json, Router, extract::State, routing::get};
use serde_json::{Value, json};

use super::AppState;
use crate::error::ApiResult;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.store.ping().await?;
    Ok(Json(json!({ "status": "ready" })))
}
