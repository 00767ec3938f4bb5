//! Extractors whose rejections speak the API's JSON error shape.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Query, Request, rejection::BytesRejection},
    http::{StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{AppState, server::BodyTimedOut};
use crate::config::SiteSettings;
use crate::error::ApiError;

/// The raw request body, within `server.max_body_bytes` (webhook signatures are checked on it).
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(request, state)
            .await
            .map(RawBody)
            .map_err(|rejection| body_rejection(&rejection))
    }
}

fn body_rejection(rejection: &BytesRejection) -> ApiError {
    let timed_out = std::iter::successors(std::error::Error::source(rejection), |e| e.source())
        .any(|cause| cause.is::<BodyTimedOut>());
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else if timed_out {
        ApiError::RequestTimeout
    } else {
        ApiError::bad_request("unreadable_body", rejection.body_text())
    }
}

/// A JSON body deserialised into `T`.
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let RawBody(bytes) = RawBody::from_request(request, state).await?;
        // serde would also read a struct from a JSON array of its fields; bodies are objects.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::bad_request(
                "invalid_json",
                "the JSON body must be an object",
            ));
        }
        serde_json::from_slice(&bytes).map(AppJson).map_err(|e| {
            ApiError::bad_request("invalid_json", format!("the JSON body is invalid: {e}"))
        })
    }
}

/// Query parameters deserialised into `T`.
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Query::try_from_uri(&parts.uri)
            .map(|Query(value)| AppQuery(value))
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
    }
}

/// The site whose API key authorised the request (`Authorization: Bearer <key>`).
pub struct MerchantSite(pub SiteSettings);

impl FromRequestParts<AppState> for MerchantSite {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized(
                "missing_api_key",
                "send the site's API key as Authorization: Bearer <key>",
            )
        })?;
        let key = header
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "missing_api_key",
                    "the Authorization header must be Bearer <key>",
                )
            })?;
        let hash: [u8; 32] = Sha256::digest(key.trim().as_bytes()).into();
        // Compare against every site in constant time so timing reveals nothing about keys.
        let mut found = None;
        for (site_id, expected) in state.api_keys.iter() {
            if bool::from(hash.ct_eq(expected)) {
                found = Some(site_id);
            }
        }
        let site = found
            .and_then(|id| state.settings.site(id))
            .ok_or_else(|| ApiError::unauthorized("invalid_api_key", "the API key is not valid"))?;
        Ok(MerchantSite(site.clone()))
    }
}
