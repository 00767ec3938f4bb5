//! Sandbox mode: local stand-ins for the messenger platforms.
//!
//! Deep links lead to a "phone" page per platform (`static/sandbox/phone.html`) that plays the
//! messenger app. What the person does there is turned into the platform's real webhook payload,
//! signed with the site's real secret, and POSTed to this relay's own webhook endpoint over
//! HTTP, exactly as the platform would. The relay's outbound calls go to fake platform APIs
//! (`fake_api`), which answer in the platforms' wire format and record what was sent, so the
//! phone page can show the bot's replies. Tests use the same stand-ins.
//!
//! Each platform's part — payloads, signing, its fake send API — is one module implementing
//! `stand_in::StandIn` (`telegram`, `whatsapp`, `messenger`; `meta` holds what the two Meta
//! platforms share). `phone` and `fake_api` serve them all.

mod failures;
mod fake_api;
mod messenger;
mod meta;
mod phone;
mod sign_in;
mod stand_in;
mod telegram;
mod whatsapp;

use std::{
    collections::{HashMap, VecDeque},
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

use crate::channels::Account;
use crate::config::{Settings, SiteSettings};
use crate::domain::ChannelKind;
pub use failures::Failure;
use stand_in::StandIn;

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
    /// The scripted failure the platform answered with instead of accepting it, if any.
    pub failure: Option<Failure>,
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
    /// The latest requests the fake APIs received (at most `MAX_RECORDED`), oldest first.
    requests: Mutex<VecDeque<RecordedRequest>>,
    /// Source of `seq`, update ids and message ids.
    counter: AtomicI64,
    /// Failures scripted for the next sends to some chats.
    failures: Mutex<failures::Scripts>,
}

/// How many requests the sandbox keeps for inspection: a demo relay left running, or loaded by
/// a benchmark, must not grow without bound.
pub const MAX_RECORDED: usize = 10_000;

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
            failures: Mutex::default(),
        }
    }

    /// The requests the fake platform APIs received so far (the latest `MAX_RECORDED`),
    /// oldest first.
    pub fn recorded(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn next(&self) -> i64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    fn record_request(&self, request: RecordedRequest) {
        if let Ok(mut requests) = self.requests.lock() {
            if requests.len() == MAX_RECORDED {
                requests.pop_front();
            }
            requests.push_back(request);
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

    /// The site whose account on `channel` has this public handle (bot username, page username,
    /// phone number), with that account.
    fn account_by_handle(
        &self,
        channel: ChannelKind,
        handle: &str,
    ) -> Option<(&SiteSettings, &dyn Account)> {
        self.settings.sites.iter().find_map(|site| {
            let account = site.account(channel)?;
            (account.handle() == handle).then_some((site, account))
        })
    }
}

/// Every platform's stand-in.
const STAND_INS: [&dyn StandIn; 3] = [
    &telegram::TelegramStandIn,
    &whatsapp::WhatsappStandIn,
    &messenger::MessengerStandIn,
];

/// The stand-in playing `kind`, if there is one.
fn stand_in_for(kind: ChannelKind) -> Option<&'static dyn StandIn> {
    STAND_INS
        .into_iter()
        .find(|stand_in| stand_in.kind() == kind)
}

/// The stand-ins behind the fake API `api`.
fn serving(api: &str) -> impl Iterator<Item = &'static dyn StandIn> + '_ {
    STAND_INS
        .into_iter()
        .filter(move |stand_in| stand_in.api() == api)
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
        .route(
            "/sandbox/api/{platform}/{handle}/failures",
            post(failures::script),
        )
        .route("/sandbox/api/demo/sign-in", post(sign_in::sign_in))
        .route("/sandbox/platform/{api}/{*path}", post(fake_api::call))
        .with_state(sandbox)
}

/// The platform base URLs that point the relay's senders at the stand-ins.
pub fn platform_urls(public_url: &str) -> (String, String) {
    (
        format!("{public_url}/sandbox/platform/telegram"),
        format!("{public_url}/sandbox/platform/graph/v21.0"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_platform_has_one_stand_in() {
        for platform in crate::channels::registry() {
            let kind = platform.kind();
            let playing = STAND_INS.iter().filter(|s| s.kind() == kind).count();
            assert_eq!(playing, 1, "{kind:?}");
        }
    }

    #[test]
    fn the_sandbox_keeps_only_the_latest_requests() {
        let settings = Settings::parse(include_str!("../../demo.toml")).expect("demo config");
        let sandbox = Sandbox::new(
            Arc::new(settings),
            "http://relay".into(),
            reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(1))
                .build()
                .expect("client"),
        );
        for n in 0..MAX_RECORDED + 5 {
            sandbox.record_request(RecordedRequest {
                channel: ChannelKind::Telegram,
                path: n.to_string(),
                authorization: None,
                body: serde_json::Value::Null,
                failure: None,
            });
        }

        let recorded = sandbox.recorded();

        assert_eq!(recorded.len(), MAX_RECORDED);
        assert_eq!(recorded[0].path, "5");
        assert_eq!(
            recorded[MAX_RECORDED - 1].path,
            (MAX_RECORDED + 4).to_string()
        );
    }

    #[test]
    fn the_platform_base_urls_lead_to_the_stand_ins_apis() {
        let (telegram, graph) = platform_urls("http://relay");
        for (url, kind) in [
            (telegram, ChannelKind::Telegram),
            (graph.clone(), ChannelKind::Whatsapp),
            (graph, ChannelKind::Messenger),
        ] {
            let api = stand_in_for(kind).unwrap().api();
            assert!(
                url.starts_with(&format!("http://relay/sandbox/platform/{api}")),
                "{url}"
            );
        }
    }
}
