//! The document serialises as OpenAPI 3, and its schemas describe what the relay really sends:
//! real values are serialised and checked field by field (types, lengths, patterns) against
//! them. `patterns` checks the other direction, for values the relay receives.

mod patterns;

use axum::response::IntoResponse;
use ferry_wire as wire;
use http_body_util::BodyExt;
use regex::Regex;
use serde::Serialize;
use serde_json::{Value, json};

use super::document;
use crate::domain::{Attribution, ChannelKind, Customer, PlatformUserId, SubscriberId};
use crate::error::ApiError;
use crate::store::{MerchantEvent, Subscriber, SubscriberStatus};
use crate::views::{SubscriberView, webhook_body};

fn document_json() -> Value {
    let text = serde_json::to_string(document()).expect("the document serialises");
    serde_json::from_str(&text).unwrap()
}

/// Why `text` breaks the schema's length or pattern, or `None`. Lengths count characters, as
/// JSON Schema does.
fn string_misfit(schema: &Value, text: &str, at: &str) -> Option<String> {
    let chars = text.chars().count() as u64;
    if schema["maxLength"].as_u64().is_some_and(|max| chars > max) {
        return Some(format!("{at}: {chars} characters, more than maxLength"));
    }
    if schema["minLength"].as_u64().is_some_and(|min| chars < min) {
        return Some(format!("{at}: {chars} characters, fewer than minLength"));
    }
    let pattern = schema["pattern"].as_str()?;
    let regex = Regex::new(pattern).expect("documented patterns are regexes");
    (!regex.is_match(text)).then(|| format!("{at}: {text:?} does not match {pattern}"))
}

/// Why `value` does not fit `schema`, or `None`. With `exact`, every documented property must
/// also be present (for samples with every optional field filled in).
fn misfit(doc: &Value, schema: &Value, value: &Value, at: &str, exact: bool) -> Option<String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        if target.is_null() {
            return Some(format!("{at}: {reference} does not resolve"));
        }
        return misfit(doc, target, value, at, exact);
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let fits = options
            .iter()
            .any(|option| misfit(doc, option, value, at, exact).is_none());
        return (!fits).then(|| format!("{at}: {value} fits none of {options:?}"));
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        return Some(format!("{at}: {value} is not one of {allowed:?}"));
    }
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => return Some(format!("{at}: the schema has no type: {schema}")),
    };
    if !types.contains(&kind) {
        return Some(format!("{at}: {kind} where the schema says {types:?}"));
    }
    match value {
        Value::Object(fields) => {
            let properties = schema["properties"].as_object()?;
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    return Some(format!("{at}.{name}: required but missing"));
                }
            }
            if let Some(name) = properties
                .keys()
                .find(|n| exact && !fields.contains_key(*n))
            {
                return Some(format!("{at}.{name}: documented but not sent"));
            }
            fields
                .iter()
                .find_map(|(name, field)| match properties.get(name) {
                    Some(property) => misfit(doc, property, field, &format!("{at}.{name}"), exact),
                    None => Some(format!("{at}.{name}: sent but not documented")),
                })
        }
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            misfit(doc, &schema["items"], item, &format!("{at}[{i}]"), exact)
        }),
        Value::String(text) => string_misfit(schema, text, at),
        _ => None,
    }
}

fn assert_fits(schema_name: &str, value: impl Serialize, exact: bool) {
    let value = serde_json::to_value(value).unwrap();
    let schema = json!({ "$ref": format!("#/components/schemas/{schema_name}") });
    if let Some(problem) = misfit(&document_json(), &schema, &value, schema_name, exact) {
        panic!("{problem}\nin {value:#}");
    }
}

/// A token of the JWT shape (its signature is not checked here).
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdXNfMSJ9.c2lnbmF0dXJl";

fn visit() -> wire::Visit {
    wire::Visit {
        page_url: "https://shop.example/p/beans?utm_source=news".into(),
        referrer: Some("https://news.example/".into()),
        utm: wire::Utm {
            source: Some("news".into()),
            medium: Some("email".into()),
            campaign: Some("spring".into()),
            content: Some("hero".into()),
            term: Some("beans".into()),
        },
        placement: "checkout".into(),
        locale: Some("en-GB".into()),
        device: wire::DeviceClass::Mobile,
    }
}

fn subscriber(linked: bool) -> Subscriber {
    Subscriber {
        id: SubscriberId(7),
        site: "shop".into(),
        channel: ChannelKind::Telegram,
        platform_user_id: PlatformUserId::parse("900069535").unwrap(),
        display_name: Some("Ann".into()),
        status: SubscriberStatus::Unsubscribed,
        reference: Some("Zm9vYmFyYmF6cXV4MTIzNDU2".into()),
        attribution: linked.then(|| Attribution::from_visit(&visit()).unwrap()),
        subscribed_at: 1_763_733_600_000,
        last_inbound_at: 1_763_733_700_000,
        unsubscribed_at: Some(1_763_733_800_000),
        customer: linked.then(|| Customer {
            id: "cus_1".into(),
            email: Some("ann@example.com".into()),
            name: Some("Ann Lee".into()),
            phone: Some("+4915112345678".into()),
        }),
        linked_at: linked.then_some(1_763_733_650_000),
        order_ids: vec!["A-1001".into()],
    }
}

#[test]
fn the_document_serialises_as_openapi_3() {
    let doc = document_json();

    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["info"]["title"], "Ferry relay API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let scheme = &doc["components"]["securitySchemes"][super::API_KEY];
    assert_eq!(
        (&scheme["type"], &scheme["scheme"]),
        (&json!("http"), &json!("bearer"))
    );
    assert!(doc["components"]["schemas"]["MerchantWebhook"].is_object());
}

#[test]
fn merchant_operations_need_the_key_and_every_error_has_the_error_shape() {
    let doc = document_json();
    let operations = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().unwrap();
            methods.iter().map(move |(method, op)| (path, method, op))
        });
    for (path, method, operation) in operations {
        let keyed = path.starts_with("/v1/") && path != "/v1/openapi.json";
        let expected = if keyed {
            json!([{ super::API_KEY: [] }])
        } else {
            Value::Null
        };
        assert_eq!(operation["security"], expected, "{method} {path}");
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.as_str() >= "400" {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                assert_eq!(
                    schema, "#/components/schemas/Error",
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[test]
fn subscribers_and_merchant_webhooks_fit_their_schemas() {
    assert_fits("Subscriber", SubscriberView::from(subscriber(true)), true);
    assert_fits("Subscriber", SubscriberView::from(subscriber(false)), false);
    let body = webhook_body("evt_1", MerchantEvent::Linked, "shop", subscriber(true), 0);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_fits("MerchantWebhook", body, true);
    let events = [
        MerchantEvent::Created,
        MerchantEvent::Linked,
        MerchantEvent::Unlinked,
        MerchantEvent::Unsubscribed,
    ];
    for event in events {
        assert_eq!(serde_json::to_value(event).unwrap(), event.as_str());
    }
}

#[tokio::test]
async fn errors_fit_their_schema() {
    let response = ApiError::not_found("subscriber_not_found", "no subscriber 7").into_response();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_fits("Error", body, true);
}

#[test]
fn widget_api_bodies_fit_their_schemas() {
    let button = wire::ChannelButton {
        kind: ChannelKind::Whatsapp,
        label: "WhatsApp".into(),
        link: "https://wa.me/4915112345678?text={ref}".into(),
        ref_kind: wire::RefKind::Code,
    };
    let config = wire::WidgetConfig {
        site: "shop".into(),
        name: "Bean Shop".into(),
        locale: "en".into(),
        accent: "#0a7cff".into(),
        position: wire::LauncherPosition::Left,
        texts: crate::texts::widget(crate::domain::Locale::En, "Bean Shop"),
        channels: vec![button],
        chat: wire::ChatSettings {
            open_now: false,
            texts: crate::texts::chat(crate::domain::Locale::Lt),
        },
    };
    assert_fits("WidgetConfig", config, true);
    let event = wire::WidgetEvent {
        kind: wire::WidgetEventKind::Click,
        channel: Some(ChannelKind::Messenger),
        visit: visit(),
    };
    assert_fits("WidgetEvent", event, true);
    let intent = wire::NewIntent {
        reference: "ABCD2345".into(),
        channel: ChannelKind::Whatsapp,
        visit: visit(),
        token: Some(JWT.into()),
        order_id: Some("A-1001".into()),
    };
    assert_fits("NewIntent", intent, true);
    let receipt = wire::IntentReceipt {
        reference: "ABCD2345".into(),
        customer: Some("a***@example.com".into()),
    };
    assert_fits("IntentReceipt", receipt, true);
    let token = JWT.to_owned();
    assert_fits(
        "IdentityRequest",
        wire::IdentityRequest {
            token: token.clone(),
        },
        true,
    );
    let subscription = wire::LinkedSubscription {
        channel: ChannelKind::Telegram,
        status: "active".into(),
    };
    let status = wire::IdentityStatus {
        customer: "a***@example.com".into(),
        subscriptions: vec![subscription],
    };
    assert_fits("IdentityStatus", status, true);
    let code = "K3M9P2Q7R4T8".to_owned();
    assert_fits("LinkRequest", wire::LinkRequest { code, token }, true);
    let linked = wire::LinkResult {
        channel: ChannelKind::Telegram,
        customer: "a***@example.com".into(),
    };
    assert_fits("LinkResult", linked, true);
}

#[test]
fn chat_bodies_fit_their_schemas() {
    let start = wire::StartConversation {
        visit: visit(),
        token: Some(JWT.into()),
        resume: true,
    };
    assert_fits("StartConversation", start, true);
    let token = crate::domain::ConversationToken::generate()
        .as_str()
        .to_owned();
    assert_fits(
        "ConversationStarted",
        wire::ConversationStarted { token },
        true,
    );
    let send = wire::SendMessage {
        text: "Do you ship to Riga?\nThanks".into(),
        client_key: "01JD3Z8W-msg_1".into(),
    };
    assert_fits("SendMessage", send, true);
    let message = |author, status| wire::ChatMessage {
        seq: 1,
        author,
        text: "Hello".into(),
        at: crate::domain::rfc3339(1_763_733_600_000),
        status,
        channel: "telegram".into(),
    };
    let messages = wire::ChatMessages {
        messages: vec![
            message(wire::ChatAuthor::Visitor, wire::ChatStatus::Received),
            message(wire::ChatAuthor::Operator, wire::ChatStatus::Pending),
            message(wire::ChatAuthor::System, wire::ChatStatus::Sent),
            message(wire::ChatAuthor::Operator, wire::ChatStatus::Failed),
        ],
    };
    assert_fits("ChatMessages", messages, true);
}

#[test]
fn every_registered_platform_has_its_webhook_in_the_document() {
    let doc = document_json();
    for platform in crate::channels::registry() {
        let kind = platform.kind();
        let path = &doc["paths"][super::webhooks::path(kind)];
        let post = &path["post"];
        let (header, _) = platform.webhook_doc().auth_header;
        assert!(
            post["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == header && p["in"] == "header"),
            "{kind:?}: {post}"
        );
        assert_eq!(
            post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/HookReceipt"
        );
        let handshake = platform.webhook_doc().handshake.is_some();
        assert_eq!(path["get"].is_object(), handshake, "{kind:?}");
    }
    let channels: Vec<&str> = ChannelKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        doc["components"]["schemas"]["Channel"]["enum"],
        json!(channels)
    );
}
