//! What a platform's stand-in does.
//!
//! A stand-in plays one platform in both directions: it turns what a person does on the phone
//! page into the webhook the platform would send (payload and authentication), and it answers
//! the relay's calls to the platform's send API as the platform would. The shared sandbox code
//! (`phone`, `fake_api`) does the HTTP and the transcripts and never looks at the kind; the list
//! of stand-ins is in the sandbox's `mod.rs`.

use std::any::Any;

use axum::response::Response;

use super::{Failure, RecordedRequest};
use crate::channels::{Account, LinkButton};
use crate::domain::{ChannelKind, Millis};
use crate::error::ApiError;

/// One platform's stand-in.
pub(super) trait StandIn: Send + Sync {
    /// The platform it plays.
    fn kind(&self) -> ChannelKind;

    /// The chat's title on the phone page.
    fn title(&self, site_name: &str) -> String {
        site_name.to_owned()
    }

    /// The webhook the platform sends when `person` acts in `account`'s chat: body, headers
    /// (authentication included), and what the person's own bubble shows. `next_id` numbers
    /// updates and messages.
    fn webhook(
        &self,
        account: &dyn Account,
        person: &PersonAction<'_>,
        next_id: &dyn Fn() -> i64,
    ) -> Result<SimulatedWebhook, ApiError>;

    /// The fake API the platform's client calls: `/sandbox/platform/<api>/…` (Messenger and
    /// WhatsApp share Meta's `graph`).
    fn api(&self) -> &'static str;

    /// The answer to a call to the fake API, if the call is addressed to `account` (by the
    /// token or id in its path); `None` lets another account have it.
    fn answer(
        &self,
        account: &dyn Account,
        call: &ApiCall<'_>,
        next_id: &dyn Fn() -> i64,
    ) -> Option<Answer>;

    /// The platform's answer to a call addressed to no account it knows.
    fn no_such_account(&self, call: &ApiCall<'_>) -> Response;

    /// The platform's answer when a scripted failure meets a send (a timeout never gets here:
    /// it is no answer at all).
    fn failure(&self, failure: Failure) -> Response;
}

/// An account's settings as its platform module declares them (a stand-in knows the type of
/// the platform it plays).
pub(super) fn settings<T: Account>(account: &dyn Account) -> Option<&T> {
    let any: &dyn Any = account;
    any.downcast_ref::<T>()
}

/// What a person did on the phone page (`POST /sandbox/api/{platform}/{handle}/send`).
pub(super) struct PersonAction<'a> {
    /// Their id on the platform: digits.
    pub user_id: &'a str,
    /// Their display name.
    pub user_name: &'a str,
    /// `start`, `text`, `get_started`, `referral`… as the platform's phone skin offers.
    pub action: &'a str,
    /// What they typed, trimmed, if anything.
    pub text: Option<&'a str>,
    /// The ref of the link they followed, if any.
    pub reference: Option<&'a str>,
    /// When.
    pub now: Millis,
}

/// A webhook ready to post to the relay.
pub(super) struct SimulatedWebhook {
    /// The raw body, exactly as signed.
    pub body: Vec<u8>,
    /// Headers besides `Content-Type`, authentication included.
    pub headers: Vec<(&'static str, String)>,
    /// What the person's own bubble shows, if anything.
    pub shown: Option<String>,
}

/// A call the relay made to a fake API.
pub(super) struct ApiCall<'a> {
    /// The path after `/sandbox/platform/<api>/`.
    pub path: &'a str,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
}

/// How a stand-in answered a call.
pub(super) struct Answer {
    /// What to record for tests, once the call was authorised and its body read.
    pub recorded: Option<RecordedRequest>,
    /// The message the person's phone shows, when the platform accepted it.
    pub delivered: Option<Delivered>,
    /// The HTTP answer, in the platform's wire format.
    pub response: Response,
}

impl Answer {
    /// A call refused before its body was read.
    pub fn refused(response: Response) -> Self {
        Self {
            recorded: None,
            delivered: None,
            response,
        }
    }
}

/// A message the platform accepted.
pub(super) struct Delivered {
    /// The person's id on the platform.
    pub to: String,
    /// The text.
    pub text: String,
    /// Link buttons under it.
    pub buttons: Vec<LinkButton>,
}

/// The phone asked for something this platform has no such action for.
pub(super) fn invalid_action(kind: ChannelKind, action: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_action",
        format!("{} has no action {action:?}", kind.as_str()),
    )
}

/// The phone sent a text action without text.
pub(super) fn empty_text() -> ApiError {
    ApiError::bad_request("empty_text", "text must not be empty")
}

/// The account is not the platform's (never happens: accounts are found by kind).
pub(super) fn wrong_account(kind: ChannelKind) -> ApiError {
    ApiError::not_found(
        "channel_not_enabled",
        format!("this site does not offer {}", kind.display_name()),
    )
}
