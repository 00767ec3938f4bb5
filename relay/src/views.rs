//! How subscribers look to the merchant: the JSON of the API and of outbound webhooks.
//!
//! One shape for both, so a webhook receiver and an API client see the same fields.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::json;
use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Schema, Type, schema::SchemaType};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::{Attribution, ChannelKind, Customer, Millis, rfc3339};
use crate::store::{MerchantEvent, Subscriber, SubscriberStatus};

/// A subscriber as the merchant API and webhooks show it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Subscriber)]
pub struct SubscriberView {
    /// The subscriber's id on this relay.
    id: i64,
    /// The messenger.
    #[schema(value_type = crate::http::openapi::ChannelKind)]
    channel: ChannelKind,
    /// The person's id on the platform: Telegram user id, Messenger PSID, WhatsApp wa_id.
    platform_user_id: String,
    /// The name the platform reported.
    #[schema(required = true)]
    display_name: Option<String>,
    status: SubscriberStatus,
    /// First subscription.
    #[schema(format = DateTime)]
    subscribed_at: String,
    /// Last message or action from the person.
    #[schema(format = DateTime)]
    last_inbound_at: String,
    /// When they unsubscribed; null while active.
    #[schema(format = DateTime, required = true)]
    unsubscribed_at: Option<String>,
    /// The linked customer account, if any.
    #[schema(required = true)]
    customer: Option<Customer>,
    /// When the customer link was made.
    #[schema(format = DateTime, required = true)]
    linked_at: Option<String>,
    /// Orders the subscription is about, oldest first.
    order_ids: Vec<String>,
    attribution: AttributionView,
}

/// Where the subscriber came from (schema below: the derive cannot say that the flattened
/// visit's fields are all absent for `direct`).
#[derive(Debug, Serialize)]
struct AttributionView {
    source: AttributionSource,
    /// The ref the person arrived with, if any.
    #[serde(rename = "ref")]
    reference: Option<String>,
    #[serde(flatten)]
    visit: Option<Attribution>,
}

/// The schema `Attribution`: `source` and `ref`, then the visit's fields, optional.
impl PartialSchema for AttributionView {
    fn schema() -> RefOr<Schema> {
        let mut object = ObjectBuilder::new()
            .description(Some(
                "Where the subscriber came from. The visit's fields (`page_url` … `device`) are \
                 present when `source` is `intent`.",
            ))
            .property("source", Ref::from_schema_name(AttributionSource::name()))
            .required("source")
            .required("ref")
            .property(
                "ref",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .description(Some("The ref the person arrived with, if any.")),
            );
        if let RefOr::T(Schema::Object(visit)) = Attribution::schema() {
            for (name, property) in visit.properties {
                object = object.property(name, property);
            }
        }
        object.build().into()
    }
}

impl ToSchema for AttributionView {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Attribution")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            AttributionSource::name().into_owned(),
            AttributionSource::schema(),
        ));
    }
}

/// `intent` when the ref matched a widget click, `direct` otherwise.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum AttributionSource {
    /// The ref matched a click in the widget.
    Intent,
    /// No ref, or one that matched no click.
    Direct,
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
                    AttributionSource::Intent
                } else {
                    AttributionSource::Direct
                },
                reference: s.reference,
                visit: s.attribution,
            },
        }
    }
}

/// The body Ferry POSTs to the site's webhook URL, signed with `Ferry-Signature: t=<unix
/// seconds>,v1=<hex HMAC-SHA256(webhook secret, "<t>.<raw body>")>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MerchantWebhook {
    /// The event's id (`evt_…`); every delivery attempt of one event repeats it.
    id: String,
    /// What happened to the subscriber.
    #[serde(rename = "type")]
    kind: MerchantEvent,
    /// When it happened.
    #[schema(format = DateTime)]
    created_at: String,
    /// The site id.
    site: String,
    data: WebhookData,
}

/// What a merchant webhook is about.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MerchantWebhookData)]
struct WebhookData {
    /// The subscriber as it is after the event.
    subscriber: SubscriberView,
}

/// The body of a merchant webhook about a subscriber.
pub fn webhook_body(
    event_id: &str,
    event: MerchantEvent,
    site: &str,
    subscriber: Subscriber,
    at: Millis,
) -> String {
    // Through a `Value` (keys sorted), so the signed bytes keep the order receivers have seen.
    json!(MerchantWebhook {
        id: event_id.to_owned(),
        kind: event,
        created_at: rfc3339(at),
        site: site.to_owned(),
        data: WebhookData {
            subscriber: subscriber.into(),
        },
    })
    .to_string()
}
