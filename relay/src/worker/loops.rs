//! The worker's three loops as `ferry serve` runs them, each until shutdown or until it has
//! failed for too long.
//!
//! A loop that meets an error (the database unreachable, say) reports it to `Health` — so
//! `/readyz` fails at once — and tries again after the poll interval. If it is still failing
//! after `worker.give_up_after_secs`, it returns `LoopFailed` and the supervisor stops the
//! process, for systemd or the orchestrator to restart it: a relay that takes webhooks but
//! cannot process them must not look healthy.

use std::time::Duration;

use tokio::time::Instant;
pub use tokio_util::sync::CancellationToken as Shutdown;

use super::{Worker, delivery, dispatch::Dispatcher};
use crate::store::{
    Claim, ClaimedOutbound, ClaimedWebhook, Lane, LaneRoom, Queue, StoreError, StoreResult,
};

/// A loop gave up.
#[derive(Debug, thiserror::Error)]
#[error("the {part} kept failing for {seconds} s: {error}")]
pub struct LoopFailed {
    /// Which loop.
    pub part: &'static str,
    /// How long it failed.
    pub seconds: u64,
    /// The last error.
    pub error: String,
}

/// Tracks a loop's run of failures.
struct Failures {
    part: &'static str,
    since: Option<Instant>,
    limit: Duration,
}

impl Failures {
    fn new(worker: &Worker, part: &'static str) -> Self {
        Self {
            part,
            since: None,
            limit: Duration::from_secs(worker.inner.settings.worker.give_up_after_secs),
        }
    }

    fn ok(&mut self, worker: &Worker) {
        if self.since.take().is_some() {
            tracing::info!(part = self.part, "recovered");
            worker.inner.health.recovered(self.part);
        }
    }

    fn failed(&mut self, worker: &Worker, error: &StoreError) -> Result<(), LoopFailed> {
        tracing::error!(part = self.part, %error, "worker loop step failed");
        worker.inner.health.failing(self.part, error);
        let since = *self.since.get_or_insert_with(Instant::now);
        if since.elapsed() >= self.limit {
            return Err(LoopFailed {
                part: self.part,
                seconds: since.elapsed().as_secs(),
                error: error.to_string(),
            });
        }
        Ok(())
    }
}

impl Worker {
    fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.inner.settings.worker.poll_interval_ms)
    }

    /// Waits for new work in `queue`, the poll interval, or shutdown; `false` on shutdown.
    async fn idle(&self, queue: Queue, shutdown: &Shutdown) -> bool {
        tokio::select! {
            () = shutdown.cancelled() => false,
            () = self.inner.signals.notified(queue) => true,
            () = tokio::time::sleep(self.poll_interval()) => true,
        }
    }

    /// Processes webhook events until `shutdown`; stops between batches, never inside one.
    pub async fn run_inbound(self, shutdown: Shutdown) -> Result<(), LoopFailed> {
        let mut failures = Failures::new(&self, "inbound worker");
        loop {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            match self.process_inbound().await {
                Ok(claimed) => {
                    failures.ok(&self);
                    if claimed > 0 {
                        continue;
                    }
                }
                Err(error) => failures.failed(&self, &error)?,
            }
            if !self.idle(Queue::Inbound, &shutdown).await {
                return Ok(());
            }
        }
    }

    /// Delivers messages until `shutdown`, then waits for the deliveries in flight.
    pub async fn run_outbound(self, shutdown: Shutdown) -> Result<(), LoopFailed> {
        self.run_deliveries::<Messages>(shutdown).await
    }

    /// Delivers merchant webhooks until `shutdown`, then waits for the deliveries in flight.
    pub async fn run_webhooks(self, shutdown: Shutdown) -> Result<(), LoopFailed> {
        self.run_deliveries::<MerchantWebhooks>(shutdown).await
    }

    /// Claims as much as there is room for, delivers it concurrently, and claims again as
    /// deliveries finish or new work is signalled.
    async fn run_deliveries<Q: DeliveryQueue>(self, shutdown: Shutdown) -> Result<(), LoopFailed> {
        let settings = &self.inner.settings.worker;
        let mut dispatcher: Dispatcher<Q::Lane> =
            Dispatcher::new(settings.max_in_flight, settings.max_in_flight_per_lane);
        let mut failures = Failures::new(&self, Q::PART);
        // A deadline of its own, not a sleep restarted on every wake-up: while deliveries keep
        // finishing, retries that became due in idle lanes must still be looked for.
        let mut poll_at = tokio::time::Instant::now() + self.poll_interval();
        loop {
            let mut claimed = 0;
            if dispatcher.wants_more() && !shutdown.is_cancelled() {
                let asked = dispatcher.free();
                match Q::claim(&self, self.claim(asked), dispatcher.room()).await {
                    Ok(items) => {
                        failures.ok(&self);
                        claimed = items.len();
                        dispatcher.claimed(asked, claimed);
                        for item in items {
                            dispatcher.spawn(Q::lane(&item), Q::deliver(self.clone(), item));
                        }
                    }
                    Err(error) => {
                        if let Err(gave_up) = failures.failed(&self, &error) {
                            dispatcher.finish_all().await;
                            return Err(gave_up);
                        }
                    }
                }
            }
            if claimed > 0 && dispatcher.wants_more() {
                continue;
            }
            let room = dispatcher.has_capacity();
            tokio::select! {
                () = shutdown.cancelled() => {
                    dispatcher.finish_all().await;
                    return Ok(());
                }
                () = dispatcher.next_finished(), if dispatcher.busy() => {}
                () = self.inner.signals.notified(Q::QUEUE), if room => dispatcher.more_may_be_due(),
                () = tokio::time::sleep_until(poll_at), if room => {
                    poll_at = tokio::time::Instant::now() + self.poll_interval();
                    dispatcher.more_may_be_due();
                }
            }
        }
    }
}

/// A queue the delivery loop drains.
trait DeliveryQueue {
    type Item: Send + 'static;
    type Lane: Clone + Eq + std::hash::Hash + Send + 'static;
    /// The loop's name in logs and `/readyz`.
    const PART: &'static str;
    /// The queue whose signal wakes the loop.
    const QUEUE: Queue;
    fn claim(
        worker: &Worker,
        claim: Claim,
        room: LaneRoom<Self::Lane>,
    ) -> impl Future<Output = StoreResult<Vec<Self::Item>>> + Send;
    fn lane(item: &Self::Item) -> Self::Lane;
    fn deliver(worker: Worker, item: Self::Item) -> impl Future<Output = ()> + Send + 'static;
}

/// Messages to subscribers, in lanes of (site, platform).
struct Messages;

impl DeliveryQueue for Messages {
    type Item = ClaimedOutbound;
    type Lane = Lane;
    const PART: &'static str = "delivery worker";
    const QUEUE: Queue = Queue::Outbound;

    async fn claim(
        worker: &Worker,
        claim: Claim,
        room: LaneRoom<Lane>,
    ) -> StoreResult<Vec<ClaimedOutbound>> {
        worker.inner.store.claim_outbound(&claim, &room).await
    }

    fn lane(item: &ClaimedOutbound) -> Lane {
        item.lane()
    }

    async fn deliver(worker: Worker, item: ClaimedOutbound) {
        delivery::deliver_message(&worker, item).await;
    }
}

/// Webhooks to the merchants, in lanes of one site (one endpoint) each.
struct MerchantWebhooks;

impl DeliveryQueue for MerchantWebhooks {
    type Item = ClaimedWebhook;
    type Lane = String;
    const PART: &'static str = "merchant webhook worker";
    const QUEUE: Queue = Queue::Webhooks;

    async fn claim(
        worker: &Worker,
        claim: Claim,
        room: LaneRoom<String>,
    ) -> StoreResult<Vec<ClaimedWebhook>> {
        worker.inner.store.claim_webhooks(&claim, &room).await
    }

    fn lane(item: &ClaimedWebhook) -> String {
        item.site.clone()
    }

    async fn deliver(worker: Worker, item: ClaimedWebhook) {
        delivery::deliver_webhook(&worker, item).await;
    }
}
