//! Platforms that fail on demand: a chat can be told to answer its next sends with a rate limit,
//! a server error, a timeout, a block or a platform error code, so every delivery path — retry,
//! back-off, give up, unsubscribe — can be tried in the demo and tested.
//!
//! Failures are scripted per platform and recipient and served in order, one per send the
//! platform would otherwise accept; once a chat's script is used up the platform behaves
//! normally again. Each stand-in writes a failure in its platform's wire format
//! (`StandIn::failure`); a timeout is the same everywhere: no answer at all.

use std::collections::{HashMap, VecDeque};

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Sandbox, phone};
use crate::domain::ChannelKind;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::AppJson;

/// One way a platform's send API can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// Too many requests: 429 with `retry_after` seconds where the platform says it.
    RateLimited {
        /// Seconds the platform asks to wait.
        retry_after: u64,
    },
    /// The platform's servers failed (5xx).
    ServerError,
    /// No answer at all: the relay's request times out.
    Timeout,
    /// The person blocked the bot or cannot be reached (Telegram 403, Graph 551 / 131026).
    Blocked,
    /// A platform error with this code (a Graph API code such as WhatsApp's 131047 or 131056;
    /// Telegram answers 400 with it in the description).
    Code {
        /// The platform's error code.
        code: i64,
    },
}

impl Failure {
    /// A short name for logs and recorded requests.
    pub fn name(self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "rate_limited",
            Self::ServerError => "server_error",
            Self::Timeout => "timeout",
            Self::Blocked => "blocked",
            Self::Code { .. } => "code",
        }
    }
}

/// Scripted failures by (platform, recipient).
#[derive(Debug, Default)]
pub(super) struct Scripts {
    queued: HashMap<(ChannelKind, String), VecDeque<Failure>>,
}

impl Scripts {
    pub(super) fn add(&mut self, channel: ChannelKind, recipient: &str, failures: &[Failure]) {
        self.queued
            .entry((channel, recipient.to_owned()))
            .or_default()
            .extend(failures);
    }

    pub(super) fn next(&mut self, channel: ChannelKind, recipient: &str) -> Option<Failure> {
        let key = (channel, recipient.to_owned());
        let queue = self.queued.get_mut(&key)?;
        let failure = queue.pop_front();
        if queue.is_empty() {
            self.queued.remove(&key);
        }
        failure
    }
}

impl Sandbox {
    /// Makes the next sends to `recipient` on `channel` fail, in this order.
    pub fn fail_next_sends(&self, channel: ChannelKind, recipient: &str, failures: &[Failure]) {
        if let Ok(mut scripts) = self.failures.lock() {
            scripts.add(channel, recipient, failures);
        }
    }

    /// The failure to serve for a send the platform would accept, if one is scripted.
    pub(super) fn take_failure(&self, channel: ChannelKind, recipient: &str) -> Option<Failure> {
        self.failures.lock().ok()?.next(channel, recipient)
    }
}

/// Body of `POST /sandbox/api/{platform}/{handle}/failures`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScriptRequest {
    /// The person's id on the platform (the phone page's user).
    user: String,
    /// What their next sends meet, in order.
    failures: Vec<Failure>,
}

/// `POST /sandbox/api/{platform}/{handle}/failures`: scripts failures for a chat of the demo.
pub(super) async fn script(
    State(sandbox): State<std::sync::Arc<Sandbox>>,
    Path((platform, handle)): Path<(String, String)>,
    AppJson(request): AppJson<ScriptRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (stand_in, _site, _account) = phone::resolve(&sandbox, &platform, &handle)?;
    let channel = stand_in.kind();
    if request.failures.is_empty() || request.failures.len() > 100 {
        return Err(ApiError::bad_request(
            "invalid_failures",
            "give 1 to 100 failures",
        ));
    }
    sandbox.fail_next_sends(channel, request.user.trim(), &request.failures);
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "scripted": request.failures.len() })),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_failures_are_served_in_order_then_the_platform_recovers() {
        let mut scripts = Scripts::default();
        scripts.add(
            ChannelKind::Telegram,
            "42",
            &[Failure::ServerError, Failure::Blocked],
        );
        assert_eq!(scripts.next(ChannelKind::Telegram, "7"), None);
        assert_eq!(scripts.next(ChannelKind::Whatsapp, "42"), None);
        assert_eq!(
            scripts.next(ChannelKind::Telegram, "42"),
            Some(Failure::ServerError)
        );
        assert_eq!(
            scripts.next(ChannelKind::Telegram, "42"),
            Some(Failure::Blocked)
        );
        assert_eq!(scripts.next(ChannelKind::Telegram, "42"), None);
    }

    #[test]
    fn failures_read_as_the_sandbox_api_takes_them() {
        let failures: Vec<Failure> = serde_json::from_str(
            r#"[{"kind":"rate_limited","retry_after":3},{"kind":"timeout"},{"kind":"code","code":131047}]"#,
        )
        .unwrap_or_default();
        assert_eq!(
            failures,
            [
                Failure::RateLimited { retry_after: 3 },
                Failure::Timeout,
                Failure::Code { code: 131_047 }
            ]
        );
    }
}
