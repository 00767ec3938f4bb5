//! The background worker: processes stored webhook events and delivers the outbox.
//!
//! Webhook handlers only store; this worker does everything that may be slow or call out.
//! One `step` processes a batch of each queue and is public, so tests drive the worker a
//! step at a time instead of sleeping. `run_until_stopped` loops on steps, waking when a
//! handler signals new work and at least every second (for retries that become due).

use std::{sync::Arc, time::Duration};

use tokio::sync::Notify;

use crate::channels::{Platforms, SendError};
use crate::config::Settings;
use crate::domain::now_millis;
use crate::ingest;
use crate::merchant_webhooks;
use crate::store::{DeliveryResult, Store, StoreResult, StoredOutbound};

/// Deliveries attempted before a message is given up.
const MAX_DELIVERY_ATTEMPTS: i64 = 12;
/// Rows taken per step from each queue.
const BATCH: u32 = 100;

/// What one step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Inbound events processed.
    pub processed: usize,
    /// Outbound messages attempted.
    pub attempted: usize,
    /// Merchant webhooks attempted.
    pub webhooks: usize,
}

/// Handle to the worker; cheap to clone.
#[derive(Clone)]
pub struct Worker {
    /// Where queues live.
    store: Arc<dyn Store>,
    /// Sites (for credentials and texts).
    settings: Arc<Settings>,
    /// The platforms' send APIs.
    platforms: Platforms,
    /// Signalled by webhook handlers when they stored something.
    wake: Arc<Notify>,
}

impl Worker {
    /// A worker over this store and these platforms.
    pub fn new(
        store: Arc<dyn Store>,
        settings: Arc<Settings>,
        platforms: Platforms,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            store,
            settings,
            platforms,
            wake,
        }
    }

    /// Processes one batch of inbound events, then attempts one batch of due deliveries.
    pub async fn step(&self) -> StoreResult<Progress> {
        let processed = self.process_inbound().await?;
        let attempted = self.deliver_due().await?;
        let webhooks = self.deliver_webhooks().await?;
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

    /// Steps until `shutdown` completes.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let idle = match self.step().await {
                Ok(progress) => progress == Progress::default(),
                Err(error) => {
                    tracing::error!(%error, "worker step failed");
                    true
                }
            };
            if idle {
                tokio::select! {
                    () = &mut shutdown => return,
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            } else if is_done(shutdown.as_mut()).await {
                // Between steps, never inside one: a step cut short could send a message and
                // not record it, and it would be sent again after the restart.
                return;
            }
        }
    }

    async fn process_inbound(&self) -> StoreResult<usize> {
        let batch = self.store.pending_inbound(BATCH).await?;
        for inbound in &batch {
            let Some(site) = self.settings.site(&inbound.site) else {
                self.store
                    .fail_inbound(inbound.id, "site no longer configured")
                    .await?;
                continue;
            };
            match ingest::process(self.store.as_ref(), site, inbound).await {
                Ok(()) => metrics::counter!("ferry_inbound_processed_total", "outcome" => "ok")
                    .increment(1),
                Err(error) => {
                    metrics::counter!("ferry_inbound_processed_total", "outcome" => "failed")
                        .increment(1);
                    tracing::warn!(%error, inbound = inbound.id, "processing an inbound event failed");
                    self.store
                        .fail_inbound(inbound.id, &error.to_string())
                        .await?;
                }
            }
        }
        Ok(batch.len())
    }

    async fn deliver_due(&self) -> StoreResult<usize> {
        let due = self.store.due_outbound(now_millis(), BATCH).await?;
        for message in &due {
            let result = self.deliver(message).await;
            crate::metrics::outbound(message.channel.as_str(), &result);
            if let DeliveryResult::Failed { error, .. } | DeliveryResult::Retry { error, .. } =
                &result
            {
                tracing::warn!(outbox = message.id, channel = message.channel.as_str(), %error, "delivery failed");
            }
            self.store.finish_outbound(message, result).await?;
        }
        Ok(due.len())
    }

    async fn deliver_webhooks(&self) -> StoreResult<usize> {
        let due = self.store.due_webhooks(now_millis(), BATCH).await?;
        for webhook in &due {
            let result = match self
                .settings
                .site(&webhook.site)
                .and_then(|site| site.webhook.as_ref())
            {
                Some(endpoint) => {
                    merchant_webhooks::deliver(&self.platforms.http_client(), endpoint, webhook)
                        .await
                }
                None => DeliveryResult::Failed {
                    error: "the site has no webhook endpoint any more".into(),
                    unsubscribe: false,
                },
            };
            if let DeliveryResult::Failed { error, .. } | DeliveryResult::Retry { error, .. } =
                &result
            {
                tracing::warn!(webhook = webhook.id, event = %webhook.event_type, %error, "merchant webhook failed");
            }
            crate::metrics::merchant_webhook(&result);
            self.store.finish_webhook(webhook.id, result).await?;
        }
        Ok(due.len())
    }

    async fn deliver(&self, message: &StoredOutbound) -> DeliveryResult {
        let Some(site) = self.settings.site(&message.site) else {
            return DeliveryResult::Failed {
                error: "site no longer configured".into(),
                unsubscribe: false,
            };
        };
        match self
            .platforms
            .send(site, message.channel, &message.recipient, &message.message)
            .await
        {
            Ok(platform_message_id) => DeliveryResult::Sent {
                platform_message_id,
            },
            Err(SendError::Permanent { reason }) => DeliveryResult::Failed {
                error: reason,
                unsubscribe: false,
            },
            Err(SendError::Blocked { reason }) => DeliveryResult::Failed {
                error: reason,
                unsubscribe: true,
            },
            Err(SendError::Retry { reason, .. })
                if message.attempts + 1 >= MAX_DELIVERY_ATTEMPTS =>
            {
                DeliveryResult::Failed {
                    error: format!("gave up after {MAX_DELIVERY_ATTEMPTS} attempts: {reason}"),
                    unsubscribe: false,
                }
            }
            Err(SendError::Retry { after, reason }) => DeliveryResult::Retry {
                at: now_millis() + retry_delay_ms(message.attempts, after),
                error: reason,
            },
        }
    }
}

/// Whether `future` has completed, without waiting for it.
async fn is_done(mut future: std::pin::Pin<&mut impl Future<Output = ()>>) -> bool {
    std::future::poll_fn(|cx| std::task::Poll::Ready(future.as_mut().poll(cx).is_ready())).await
}

/// Exponential backoff from 2 s doubling to at most an hour, or what the platform asked for.
pub fn retry_delay_ms(attempts: i64, retry_after_secs: Option<u64>) -> i64 {
    if let Some(seconds) = retry_after_secs {
        return i64::try_from(seconds.min(3600)).unwrap_or(3600) * 1000;
    }
    let exponent = u32::try_from(attempts.clamp(0, 11)).unwrap_or(11);
    (2_000_i64 << exponent).min(3_600_000)
}

#[cfg(test)]
mod tests {
    use super::retry_delay_ms;

    #[test]
    fn backoff_doubles_up_to_an_hour_and_honours_retry_after() {
        assert_eq!(retry_delay_ms(0, None), 2_000);
        assert_eq!(retry_delay_ms(3, None), 16_000);
        assert_eq!(retry_delay_ms(40, None), 3_600_000);
        assert_eq!(retry_delay_ms(0, Some(7)), 7_000);
    }
}
