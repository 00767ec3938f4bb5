//! What inbound events mean: subscribe, attribute, link an account, opt out, reply.
//!
//! `decide` is pure — given the event, the subscriber as stored and the matching intent, it
//! returns the effects — so the rules are unit-tested without a database. `process` runs a
//! claimed batch: it reads what each decision needs, decides, and hands every result to the
//! store in one call, so a batch costs one commit. One bad event fails alone: an event that
//! cannot be read back, belongs to a site no longer configured, or makes the rules panic is
//! parked with its error; a storage hiccup is retried on `RetryPolicy::INBOUND`'s schedule.

mod decide;
mod lookup;

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::config::{Settings, SiteSettings};
use crate::domain::recap::{self, RecapLine};
use crate::domain::{ChannelKind, Millis, NextAttempt, RetryPolicy};
use crate::store::{
    AccountChange, ClaimedInbound, Commit, ConversationChange, Effects, InboundResolution, LinkVia,
    MessageAuthor, Store, StoreResult, SubscriberChange,
};
use lookup::Lookup;

pub use decide::{Context, decide};

/// How long an in-chat link code may be used.
pub const LINK_CODE_LIFETIME_MS: i64 = 30 * 60 * 1000;

/// What one processed batch amounted to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Processed {
    /// Events whose effects were committed.
    pub committed: usize,
    /// New subscribers among them.
    pub subscribed: usize,
    /// Events that failed and were scheduled again or parked.
    pub failed: usize,
}

/// Processes a claimed batch for `owner` at `now`; see the module docs.
pub async fn process(
    store: &dyn Store,
    settings: &Settings,
    owner: &str,
    batch: Vec<ClaimedInbound>,
    now: Millis,
) -> StoreResult<Processed> {
    let decisions: Vec<InboundResolution> = match Lookup::for_batch(store, &batch).await {
        Ok(lookup) => batch
            .iter()
            .map(|item| resolve(settings, &lookup, item, now))
            .collect(),
        Err(error) => batch
            .iter()
            .map(|item| retry_or_park(item.attempts, now, error.to_string()))
            .collect(),
    };
    let mut resolutions = Vec::with_capacity(batch.len());
    let mut spent_refs = HashSet::new();
    for (item, decision) in batch.iter().zip(decisions) {
        let resolution = match decision {
            // Two events in one batch spending the same ref: the later one is decided again
            // after the first is committed, so it sees the ref as spent.
            InboundResolution::Processed(effects)
                if spends_ref(&effects)
                    .is_some_and(|r| !spent_refs.insert((item.site.clone(), r))) =>
            {
                InboundResolution::Release
            }
            other => other,
        };
        resolutions.push((item.id, resolution));
    }
    let subscribing: HashSet<i64> = resolutions
        .iter()
        .filter(|(_, r)| {
            matches!(r, InboundResolution::Processed(e) if matches!(e.subscriber, SubscriberChange::Create(_)))
        })
        .map(|(id, _)| *id)
        .collect();
    let failures: Vec<bool> = resolutions
        .iter()
        .map(|(_, r)| {
            matches!(
                r,
                InboundResolution::Retry { .. } | InboundResolution::Park { .. }
            )
        })
        .collect();
    let ids: Vec<i64> = resolutions.iter().map(|(id, _)| *id).collect();
    let commits = store.resolve_inbound(owner, resolutions, now).await?;
    let mut outcome = Processed::default();
    let mut refused = Vec::new();
    for ((id, commit), failed) in ids.iter().zip(commits).zip(failures) {
        match commit {
            Commit::Done(_) if failed => outcome.failed += 1,
            Commit::Done(_) => {
                outcome.committed += 1;
                if subscribing.contains(id) {
                    outcome.subscribed += 1;
                    let platform = batch
                        .iter()
                        .find(|b| b.id == *id)
                        .map_or("unknown", |b| b.channel.as_str());
                    metrics::counter!("ferry_subscriptions_total", "platform" => platform)
                        .increment(1);
                }
            }
            Commit::Failed(error) => {
                tracing::warn!(inbound = id, %error, "the database refused an event's effects");
                let attempts = batch.iter().find(|b| b.id == *id).map_or(0, |b| b.attempts);
                refused.push((*id, retry_or_park(attempts, now, error)));
                outcome.failed += 1;
            }
            Commit::LinkSpent => {}
            Commit::LeaseLost => {
                tracing::warn!(inbound = id, "lease ended before the event was committed");
            }
        }
    }
    if !refused.is_empty() {
        store.resolve_inbound(owner, refused, now).await?;
    }
    metrics::counter!("ferry_inbound_processed_total", "outcome" => "ok")
        .increment(outcome.committed as u64);
    metrics::counter!("ferry_inbound_processed_total", "outcome" => "failed")
        .increment(outcome.failed as u64);
    Ok(outcome)
}

/// Decides one claimed event, never failing the batch.
fn resolve(
    settings: &Settings,
    lookup: &Lookup,
    item: &ClaimedInbound,
    now: Millis,
) -> InboundResolution {
    let Some(site) = settings.site(&item.site) else {
        return park(item, "the site is no longer configured".into());
    };
    let event = match &item.event {
        Ok(event) => event,
        Err(error) => return park(item, format!("the stored event cannot be read: {error}")),
    };
    let subscriber = lookup.subscriber(&site.id, item.channel, &event.user);
    let (reference, intent) = lookup.intent(&site.id, item.channel, event, now);
    let continued = intent
        .and_then(|intent| intent.conversation)
        .and_then(|id| Some((id, recap(site, item.channel, lookup.history(id)?)?)));
    let context = Context {
        site,
        channel: item.channel,
        now,
        fresh_code: new_link_code(),
        continued,
        message_key: format!("{}:{}", item.channel.as_str(), item.id),
    };
    let decided = catch_unwind(AssertUnwindSafe(|| {
        decide(&context, event, subscriber, reference, intent)
    }));
    match decided {
        Ok(mut effects) => {
            for (index, reply) in effects.replies.iter_mut().enumerate() {
                reply.dedupe_key = format!("inbound:{}:{index}", item.id);
            }
            if let Some(ConversationChange::Continued { recap, .. }) = &mut effects.conversation {
                recap.dedupe_key = format!("inbound:{}:recap", item.id);
            }
            InboundResolution::Processed(Box::new(effects))
        }
        Err(_) => park(item, "the rules panicked on this event".into()),
    }
}

/// The recap of a web conversation for the messenger it continues in, within its length.
fn recap(site: &SiteSettings, channel: ChannelKind, history: &lookup::History) -> Option<String> {
    let lines: Vec<RecapLine> = history
        .latest
        .iter()
        .filter(|message| message.author != MessageAuthor::System)
        .map(|message| RecapLine {
            by_visitor: message.author == MessageAuthor::Visitor,
            text: message.body.clone(),
        })
        .collect();
    let max = crate::channels::platform(channel).map_or(2000, |p| p.limits().max_text);
    recap::compose(site.locale, &site.name, history.earlier, &lines, max)
}

fn park(item: &ClaimedInbound, error: String) -> InboundResolution {
    tracing::warn!(inbound = item.id, site = %item.site, %error, "webhook event parked");
    InboundResolution::Park { error }
}

fn retry_or_park(attempts: u32, now: Millis, error: String) -> InboundResolution {
    match RetryPolicy::INBOUND.after_failure(attempts, now, None) {
        NextAttempt::At(at) => InboundResolution::Retry { at, error },
        NextAttempt::GiveUp => InboundResolution::Park { error },
    }
}

/// The ref whose single link these effects spend.
fn spends_ref(effects: &Effects) -> Option<String> {
    match &effects.account {
        AccountChange::Link {
            via: LinkVia::Ref(reference),
            ..
        } => Some(reference.clone()),
        _ => None,
    }
}

/// A one-time code for linking from the chat: 12 characters of Crockford base32 (60 bits),
/// unguessable within its 30 minutes and safe in any URL.
pub fn new_link_code() -> String {
    ferry_wire::crockford::encode(rand::random(), 12)
}

#[cfg(test)]
mod tests;
