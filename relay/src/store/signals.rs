//! Wake-ups for the worker loops: "work was stored in this queue".
//!
//! A store signals after every commit that adds work, so a loop waiting for work starts at once
//! instead of at its next poll. On PostgreSQL the same signal crosses processes through
//! `LISTEN/NOTIFY`, so a webhook stored by one relay wakes the workers of all of them.

use std::sync::Arc;

use tokio::sync::Notify;

/// A work queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Webhook events to process.
    Inbound,
    /// Messages to subscribers to deliver.
    Outbound,
    /// Webhooks to the merchant to deliver.
    Webhooks,
}

impl Queue {
    /// Every queue.
    pub const ALL: [Queue; 3] = [Queue::Inbound, Queue::Outbound, Queue::Webhooks];

    /// The name used in PostgreSQL notifications and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Inbound => "inbound",
            Queue::Outbound => "outbound",
            Queue::Webhooks => "webhooks",
        }
    }

    /// Parses `as_str`'s name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|queue| queue.as_str() == name)
    }
}

/// One wake-up per queue, and the conversations' changes; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct WorkSignals {
    inbound: Arc<Notify>,
    outbound: Arc<Notify>,
    webhooks: Arc<Notify>,
    /// Conversations that changed, for the live connections.
    pub conversations: super::ConversationChanges,
}

impl WorkSignals {
    fn of(&self, queue: Queue) -> &Notify {
        match queue {
            Queue::Inbound => &self.inbound,
            Queue::Outbound => &self.outbound,
            Queue::Webhooks => &self.webhooks,
        }
    }

    /// Wakes the loop of `queue` (or its next wait, if it is busy now).
    pub fn notify(&self, queue: Queue) {
        self.of(queue).notify_one();
    }

    /// Waits for the next wake-up of `queue`.
    pub async fn notified(&self, queue: Queue) {
        self.of(queue).notified().await;
    }
}
