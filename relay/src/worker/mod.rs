//! The background worker: processes stored webhook events and delivers messages and merchant
//! webhooks, as three loops that share nothing but the store.
//!
//! Webhook handlers only store; everything slow or outbound happens here. Work is *claimed*
//! from the store with a lease, so any number of relays on one PostgreSQL database share it
//! without ever holding the same row, and a relay that dies hands its work over when its
//! leases end. Inbound processing commits a whole batch at once. Deliveries run concurrently,
//! bounded per relay and per lane (one site's account on one platform), so one slow platform
//! cannot stall the others and the drain rate is not one round trip per message.
//!
//! Tests drive the worker a step at a time (`step`, `drain`) instead of running the loops.

mod delivery;
mod dispatch;
mod loops;

use std::sync::Arc;

use crate::channels::Platforms;
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::health::Health;
use crate::ingest;
use crate::store::{Claim, Store, StoreResult, WorkSignals};

pub use loops::{LoopFailed, Shutdown};

/// What one step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Inbound events claimed (processed, retried, parked or handed back).
    pub processed: usize,
    /// Outbound messages attempted.
    pub attempted: usize,
    /// Merchant webhooks attempted.
    pub webhooks: usize,
}

/// Handle to the worker; cheap to clone.
#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    settings: Arc<Settings>,
    platforms: Platforms,
    clock: SharedClock,
    signals: WorkSignals,
    health: Health,
    /// This worker's name on the leases it takes.
    owner: String,
}

impl Worker {
    /// A worker over this store and these platforms, under a fresh lease owner name.
    pub fn new(
        store: Arc<dyn Store>,
        settings: Arc<Settings>,
        platforms: Platforms,
        clock: SharedClock,
        signals: WorkSignals,
        health: Health,
    ) -> Self {
        let owner = format!("relay-{}-{:08x}", std::process::id(), rand::random::<u32>());
        Self {
            inner: Arc::new(Inner {
                store,
                settings,
                platforms,
                clock,
                signals,
                health,
                owner,
            }),
        }
    }

    /// The name this worker's leases carry.
    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    /// A claim on `limit` items from now until the lease ends.
    fn claim(&self, limit: usize) -> Claim {
        let now = self.inner.clock.now();
        let lease_ms = i64::try_from(self.inner.settings.worker.lease_secs)
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000);
        Claim {
            owner: self.inner.owner.clone(),
            now,
            until: now.saturating_add(lease_ms),
            limit: u32::try_from(limit).unwrap_or(u32::MAX),
        }
    }

    /// Processes one batch of inbound events; returns how many were claimed.
    pub async fn process_inbound(&self) -> StoreResult<usize> {
        let batch_size = self.inner.settings.worker.batch as usize;
        let claimed = self
            .inner
            .store
            .claim_inbound(&self.claim(batch_size))
            .await?;
        let count = claimed.len();
        if count > 0 {
            ingest::process(
                self.inner.store.as_ref(),
                &self.inner.settings,
                &self.inner.owner,
                claimed,
                self.inner.clock.now(),
            )
            .await?;
        }
        Ok(count)
    }

    /// One step: a batch of inbound events, then one round of due messages and merchant
    /// webhooks, delivered concurrently and awaited.
    pub async fn step(&self) -> StoreResult<Progress> {
        let processed = self.process_inbound().await?;
        let attempted = delivery::messages_round(self).await?;
        let webhooks = delivery::webhooks_round(self).await?;
        Ok(Progress {
            processed,
            attempted,
            webhooks,
        })
    }

    /// Steps until a step finds nothing to do (retries scheduled for later are left).
    pub async fn drain(&self) -> StoreResult<()> {
        while self.step().await? != Progress::default() {}
        Ok(())
    }
}
