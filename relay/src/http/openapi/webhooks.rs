//! The platforms' webhook endpoints in the document, built from the channel registry: one path
//! per platform with its authentication header, and its `GET` handshake where it has one. A
//! platform added to the registry is documented without touching this file.

use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{
    Content, ObjectBuilder, OpenApi, Ref, Required, Response, ResponseBuilder, Type,
};
use utoipa::{IntoParams, Modify};

use super::{HOOK_NOT_FOUND, STORAGE, schemas::SitePath};
use crate::channels::{self, HandshakeDoc, WebhookDoc};
use crate::domain::ChannelKind;

/// Adds `/hooks/{site}/<platform>` for every registered platform.
pub(super) struct WebhookPaths;

impl Modify for WebhookPaths {
    fn modify(&self, openapi: &mut OpenApi) {
        for platform in channels::registry() {
            let kind = platform.kind();
            let doc = platform.webhook_doc();
            let path = path(kind);
            if let Some(handshake) = &doc.handshake {
                openapi.paths.add_path_operation(
                    &path,
                    vec![HttpMethod::Get],
                    handshake_operation(kind, handshake),
                );
            }
            openapi.paths.add_path_operation(
                &path,
                vec![HttpMethod::Post],
                event_operation(kind, &doc),
            );
        }
    }
}

/// The documented path of a platform's webhook.
pub(super) fn path(kind: ChannelKind) -> String {
    format!("/hooks/{{site}}/{}", kind.as_str())
}

fn event_operation(kind: ChannelKind, doc: &WebhookDoc) -> Operation {
    let (header, header_description) = doc.auth_header;
    let body = RequestBodyBuilder::new()
        .description(Some(doc.body))
        .content(
            "application/json",
            Content::new(Some(of_type(Type::Object))),
        )
        .required(Some(Required::True))
        .build();
    let receipt = ResponseBuilder::new()
        .description("Stored, or ignored")
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("HookReceipt"))),
        )
        .build();
    operation(
        kind,
        "event",
        format!("Receive {}.", sentence_case(doc.body)),
    )
    .parameter(parameter(header, ParameterIn::Header, header_description))
    .request_body(Some(body))
    .response("200", receipt)
    .response("400", error("`malformed_payload` or `unreadable_body`."))
    .response("401", error(doc.unauthorized))
    .response("403", error(doc.forbidden))
    .response("404", error(HOOK_NOT_FOUND))
    .response("503", error(STORAGE))
    .build()
}

fn handshake_operation(kind: ChannelKind, handshake: &HandshakeDoc) -> Operation {
    let challenge = ResponseBuilder::new()
        .description("The challenge")
        .content("text/plain", Content::new(Some(of_type(Type::String))))
        .build();
    let summary = format!("{} for {}.", handshake.name, kind.display_name());
    let mut operation = operation(kind, "handshake", summary);
    for (name, description) in handshake.query {
        operation = operation.parameter(parameter(name, ParameterIn::Query, description));
    }
    operation
        .response("200", challenge)
        .response("400", error("`invalid_query`."))
        .response("403", error(handshake.forbidden))
        .response("404", error(HOOK_NOT_FOUND))
        .build()
}

/// An operation of the `webhooks` tag, `<kind>_<what>`, with the `{site}` parameter.
fn operation(kind: ChannelKind, what: &str, summary: String) -> OperationBuilder {
    OperationBuilder::new()
        .tag("webhooks")
        .summary(Some(summary))
        .operation_id(Some(format!("{}_{what}", kind.as_str())))
        .parameters(Some(SitePath::into_params(|| Some(ParameterIn::Path))))
}

fn parameter(name: &str, location: ParameterIn, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(location)
        .description(Some(description))
        .required(Required::True)
        .schema(Some(of_type(Type::String)))
        .build()
}

fn error(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("Error"))),
        )
        .build()
}

fn of_type(schema_type: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(schema_type)
}

/// "A Telegram Bot API `Update`" as it reads inside a sentence.
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}
