//! What an inbound event means: subscribe, attribute, link an account, opt out, reply.
//!
//! `decide` is pure — given the event, the subscriber as stored and the matching intent, it
//! returns the effects — so the rules are unit-tested without a database. `process` gathers
//! the inputs from the store and commits the effects atomically with the event's "processed" mark.

mod decide;

use crate::channels::{InboundEvent, InboundKind};
use crate::config::SiteSettings;
use crate::domain::{ChannelKind, IntentRef, Millis, find_whatsapp_code, now_millis};
use crate::store::{Intent, Store, StoreResult, StoredInbound};
use ferry_wire::RefKind;

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

/// Finds the ref an event carries and the intent it belongs to. For WhatsApp the code is looked
/// for in the text: the one after "ref" first, then any code-shaped word that matches an intent.
async fn match_intent(
    store: &dyn Store,
    site: &SiteSettings,
    channel: ChannelKind,
    event: &InboundEvent,
) -> StoreResult<(Option<String>, Option<Intent>)> {
    let not_before: Millis = event.at.min(now_millis()) - INTENT_LIFETIME_MS;
    let (marked, others) = match (&event.kind, channel) {
        (
            InboundKind::Start {
                reference: Some(reference),
            },
            _,
        ) => (Some(reference.clone()), Vec::new()),
        (InboundKind::Text { text }, ChannelKind::Whatsapp) => {
            let (marked, others) = find_whatsapp_code(text);
            (marked.map(|code| code.as_str().to_owned()), others)
        }
        _ => return Ok((None, None)),
    };
    let kind = if channel == ChannelKind::Whatsapp {
        RefKind::Code
    } else {
        RefKind::Token
    };
    let candidates = marked
        .iter()
        .cloned()
        .chain(others.iter().map(|code| code.as_str().to_owned()));
    for candidate in candidates {
        if IntentRef::parse(kind, &candidate).is_err() {
            continue;
        }
        if let Some(intent) = store
            .find_intent(&site.id, channel, &candidate, not_before)
            .await?
        {
            return Ok((Some(candidate), Some(intent)));
        }
    }
    // Keep the ref even without an intent: the widget's request may still be on its way.
    Ok((marked, None))
}

/// A one-time code for linking from the chat: 12 characters of Crockford base32 (60 bits),
/// unguessable within its 30 minutes and safe in any URL.
pub fn new_link_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bits: u64 = rand::random();
    (0..12)
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests;
