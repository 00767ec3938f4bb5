//! How subscribers look to the merchant: the JSON of the API and of outbound webhooks.
//!
//! One shape for both, so a webhook receiver and an API client see the same fields.

use serde::Serialize;
use serde_json::json;

use crate::domain::{Attribution, ChannelKind, Customer, Millis, rfc3339};
use crate::store::{MerchantEvent, Subscriber, SubscriberStatus};

/// A subscriber as the merchant API and webhooks show it.
#[derive(Debug, Serialize)]
pub struct SubscriberView {
    id: i64,
    channel: ChannelKind,
    platform_user_id: String,
    display_name: Option<String>,
    status: SubscriberStatus,
    subscribed_at: String,
    last_inbound_at: String,
    unsubscribed_at: Option<String>,
    /// The linked customer account, if any.
    customer: Option<Customer>,
    linked_at: Option<String>,
    order_ids: Vec<String>,
    attribution: AttributionView,
}

#[derive(Debug, Serialize)]
struct AttributionView {
    /// `intent` when the ref matched a widget click, `direct` otherwise.
    source: &'static str,
    #[serde(rename = "ref")]
    reference: Option<String>,
    #[serde(flatten)]
    visit: Option<Attribution>,
}

impl From<Subscriber> for SubscriberView {
    fn from(s: Subscriber) -> Self {
        Self {
            id: s.id.0,
            channel: s.channel,
            platform_user_id: s.platform_user_id.as_str().to_owned(),
            display_name: s.display_name,
            status: s.status,
            subscribed_at: rfc3339(s.subscribed_at),
            last_inbound_at: rfc3339(s.last_inbound_at),
            unsubscribed_at: s.unsubscribed_at.map(rfc3339),
            customer: s.customer,
            linked_at: s.linked_at.map(rfc3339),
            order_ids: s.order_ids,
            attribution: AttributionView {
                source: if s.attribution.is_some() {
                    "intent"
                } else {
                    "direct"
                },
                reference: s.reference,
                visit: s.attribution,
            },
        }
    }
}

/// The body of a merchant webhook about a subscriber.
pub fn webhook_body(
    event_id: &str,
    event: MerchantEvent,
    site: &str,
    subscriber: Subscriber,
    at: Millis,
) -> String {
    json!({
        "id": event_id,
        "type": event.as_str(),
        "created_at": rfc3339(at),
        "site": site,
        "data": { "subscriber": SubscriberView::from(subscriber) }
    })
    .to_string()
}
