//! "This conversation changed": the wake-up live connections wait on.
//!
//! A store sends it after every commit that adds a message to a conversation or changes its
//! state; on PostgreSQL it crosses relays through `LISTEN/NOTIFY` like the work signals, so a
//! visitor connected to relay A hears of an operator's reply posted to relay B. The signal
//! carries no data: a woken connection reads what is new from the store, after the last seq it
//! sent. A lost or merged wake-up therefore loses nothing, and a connection that (re)connects
//! reads first and then waits, so it never sleeps past a message committed meanwhile.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::{broadcast, watch};

use super::ConversationId;

/// How many site-wide changes an inbox stream may fall behind before it is told to reload.
const SITE_BACKLOG: usize = 1024;

/// One conversation changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Its site.
    pub site: Arc<str>,
    /// Which.
    pub id: ConversationId,
}

/// Wake-ups per conversation and for every change at once; clones share them.
#[derive(Clone)]
pub struct ConversationChanges {
    inner: Arc<Inner>,
}

struct Inner {
    /// One watch per conversation someone is waiting on.
    watched: Mutex<Watched>,
    /// Every change, for the operators' inbox.
    all: broadcast::Sender<Changed>,
}

#[derive(Default)]
struct Watched {
    senders: HashMap<ConversationId, watch::Sender<()>>,
    /// Size after the last sweep of conversations nobody waits on any more.
    swept_at: usize,
}

impl Default for ConversationChanges {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                watched: Mutex::default(),
                all: broadcast::channel(SITE_BACKLOG).0,
            }),
        }
    }
}

impl std::fmt::Debug for ConversationChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConversationChanges")
            .finish_non_exhaustive()
    }
}

impl ConversationChanges {
    /// Wakes everyone waiting on conversation `id` of `site`.
    pub fn changed(&self, site: &str, id: ConversationId) {
        {
            let mut watched = self.lock();
            if let Some(sender) = watched.senders.get(&id) {
                if sender.receiver_count() == 0 {
                    watched.senders.remove(&id);
                } else {
                    sender.send_replace(());
                }
            }
        }
        // Nobody listening is not an error: there may simply be no inbox open.
        let _ = self.inner.all.send(Changed {
            site: site.into(),
            id,
        });
    }

    /// Wakes every watcher: changes may have been missed (notifications from other relays
    /// were lost while the database connection was down), and a woken connection just reads.
    pub fn wake_everyone(&self) {
        for sender in self.lock().senders.values() {
            sender.send_replace(());
        }
    }

    /// A wake-up for every later change of conversation `id`.
    pub fn watch(&self, id: ConversationId) -> watch::Receiver<()> {
        let mut watched = self.lock();
        // Receivers go away with their connections; sweep their senders once the map has
        // doubled since the last sweep, so it stays as large as the live connections.
        if watched.senders.len() >= 2 * watched.swept_at.max(64) {
            watched
                .senders
                .retain(|_, sender| sender.receiver_count() > 0);
            watched.swept_at = watched.senders.len();
        }
        watched
            .senders
            .entry(id)
            .or_insert_with(|| watch::channel(()).0)
            .subscribe()
    }

    /// Every later change of every conversation.
    pub fn all(&self) -> broadcast::Receiver<Changed> {
        self.inner.all.subscribe()
    }

    /// Conversations someone waits on now (for the metrics).
    pub fn watched(&self) -> usize {
        self.lock().senders.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Watched> {
        // A panic while holding the lock leaves the map consistent: every operation on it is
        // one call.
        self.inner
            .watched
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_change_wakes_the_watchers_of_that_conversation_only() {
        let changes = ConversationChanges::default();
        let mut first = changes.watch(ConversationId(1));
        let mut other = changes.watch(ConversationId(2));
        changes.changed("shop", ConversationId(1));
        assert!(first.has_changed().unwrap());
        assert!(!other.has_changed().unwrap());
        first.mark_unchanged();
        changes.changed("shop", ConversationId(1));
        changes.changed("shop", ConversationId(1));
        first.changed().await.unwrap();
        assert!(!first.has_changed().unwrap(), "two changes wake once");
        other.mark_unchanged();
    }

    #[tokio::test]
    async fn every_change_reaches_the_inbox_stream_with_its_site() {
        let changes = ConversationChanges::default();
        let mut all = changes.all();
        changes.changed("shop", ConversationId(7));
        assert_eq!(
            all.recv().await.unwrap(),
            Changed {
                site: "shop".into(),
                id: ConversationId(7)
            }
        );
    }

    #[test]
    fn conversations_nobody_waits_on_are_forgotten() {
        let changes = ConversationChanges::default();
        for id in 0..200 {
            drop(changes.watch(ConversationId(id)));
        }
        let kept = changes.watch(ConversationId(1_000));
        assert!(changes.watched() < 200, "{}", changes.watched());
        changes.changed("shop", ConversationId(5));
        drop(kept);
    }
}
