//! What an inbound event means: subscribe, attribute, link an account, opt out, reply.
//!
//! `decide` is pure — given the event, the subscriber as stored and the matching intent, it
//! returns the effects — so the rules are unit-tested without a database. `process` gathers
//! the inputs from the store and commits the effects atomically with the event's "processed" mark.

mod decide;

use crate::channels::{self, InboundEvent};
use crate::config::SiteSettings;
use crate::domain::{ChannelKind, Millis, now_millis};
use crate::store::{Intent, Store, StoreResult, StoredInbound};

pub use decide::{Context, decide};

/// How long after a click its ref still attributes a subscriber (30 days).
pub const INTENT_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;
/// How long an in-chat link code may be used.
pub const LINK_CODE_LIFETIME_MS: i64 = 30 * 60 * 1000;

/// Processes one stored inbound event: reads what the decision needs, decides, commits.
pub async fn process(
    store: &dyn Store,
    site: &SiteSettings,
    inbound: &StoredInbound,
) -> StoreResult<()> {
    let event = &inbound.event;
    let subscriber = store
        .find_subscriber(&site.id, inbound.channel, &event.user)
        .await?;
    let (reference, intent) = match_intent(store, site, inbound.channel, event).await?;
    let context = Context {
        site,
        channel: inbound.channel,
        now: now_millis(),
        fresh_code: new_link_code(),
    };
    let effects = decide(
        &context,
        event,
        subscriber.as_ref(),
        reference,
        intent.as_ref(),
    );
    let created = matches!(
        effects.subscriber,
        crate::store::SubscriberChange::Create(_)
    );
    store.commit_inbound(inbound.id, effects).await?;
    if created {
        metrics::counter!("ferry_subscriptions_total", "platform" => inbound.channel.as_str())
            .increment(1);
    }
    Ok(())
}

/// Finds the ref an event carries and the intent it belongs to. Where a platform puts refs is
/// the platform's business (`Platform::ref_candidates`): the marked one first, then any others.
async fn match_intent(
    store: &dyn Store,
    site: &SiteSettings,
    channel: ChannelKind,
    event: &InboundEvent,
) -> StoreResult<(Option<String>, Option<Intent>)> {
    let candidates = channels::platform(channel)
        .map(|platform| platform.ref_candidates(event))
        .unwrap_or_default();
    let not_before: Millis = event.at.min(now_millis()) - INTENT_LIFETIME_MS;
    for candidate in candidates.all() {
        if let Some(intent) = store
            .find_intent(&site.id, channel, candidate.as_str(), not_before)
            .await?
        {
            return Ok((Some(candidate.as_str().to_owned()), Some(intent)));
        }
    }
    // Keep the ref even without an intent: the widget's request may still be on its way.
    Ok((candidates.marked.map(|r| r.as_str().to_owned()), None))
}

/// A one-time code for linking from the chat: 12 characters of Crockford base32 (60 bits),
/// unguessable within its 30 minutes and safe in any URL.
pub fn new_link_code() -> String {
    ferry_wire::crockford::encode(rand::random(), 12)
}

#[cfg(test)]
mod tests;
