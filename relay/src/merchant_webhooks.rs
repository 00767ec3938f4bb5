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
use crate::domain::now_millis;
use crate::store::{DeliveryResult, StoredWebhook};

/// Deliveries attempted before a webhook is kept as failed (backoff caps at an hour).
pub const MAX_ATTEMPTS: i64 = 20;

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

/// POSTs one webhook and says what to do with it next.
pub async fn deliver(
    http: &reqwest::Client,
    endpoint: &MerchantWebhookSettings,
    webhook: &StoredWebhook,
) -> DeliveryResult {
    let timestamp = now_millis() / 1000;
    let response = http
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("ferry-event", &webhook.event_type)
        .header("ferry-delivery", webhook.id.to_string())
        .header(
            "ferry-signature",
            signature(endpoint.secret.expose(), timestamp, &webhook.payload),
        )
        .body(webhook.payload.clone())
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
    if webhook.attempts + 1 >= MAX_ATTEMPTS {
        DeliveryResult::Failed {
            error: format!("gave up after {MAX_ATTEMPTS} attempts: {error}"),
            unsubscribe: false,
        }
    } else {
        DeliveryResult::Retry {
            at: now_millis() + crate::worker::retry_delay_ms(webhook.attempts, None),
            error,
        }
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
