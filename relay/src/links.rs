//! Customer links made or removed outside the chat: finishing an in-chat link code on the
//! merchant's logged-in page, and unlinking through the merchant API.
//!
//! A link code works once, until it expires (`ingest::LINK_CODE_LIFETIME_MS` after the bot sent
//! it). The rule is checked here; the store spends the code atomically with the link, so two
//! pages racing with one code link once.

use crate::channels::OutboundMessage;
use crate::config::SiteSettings;
use crate::domain::{Customer, Millis, SubscriberId};
use crate::store::{
    AccountChange, Commit, Effects, EventDraft, LinkVia, MerchantEvent, OutboundDraft, Store,
    StoreError, Subscriber, SubscriberChange,
};

/// Why a link code could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LinkCodeError {
    /// No such code for this site.
    #[error("no such link code")]
    NotFound,
    /// The code is too old.
    #[error("the link code has expired")]
    Expired,
    /// The code was used already.
    #[error("the link code was already used")]
    Used,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Links the subscriber who asked for `code` to `customer`, confirms it in their chat with
/// `confirmation`, and tells the merchant's webhook when the site has one.
pub async fn complete(
    store: &dyn Store,
    site: &SiteSettings,
    code: &str,
    customer: &Customer,
    confirmation: OutboundMessage,
    now: Millis,
) -> Result<Subscriber, LinkCodeError> {
    let record = store
        .find_link_code(&site.id, code)
        .await?
        .ok_or(LinkCodeError::NotFound)?;
    if record.used_at.is_some() {
        return Err(LinkCodeError::Used);
    }
    if record.expires_at < now {
        return Err(LinkCodeError::Expired);
    }
    let subscriber = store
        .get_subscriber(&site.id, record.subscriber_id)
        .await?
        .ok_or(LinkCodeError::NotFound)?;
    let mut effects = Effects::about(SubscriberChange::Existing(subscriber.id));
    effects.account = AccountChange::Link {
        customer: customer.clone(),
        via: LinkVia::Code(record.code.clone()),
    };
    effects.events.push(EventDraft {
        kind: "linked",
        reference: None,
        attribution: subscriber.attribution.clone(),
    });
    effects.replies.push(OutboundDraft {
        recipient: subscriber.platform_user_id.as_str().to_owned(),
        message: confirmation,
        dedupe_key: format!("link:{}", record.code),
    });
    if site.webhook.is_some() {
        effects.notify.push(MerchantEvent::Linked);
    }
    match store
        .apply(&site.id, subscriber.channel, effects, now)
        .await?
    {
        Commit::Done(_) => store
            .get_subscriber(&site.id, subscriber.id)
            .await?
            .ok_or(LinkCodeError::NotFound),
        Commit::LinkSpent => Err(LinkCodeError::Used),
        Commit::Failed(error) => Err(LinkCodeError::Store(StoreError::Refused(error))),
        Commit::LeaseLost => Err(LinkCodeError::Store(StoreError::Refused(
            "no lease is involved in linking".into(),
        ))),
    }
}

/// Removes a subscriber's customer link, if they have one. `None` if there is no such subscriber.
pub async fn unlink(
    store: &dyn Store,
    site: &SiteSettings,
    id: SubscriberId,
    now: Millis,
) -> Result<Option<Subscriber>, StoreError> {
    let Some(subscriber) = store.get_subscriber(&site.id, id).await? else {
        return Ok(None);
    };
    if subscriber.customer.is_none() {
        return Ok(Some(subscriber));
    }
    let mut effects = Effects::about(SubscriberChange::Existing(id));
    effects.account = AccountChange::Unlink;
    effects.events.push(EventDraft {
        kind: "unlinked",
        reference: None,
        attribution: subscriber.attribution.clone(),
    });
    if site.webhook.is_some() {
        effects.notify.push(MerchantEvent::Unlinked);
    }
    match store
        .apply(&site.id, subscriber.channel, effects, now)
        .await?
    {
        Commit::Done(_) => store.get_subscriber(&site.id, id).await,
        Commit::Failed(error) => Err(StoreError::Refused(error)),
        other => Err(StoreError::Refused(format!(
            "unlinking was not applied: {other:?}"
        ))),
    }
}
