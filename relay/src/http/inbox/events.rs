//! `GET /inbox/api/events`: which conversations of the operator's sites changed, live.
//!
//! Server-Sent Events read by the browser's `EventSource` with the session cookie: one event
//! `conversation` with `{site, id}` per change, so the page refetches what it shows. Changes
//! come from `store::ConversationChanges::all()`, which PostgreSQL feeds from every relay. A
//! stream that falls behind (more changes than the broadcast keeps) gets one `resync` event and
//! the page reloads its list; the stream ends when the relay shuts down, and EventSource
//! reconnects (the page then reloads too, since changes may have been missed).

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::State,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::OperatorSession;
use crate::http::AppState;

/// How often an idle stream sends a comment.
const PING: Duration = Duration::from_secs(15);

/// The stream of changes to the operator's sites' conversations.
pub(super) async fn stream(State(state): State<AppState>, session: OperatorSession) -> Response {
    let changes = state.changes.all();
    let closing = state.closing.clone();
    crate::metrics::live_connection_opened("inbox");
    let events = futures_util::stream::unfold(
        (changes, closing, session.sites, Gauge),
        |(mut changes, closing, sites, gauge)| async move {
            loop {
                let received = tokio::select! {
                    () = closing.cancelled() => return None,
                    received = changes.recv() => received,
                };
                let event = match received {
                    Ok(changed) if sites.iter().any(|site| **site == *changed.site) => {
                        Event::default().event("conversation").data(format!(
                            "{{\"site\":{},\"id\":{}}}",
                            serde_json::Value::from(&*changed.site),
                            changed.id.0
                        ))
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => Event::default().event("resync").data("{}"),
                    Err(RecvError::Closed) => return None,
                };
                return Some((Ok::<_, Infallible>(event), (changes, closing, sites, gauge)));
            }
        },
    );
    sse(events)
}

fn sse(events: impl Stream<Item = Result<Event, Infallible>> + Send + 'static) -> Response {
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(PING).text("ping"))
        .into_response()
}

/// Counts the stream down when it ends.
struct Gauge;

impl Drop for Gauge {
    fn drop(&mut self) {
        crate::metrics::live_connection_closed("inbox");
    }
}
