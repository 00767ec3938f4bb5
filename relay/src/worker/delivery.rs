//! Delivering one claimed message or merchant webhook, and recording what came of it.
//!
//! What a platform's answer means (sent, retry after, failed, the person blocked us) is the
//! platform module's to say; when to retry or give up is `RetryPolicy`'s. A result that cannot
//! be recorded is logged: the claim's lease then ends and the message is tried again, which is
//! the one way a message can go out twice.

use futures_util::future::join_all;

use super::Worker;
use crate::channels::SendError;
use crate::domain::{Millis, NextAttempt, RetryPolicy};
use crate::merchant_webhooks;
use crate::store::{
    ClaimedOutbound, ClaimedWebhook, DeliveryResult, Effects, EventDraft, LaneRoom, MerchantEvent,
    StoreResult, SubscriberChange, SubscriberStatus,
};

/// Sends one message and records the result.
pub(super) async fn deliver_message(worker: &Worker, message: ClaimedOutbound) {
    let inner = &worker.inner;
    let result = attempt(worker, &message).await;
    crate::metrics::outbound(message.channel.as_str(), &result);
    if let DeliveryResult::Failed { error, .. } | DeliveryResult::Retry { error, .. } = &result {
        tracing::warn!(outbox = message.id, channel = message.channel.as_str(), %error, "delivery failed");
    }
    let now = inner.clock.now();
    if let DeliveryResult::Failed {
        unsubscribe: true, ..
    } = &result
        && let Err(error) = unsubscribe_blocked(worker, &message, now).await
    {
        tracing::error!(outbox = message.id, %error, "unsubscribing a blocked person failed; the send will be retried");
        return;
    }
    let settled = !matches!(result, DeliveryResult::Retry { .. });
    if let Err(error) = inner
        .store
        .finish_outbound(&inner.owner, message.id, result, now)
        .await
    {
        tracing::error!(outbox = message.id, %error, "recording a delivery failed; it will be retried");
        return;
    }
    // The conversation's message took the delivery's status: the inbox shows it. (PostgreSQL
    // also tells the other relays, from the database.)
    if let (true, Some(conversation)) = (settled, message.conversation) {
        inner
            .signals
            .conversations
            .changed(&message.site, conversation);
    }
}

/// The platform says the person blocked us or cannot be reached: they are unsubscribed as if
/// they had said STOP — recorded in the funnel and told to the merchant's webhook — unless they
/// were already.
async fn unsubscribe_blocked(
    worker: &Worker,
    message: &ClaimedOutbound,
    now: Millis,
) -> StoreResult<()> {
    let inner = &worker.inner;
    let Some(subscriber) = inner
        .store
        .get_subscriber(&message.site, message.subscriber_id)
        .await?
    else {
        return Ok(());
    };
    if subscriber.status != SubscriberStatus::Active {
        return Ok(());
    }
    let mut effects = Effects::about(SubscriberChange::Update {
        id: subscriber.id,
        status: SubscriberStatus::Unsubscribed,
        last_inbound_at: subscriber.last_inbound_at,
    });
    effects.events.push(EventDraft {
        kind: "unsubscribed",
        reference: None,
        attribution: subscriber.attribution.clone(),
    });
    if inner
        .settings
        .site(&message.site)
        .is_some_and(|site| site.webhook.is_some())
    {
        effects.notify.push(MerchantEvent::Unsubscribed);
    }
    inner
        .store
        .apply(&message.site, message.channel, effects, now)
        .await
        .map(drop)
}

async fn attempt(worker: &Worker, message: &ClaimedOutbound) -> DeliveryResult {
    let inner = &worker.inner;
    let give_up = |error: String| DeliveryResult::Failed {
        error,
        unsubscribe: false,
    };
    let Some(site) = inner.settings.site(&message.site) else {
        return give_up("the site is no longer configured".into());
    };
    let content = match &message.message {
        Ok(content) => content,
        Err(error) => return give_up(format!("the stored message cannot be read: {error}")),
    };
    let sent = inner
        .platforms
        .send(site, message.channel, &message.recipient, content)
        .await;
    match sent {
        Ok(platform_message_id) => DeliveryResult::Sent {
            platform_message_id,
        },
        Err(SendError::Permanent { reason }) => DeliveryResult::Failed {
            error: reason,
            unsubscribe: false,
        },
        // The person blocked the bot or cannot be reached: never retried, and they are
        // unsubscribed, as if they had said STOP.
        Err(SendError::Blocked { reason }) => DeliveryResult::Failed {
            error: reason,
            unsubscribe: true,
        },
        Err(SendError::Retry { after, reason }) => {
            let policy = RetryPolicy::MESSAGES;
            match policy.after_failure(message.attempts, inner.clock.now(), after) {
                NextAttempt::At(at) => DeliveryResult::Retry { at, error: reason },
                NextAttempt::GiveUp => give_up(format!(
                    "gave up after {} attempts: {reason}",
                    policy.max_attempts
                )),
            }
        }
    }
}

/// Delivers one merchant webhook and records the result.
pub(super) async fn deliver_webhook(worker: &Worker, webhook: ClaimedWebhook) {
    let inner = &worker.inner;
    let now = inner.clock.now();
    let endpoint = inner
        .settings
        .site(&webhook.site)
        .and_then(|site| site.webhook.as_ref());
    let result = match endpoint {
        Some(endpoint) => {
            merchant_webhooks::deliver(&inner.platforms.http_client(), endpoint, &webhook, now)
                .await
        }
        None => DeliveryResult::Failed {
            error: "the site has no webhook endpoint any more".into(),
            unsubscribe: false,
        },
    };
    if let DeliveryResult::Failed { error, .. } | DeliveryResult::Retry { error, .. } = &result {
        tracing::warn!(webhook = webhook.id, event = webhook.event.as_str(), %error, "merchant webhook failed");
    }
    crate::metrics::merchant_webhook(&result);
    let now = inner.clock.now();
    if let Err(error) = inner
        .store
        .finish_webhook(&inner.owner, webhook.id, result, now)
        .await
    {
        tracing::error!(webhook = webhook.id, %error, "recording a webhook delivery failed; it will be retried");
    }
}

/// Claims the due messages (up to the in-flight limit) and delivers them all concurrently.
pub(super) async fn messages_round(worker: &Worker) -> StoreResult<usize> {
    let limit = worker.inner.settings.worker.max_in_flight;
    let claimed = worker
        .inner
        .store
        .claim_outbound(&worker.claim(limit), &LaneRoom::unbounded())
        .await?;
    let count = claimed.len();
    join_all(claimed.into_iter().map(|m| deliver_message(worker, m))).await;
    Ok(count)
}

/// Claims the due merchant webhooks (up to the in-flight limit) and delivers them concurrently.
pub(super) async fn webhooks_round(worker: &Worker) -> StoreResult<usize> {
    let limit = worker.inner.settings.worker.max_in_flight;
    let claimed = worker
        .inner
        .store
        .claim_webhooks(&worker.claim(limit), &LaneRoom::unbounded())
        .await?;
    let count = claimed.len();
    join_all(claimed.into_iter().map(|w| deliver_webhook(worker, w))).await;
    Ok(count)
}
