//! Merchant API: conversations (`/v1/conversations`), so a merchant can answer from their own
//! helpdesk: list them, read one with its messages, and reply within the platforms' rules.
//!
//! A reply goes through `replies::reply` as a person's (a helpdesk agent types it), exactly as
//! the inbox's does. `Idempotency-Key` makes a retried reply safe: the same key with the same
//! text answers the first reply; with another text it is `409 idempotency_key_reused`.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    AppState, conversation_cursor,
    extract::{AppJson, AppQuery, MerchantSite},
    openapi::{AUTH_THROTTLED, NO_API_KEY, STORAGE, schemas as doc},
};
use crate::domain::{Author, rfc3339};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::replies::{self, Replier};
use crate::store::{
    Conversation, ConversationFilter, ConversationId, ConversationStatus, Message, Place,
};

/// The name replies sent through the API carry as their operator.
pub const API_OPERATOR: &str = "api";
/// Messages `GET /v1/conversations/{id}` returns at most (the latest).
const HISTORY: u32 = 500;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/conversations", get(list))
        .route("/v1/conversations/{id}", get(show))
        .route("/v1/conversations/{id}/messages", post(reply))
}

/// Query of `GET /v1/conversations`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `open` or `closed`; both when absent.
    #[param(pattern = "^(open|closed)$")]
    status: Option<String>,
    /// Where it continues now: `web` or a messenger's name.
    #[param(pattern = "^[a-z]{1,16}$")]
    channel: Option<String>,
    /// Only this customer's (the token's `sub`).
    #[param(max_length = 256)]
    customer_id: Option<String>,
    /// Only those with activity at or after: RFC 3339 time or `YYYY-MM-DD`.
    #[param(value_type = Option<doc::TimeBound>)]
    updated_since: Option<String>,
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}\\.[0-9]{1,18}$")]
    cursor: Option<String>,
}

/// A conversation.
#[derive(Debug, Serialize, ToSchema)]
struct ConversationView {
    /// Its id.
    id: i64,
    /// Where it continues now: `web` or a messenger's name.
    channel: String,
    /// `open` or `closed`.
    status: String,
    /// The merchant's customer, when the page vouched for the visitor.
    #[schema(required = true)]
    customer_id: Option<String>,
    /// The subscriber, once it continues in a messenger.
    #[schema(required = true)]
    subscriber_id: Option<i64>,
    /// Where the visitor came from (campaign, page…), as subscribers' attribution.
    #[schema(value_type = Option<Object>, required = true)]
    attribution: Option<serde_json::Value>,
    /// Visitor messages no operator has read.
    unread: i64,
    /// When it began, RFC 3339.
    created_at: String,
    /// Its latest activity, RFC 3339.
    updated_at: String,
}

/// One message of a conversation.
#[derive(Debug, Serialize, ToSchema)]
struct MessageView {
    /// Its number in the conversation: 1, 2, 3…
    seq: i64,
    /// `visitor`, `operator` or `system`.
    author: String,
    /// The operator's login (`api` for replies sent through this API).
    #[schema(required = true)]
    operator: Option<String>,
    /// What was written.
    text: String,
    /// `received`, `pending`, `sent` or `failed`.
    status: String,
    /// Where it was written or delivered: `web` or a messenger's name.
    channel: String,
    /// When, RFC 3339.
    at: String,
}

/// One page of conversations, latest activity first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ConversationPage)]
struct Page {
    data: Vec<ConversationView>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// A conversation with its messages.
#[derive(Debug, Serialize, ToSchema)]
struct ConversationWithMessages {
    #[serde(flatten)]
    conversation: ConversationView,
    /// Its latest messages (up to 500), in order.
    messages: Vec<MessageView>,
}

/// A reply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewReply {
    /// What to say: some visible text, at most 2000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    text: String,
}

/// List conversations.
///
/// Latest activity first; the filters combine. A full page carries `next_cursor`.
#[utoipa::path(
    get,
    path = "/v1/conversations",
    tag = "merchant",
    security(("site_api_key" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of conversations", body = Page),
        (status = 400, body = ErrorBody, description = "`invalid_status`, `invalid_channel`, \
            `invalid_time`, `invalid_limit`, `invalid_cursor` or `invalid_query`."),
        (status = 401, body = ErrorBody, description = NO_API_KEY),
        (status = 429, body = ErrorBody, description = AUTH_THROTTLED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
async fn list(
    State(state): State<AppState>,
    MerchantSite(site): MerchantSite,
    AppQuery(query): AppQuery<ListQuery>,
) -> ApiResult<Json<Page>> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            "limit must be between 1 and 200",
        ));
    }
    let filter = ConversationFilter {
        status: match query.status.as_deref() {
            None => None,
            Some(status) => Some(ConversationStatus::parse(status).ok_or_else(|| {
                ApiError::bad_request("invalid_status", "status is open or closed")
            })?),
        },
        place: match query.channel.as_deref() {
            None => None,
            Some(name) => Some(Place::parse(name).ok_or_else(|| {
                ApiError::bad_request("invalid_channel", format!("unknown channel {name:?}"))
            })?),
        },
        customer_id: query.customer_id.filter(|id| !id.is_empty()),
        updated_since: query
            .updated_since
            .as_deref()
            .map(|t| super::merchant::parse_time("updated_since", t))
            .transpose()?,
        before: match query.cursor.as_deref() {
            Some(text) => Some(conversation_cursor::decode(text).ok_or_else(|| {
                ApiError::bad_request("invalid_cursor", "pass the next_cursor of a page")
            })?),
            None => None,
        },
        limit,
    };
    let found = state
        .store
        .list_conversations(std::slice::from_ref(&site.id), &filter)
        .await?;
    let next_cursor = (found.len() == limit as usize)
        .then(|| {
            found
                .last()
                .map(|s| conversation_cursor::encode(&s.conversation))
        })
        .flatten();
    Ok(Json(Page {
        data: found
            .iter()
            .map(|s| view(&s.conversation, s.unread))
            .collect(),
        next_cursor,
    }))
}

/// Get a conversation with its messages.
#[utoipa::path(
    get,
    path = "/v1/conversations/{id}",
    tag = "merchant",
    security(("site_api_key" = [])),
    params(("id" = i64, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "The conversation", body = ConversationWithMessages),
        (status = 401, body = ErrorBody, description = NO_API_KEY),
        (status = 404, body = ErrorBody, description = NOT_FOUND),
        (status = 429, body = ErrorBody, description = AUTH_THROTTLED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
async fn show(
    State(state): State<AppState>,
    MerchantSite(site): MerchantSite,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationWithMessages>> {
    let conversation = find(&state, &site.id, &id).await?;
    let after = (conversation.last_seq - i64::from(HISTORY)).max(0);
    let messages = state
        .store
        .messages_after(&site.id, conversation.id, after, HISTORY)
        .await?;
    Ok(Json(ConversationWithMessages {
        conversation: view(&conversation, conversation.unread_in(&messages)),
        messages: messages.iter().map(message_view).collect(),
    }))
}

/// Reply to a conversation.
///
/// Into the web chat while the conversation is there, else to the visitor's messenger within
/// its rules (Telegram: until blocked; WhatsApp: 24 hours after the visitor's last message;
/// Messenger: 24 hours, then 7 days with the `HUMAN_AGENT` tag). A reply the rules refuse is
/// 422 with the reason, and nothing is stored or sent. The message's `status` follows the
/// delivery (`pending`, then `sent` or `failed`).
#[utoipa::path(
    post,
    path = "/v1/conversations/{id}/messages",
    tag = "merchant",
    security(("site_api_key" = [])),
    params(
        ("id" = i64, Path, description = "The conversation's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "1-64 of `A-Z a-z 0-9 - _`: \
            the same key answers the first reply instead of sending another", pattern = "^[A-Za-z0-9_-]{1,64}$"),
    ),
    request_body = NewReply,
    responses(
        (status = 201, description = "Replied (or, with a key seen before, the first reply)",
            body = MessageView),
        (status = 400, body = ErrorBody, description = "`invalid_json`, `invalid_message` or \
            `invalid_idempotency_key`."),
        (status = 401, body = ErrorBody, description = NO_API_KEY),
        (status = 404, body = ErrorBody, description = NOT_FOUND),
        (status = 409, body = ErrorBody, description = "`idempotency_key_reused`: the key was \
            used for a different text."),
        (status = 415, body = ErrorBody, description = super::openapi::NOT_JSON),
        (status = 422, body = ErrorBody, description = "`reply_window_closed`, \
            `recipient_blocked` or `recipient_never_wrote`: the platform's rules refuse it now."),
        (status = 429, body = ErrorBody, description = AUTH_THROTTLED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
async fn reply(
    State(state): State<AppState>,
    MerchantSite(site): MerchantSite,
    Path(id): Path<String>,
    headers: HeaderMap,
    AppJson(body): AppJson<NewReply>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let text = super::widget_chat::chat_text(&body.text)?;
    let key = match headers.get("idempotency-key") {
        Some(value) => value
            .to_str()
            .ok()
            .filter(|key| ferry_wire::refs::is_link_safe(key))
            .map(|key| format!("api-{key}"))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key is 1-64 characters of A-Z, a-z, 0-9, - and _",
                )
            })?,
        None => format!("api-{:032x}", rand::random::<u128>()),
    };
    let conversation = find(&state, &site.id, &id).await?;
    let replier = Replier {
        login: API_OPERATOR.to_owned(),
        author: Author::Human,
    };
    let message = replies::reply(
        state.store.as_ref(),
        &site,
        conversation.id,
        &replier,
        &text,
        &key,
        state.clock.now(),
    )
    .await?;
    if message.body != text {
        return Err(ApiError::conflict(
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different reply",
        ));
    }
    Ok((StatusCode::CREATED, Json(message_view(&message))))
}

const NOT_FOUND: &str = "`conversation_not_found`: the site has no such conversation.";

async fn find(state: &AppState, site: &str, id: &str) -> ApiResult<Conversation> {
    let missing = || {
        ApiError::not_found(
            "conversation_not_found",
            "the site has no such conversation",
        )
    };
    let id: i64 = id.parse().map_err(|_| missing())?;
    state
        .store
        .find_conversation(site, ConversationId(id))
        .await?
        .ok_or_else(missing)
}

fn view(conversation: &Conversation, unread: i64) -> ConversationView {
    ConversationView {
        id: conversation.id.0,
        channel: conversation.place.as_str().to_owned(),
        status: conversation.status.as_str().to_owned(),
        customer_id: conversation.customer_id.clone(),
        subscriber_id: conversation.subscriber_id.map(|id| id.0),
        attribution: conversation
            .attribution
            .as_ref()
            .and_then(|a| serde_json::to_value(a).ok()),
        unread,
        created_at: rfc3339(conversation.created_at),
        updated_at: rfc3339(conversation.updated_at),
    }
}

fn message_view(message: &Message) -> MessageView {
    MessageView {
        seq: message.seq,
        author: message.author.as_str().to_owned(),
        operator: message.operator.clone(),
        text: message.body.clone(),
        status: message.status.as_str().to_owned(),
        channel: message.place.as_str().to_owned(),
        at: rfc3339(message.created_at),
    }
}
