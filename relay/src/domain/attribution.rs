//! Where a visitor came from: the page, referrer and campaign an intent or event carries.

use std::sync::LazyLock;

use ferry_wire::Visit;
use regex::Regex;

/// A visit's attribution, checked and trimmed to what the analytics need.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Attribution {
    /// Full page URL (without fragment).
    pub page_url: String,
    /// The URL's path, the dimension reports group by.
    pub page_path: String,
    /// Full referrer URL.
    pub referrer: Option<String>,
    /// The referrer's host, the dimension reports group by.
    pub referrer_host: Option<String>,
    /// `utm_source`
    pub utm_source: Option<String>,
    /// `utm_medium`
    pub utm_medium: Option<String>,
    /// `utm_campaign`
    pub utm_campaign: Option<String>,
    /// `utm_content`
    pub utm_content: Option<String>,
    /// `utm_term`
    pub utm_term: Option<String>,
    /// `floating`, `inline`, `checkout` or the merchant's own name.
    pub placement: String,
    /// Browser language.
    pub locale: Option<String>,
    /// `mobile`, `tablet` or `desktop`.
    pub device: String,
}

/// Why a visit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributionError {
    /// `page_url` is not an http(s) URL or is too long.
    #[error(
        "visit.page_url must be the page's http(s) URL (a host name or IPv4 address, no spaces), at most 2048 characters"
    )]
    PageUrl,
    /// A field is longer than allowed.
    #[error("visit.{0} is too long")]
    TooLong(&'static str),
    /// Placement has characters outside `[a-z0-9_-]`.
    #[error("visit.placement must be 1-32 characters of a-z, 0-9, '_' and '-'")]
    Placement,
}

/// The page URLs accepted, as the OpenAPI document states them (`Visit.page_url`): http(s), a
/// host name (its last label starting with a letter, so it cannot be read as an address) or a
/// dotted IPv4 address, an optional port, then anything without blanks or control characters.
/// URL parsers accept far more (user names, hex addresses, stray spaces); no browser reports
/// such a page, and a document that listed them all would be no use to clients.
pub const PAGE_URL_PATTERN: &str = "^[Hh][Tt][Tt][Pp][Ss]?://\
    (([A-Za-z0-9_-]+\\.)*[A-Za-z][A-Za-z0-9_-]*\
    |((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}\
    (25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))\
    (:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?\
    ([/?#][^\\x00-\\x20\\x7f]*)?$";

static PAGE_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(PAGE_URL_PATTERN).expect("the page URL pattern is a regex"));

/// Longest `page_url` and `referrer`, in characters (as the OpenAPI document counts them).
pub const MAX_URL: usize = 2048;
/// Longest UTM value and locale, in characters.
pub const MAX_FIELD: usize = 200;

impl Attribution {
    /// Checks a visit from the widget and derives the grouping dimensions.
    pub fn from_visit(visit: &Visit) -> Result<Self, AttributionError> {
        if !PAGE_URL.is_match(&visit.page_url) || too_long(&visit.page_url, MAX_URL) {
            return Err(AttributionError::PageUrl);
        }
        let page = url::Url::parse(&visit.page_url).map_err(|_| AttributionError::PageUrl)?;
        let mut page_without_fragment = page.clone();
        page_without_fragment.set_fragment(None);
        if visit
            .referrer
            .as_deref()
            .is_some_and(|r| too_long(r, MAX_URL))
        {
            return Err(AttributionError::TooLong("referrer"));
        }
        let referrer = non_empty(visit.referrer.as_deref());
        let referrer_host = referrer
            .as_deref()
            .and_then(|r| url::Url::parse(r).ok())
            .and_then(|r| r.host_str().map(str::to_owned));
        let placement = visit.placement.as_str();
        let placement_ok = !placement.is_empty()
            && placement.len() <= 32
            && placement
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !placement_ok {
            return Err(AttributionError::Placement);
        }
        let utm = &visit.utm;
        Ok(Self {
            page_url: page_without_fragment.to_string(),
            page_path: page.path().to_owned(),
            referrer,
            referrer_host,
            utm_source: field("utm.source", utm.source.as_deref())?,
            utm_medium: field("utm.medium", utm.medium.as_deref())?,
            utm_campaign: field("utm.campaign", utm.campaign.as_deref())?,
            utm_content: field("utm.content", utm.content.as_deref())?,
            utm_term: field("utm.term", utm.term.as_deref())?,
            placement: placement.to_owned(),
            locale: field("locale", visit.locale.as_deref())?,
            device: visit.device.as_str().to_owned(),
        })
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Limits count characters of the value as sent, blanks included, so that what the OpenAPI
/// document allows is exactly what is accepted.
fn too_long(value: &str, max_chars: usize) -> bool {
    value.len() > max_chars && value.chars().count() > max_chars
}

fn field(name: &'static str, value: Option<&str>) -> Result<Option<String>, AttributionError> {
    if value.is_some_and(|v| too_long(v, MAX_FIELD)) {
        return Err(AttributionError::TooLong(name));
    }
    Ok(non_empty(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_wire::{DeviceClass, Utm};

    fn visit(page_url: &str) -> Visit {
        Visit {
            page_url: page_url.into(),
            referrer: Some("https://news.example/article?id=1".into()),
            utm: Utm {
                source: Some("newsletter".into()),
                campaign: Some(" ".into()),
                ..Utm::default()
            },
            placement: "floating".into(),
            locale: Some("en-GB".into()),
            device: DeviceClass::Mobile,
        }
    }

    #[test]
    fn a_visit_yields_path_and_referrer_host() {
        let attribution =
            Attribution::from_visit(&visit("https://shop.example/p/beans?utm_source=x#top"))
                .unwrap();
        assert_eq!(attribution.page_path, "/p/beans");
        assert_eq!(
            attribution.page_url,
            "https://shop.example/p/beans?utm_source=x"
        );
        assert_eq!(attribution.referrer_host.as_deref(), Some("news.example"));
        assert_eq!(attribution.utm_source.as_deref(), Some("newsletter"));
        assert_eq!(attribution.utm_campaign, None, "blank values are dropped");
        assert_eq!(attribution.device, "mobile");
    }

    #[test]
    fn a_non_http_page_is_refused() {
        assert_eq!(
            Attribution::from_visit(&visit("javascript:alert(1)")),
            Err(AttributionError::PageUrl)
        );
    }

    #[test]
    fn lengths_count_characters_as_sent() {
        let accented = format!("https://shop.example/{}", "é".repeat(2000));
        assert!(
            Attribution::from_visit(&visit(&accented)).is_ok(),
            "2021 characters"
        );
        let mut padded = visit("https://shop.example/");
        padded.utm.source = Some(format!("{}x", " ".repeat(MAX_FIELD)));
        assert_eq!(
            Attribution::from_visit(&padded),
            Err(AttributionError::TooLong("utm.source"))
        );
    }

    #[test]
    fn a_placement_with_odd_characters_is_refused() {
        let mut v = visit("https://shop.example/");
        v.placement = "<script>".into();
        assert_eq!(
            Attribution::from_visit(&v),
            Err(AttributionError::Placement)
        );
    }
}
