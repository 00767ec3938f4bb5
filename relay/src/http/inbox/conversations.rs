//! The inbox's conversations: the list across the operator's sites, one conversation with its
//! whole history and whether a reply may go now, replying, closing, reopening and reading.
//!
//! Every route takes an `OperatorSession` and answers 404 for a site the operator does not
//! serve, as if it did not exist. Replies go through `replies::reply` as a person's, so the
//! platforms' windows hold here as in the merchant API.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use super::OperatorSession;
use crate::config::SiteSettings;
use crate::domain::{Author, Refusal, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::http::{
    AppState, conversation_cursor,
    extract::{AppJson, AppQuery},
};
use crate::replies::{self, Replier, ReplyError, Route};
use crate::store::{
    Conversation, ConversationFilter, ConversationId, ConversationStatus, ConversationSummary,
    Message, Place,
};

/// Conversations per page of the list.
const PAGE: u32 = 50;
/// Messages a conversation view shows at most (its latest).
const HISTORY: u32 = 500;

/// `?status&site&channel&before` of the list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    status: Option<String>,
    site: Option<String>,
    channel: Option<String>,
    before: Option<String>,
}

/// A conversation as the list shows it.
#[derive(Debug, Serialize)]
pub(super) struct ConversationView {
    site: String,
    id: i64,
    channel: &'static str,
    status: &'static str,
    customer: Option<String>,
    visitor: Option<String>,
    source: Option<SourceView>,
    last_message: Option<LastMessageView>,
    unread: i64,
    updated_at: String,
}

#[derive(Debug, Serialize)]
struct SourceView {
    campaign: Option<String>,
    page: Option<String>,
    referrer: Option<String>,
}

#[derive(Debug, Serialize)]
struct LastMessageView {
    author: &'static str,
    text: String,
    at: String,
}

/// One message of a conversation.
#[derive(Debug, Serialize)]
pub(super) struct MessageView {
    seq: i64,
    author: &'static str,
    operator: Option<String>,
    text: String,
    at: String,
    status: &'static str,
    channel: &'static str,
}

/// Whether a reply may go now.
#[derive(Debug, Serialize)]
struct ReplyView {
    allowed: bool,
    reason: Option<&'static str>,
    message: Option<String>,
    channel: &'static str,
    closes_at: Option<String>,
}

/// `GET /inbox/api/conversations`
pub(super) async fn list(
    State(state): State<AppState>,
    session: OperatorSession,
    AppQuery(query): AppQuery<ListQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let sites = match &query.site {
        Some(site) if session.serves(site) => vec![site.clone()],
        Some(_) => Vec::new(),
        None => session.sites.clone(),
    };
    let filter = ConversationFilter {
        status: match query.status.as_deref() {
            None | Some("open") => Some(ConversationStatus::Open),
            Some("closed") => Some(ConversationStatus::Closed),
            Some("all") => None,
            Some(_) => return Err(invalid("status is open, closed or all")),
        },
        place: match query.channel.as_deref() {
            None | Some("") => None,
            Some(name) => Some(Place::parse(name).ok_or_else(|| invalid("unknown channel"))?),
        },
        before: match query.before.as_deref() {
            Some(text) => Some(
                conversation_cursor::decode(text)
                    .ok_or_else(|| invalid("before is the next cursor the list answered"))?,
            ),
            None => None,
        },
        limit: PAGE,
        ..ConversationFilter::default()
    };
    let page = state.store.list_conversations(&sites, &filter).await?;
    let next = (page.len() == PAGE as usize)
        .then(|| {
            page.last()
                .map(|s| conversation_cursor::encode(&s.conversation))
        })
        .flatten();
    let conversations: Vec<ConversationView> = page.iter().map(summary_view).collect();
    Ok(Json(
        serde_json::json!({ "conversations": conversations, "next": next }),
    ))
}

/// `GET /inbox/api/conversations/{site}/{id}`
pub(super) async fn show(
    State(state): State<AppState>,
    session: OperatorSession,
    Path((site, id)): Path<(String, i64)>,
) -> ApiResult<Json<serde_json::Value>> {
    let (site, conversation) = served(&state, &session, &site, id).await?;
    let after = (conversation.last_seq - i64::from(HISTORY)).max(0);
    let messages = state
        .store
        .messages_after(&site.id, conversation.id, after, HISTORY)
        .await?;
    let visitor_name = match conversation.subscriber_id {
        Some(id) => state
            .store
            .get_subscriber(&site.id, id)
            .await?
            .and_then(|subscriber| subscriber.display_name),
        None => None,
    };
    let view = summary_view(&ConversationSummary {
        conversation: conversation.clone(),
        last_message: messages.last().cloned(),
        unread: conversation.unread_in(&messages),
        visitor_name,
    });
    let reply = reply_view(&state, &conversation).await?;
    let messages: Vec<MessageView> = messages.iter().map(message_view).collect();
    Ok(Json(serde_json::json!({
        "conversation": view,
        "messages": messages,
        "reply": reply,
    })))
}

/// `{text, client_key}` of a reply.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReplyBody {
    text: String,
    client_key: String,
}

/// `POST /inbox/api/conversations/{site}/{id}/messages`
pub(super) async fn reply(
    State(state): State<AppState>,
    session: OperatorSession,
    Path((site, id)): Path<(String, i64)>,
    AppJson(body): AppJson<ReplyBody>,
) -> ApiResult<Response> {
    let (site, conversation) = served(&state, &session, &site, id).await?;
    let text = crate::http::widget_chat::chat_text(&body.text)?;
    let key = crate::http::widget_chat::client_key(&body.client_key)?;
    let replier = Replier {
        login: session.login.clone(),
        author: Author::Human,
    };
    let message = replies::reply(
        state.store.as_ref(),
        site,
        conversation.id,
        &replier,
        &text,
        &key,
        state.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(message_view(&message))).into_response())
}

/// `POST …/close`
pub(super) async fn close(
    state: State<AppState>,
    session: OperatorSession,
    path: Path<(String, i64)>,
) -> ApiResult<StatusCode> {
    set_status(state, session, path, ConversationStatus::Closed).await
}

/// `POST …/reopen`
pub(super) async fn reopen(
    state: State<AppState>,
    session: OperatorSession,
    path: Path<(String, i64)>,
) -> ApiResult<StatusCode> {
    set_status(state, session, path, ConversationStatus::Open).await
}

async fn set_status(
    State(state): State<AppState>,
    session: OperatorSession,
    Path((site, id)): Path<(String, i64)>,
    status: ConversationStatus,
) -> ApiResult<StatusCode> {
    let (site, conversation) = served(&state, &session, &site, id).await?;
    state
        .store
        .set_conversation_status(&site.id, conversation.id, status, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/read`: everything up to the latest message is read.
pub(super) async fn read(
    State(state): State<AppState>,
    session: OperatorSession,
    Path((site, id)): Path<(String, i64)>,
) -> ApiResult<StatusCode> {
    let (site, conversation) = served(&state, &session, &site, id).await?;
    state
        .store
        .mark_conversation_read(&site.id, conversation.id, conversation.last_seq)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The conversation of a site the operator serves, or the same 404 as for none.
async fn served<'a>(
    state: &'a AppState,
    session: &OperatorSession,
    site: &str,
    id: i64,
) -> ApiResult<(&'a SiteSettings, Conversation)> {
    let missing = || ApiError::from(ReplyError::NotFound);
    if !session.serves(site) {
        return Err(missing());
    }
    let site = state.settings.site(site).ok_or_else(missing)?;
    let conversation = state
        .store
        .find_conversation(&site.id, ConversationId(id))
        .await?
        .ok_or_else(missing)?;
    Ok((site, conversation))
}

async fn reply_view(state: &AppState, conversation: &Conversation) -> ApiResult<ReplyView> {
    let channel = conversation.place.as_str();
    let decided = replies::route(
        state.store.as_ref(),
        conversation,
        Author::Human,
        state.clock.now(),
    )
    .await;
    Ok(match decided {
        Ok(Route::Web | Route::Messenger { .. }) => ReplyView {
            allowed: true,
            reason: None,
            message: None,
            channel,
            closes_at: None,
        },
        Err(ReplyError::Refused { refusal, .. }) => ReplyView {
            allowed: false,
            reason: Some(refusal.code()),
            message: Some(format!(
                "{} cannot take a reply now: {refusal}",
                conversation.place.display_name()
            )),
            channel,
            closes_at: match refusal {
                Refusal::WindowClosed { closed_at, .. } => Some(rfc3339(closed_at)),
                _ => None,
            },
        },
        Err(ReplyError::NotFound) => return Err(ReplyError::NotFound.into()),
        Err(ReplyError::Store(error)) => return Err(error.into()),
    })
}

fn summary_view(summary: &ConversationSummary) -> ConversationView {
    let conversation = &summary.conversation;
    ConversationView {
        site: conversation.site.clone(),
        id: conversation.id.0,
        channel: conversation.place.as_str(),
        status: conversation.status.as_str(),
        customer: conversation.customer_id.clone(),
        visitor: summary.visitor_name.clone(),
        source: conversation.attribution.as_ref().map(|a| SourceView {
            campaign: a.utm_campaign.clone(),
            page: Some(a.page_path.clone()).filter(|path| !path.is_empty()),
            referrer: a.referrer_host.clone(),
        }),
        last_message: summary.last_message.as_ref().map(|m| LastMessageView {
            author: m.author.as_str(),
            text: m.body.clone(),
            at: rfc3339(m.created_at),
        }),
        unread: summary.unread,
        updated_at: rfc3339(conversation.updated_at),
    }
}

fn message_view(message: &Message) -> MessageView {
    MessageView {
        seq: message.seq,
        author: message.author.as_str(),
        operator: message.operator.clone(),
        text: message.body.clone(),
        at: rfc3339(message.created_at),
        status: message.status.as_str(),
        channel: message.place.as_str(),
    }
}

fn invalid(message: &str) -> ApiError {
    ApiError::bad_request("invalid_query", message.to_owned())
}
