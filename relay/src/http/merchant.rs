//! Merchant API (`/v1`, `Authorization: Bearer <site API key>`): subscribers.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    AppState,
    extract::{AppQuery, MerchantSite},
    openapi::{AUTH_THROTTLED, NO_API_KEY, NO_SUBSCRIBER, STORAGE, schemas as doc},
};
use crate::domain::{ChannelKind, Millis, SubscriberId};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::store::{SubscriberFilter, SubscriberStatus};
use crate::views::SubscriberView;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/subscribers", get(list_subscribers))
        .route(
            "/v1/subscribers/{id}",
            get(get_subscriber).delete(delete_subscriber),
        )
        .route("/v1/subscribers/{id}/unlink", post(unlink_subscriber))
}

/// Query of `GET /v1/subscribers`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only this messenger.
    #[param(value_type = Option<super::openapi::ChannelKind>)]
    channel: Option<String>,
    /// Only subscribers with this status.
    #[param(value_type = Option<SubscriberStatus>)]
    status: Option<String>,
    /// Subscribed at or after: RFC 3339 time or `YYYY-MM-DD` (start of that day, UTC).
    #[param(value_type = Option<doc::TimeBound>)]
    since: Option<String>,
    /// Subscribed before: RFC 3339 time or `YYYY-MM-DD` (start of that day, UTC).
    #[param(value_type = Option<doc::TimeBound>)]
    until: Option<String>,
    /// Only subscribers linked to this customer id (the token's `sub`); empty means any.
    #[param(max_length = 256)]
    customer_id: Option<String>,
    /// Only subscribers whose subscription is about this order; empty means any.
    #[param(max_length = 256)]
    order_id: Option<String>,
    /// Page size.
    #[param(minimum = 1, maximum = 500, default = 50)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    cursor: Option<String>,
}

/// Longest customer or order id a filter may name: no token claim is longer.
const MAX_FILTER_CHARS: usize = 256;

/// One page of subscribers, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SubscriberPage)]
struct Page {
    /// The subscribers.
    data: Vec<SubscriberView>,
    /// Pass as `cursor` for the next page; null on the last page.
    #[schema(required = true)]
    next_cursor: Option<String>,
}

/// List subscribers.
///
/// Newest first; the filters combine. A full page carries `next_cursor`.
#[utoipa::path(
    get,
    path = "/v1/subscribers",
    tag = "merchant",
    security(("site_api_key" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of subscribers", body = Page),
        (status = 400, body = ErrorBody, description = "`invalid_channel`, `invalid_status`, \
            `invalid_time` (since/until), `invalid_customer_id`, `invalid_order_id`, \
            `invalid_limit`, `invalid_cursor`, or `invalid_query` (an unknown or malformed \
            parameter)."),
        (status = 401, body = ErrorBody, description = NO_API_KEY),
        (status = 429, body = ErrorBody, description = AUTH_THROTTLED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
async fn list_subscribers(
    State(state): State<AppState>,
    MerchantSite(site): MerchantSite,
    AppQuery(query): AppQuery<ListQuery>,
) -> ApiResult<Json<Page>> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            "limit must be between 1 and 500",
        ));
    }
    let filter = SubscriberFilter {
        channel: query
            .channel
            .as_deref()
            .map(|c| {
                ChannelKind::parse(c).ok_or_else(|| {
                    ApiError::bad_request("invalid_channel", format!("unknown channel {c:?}"))
                })
            })
            .transpose()?,
        status: query
            .status
            .as_deref()
            .map(|s| {
                SubscriberStatus::parse(s).ok_or_else(|| {
                    ApiError::bad_request("invalid_status", "status is active or unsubscribed")
                })
            })
            .transpose()?,
        since: query
            .since
            .as_deref()
            .map(|t| parse_time("since", t))
            .transpose()?,
        until: query
            .until
            .as_deref()
            .map(|t| parse_time("until", t))
            .transpose()?,
        before_id: query.cursor.as_deref().map(parse_cursor).transpose()?,
        customer_id: filter_text("customer_id", "invalid_customer_id", query.customer_id)?,
        order_id: filter_text("order_id", "invalid_order_id", query.order_id)?,
        limit,
    };
    let subscribers = state.store.list_subscribers(&site.id, &filter).await?;
    let next_cursor = (subscribers.len() == limit as usize)
        .then(|| subscribers.last().map(|s| s.id.0.to_string()))
        .flatten();
    Ok(Json(Page {
        data: subscribers.into_iter().map(SubscriberView::from).collect(),
        next_cursor,
    }))
}

/// Get one subscriber.
#[utoipa::path(
    get,
    path = "/v1/subscribers/{id}",
    tag = "merchant",
    security(("site_api_key" = [])),
    params(("id" = i64, Path, description = "The subscriber's id")),
    responses(
        (status = 200, description = "The subscriber", body = SubscriberView),
        (status = 401, body = ErrorBody, description = NO_API_KEY),
        (status = 404, body = ErrorBody, description = NO_SUBSCRIBER),
        (status = 429, body = ErrorBody, description = AUTH_THROTTLED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
async fn get_subscriber(
    State(state): State<AppState>,
    MerchantSite(site): MerchantSite,
    Path(id): Path<String>,
) -> ApiResult<Json<SubscriberView>> {
    let not_found = || {
        ApiError::not_found(
            "subscriber_not_found",
            format!("no subscriber {id} on site {}", site.id),
        )
    };
    let numeric: i64 = id.parse().map_err(|_| not_found())?;
    let subscriber = state
        .store
        .get_subscriber(&site.id, SubscriberId(numeric))
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(subscriber.into()))
}

/// Remove the customer link.
///
/// The subscription stays; the site's webhook gets `subscriber.unlinked` when there was a link.
#[utoipa::path(
    post,
    path = "/v1/subscribers/{id}/unlink",
    tag = "merchant",
    security(("site_api_key" = [])),
    params(("id" = i64, Path, description = "The subscriber's id")),
    responses(
        (status = 200, description = "The subscriber, now without `customer`", body = SubscriberView),
        (status = 401, body = ErrorBody, description = NO_API_KEY),
        (status = 404, body = ErrorBody, description = NO_SUBSCRIBER),
        (status = 429, body = ErrorBody, description = AUTH_THROTTLED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
async fn unlink_subscriber(
    State(state): State<AppState>,
    MerchantSite(site): MerchantSite,
    Path(id): Path<String>,
) -> ApiResult<Json<SubscriberView>> {
    let id = subscriber_id(&site.id, &id)?;
    let subscriber = crate::links::unlink(state.store.as_ref(), &site, id, state.clock.now())
        .await?
        .ok_or_else(|| not_found(&site.id, id.0))?;
    Ok(Json(subscriber.into()))
}

/// Delete a subscriber and erase their personal data.
///
/// Stored webhook bodies, queued messages, link codes, their conversations with every message,
/// and the customer data on their clicks go too; funnel counts stay, anonymous.
#[utoipa::path(
    delete,
    path = "/v1/subscribers/{id}",
    tag = "merchant",
    security(("site_api_key" = [])),
    params(("id" = i64, Path, description = "The subscriber's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = ErrorBody, description = NO_API_KEY),
        (status = 404, body = ErrorBody, description = NO_SUBSCRIBER),
        (status = 429, body = ErrorBody, description = AUTH_THROTTLED,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
        (status = 503, body = ErrorBody, description = STORAGE),
    ),
)]
async fn delete_subscriber(
    State(state): State<AppState>,
    MerchantSite(site): MerchantSite,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = subscriber_id(&site.id, &id)?;
    if state.store.erase_subscriber(&site.id, id).await? {
        tracing::info!(site = %site.id, subscriber = id.0, "subscriber erased");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&site.id, id.0))
    }
}

fn subscriber_id(site: &str, text: &str) -> ApiResult<SubscriberId> {
    text.parse().map(SubscriberId).map_err(|_| {
        ApiError::not_found(
            "subscriber_not_found",
            format!("no subscriber {text} on site {site}"),
        )
    })
}

fn not_found(site: &str, id: i64) -> ApiError {
    ApiError::not_found(
        "subscriber_not_found",
        format!("no subscriber {id} on site {site}"),
    )
}

/// A cursor is a subscriber id as `next_cursor` wrote it: digits only.
pub(super) fn parse_cursor(text: &str) -> ApiResult<i64> {
    let digits = (1..=18).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| text.parse().ok())
        .flatten()
        .ok_or_else(|| ApiError::bad_request("invalid_cursor", "cursor must come from next_cursor"))
}

/// An id filter: empty means none; longer than any id could be is a mistake worth saying.
fn filter_text(name: &str, code: &'static str, value: Option<String>) -> ApiResult<Option<String>> {
    match value {
        Some(text) if text.chars().count() > MAX_FILTER_CHARS => Err(ApiError::bad_request(
            code,
            format!("{name} is at most {MAX_FILTER_CHARS} characters"),
        )),
        other => Ok(other.filter(|text| !text.is_empty())),
    }
}

pub(super) fn parse_time(name: &str, text: &str) -> ApiResult<Millis> {
    use time::{
        Date, OffsetDateTime, format_description::well_known::Rfc3339, macros::format_description,
    };
    let parsed = OffsetDateTime::parse(text, &Rfc3339).or_else(|_| {
        Date::parse(text, format_description!("[year]-[month]-[day]"))
            .map(|d| d.midnight().assume_utc())
    });
    parsed
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as Millis)
        .map_err(|_| {
            ApiError::bad_request(
                "invalid_time",
                format!("{name} must be an RFC 3339 time or YYYY-MM-DD"),
            )
        })
}
