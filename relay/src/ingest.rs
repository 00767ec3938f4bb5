//! What an inbound event means: subscribe, attribute, opt out, reply.
//!
//! `decide` is pure — given the event, the subscriber as stored and the matching intent, it
//! returns the effects — so the rules are unit-tested without a database. `process` gathers
//! the inputs from the store and commits the effects atomically with the event's "processed" mark.

use crate::channels::{InboundEvent, InboundKind, OutboundMessage};
use crate::config::SiteSettings;
use crate::domain::{ChannelKind, IntentRef, find_whatsapp_code};
use crate::store::{
    EventDraft, InboundEffects, Intent, NewSubscriber, OutboundDraft, Store, StoreResult,
    StoredInbound, Subscriber, SubscriberChange, SubscriberStatus,
};
use crate::texts;
use ferry_wire::RefKind;

/// How long after a click its ref still attributes a subscriber (30 days).
pub const INTENT_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;

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
    let effects = decide(
        site,
        inbound.channel,
        event,
        subscriber.as_ref(),
        reference,
        intent.as_ref(),
    );
    store.commit_inbound(inbound.id, effects).await?;
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
    let not_before = event.at.min(crate::domain::now_millis()) - INTENT_LIFETIME_MS;
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

/// The effects of one inbound event. See the module docs.
pub fn decide(
    site: &SiteSettings,
    channel: ChannelKind,
    event: &InboundEvent,
    subscriber: Option<&Subscriber>,
    reference: Option<String>,
    intent: Option<&Intent>,
) -> InboundEffects {
    let locale = site.locale.as_str();
    let reply = |text: String| OutboundDraft {
        recipient: event.user.as_str().to_owned(),
        message: OutboundMessage {
            text,
            buttons: Vec::new(),
        },
    };
    let attribution = intent.map(|i| i.attribution.clone());
    let subscribed_event = |reference: Option<String>| EventDraft {
        kind: "subscribed",
        reference,
        attribution: attribution.clone(),
    };
    let welcome = || {
        reply(texts::welcome(
            locale,
            &site.name,
            channel,
            event.name.as_deref(),
        ))
    };
    let text = match &event.kind {
        InboundKind::Text { text } => Some(text.as_str()),
        _ => None,
    };
    let wants_stop = text.is_some_and(texts::is_stop_word) || event.kind == InboundKind::Blocked;
    let wants_start = matches!(event.kind, InboundKind::Start { .. })
        || text.is_some_and(texts::is_start_word)
        || intent.is_some();

    let Some(existing) = subscriber else {
        if wants_stop {
            // Someone who never subscribed says STOP or blocks: nothing to undo, nothing to send.
            return InboundEffects {
                subscriber: SubscriberChange::None,
                events: Vec::new(),
                replies: Vec::new(),
            };
        }
        return InboundEffects {
            subscriber: SubscriberChange::Create(Box::new(NewSubscriber {
                platform_user_id: event.user.clone(),
                display_name: event.name.clone(),
                reference: reference.clone(),
                attribution: attribution.clone(),
                at: event.at,
            })),
            events: vec![subscribed_event(reference)],
            replies: vec![welcome()],
        };
    };

    let update = |status| SubscriberChange::Update {
        id: existing.id,
        status,
        last_inbound_at: event.at,
    };
    match (existing.status, wants_stop, wants_start) {
        (SubscriberStatus::Active, true, _) => {
            let replies = if event.kind == InboundKind::Blocked {
                Vec::new()
            } else {
                vec![reply(texts::unsubscribed(locale, &site.name))]
            };
            InboundEffects {
                subscriber: update(SubscriberStatus::Unsubscribed),
                events: vec![EventDraft {
                    kind: "unsubscribed",
                    reference: None,
                    attribution: existing.attribution.clone(),
                }],
                replies,
            }
        }
        (SubscriberStatus::Unsubscribed, false, true) => InboundEffects {
            subscriber: update(SubscriberStatus::Active),
            events: vec![subscribed_event(reference)],
            replies: vec![welcome()],
        },
        (SubscriberStatus::Active, false, true)
            if !matches!(event.kind, InboundKind::Text { .. }) || intent.is_some() =>
        {
            InboundEffects {
                subscriber: update(SubscriberStatus::Active),
                events: Vec::new(),
                replies: vec![reply(texts::already_subscribed(locale, &site.name))],
            }
        }
        (status, _, _) => InboundEffects {
            subscriber: update(status),
            events: Vec::new(),
            replies: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests;
