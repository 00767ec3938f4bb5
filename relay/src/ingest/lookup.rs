//! What a batch of events needs before it is decided: the people it is about and the intents
//! their refs name, read with two queries per site and platform instead of two per event, and
//! the end of any web conversation those intents carry into the messenger (for its recap).

use std::collections::HashMap;

use futures_util::future::try_join_all;

use crate::channels::{self, InboundEvent, RefCandidates};
use crate::domain::{ChannelKind, Millis, PlatformUserId};
use crate::intents::INTENT_LIFETIME_MS;
use crate::store::{
    ClaimedInbound, ConversationId, Intent, Message, Store, StoreResult, Subscriber,
};

type Key = (String, ChannelKind, String);

/// The stored state a batch's decisions read.
#[derive(Default)]
pub(super) struct Lookup {
    subscribers: HashMap<Key, Subscriber>,
    intents: HashMap<Key, Intent>,
    /// The latest messages of the web conversations intents carry, and how many came before.
    histories: HashMap<ConversationId, History>,
}

/// The end of a web conversation, for its recap.
pub(super) struct History {
    /// Messages before `latest`.
    pub earlier: u64,
    /// The latest messages, oldest first.
    pub latest: Vec<Message>,
}

/// The most messages a recap could show: more never fit in one platform message.
const RECAP_MESSAGES: i64 = 30;

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
        let carried: Vec<(String, ConversationId)> = lookup
            .intents
            .values()
            .filter_map(|intent| Some((intent.site.clone(), intent.conversation?)))
            .collect();
        for (site, id) in carried {
            let Some(conversation) = store.find_conversation(&site, id).await? else {
                continue;
            };
            let after = (conversation.last_seq - RECAP_MESSAGES).max(0);
            let latest = store
                .messages_after(&site, id, after, RECAP_MESSAGES as u32)
                .await?;
            let earlier = u64::try_from(after).unwrap_or(0);
            lookup.histories.insert(id, History { earlier, latest });
        }
        Ok(lookup)
    }

    /// The end of a web conversation an intent carries.
    pub(super) fn history(&self, id: ConversationId) -> Option<&History> {
        self.histories.get(&id)
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
