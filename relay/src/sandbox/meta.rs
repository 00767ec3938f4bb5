//! What the WhatsApp and Messenger stand-ins share as Meta platforms: signing webhooks with the
//! app secret, and the fake Graph API's paths, token check and error shape.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use super::stand_in::{Answer, ApiCall};
use super::{Failure, RecordedRequest};
use crate::channels::meta::{SIGNATURE_HEADER, sign};
use crate::config::Secret;
use crate::domain::ChannelKind;

/// The fake API both Meta platforms call.
pub(super) const GRAPH: &str = "graph";

/// The signature header Meta would put on `body`.
pub(super) fn signature(app_secret: &Secret, body: &[u8]) -> (&'static str, String) {
    (SIGNATURE_HEADER, sign(app_secret.expose(), body))
}

/// The object id of a `<version>/<id>/messages` call.
pub(super) fn messages_of<'a>(call: &ApiCall<'a>) -> Option<&'a str> {
    match call.path.split('/').collect::<Vec<_>>()[..] {
        [_version, id, "messages"] => Some(id),
        _ => None,
    }
}

/// Reads a `messages` call to object `id`, authorised by `token`: the recorded request and the
/// JSON body, or the answer refusing it.
pub(super) fn read(
    channel: ChannelKind,
    id: &str,
    token: &Secret,
    call: &ApiCall<'_>,
) -> Result<(RecordedRequest, Value), Box<Answer>> {
    let bearer = call
        .authorization
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or_default();
    if bearer != token.expose() {
        return Err(Box::new(Answer::refused(error(
            StatusCode::UNAUTHORIZED,
            190,
            "Invalid OAuth access token - Cannot parse access token",
        ))));
    }
    let Ok(body) = serde_json::from_slice::<Value>(call.body) else {
        return Err(Box::new(Answer::refused(error(
            StatusCode::BAD_REQUEST,
            100,
            "Invalid JSON",
        ))));
    };
    let recorded = RecordedRequest {
        channel,
        path: format!("/{id}/messages"),
        authorization: call.authorization.map(|_| "Bearer <token>".to_owned()),
        body: body.clone(),
        failure: None,
    };
    Ok((recorded, body))
}

/// Graph's answer to a call for an object it does not know.
pub(super) fn no_such_object(call: &ApiCall<'_>) -> Response {
    let id = messages_of(call).unwrap_or(call.path);
    error(
        StatusCode::BAD_REQUEST,
        100,
        &format!("Unsupported post request. Object with ID '{id}' does not exist"),
    )
}

/// A scripted failure as the Graph API answers it, with the platform's codes for a rate limit
/// and for a person who cannot be reached.
pub(super) fn failure(failure: Failure, rate_limit_code: i64, unreachable_code: i64) -> Response {
    match failure {
        Failure::RateLimited { .. } => error(
            StatusCode::BAD_REQUEST,
            rate_limit_code,
            &format!("({rate_limit_code}) Rate limit hit"),
        ),
        Failure::ServerError => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            1,
            "An unknown error occurred",
        ),
        Failure::Blocked => error(
            StatusCode::BAD_REQUEST,
            unreachable_code,
            "This person isn't available right now.",
        ),
        Failure::Code { code } => error(
            StatusCode::BAD_REQUEST,
            code,
            &format!("(#{code}) The platform refused the message"),
        ),
        Failure::Timeout => error(
            StatusCode::GATEWAY_TIMEOUT,
            2,
            "Service temporarily unavailable",
        ),
    }
}

/// A Graph API error body.
pub(super) fn error(status: StatusCode, code: i64, message: &str) -> Response {
    let body = json!({ "error": { "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "SANDBOX" } });
    (status, Json(body)).into_response()
}
