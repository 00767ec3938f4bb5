//! The demo shop's stand-in for a merchant backend: signs customer tokens as a real shop's
//! server would (HS256 with the site's identity secret), so the sign-in, checkout and linking
//! flows can be clicked through without a real shop. Sandbox mode only.

use std::sync::Arc;

use axum::{Json, extract::State};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Sandbox;
use crate::domain::now_millis;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::AppJson;

/// Body of `POST /sandbox/api/demo/sign-in`.
#[derive(Deserialize)]
pub(super) struct SignIn {
    site: String,
    email: String,
    name: Option<String>,
    order_id: Option<String>,
}

/// Issues a 15-minute token for the customer with this email (same email, same customer id).
pub(super) async fn sign_in(
    State(sandbox): State<Arc<Sandbox>>,
    AppJson(request): AppJson<SignIn>,
) -> ApiResult<Json<Value>> {
    let site = sandbox
        .settings
        .site(&request.site)
        .ok_or_else(|| ApiError::not_found("unknown_site", "no such site"))?;
    let secret = site
        .identity
        .as_ref()
        .and_then(|identity| identity.hs256_secret.as_ref())
        .ok_or_else(|| {
            ApiError::bad_request(
                "identity_not_configured",
                "the site has no HS256 identity secret",
            )
        })?;
    let email = request.email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 200 {
        return Err(ApiError::bad_request(
            "invalid_email",
            "enter an email address",
        ));
    }
    let customer_id = format!(
        "cus_{}",
        &hex::encode(Sha256::digest(email.as_bytes()))[..12]
    );
    let now = now_millis() / 1000;
    let mut claims =
        json!({ "sub": customer_id, "aud": site.id, "iat": now, "exp": now + 900, "email": email });
    if let Some(name) = request
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        claims["name"] = name.into();
    }
    if let Some(order) = request
        .order_id
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        claims["order_id"] = order.into();
    }
    let key = jsonwebtoken::EncodingKey::from_secret(secret.expose().as_bytes());
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &key,
    )
    .map_err(|e| ApiError::bad_request("signing_failed", e.to_string()))?;
    Ok(Json(json!({ "token": token, "customer_id": customer_id })))
}
