//! The web chat's live stream: Server-Sent Events carrying every new message of the visitor's
//! conversation, and its state, as they are committed.
//!
//! SSE rather than WebSocket: the traffic is one-way (the visitor writes with plain POSTs that
//! get their own answers and retries), SSE is plain HTTP that every proxy and load balancer
//! passes, and its event ids give resumption for free: the client sends the last seq it saw as
//! `Last-Event-ID` and gets exactly the messages after it, from whichever relay answers. The
//! widget reads the stream with `fetch`, since `EventSource` cannot send the token's header.
//!
//! The store is the only source of messages. A stream reads after its last seq, then waits for
//! the conversation's change signal (`store::ConversationChanges`, which crosses relays on
//! PostgreSQL) and reads again; it subscribes before its first read, so a message committed in
//! between wakes it. Nothing is kept per connection but that signal and the last seq, and a
//! stream ends when the relay shuts down so the client reconnects elsewhere at once.

use std::{collections::VecDeque, convert::Infallible, time::Duration};

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use ferry_wire::{ConversationState, EVENT_CONVERSATION, EVENT_MESSAGE};
use futures_util::Stream;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::openapi::{ORIGIN, RATE_LIMITED, STORAGE, schemas as doc};
use super::{AppState, widget_chat};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::store::{Conversation, ConversationStatus, Place, Store};

/// How often an idle stream sends a comment, so proxies that cut silent connections do not.
const PING: Duration = Duration::from_secs(15);
/// Messages read from the store at once.
const PAGE: u32 = 100;

/// Follow the conversation live.
///
/// `text/event-stream`: first an event `conversation` with the conversation's state, then an
/// event `message` (id = its seq, data = a chat message) for every message after
/// `Last-Event-ID`, in order, as they come; `conversation` again whenever the state changes;
/// `: ping` comments while idle. Reconnect with the last id seen.
#[utoipa::path(
    get,
    path = "/api/widget/{site}/conversation/events",
    tag = "widget",
    operation_id = "chat_events",
    params(doc::SitePath, doc::OriginHeader, doc::ConversationHeader, doc::LastEventIdHeader),
    responses(
        (status = 200, description = "The live stream", content_type = "text/event-stream",
            body = String),
        (status = 400, body = ErrorBody, description = "`invalid_last_event_id` or \
            `invalid_conversation_token`."),
        (status = 401, body = ErrorBody, description = widget_chat::TOKEN_REQUIRED),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = widget_chat::CONVERSATION_NOT_FOUND),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
pub(super) async fn events(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let site = state.site(&site)?;
    let after = last_event_id(&headers)?;
    let conversation = widget_chat::conversation(&state, site, &headers).await?;
    // Subscribed before the first read: a message committed after it wakes the stream.
    let wake = state.changes.watch(conversation.id);
    let follow = Follow {
        store: state.store.clone(),
        site: site.id.clone(),
        links: Links::of(&state, site),
        conversation,
        after,
        shown: None,
        read: true,
        queued: VecDeque::new(),
        wake,
        closing: state.closing.clone(),
    };
    crate::metrics::live_connection_opened("chat");
    Ok(Sse::new(follow.into_stream())
        .keep_alive(KeepAlive::new().interval(PING).text("ping"))
        .into_response())
}

/// `Last-Event-ID`: the last seq the client has (0 without the header).
fn last_event_id(headers: &HeaderMap) -> ApiResult<i64> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(0);
    };
    value
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse::<i64>().ok())
        .filter(|seq| *seq >= 0)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_last_event_id",
                "Last-Event-ID is the seq of the last message received: 0 or more",
            )
        })
}

/// Links back into each messenger the site offers.
struct Links(Vec<(Place, String)>);

impl Links {
    fn of(state: &AppState, site: &crate::config::SiteSettings) -> Self {
        let sandbox = state.sandbox_base();
        Self(
            site.accounts()
                .map(|account| {
                    (
                        Place::Messenger(account.kind()),
                        account.chat_link(site, sandbox.as_deref()),
                    )
                })
                .collect(),
        )
    }

    fn state(&self, conversation: &Conversation) -> ConversationState {
        ConversationState {
            channel: conversation.place.as_str().to_owned(),
            status: match conversation.status {
                ConversationStatus::Open => "open",
                ConversationStatus::Closed => "closed",
            }
            .to_owned(),
            link: self
                .0
                .iter()
                .find(|(place, _)| *place == conversation.place)
                .map(|(_, link)| link.clone()),
        }
    }
}

/// One stream's position.
struct Follow {
    store: std::sync::Arc<dyn Store>,
    site: String,
    links: Links,
    conversation: Conversation,
    /// The last seq sent.
    after: i64,
    /// The state last sent.
    shown: Option<ConversationState>,
    /// Whether the store may hold more than was read.
    read: bool,
    queued: VecDeque<Event>,
    wake: watch::Receiver<()>,
    closing: CancellationToken,
}

impl Follow {
    fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> + Send {
        futures_util::stream::unfold(self, |mut follow| async move {
            let event = follow.next().await?;
            Some((Ok(event), follow))
        })
    }

    /// The next event; `None` ends the stream (shutdown, a store error, an erased conversation).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.queued.pop_front() {
                return Some(event);
            }
            if self.read {
                self.read = false;
                self.catch_up().await?;
                continue;
            }
            tokio::select! {
                () = self.closing.cancelled() => return None,
                changed = self.wake.changed() => {
                    changed.ok()?;
                    self.read = true;
                }
            }
        }
    }

    /// Queues the state if it changed, then the messages after `after`. The state is read
    /// after the messages, so it is never older than them: a message written after the
    /// conversation moved (its recap) never comes before the move.
    async fn catch_up(&mut self) -> Option<()> {
        let id = self.conversation.id;
        let report = |error: crate::store::StoreError| {
            tracing::warn!(%error, conversation = id.0, "live stream ended");
            None
        };
        let messages = match self
            .store
            .messages_after(&self.site, id, self.after, PAGE)
            .await
        {
            Ok(messages) => messages,
            Err(error) => return report(error),
        };
        self.conversation = match self.store.find_conversation(&self.site, id).await {
            Ok(Some(conversation)) => conversation,
            Ok(None) => return None,
            Err(error) => return report(error),
        };
        let state = self.links.state(&self.conversation);
        if self.shown.as_ref() != Some(&state) {
            self.queued
                .push_back(json_event(EVENT_CONVERSATION, &state));
            self.shown = Some(state);
        }
        // A full page may have more behind it: read again before waiting.
        self.read = messages.len() == PAGE as usize;
        for message in &messages {
            self.after = message.seq;
            self.queued.push_back(
                json_event(EVENT_MESSAGE, &widget_chat::view(message)).id(message.seq.to_string()),
            );
        }
        Some(())
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        crate::metrics::live_connection_closed("chat");
    }
}

fn json_event(name: &str, data: &impl serde::Serialize) -> Event {
    Event::default()
        .event(name)
        .json_data(data)
        .unwrap_or_else(|_| Event::default().comment("unserializable"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_event_id_is_a_seq() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert("last-event-id", value.parse().unwrap());
            last_event_id(&headers)
        };
        assert_eq!(last_event_id(&HeaderMap::new()).unwrap(), 0);
        assert_eq!(with("42").unwrap(), 42);
        for bad in ["-1", "x", "1.5", "99999999999999999999"] {
            assert!(with(bad).is_err(), "{bad}");
        }
    }
}
