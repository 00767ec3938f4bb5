//! What a messenger platform is to Ferry: the two traits every platform module implements.
//!
//! [`Platform`] is what Ferry knows without any merchant's account: the kind, how the site's
//! `[sites.<kind>]` section reads, how its webhook is documented, its limits, where an event
//! carries a ref. [`Account`] is one site's account on it (a bot, a number, a page) with its
//! credentials: it authenticates and parses that account's webhooks, builds its deep link and
//! sends through its API. Nothing else in the relay matches on a platform's kind; it asks the
//! registry (`channels::platform`) or the site (`SiteSettings::account`).

use std::{any::Any, fmt::Debug, sync::Arc};

use super::{InboundEvent, InboundKind, Keyed, OutboundMessage, PayloadError, SendError};
use crate::config::{PlatformSettings, SiteSettings};
use crate::domain::{ChannelKind, IntentRef, ReplyWindow};
use axum::http::HeaderMap;

/// The shortest secret accepted for authenticating webhooks (Telegram's `webhook_secret`, Meta's
/// `app_secret` and `verify_token`): whoever knows it can post events as the platform, so it
/// must not be guessable.
pub const MIN_WEBHOOK_SECRET_LEN: usize = 16;

/// A messenger platform, independent of any site's account on it.
pub trait Platform: Send + Sync {
    /// Which one.
    fn kind(&self) -> ChannelKind;

    /// Reads a site's `[sites.<kind>]` section (its shape only; [`Account::validate`] checks
    /// the values once the whole file is read).
    fn read_account(&self, section: toml::Value) -> Result<Arc<dyn Account>, toml::de::Error>;

    /// How the webhook endpoint authenticates and what it takes, for the OpenAPI document.
    fn webhook_doc(&self) -> WebhookDoc;

    /// Message size and documented send rates.
    fn limits(&self) -> Limits;

    /// The refs an event may carry, best first. By default the ref of a start (Telegram
    /// `/start <ref>`, Messenger Get Started or referral), checked as the platform's ref kind.
    fn ref_candidates(&self, event: &InboundEvent) -> RefCandidates {
        let kind = self.kind().ref_kind();
        match &event.kind {
            InboundKind::Start {
                reference: Some(reference),
            } => RefCandidates {
                marked: IntentRef::parse(kind, reference).ok(),
                others: Vec::new(),
            },
            _ => RefCandidates::default(),
        }
    }
}

/// A site's account on a platform, with its credentials: what `[sites.<kind>]` configures.
#[async_trait::async_trait]
pub trait Account: Any + Debug + Send + Sync {
    /// The platform.
    fn kind(&self) -> ChannelKind;

    /// The public handle deep links name: bot username, phone number digits, page username.
    fn handle(&self) -> &str;

    /// Checks the values serde cannot (formats, secret lengths); the error names the field as
    /// `<kind>.<field>`.
    fn validate(&self) -> Result<(), String>;

    /// The deep link with the `{ref}` placeholder where the widget puts the ref. In sandbox mode
    /// `sandbox_base` is the relay's URL and the link leads to its phone page instead of the app.
    fn deep_link(&self, site: &SiteSettings, sandbox_base: Option<&str>) -> String;

    /// A link that opens the shop's chat on the platform without starting anything: the deep
    /// link without the query parameter that carries the ref.
    fn chat_link(&self, site: &SiteSettings, sandbox_base: Option<&str>) -> String {
        without_ref(&self.deep_link(site, sandbox_base))
    }

    /// Checks that a webhook request comes from the platform, on the raw body before parsing.
    fn authenticate(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookAuthError>;

    /// Answers the platform's `GET` subscription handshake (Meta's `hub.*`) with the body to
    /// send back. Platforms without one keep this default.
    fn handshake(&self, query: &[(String, String)]) -> Result<String, WebhookAuthError> {
        let _ = query;
        Err(WebhookAuthError::NoHandshake)
    }

    /// Parses an authenticated webhook body into the events for this account, each with the
    /// platform's id for it. Ignored event types yield nothing; absurd values are an error.
    fn parse(&self, body: &[u8]) -> Result<Vec<Keyed>, PayloadError>;

    /// Sends `message` (already within [`Limits::max_text`]) to `recipient`; returns the
    /// platform's message id.
    async fn send(
        &self,
        http: &reqwest::Client,
        apis: &PlatformSettings,
        recipient: &str,
        message: &OutboundMessage,
    ) -> Result<Option<String>, SendError>;
}

/// `link` without the query parameters that hold the `{ref}` placeholder.
fn without_ref(link: &str) -> String {
    let Some((base, query)) = link.split_once('?') else {
        return link.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.contains("{ref}"))
        .collect();
    if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// Why a webhook request was refused before its body was read. `error.rs` maps each to its
/// status and code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookAuthError {
    /// 401 `missing_secret_token`: the header carrying the shared secret is absent.
    #[error("the {0} header is missing")]
    MissingSecretToken(&'static str),
    /// 403 `invalid_secret_token`: the shared secret is wrong.
    #[error("the {0} header is wrong")]
    InvalidSecretToken(&'static str),
    /// 401 `missing_signature`: the signature header is absent.
    #[error("the {0} header is missing")]
    MissingSignature(&'static str),
    /// 403 `invalid_signature`: the signature is malformed or does not match the body.
    #[error("{0}")]
    InvalidSignature(String),
    /// 403 `invalid_verify_token`: the handshake's token (or mode) is wrong.
    #[error("{0}")]
    InvalidVerifyToken(&'static str),
    /// 405: the platform has no `GET` handshake.
    #[error("this platform's webhook takes POST only")]
    NoHandshake,
}

/// How a platform's webhook endpoint is described in the OpenAPI document.
#[derive(Debug, Clone, Copy)]
pub struct WebhookDoc {
    /// What the POST body is, e.g. "A Telegram Bot API `Update`".
    pub body: &'static str,
    /// The header that authenticates a POST, and what it must hold.
    pub auth_header: (&'static str, &'static str),
    /// The 401 answer: which code, when.
    pub unauthorized: &'static str,
    /// The 403 answer: which code, when.
    pub forbidden: &'static str,
    /// The `GET` handshake, if the platform has one.
    pub handshake: Option<HandshakeDoc>,
}

/// How a platform's `GET` handshake is described.
#[derive(Debug, Clone, Copy)]
pub struct HandshakeDoc {
    /// What it is, e.g. "Meta's subscription handshake".
    pub name: &'static str,
    /// Its query parameters and what each must hold.
    pub query: &'static [(&'static str, &'static str)],
    /// The 403 answer: which code, when.
    pub forbidden: &'static str,
}

/// What a platform accepts per message and how fast, as documented (see docs/platforms.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest text one message may carry, counted in UTF-16 code units (never fewer than
    /// characters, so a text within it fits whichever way the platform counts).
    pub max_text: usize,
    /// Documented send rates; pace deliveries within them.
    pub rates: &'static [Rate],
    /// When the business may write free-form to a person.
    pub reply_window: ReplyWindow,
}

/// A documented send rate: at most `messages` per `per_secs` seconds, per `scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Messages allowed…
    pub messages: u32,
    /// …in this many seconds…
    pub per_secs: u32,
    /// …to one chat or from the whole account.
    pub scope: RateScope,
}

/// What a [`Rate`] is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateScope {
    /// One conversation (one recipient).
    Chat,
    /// Everything the site's account sends.
    Account,
}

/// The refs an event carries, already checked as the platform's ref kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefCandidates {
    /// Where the link put the ref (the start payload, the referral, the code after "ref"): kept
    /// on the subscriber even before its intent is known, so a late intent still attributes.
    pub marked: Option<IntentRef>,
    /// Other ref-shaped values, tried against known intents only (people edit prefilled texts).
    pub others: Vec<IntentRef>,
}

impl RefCandidates {
    /// Every candidate, best first.
    pub fn all(&self) -> impl Iterator<Item = &IntentRef> {
        self.marked.iter().chain(&self.others)
    }
}

/// Where a deep link points: the platform's own host (`https://t.me`), or in sandbox mode the
/// relay's phone page for the platform.
pub fn link_host(real: &str, kind: ChannelKind, sandbox_base: Option<&str>) -> String {
    match sandbox_base {
        Some(base) => format!("{base}/sandbox/{}", kind.as_str()),
        None => real.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_ref;

    #[test]
    fn a_chat_link_is_the_deep_link_without_its_ref() {
        assert_eq!(
            without_ref("https://t.me/shop_bot?start={ref}"),
            "https://t.me/shop_bot"
        );
        assert_eq!(
            without_ref("https://wa.me/4915112345678?text=Hi%20(ref%20{ref})"),
            "https://wa.me/4915112345678"
        );
        assert_eq!(
            without_ref("http://localhost:8080/sandbox/messenger/shop?x=1&ref={ref}"),
            "http://localhost:8080/sandbox/messenger/shop?x=1"
        );
        assert_eq!(without_ref("https://m.me/shop"), "https://m.me/shop");
    }
}
