//! What a batch of events needs before it is decided: the people it is about and the intents
//! their refs name, read with two queries per site and platform instead of two per event.

use std::collections::HashMap;

use futures_util::future::try_join_all;

use crate::channels::{self, InboundEvent, RefCandidates};
use crate::domain::{ChannelKind, Millis, PlatformUserId};
use crate::intents::INTENT_LIFETIME_MS;
use crate::store::{ClaimedInbound, Intent, Store, StoreResult, Subscriber};

type Key = (String, ChannelKind, String);

/// The stored state a batch's decisions read.
#[derive(Default)]
pub(super) struct Lookup {
    subscribers: HashMap<Key, Subscriber>,
    intents: HashMap<Key, Intent>,
}

/// One site's account on one platform, and what the batch asks of it.
#[derive(Default)]
struct Wanted {
    users: Vec<PlatformUserId>,
    references: Vec<String>,
}

impl Lookup {
    /// Reads what `batch` needs (events that cannot be read are left out: they are parked).
    pub(super) async fn for_batch(
        store: &dyn Store,
        batch: &[ClaimedInbound],
    ) -> StoreResult<Self> {
        let mut wanted: HashMap<(String, ChannelKind), Wanted> = HashMap::new();
        for item in batch {
            let Ok(event) = &item.event else {
                continue;
            };
            let entry = wanted.entry((item.site.clone(), item.channel)).or_default();
            entry.users.push(event.user.clone());
            entry.references.extend(
                candidates(item.channel, event)
                    .all()
                    .map(|r| r.as_str().to_owned()),
            );
        }
        let reads = wanted
            .into_iter()
            .map(|((site, channel), wanted)| async move {
                let subscribers = store
                    .find_subscribers(&site, channel, &wanted.users)
                    .await?;
                let intents = store
                    .find_intents(&site, channel, &wanted.references)
                    .await?;
                StoreResult::Ok((subscribers, intents))
            });
        let mut lookup = Self::default();
        for (subscribers, intents) in try_join_all(reads).await? {
            for subscriber in subscribers {
                let key = (
                    subscriber.site.clone(),
                    subscriber.channel,
                    subscriber.platform_user_id.as_str().to_owned(),
                );
                lookup.subscribers.insert(key, subscriber);
            }
            for intent in intents {
                let key = (
                    intent.site.clone(),
                    intent.channel,
                    intent.reference.clone(),
                );
                lookup.intents.insert(key, intent);
            }
        }
        Ok(lookup)
    }

    /// The subscriber an event of `site` and `channel` is from, if they exist.
    pub(super) fn subscriber(
        &self,
        site: &str,
        channel: ChannelKind,
        user: &PlatformUserId,
    ) -> Option<&Subscriber> {
        self.subscribers
            .get(&(site.to_owned(), channel, user.as_str().to_owned()))
    }

    /// The ref an event carries and the intent it belongs to, if that intent was registered
    /// within its lifetime before the event. Where a platform puts refs is the platform's
    /// business (`Platform::ref_candidates`): the marked one first, then any others. Without a
    /// matching intent the marked ref is still kept: the widget's request may be on its way.
    pub(super) fn intent(
        &self,
        site: &str,
        channel: ChannelKind,
        event: &InboundEvent,
        now: Millis,
    ) -> (Option<String>, Option<&Intent>) {
        let candidates = candidates(channel, event);
        let not_before = event.at.min(now).saturating_sub(INTENT_LIFETIME_MS);
        for candidate in candidates.all() {
            let key = (site.to_owned(), channel, candidate.as_str().to_owned());
            if let Some(intent) = self
                .intents
                .get(&key)
                .filter(|i| i.created_at >= not_before)
            {
                return (Some(candidate.as_str().to_owned()), Some(intent));
            }
        }
        (candidates.marked.map(|r| r.as_str().to_owned()), None)
    }
}

fn candidates(channel: ChannelKind, event: &InboundEvent) -> RefCandidates {
    channels::platform(channel)
        .map(|platform| platform.ref_candidates(event))
        .unwrap_or_default()
}
