//! The web chat's widget API: a visitor starts their conversation, writes in it, and reads what
//! was written since the last message the widget saw. Routed (behind the origin check and the
//! rate limit) by `widget_api`.
//!
//! The conversation token travels in a header of its own (`X-Ferry-Conversation`), not in the
//! URL, so it stays out of access logs and `Referer`s. Without the header the answer is 401,
//! with one that is not a token's shape 400; a token that opens no conversation of the site is
//! 404 whether it never existed or belongs to another site, so answers never tell which tokens
//! exist.

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use ferry_wire::{
    CONVERSATION_HEADER, ChatAuthor, ChatMessage, ChatMessages, ChatStatus, ConversationStarted,
    SendMessage, StartConversation,
};
use serde::Deserialize;

use super::openapi::{NOT_JSON, ORIGIN, RATE_LIMITED, STORAGE, schemas as doc};
use super::{
    AppState,
    extract::{AppJson, AppQuery},
    widget_identity,
};
use crate::config::SiteSettings;
use crate::domain::{Attribution, ConversationToken, rfc3339};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::store::{
    Conversation, Message, MessageAuthor, MessageStatus, NewConversation, NewMessage, Place,
};

/// The longest message a visitor may write, in characters: Messenger's limit, the shortest of
/// the platforms the conversation may move to.
pub(super) const MAX_TEXT_CHARS: usize = 2000;
/// The longest client key, in characters: a client key has a link-safe value's shape
/// (`ferry_wire::refs::is_link_safe`), which the widget already knows how to make.
const MAX_CLIENT_KEY_CHARS: usize = ferry_wire::refs::MAX_LEN;
/// Messages per history page.
const PAGE: u32 = 100;

/// Start the visitor's web conversation.
///
/// Call it just before the visitor's first message; keep the token and send it as
/// `X-Ferry-Conversation` from then on. With a customer `token`, the conversation is the
/// customer's; with `resume` too, the answer opens the customer's open conversation on this
/// device (404 `conversation_not_found` if they have none) and nothing is started.
#[utoipa::path(
    post,
    path = "/api/widget/{site}/conversations",
    tag = "widget",
    operation_id = "start_conversation",
    params(doc::SitePath, doc::OriginHeader),
    request_body = doc::StartConversation,
    responses(
        (status = 201, description = "Started", body = doc::ConversationStarted),
        (status = 400, body = ErrorBody, description = "`invalid_json`, `invalid_visit`, or \
            `customer_token_required` (`resume` without `token`)."),
        (status = 401, body = ErrorBody, description = super::openapi::BAD_TOKEN),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = "`unknown_site`, or (with `resume`) \
            `conversation_not_found`: the customer has no open conversation."),
        (status = 415, body = ErrorBody, description = NOT_JSON),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
pub(super) async fn start(
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppJson(request): AppJson<StartConversation>,
) -> ApiResult<Response> {
    let site = state.site(&site)?;
    let attribution = Attribution::from_visit(&request.visit)?;
    // A bad customer token refuses the whole request, as for intents: the widget then starts
    // the conversation without it.
    let customer_id = match request.token.as_deref() {
        Some(token) => Some(
            widget_identity::verify(&state, site, token)
                .await?
                .customer_id,
        ),
        None => None,
    };
    let token = ConversationToken::generate();
    let started = ConversationStarted {
        token: token.as_str().to_owned(),
    };
    if request.resume {
        let Some(customer_id) = customer_id else {
            return Err(ApiError::bad_request(
                "customer_token_required",
                "resume needs the customer's token: only a customer's conversation follows them",
            ));
        };
        let now = state.clock.now();
        return match state
            .store
            .resume_conversation(&site.id, &customer_id, &token.hash(), now)
            .await?
        {
            Some(_) => Ok((StatusCode::CREATED, Json(started)).into_response()),
            None => Err(not_found()),
        };
    }
    state
        .store
        .start_conversation(&NewConversation {
            site: site.id.clone(),
            token_hash: Some(token.hash()),
            customer_id,
            subscriber_id: None,
            place: Place::Web,
            attribution: Some(attribution),
            at: state.clock.now(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(started)).into_response())
}

/// Write in the conversation.
///
/// Sending a `client_key` again (after a lost answer) adds nothing and answers the message it
/// added.
#[utoipa::path(
    post,
    path = "/api/widget/{site}/conversation/messages",
    tag = "widget",
    operation_id = "send_chat_message",
    params(doc::SitePath, doc::OriginHeader, doc::ConversationHeader),
    request_body = doc::SendMessage,
    responses(
        (status = 201, description = "Added (or added before, for a repeated `client_key`)",
            body = doc::ChatMessage),
        (status = 400, body = ErrorBody, description = "`invalid_json`, `invalid_message`, \
            `invalid_client_key` or `invalid_conversation_token`."),
        (status = 401, body = ErrorBody, description = TOKEN_REQUIRED),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = CONVERSATION_NOT_FOUND),
        (status = 415, body = ErrorBody, description = NOT_JSON),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
pub(super) async fn send(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    AppJson(request): AppJson<SendMessage>,
) -> ApiResult<Response> {
    let site = state.site(&site)?;
    let text = chat_text(&request.text)?;
    let client_key = client_key(&request.client_key)?;
    let conversation = conversation(&state, site, &headers).await?;
    let message = NewMessage {
        author: MessageAuthor::Visitor,
        operator: None,
        place: Place::Web,
        body: text,
        status: MessageStatus::Received,
        client_key: Some(client_key),
        at: state.clock.now(),
    };
    let added = state
        .store
        .add_message(&site.id, conversation.id, &message)
        .await?
        .ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(view(&added))).into_response())
}

/// `?after=` of the history.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct After {
    /// The last seq the widget has; 0 (the default) for the whole conversation.
    #[serde(default)]
    after: i64,
}

/// Read the conversation after the last message the widget has.
#[utoipa::path(
    get,
    path = "/api/widget/{site}/conversation/messages",
    tag = "widget",
    operation_id = "chat_messages",
    params(doc::SitePath, doc::OriginHeader, doc::ConversationHeader, doc::AfterQuery),
    responses(
        (status = 200, description = "Up to 100 messages after `after`, in order",
            body = doc::ChatMessages),
        (status = 400, body = ErrorBody, description = "`invalid_query` or \
            `invalid_conversation_token`."),
        (status = 401, body = ErrorBody, description = TOKEN_REQUIRED),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = CONVERSATION_NOT_FOUND),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
pub(super) async fn history(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
    AppQuery(After { after }): AppQuery<After>,
) -> ApiResult<Json<ChatMessages>> {
    let site = state.site(&site)?;
    if after < 0 {
        return Err(ApiError::bad_request(
            "invalid_query",
            "after is the last seq the widget has: 0 or more",
        ));
    }
    let conversation = conversation(&state, site, &headers).await?;
    let messages = state
        .store
        .messages_after(&site.id, conversation.id, after, PAGE)
        .await?;
    Ok(Json(ChatMessages {
        messages: messages.iter().map(view).collect(),
    }))
}

/// 404 of the chat operations that take a token.
pub(super) const CONVERSATION_NOT_FOUND: &str = "`unknown_site`, or `conversation_not_found`: the token \
opens no conversation of this site.";
/// 401 of the chat operations that take a token.
pub(super) const TOKEN_REQUIRED: &str =
    "`conversation_token_required`: no `X-Ferry-Conversation` header.";

fn not_found() -> ApiError {
    ApiError::not_found(
        "conversation_not_found",
        "no conversation of this site has this token; start one",
    )
}

/// The conversation the request's token opens.
pub(super) async fn conversation(
    state: &AppState,
    site: &SiteSettings,
    headers: &HeaderMap,
) -> ApiResult<Conversation> {
    let header = headers.get(CONVERSATION_HEADER).ok_or_else(|| {
        ApiError::unauthorized(
            "conversation_token_required",
            "send the conversation's token as X-Ferry-Conversation",
        )
    })?;
    let token = header
        .to_str()
        .ok()
        .and_then(ConversationToken::parse)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_conversation_token",
                "X-Ferry-Conversation must be the token the conversation was started with",
            )
        })?;
    state
        .store
        .find_conversation_by_token(&site.id, &token.hash())
        .await?
        .ok_or_else(not_found)
}

/// What anyone may write in a conversation (a visitor, an operator, a helpdesk): some visible
/// text, at most `MAX_TEXT_CHARS` characters, no control characters but line breaks and tabs.
pub(in crate::http) fn chat_text(text: &str) -> ApiResult<String> {
    let invalid = |why: &str| ApiError::bad_request("invalid_message", why.to_owned());
    // Whitespace as JavaScript counts it, U+FEFF included, so the document's pattern agrees.
    if text.chars().all(|c| c.is_whitespace() || c == '\u{feff}') {
        return Err(invalid("the message is empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(invalid(&format!(
            "a message may be at most {MAX_TEXT_CHARS} characters"
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid("the message holds control characters"));
    }
    Ok(text.to_owned())
}

/// A client key: 1 to `MAX_CLIENT_KEY_CHARS` of `A-Z a-z 0-9 - _`.
pub(in crate::http) fn client_key(key: &str) -> ApiResult<String> {
    if !ferry_wire::refs::is_link_safe(key) {
        return Err(ApiError::bad_request(
            "invalid_client_key",
            format!(
                "client_key must be 1-{MAX_CLIENT_KEY_CHARS} characters of A-Z, a-z, 0-9, - and _"
            ),
        ));
    }
    Ok(key.to_owned())
}

/// A stored message as the widget shows it.
pub(super) fn view(message: &Message) -> ChatMessage {
    ChatMessage {
        seq: message.seq,
        author: match message.author {
            MessageAuthor::Visitor => ChatAuthor::Visitor,
            MessageAuthor::Operator => ChatAuthor::Operator,
            MessageAuthor::System => ChatAuthor::System,
        },
        text: message.body.clone(),
        at: rfc3339(message.created_at),
        status: match message.status {
            MessageStatus::Received => ChatStatus::Received,
            MessageStatus::Pending => ChatStatus::Pending,
            MessageStatus::Sent => ChatStatus::Sent,
            MessageStatus::Failed => ChatStatus::Failed,
        },
        channel: message.place.as_str().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_refused_when_empty_too_long_or_holding_control_characters() {
        let too_long = "a".repeat(MAX_TEXT_CHARS + 1);
        for text in [
            "",
            "  \n\t ",
            "\u{feff}\u{a0}",
            too_long.as_str(),
            "bell\u{7}",
            "nul\0",
        ] {
            assert!(chat_text(text).is_err(), "{text:?}");
        }
        let longest = "\u{1F44B}".repeat(MAX_TEXT_CHARS);
        for text in ["Hello", "two\nlines\r\n\tand a tab", longest.as_str()] {
            assert_eq!(chat_text(text).unwrap(), text);
        }
    }

    #[test]
    fn a_client_key_is_short_and_plain() {
        for key in ["", "has space", "ü", &"k".repeat(MAX_CLIENT_KEY_CHARS + 1)] {
            assert!(client_key(key).is_err(), "{key:?}");
        }
        assert!(client_key("01JD3Z8W-msg_1").is_ok());
    }
}
