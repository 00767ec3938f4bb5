//! Sandbox mode: local stand-ins for the messenger platforms.
//!
//! Deep links lead to a "phone" page per platform (`static/sandbox/phone.html`) that plays the
//! messenger app. What the person does there is turned into the platform's real webhook payload,
//! signed with the site's real secret, and POSTed to this relay's own webhook endpoint over
//! HTTP, exactly as the platform would. The relay's outbound calls go to the fake Bot API and
//! Graph API in `fake_api`, which answer in the platforms' wire format and record what was sent,
//! so the phone page can show the bot's replies. Tests use the same stand-ins.

mod fake_api;
mod payloads;
mod phone;
mod sign_in;

use std::{
    collections::HashMap,
    path::Path,
    sync::{
        Arc, Mutex,
        atomic::{AtomicI64, Ordering},
    },
};

use axum::{
    Router,
    routing::{get, post},
};
use serde::Serialize;
use tower_http::services::ServeFile;

use crate::config::{Settings, SiteSettings};
use crate::domain::ChannelKind;

/// One line of a simulated chat.
#[derive(Debug, Clone, Serialize)]
pub struct TranscriptEntry {
    /// Increasing number across all chats, for polling with `after`.
    pub seq: i64,
    /// `user` or `bot`.
    pub from: &'static str,
    /// The text.
    pub text: String,
    /// Link buttons under a bot message.
    pub buttons: Vec<crate::channels::LinkButton>,
    /// RFC 3339 time.
    pub at: String,
}

/// A request the fake platform APIs received (what tests assert on).
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Platform whose API was called.
    pub channel: ChannelKind,
    /// Request path after the platform's base URL, with any token masked.
    pub path: String,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The JSON body.
    pub body: serde_json::Value,
}

type ChatKey = (ChannelKind, String, String);

/// The stand-ins' state.
pub struct Sandbox {
    /// Sites, to find the one a handle or credential belongs to.
    settings: Arc<Settings>,
    /// Where this relay's webhooks are (`<public_url>/hooks/...`).
    public_url: String,
    /// Client for calling our own webhooks.
    http: reqwest::Client,
    /// Simulated chats by (platform, handle, user id).
    chats: Mutex<HashMap<ChatKey, Vec<TranscriptEntry>>>,
    /// Every request the fake APIs received, oldest first.
    requests: Mutex<Vec<RecordedRequest>>,
    /// Source of `seq`, update ids and message ids.
    counter: AtomicI64,
}

impl Sandbox {
    /// Stand-ins for the sites in `settings`, reaching the relay at `public_url`.
    pub fn new(settings: Arc<Settings>, public_url: String, http: reqwest::Client) -> Self {
        let seed = crate::domain::now_millis();
        Self {
            settings,
            public_url,
            http,
            chats: Mutex::default(),
            requests: Mutex::default(),
            counter: AtomicI64::new(seed),
        }
    }

    /// Every request the fake platform APIs received so far.
    pub fn recorded(&self) -> Vec<RecordedRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    fn next(&self) -> i64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    fn record_request(&self, request: RecordedRequest) {
        if let Ok(mut requests) = self.requests.lock() {
            requests.push(request);
        }
    }

    fn append(
        &self,
        key: ChatKey,
        from: &'static str,
        text: String,
        buttons: Vec<crate::channels::LinkButton>,
    ) {
        let entry = TranscriptEntry {
            seq: self.next(),
            from,
            text,
            buttons,
            at: crate::domain::rfc3339(crate::domain::now_millis()),
        };
        if let Ok(mut chats) = self.chats.lock() {
            chats.entry(key).or_default().push(entry);
        }
    }

    fn transcript(&self, key: &ChatKey, after: i64) -> Vec<TranscriptEntry> {
        let chats = self.chats.lock();
        chats
            .ok()
            .and_then(|c| {
                c.get(key)
                    .map(|entries| entries.iter().filter(|e| e.seq > after).cloned().collect())
            })
            .unwrap_or_default()
    }

    /// The site whose `platform` account has this public handle (bot username, page username,
    /// phone number).
    fn site_by_handle(&self, channel: ChannelKind, handle: &str) -> Option<&SiteSettings> {
        self.settings
            .sites
            .iter()
            .find(|site| handle_of(site, channel).as_deref() == Some(handle))
    }
}

/// The public handle of a site's account on a platform, as it appears in deep links.
fn handle_of(site: &SiteSettings, channel: ChannelKind) -> Option<String> {
    match channel {
        ChannelKind::Telegram => site.telegram.as_ref().map(|t| t.bot_username.clone()),
        ChannelKind::Whatsapp => site.whatsapp.as_ref().map(|w| w.phone_number.clone()),
        ChannelKind::Messenger => site.messenger.as_ref().map(|m| m.page_username.clone()),
    }
}

/// Routes of the stand-ins: phone pages, their API, and the fake platform APIs.
pub fn router<S: Clone + Send + Sync + 'static>(
    sandbox: Arc<Sandbox>,
    static_dir: &Path,
) -> Router<S> {
    let phone_page = ServeFile::new(static_dir.join("sandbox").join("phone.html"));
    Router::new()
        .route_service("/sandbox/{platform}/{handle}", phone_page.clone())
        .route_service("/sandbox/{platform}/{handle}/", phone_page)
        .route("/sandbox/api/{platform}/{handle}", get(phone::info))
        .route("/sandbox/api/{platform}/{handle}/send", post(phone::send))
        .route(
            "/sandbox/api/{platform}/{handle}/messages",
            get(phone::messages),
        )
        .route("/sandbox/api/demo/sign-in", post(sign_in::sign_in))
        .route(
            "/sandbox/platform/telegram/{token}/{method}",
            post(fake_api::telegram),
        )
        .route(
            "/sandbox/platform/graph/{version}/{id}/messages",
            post(fake_api::graph),
        )
        .with_state(sandbox)
}

/// The platform base URLs that point the relay's senders at the stand-ins.
pub fn platform_urls(public_url: &str) -> (String, String) {
    (
        format!("{public_url}/sandbox/platform/telegram"),
        format!("{public_url}/sandbox/platform/graph/v21.0"),
    )
}
