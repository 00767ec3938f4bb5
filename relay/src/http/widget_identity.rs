//! The widget API's identity side: who a merchant's token is, finishing an in-chat link, and
//! QR codes of deep links for phones. Routed (behind the origin check) by `widget_api`.

use axum::{
    Json,
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use ferry_wire::{IdentityRequest, IdentityStatus, LinkRequest, LinkResult, LinkedSubscription};
use serde::Deserialize;
use utoipa::IntoParams;

use super::openapi::{
    BAD_TOKEN, NOT_JSON, ORIGIN, RATE_LIMITED, STORAGE, UNKNOWN_SITE, schemas as doc,
};
use super::{AppState, extract::AppJson, extract::AppQuery};
use crate::channels::OutboundMessage;
use crate::config::SiteSettings;
use crate::domain::Customer;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::identity::Identity;
use crate::links;
use crate::store::SubscriberFilter;
use crate::texts;

/// Verifies a merchant token for `site`, answering 401 with the precise reason.
pub(super) async fn verify(
    state: &AppState,
    site: &SiteSettings,
    token: &str,
) -> ApiResult<Identity> {
    state.verifier.verify(site, token).await.map_err(|error| {
        tracing::info!(site = %site.id, code = error.code(), "customer token rejected");
        error.into()
    })
}

/// The customer a verified token describes.
pub(super) fn customer(identity: &Identity) -> Customer {
    Customer {
        id: identity.customer_id.clone(),
        email: identity.email.clone(),
        name: identity.name.clone(),
        phone: identity.phone.clone(),
    }
}

/// `POST /api/widget/{site}/identity`: where is this customer subscribed and linked?
#[utoipa::path(
    post,
    path = "/api/widget/{site}/identity",
    tag = "widget",
    operation_id = "widget_identity",
    summary = "Where a customer token's customer is subscribed and linked.",
    params(doc::SitePath, doc::OriginHeader),
    request_body = doc::IdentityRequest,
    responses(
        (status = 200, description = "The customer, masked, and their subscriptions",
            body = doc::IdentityStatus),
        (status = 400, body = ErrorBody, description = "`invalid_json`."),
        (status = 401, body = ErrorBody, description = BAD_TOKEN),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = UNKNOWN_SITE),
        (status = 415, body = ErrorBody, description = NOT_JSON),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
pub(super) async fn status(
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppJson(request): AppJson<IdentityRequest>,
) -> ApiResult<Json<IdentityStatus>> {
    let site = state.site(&site)?;
    let identity = verify(&state, site, &request.token).await?;
    let filter = SubscriberFilter {
        customer_id: Some(identity.customer_id.clone()),
        limit: 50,
        ..SubscriberFilter::default()
    };
    let subscriptions = state
        .store
        .list_subscribers(&site.id, &filter)
        .await?
        .into_iter()
        .map(|s| LinkedSubscription {
            channel: s.channel,
            status: s.status.as_str().to_owned(),
        })
        .collect();
    Ok(Json(IdentityStatus {
        customer: customer(&identity).masked(),
        subscriptions,
    }))
}

/// `POST /api/widget/{site}/links`: the logged-in page completes a link the bot offered.
#[utoipa::path(
    post,
    path = "/api/widget/{site}/links",
    tag = "widget",
    operation_id = "complete_link",
    summary = "Complete an in-chat account link on the merchant's logged-in page.",
    description = "Link codes work once, for 30 minutes; the bot confirms the link in the chat.",
    params(doc::SitePath, doc::OriginHeader),
    request_body = doc::LinkRequest,
    responses(
        (status = 200, description = "Linked", body = doc::LinkResult),
        (status = 400, body = ErrorBody, description = "`invalid_json` or `invalid_link_code`."),
        (status = 401, body = ErrorBody, description = BAD_TOKEN),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = "`unknown_site`, or \
            `link_code_not_found`: no such link code."),
        (status = 409, body = ErrorBody, description = "`link_code_used`: the code was used."),
        (status = 410, body = ErrorBody, description = "`link_code_expired`."),
        (status = 415, body = ErrorBody, description = NOT_JSON),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
pub(super) async fn complete(
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppJson(request): AppJson<LinkRequest>,
) -> ApiResult<Json<LinkResult>> {
    let site = state.site(&site)?;
    let code = link_code(&request.code).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_link_code",
            "the link code is the letters and digits the bot's link carried",
        )
    })?;
    let identity = verify(&state, site, &request.token).await?;
    let customer = customer(&identity);
    let masked = customer.masked();
    let confirmation = OutboundMessage {
        text: texts::linked(site.locale, &site.name, &masked),
        buttons: Vec::new(),
        tag: None,
    };
    let now = state.clock.now();
    let linked = links::complete(
        state.store.as_ref(),
        site,
        &code,
        &customer,
        confirmation,
        now,
    )
    .await?;
    Ok(Json(LinkResult {
        channel: linked.channel,
        customer: masked,
    }))
}

/// A link code as given (1–32 ASCII letters and digits, any case), in the stored upper case.
pub(super) fn link_code(text: &str) -> Option<String> {
    let valid = (1..=32).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric());
    valid.then(|| text.to_ascii_uppercase())
}

/// Query of `GET /api/widget/{site}/qr.svg`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct QrQuery {
    /// One of the site's deep links (from the config, with its ref filled in).
    #[param(max_length = 2048)]
    link: String,
}

/// `GET /api/widget/{site}/qr.svg?link=…`: a QR code of one of the site's deep links, so a
/// desktop visitor can open a phone-first messenger. Other URLs are refused: this is no open
/// QR service.
#[utoipa::path(
    get,
    path = "/api/widget/{site}/qr.svg",
    tag = "widget",
    operation_id = "deep_link_qr_code",
    summary = "A QR code of one of the site's deep links.",
    description = "For desktop visitors to open a phone-first messenger. Links that are not \
        the site's own are refused.",
    params(doc::SitePath, doc::OriginHeader, QrQuery),
    responses(
        (status = 200, description = "The QR code", body = String, content_type = "image/svg+xml",
            headers(("Cache-Control" = String, description = "`public, max-age=86400`"))),
        (status = 400, body = ErrorBody, description = "`invalid_link` (not one of the site's \
            links) or `invalid_query`."),
        (status = 403, body = ErrorBody, description = ORIGIN),
        (status = 404, body = ErrorBody, description = UNKNOWN_SITE),
        (status = 429, body = ErrorBody, description = RATE_LIMITED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
)]
pub(super) async fn qr(
    State(state): State<AppState>,
    Path(site): Path<String>,
    AppQuery(query): AppQuery<QrQuery>,
) -> ApiResult<Response> {
    let site = state.site(&site)?;
    let ours = super::channel_buttons(site, state.sandbox_base().as_deref())
        .into_iter()
        .any(|button| {
            let prefix = button.link.split("{ref}").next().unwrap_or_default();
            query.link.starts_with(prefix) && query.link.chars().count() <= 2048
        });
    if !ours {
        return Err(ApiError::bad_request(
            "invalid_link",
            "link must be one of this site's channel links",
        ));
    }
    let code = qrcode::QrCode::new(query.link.as_bytes())
        .map_err(|e| ApiError::bad_request("invalid_link", e.to_string()))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(160, 160)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        svg,
    )
        .into_response())
}
