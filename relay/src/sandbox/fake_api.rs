//! The fake platform APIs the relay sends through in sandbox mode: each call goes to the
//! stand-in of the account it is addressed to, which checks it as the platform would, answers in
//! the platform's wire format and says what to record and show on the phone.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};

use super::stand_in::ApiCall;
use super::{Failure, Sandbox};
use super::{serving, stand_in_for};
use crate::error::ApiError;
use crate::http::extract::RawBody;

/// `POST /sandbox/platform/{api}/{*path}`
pub(super) async fn call(
    State(sandbox): State<Arc<Sandbox>>,
    Path((api, path)): Path<(String, String)>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Response {
    let Some(first) = serving(&api).next() else {
        return ApiError::not_found("not_found", "no such endpoint").into_response();
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let call = ApiCall {
        path: path.trim_start_matches('/'),
        authorization,
        body: &body,
    };
    let accounts = sandbox
        .settings
        .sites
        .iter()
        .flat_map(|site| site.accounts());
    for account in accounts {
        let Some(stand_in) = stand_in_for(account.kind()).filter(|s| s.api() == api) else {
            continue;
        };
        let Some(mut answer) = stand_in.answer(account, &call, &|| sandbox.next()) else {
            continue;
        };
        let failure = answer
            .delivered
            .as_ref()
            .and_then(|message| sandbox.take_failure(account.kind(), &message.to));
        if let Some(mut recorded) = answer.recorded {
            recorded.failure = failure;
            sandbox.record_request(recorded);
        }
        if let Some(failure) = failure {
            tracing::info!(
                platform = account.kind().as_str(),
                failure = failure.name(),
                "sandbox platform fails a send as scripted"
            );
            if failure == Failure::Timeout {
                // Hold the request until the relay gives up on it and closes the connection.
                std::future::pending::<()>().await;
            }
            answer.delivered = None;
            answer.response = stand_in.failure(failure);
        }
        if let Some(message) = answer.delivered {
            let chat = (account.kind(), account.handle().to_owned(), message.to);
            sandbox.append(chat, "bot", message.text, message.buttons);
        }
        return answer.response;
    }
    first.no_such_account(&call)
}
