//! The HTTP boundary's one error type and its JSON shape, `{"error":{"code","message"}}`.
//!
//! Every handler returns `Result<_, ApiError>`; this is the only place errors become responses.
//! Client errors say precisely what was wrong; storage failures say only that the service is
//! unavailable (the platforms retry on 5xx, which is what we want) and are logged here.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::channels::{PayloadError, WebhookAuthError};
use crate::domain::{AttributionError, RefError};
use crate::identity::TokenError;
use crate::links::LinkCodeError;
use crate::replies::ReplyError;
use crate::store::StoreError;

/// An error answered to an HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or a value is invalid.
    #[error("{message}")]
    BadRequest {
        /// Machine-readable code.
        code: &'static str,
        /// Human text.
        message: String,
    },
    /// 401: credentials are missing.
    #[error("{message}")]
    Unauthorized {
        /// Machine-readable code.
        code: &'static str,
        /// Human text.
        message: String,
    },
    /// 403: credentials are wrong, or the origin is not allowed.
    #[error("{message}")]
    Forbidden {
        /// Machine-readable code.
        code: &'static str,
        /// Human text.
        message: String,
    },
    /// 404: no such site, channel, route or record.
    #[error("{message}")]
    NotFound {
        /// Machine-readable code.
        code: &'static str,
        /// Human text.
        message: String,
    },
    /// 405: the route exists with other methods.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: the request conflicts with what is stored.
    #[error("{message}")]
    Conflict {
        /// Machine-readable code.
        code: &'static str,
        /// Human text.
        message: String,
    },
    /// 410: the thing existed but is no longer usable (an expired link code).
    #[error("{message}")]
    Gone {
        /// Machine-readable code.
        code: &'static str,
        /// Human text.
        message: String,
    },
    /// 422: well-formed, but the platform's rules refuse it now (a reply outside its window).
    #[error("{message}")]
    Refused {
        /// Machine-readable code.
        code: &'static str,
        /// Human text.
        message: String,
    },
    /// 408: the body did not arrive within `server.request_body_timeout_secs`.
    #[error("the request body arrived too slowly (server.request_body_timeout_secs)")]
    RequestTimeout,
    /// 413: the body is larger than `server.max_body_bytes`.
    #[error("the request body is larger than this relay accepts (server.max_body_bytes)")]
    PayloadTooLarge,
    /// 429: too many requests from this client; `Retry-After` says when to come back.
    #[error("too many requests; slow down and retry later")]
    RateLimited,
    /// 415: the body is not JSON.
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    /// 503: storage failed; the request may be retried.
    #[error("storage is unavailable")]
    Unavailable(#[from] StoreError),
    /// 503: a part of the relay is failing (`/readyz`).
    #[error("not ready: {0}")]
    NotReady(String),
}

impl ApiError {
    /// 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// 401 with a code.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unauthorized {
            code,
            message: message.into(),
        }
    }

    /// 403 with a code.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::Forbidden {
            code,
            message: message.into(),
        }
    }

    /// 404 with a code.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::NotFound {
            code,
            message: message.into(),
        }
    }

    /// 409 with a code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            Self::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, code),
            Self::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
            Self::NotFound { code, .. } => (StatusCode::NOT_FOUND, code),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            Self::Gone { code, .. } => (StatusCode::GONE, code),
            Self::Refused { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
            Self::RequestTimeout => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            Self::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable"),
            Self::NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
        }
    }
}

impl From<AttributionError> for ApiError {
    fn from(error: AttributionError) -> Self {
        Self::bad_request("invalid_visit", error.to_string())
    }
}

impl From<RefError> for ApiError {
    fn from(error: RefError) -> Self {
        Self::bad_request("invalid_ref", error.to_string())
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        Self::unauthorized(error.code(), error.to_string())
    }
}

impl From<LinkCodeError> for ApiError {
    fn from(error: LinkCodeError) -> Self {
        match error {
            LinkCodeError::NotFound => Self::not_found(
                "link_code_not_found",
                "no such link code; ask the bot for a new link",
            ),
            LinkCodeError::Expired => Self::Gone {
                code: "link_code_expired",
                message: "this link has expired; send LINK to the bot for a new one".into(),
            },
            LinkCodeError::Used => Self::conflict("link_code_used", "this link was already used"),
            LinkCodeError::Store(error) => Self::Unavailable(error),
        }
    }
}

impl From<ReplyError> for ApiError {
    fn from(error: ReplyError) -> Self {
        match error {
            ReplyError::NotFound => Self::not_found(
                "conversation_not_found",
                "this site has no such conversation",
            ),
            ReplyError::Refused { refusal, channel } => Self::Refused {
                code: refusal.code(),
                message: format!(
                    "{} cannot take this reply now: {refusal}",
                    channel.display_name()
                ),
            },
            ReplyError::Store(error) => Self::Unavailable(error),
        }
    }
}

impl From<PayloadError> for ApiError {
    fn from(error: PayloadError) -> Self {
        Self::bad_request("malformed_payload", error.to_string())
    }
}

impl From<WebhookAuthError> for ApiError {
    fn from(error: WebhookAuthError) -> Self {
        let message = error.to_string();
        match error {
            WebhookAuthError::MissingSecretToken(_) => {
                Self::unauthorized("missing_secret_token", message)
            }
            WebhookAuthError::InvalidSecretToken(_) => {
                Self::forbidden("invalid_secret_token", message)
            }
            WebhookAuthError::MissingSignature(_) => {
                Self::unauthorized("missing_signature", message)
            }
            WebhookAuthError::InvalidSignature(_) => Self::forbidden("invalid_signature", message),
            WebhookAuthError::InvalidVerifyToken(_) => {
                Self::forbidden("invalid_verify_token", message)
            }
            WebhookAuthError::NoHandshake => Self::MethodNotAllowed,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Unavailable(error) = &self {
            tracing::error!(%error, "request failed on storage");
        }
        let body = Json(ErrorBody {
            error: ErrorDetail {
                code,
                message: self.to_string(),
            },
        });
        (status, body).into_response()
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(
    as = Error,
    example = json!({"error": {"code": "subscriber_not_found", "message": "no subscriber 7 on site shop"}}),
)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable, `snake_case`; each operation lists the codes it can answer.
    code: &'static str,
    /// Human text, for logs and developers; may change.
    message: String,
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
