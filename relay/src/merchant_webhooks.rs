//! Signed webhooks to the merchant: `subscriber.created`, `.linked`, `.unlinked`, `.unsubscribed`.
//!
//! Every delivery carries `Ferry-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<body>")>`. Signing the timestamp with the body lets the receiver reject replays (refuse
//! a `t` older than a few minutes) as well as forgeries. Deliveries come from a durable queue
//! (`merchant_webhooks`): a failed one is retried with backoff for about a day and then kept as
//! failed, never dropped.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::MerchantWebhookSettings;
use crate::domain::{Millis, NextAttempt, RetryPolicy, now_millis};
use crate::store::{ClaimedWebhook, DeliveryResult, WebhookContent};

/// The `Ferry-Signature` header value for `body` sent at `timestamp` (unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// The JSON body of a claimed webhook: rendered from its snapshot, or as an earlier version
/// queued it.
pub fn body(site: &str, webhook: &ClaimedWebhook) -> Result<String, String> {
    match &webhook.content {
        WebhookContent::Snapshot(subscriber) => Ok(crate::views::webhook_body(
            &webhook.event_id,
            webhook.event,
            site,
            subscriber.as_ref().clone(),
            webhook.created_at,
        )),
        WebhookContent::Body(body) => Ok(body.clone()),
        WebhookContent::Unreadable(error) => {
            Err(format!("the stored webhook cannot be read: {error}"))
        }
    }
}

/// POSTs one webhook and says what to do with it next (`now` schedules a retry; the signature
/// carries the wall-clock time, which is what receivers compare it with).
pub async fn deliver(
    http: &reqwest::Client,
    endpoint: &MerchantWebhookSettings,
    webhook: &ClaimedWebhook,
    now: Millis,
) -> DeliveryResult {
    let payload = match body(&webhook.site, webhook) {
        Ok(payload) => payload,
        Err(error) => {
            return DeliveryResult::Failed {
                error,
                unsubscribe: false,
            };
        }
    };
    let timestamp = now_millis() / 1000;
    let response = http
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("ferry-event", webhook.event.as_str())
        .header("ferry-delivery", webhook.id.to_string())
        .header(
            "ferry-signature",
            signature(endpoint.secret.expose(), timestamp, &payload),
        )
        .body(payload)
        .send()
        .await;
    let error = match response {
        Ok(response) if response.status().is_success() => {
            return DeliveryResult::Sent {
                platform_message_id: None,
            };
        }
        Ok(response) => format!("the endpoint answered {}", response.status()),
        Err(error) => format!("request failed: {}", error.without_url()),
    };
    let policy = RetryPolicy::MERCHANT_WEBHOOKS;
    match policy.after_failure(webhook.attempts, now, None) {
        NextAttempt::At(at) => DeliveryResult::Retry { at, error },
        NextAttempt::GiveUp => DeliveryResult::Failed {
            error: format!("gave up after {} attempts: {error}", policy.max_attempts),
            unsubscribe: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let a = signature("whsec_0123456789abcdef", 1_763_733_600, r#"{"id":"evt_1"}"#);
        assert!(a.starts_with("t=1763733600,v1="));
        assert_ne!(
            a,
            signature("whsec_0123456789abcdef", 1_763_733_601, r#"{"id":"evt_1"}"#)
        );
        assert_ne!(
            a,
            signature("whsec_0123456789abcdef", 1_763_733_600, r#"{"id":"evt_2"}"#)
        );
    }
}
