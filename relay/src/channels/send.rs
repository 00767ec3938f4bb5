//! Sending through the platforms: one entry point for every platform, and what a failed send
//! means for the delivery.

use std::borrow::Cow;

use super::{OutboundMessage, platform};
use crate::config::{PlatformSettings, SiteSettings};
use crate::domain::ChannelKind;

/// Why a send failed, as the outbox needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Temporary (rate limit, 5xx, network); try again, after `after` seconds if the platform said.
    Retry {
        /// The platform's `retry_after`, in seconds.
        after: Option<u64>,
        /// What happened.
        reason: String,
    },
    /// Will not succeed on retry (bad request, closed window, missing account).
    Permanent {
        /// What happened.
        reason: String,
    },
    /// The person blocked the bot or cannot be reached any more (Telegram 403; Graph codes 551,
    /// 1545041, 131026): stop writing to them.
    Blocked {
        /// What happened.
        reason: String,
    },
}

/// Sends messages through the platforms' APIs at the configured base URLs.
#[derive(Clone)]
pub struct Platforms {
    http: reqwest::Client,
    settings: PlatformSettings,
}

impl Platforms {
    /// Builds the senders with one shared HTTP client.
    pub fn new(settings: PlatformSettings) -> reqwest::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(settings.timeout_secs))
            .user_agent(concat!("ferry-relay/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, settings })
    }

    /// The shared HTTP client (with the platform timeout), for other outbound calls.
    pub fn http_client(&self) -> reqwest::Client {
        self.http.clone()
    }

    /// Sends `message` to `recipient` on `channel` with the site's credentials; returns the
    /// platform's message id. A text longer than the platform takes is shortened first, so
    /// length alone never makes a send fail.
    pub async fn send(
        &self,
        site: &SiteSettings,
        channel: ChannelKind,
        recipient: &str,
        message: &OutboundMessage,
    ) -> Result<Option<String>, SendError> {
        let (Some(account), Some(platform)) = (site.account(channel), platform(channel)) else {
            return Err(SendError::Permanent {
                reason: format!(
                    "{} is not configured for site {}",
                    channel.as_str(),
                    site.id
                ),
            });
        };
        let max = platform.limits().max_text;
        let message = match fit_text(&message.text, max) {
            Cow::Borrowed(_) => Cow::Borrowed(message),
            Cow::Owned(text) => Cow::Owned(OutboundMessage {
                text,
                buttons: message.buttons.clone(),
                tag: message.tag.clone(),
            }),
        };
        account
            .send(&self.http, &self.settings, recipient, &message)
            .await
    }
}

/// `text` cut to at most `max` UTF-16 code units, ending in "…" when cut. Counting UTF-16 units
/// is never less than counting characters, so the result fits either way a platform counts.
pub fn fit_text(text: &str, max: usize) -> Cow<'_, str> {
    if text.encode_utf16().count() <= max {
        return Cow::Borrowed(text);
    }
    let mut used = 1; // the ellipsis
    let end = text
        .char_indices()
        .find(|(_, c)| {
            used += c.len_utf16();
            used > max
        })
        .map_or(text.len(), |(at, _)| at);
    Cow::Owned(format!("{}…", text[..end].trim_end()))
}

/// Classifies a transport error: timeouts and connection failures are worth retrying.
pub(crate) fn transport_error(error: &reqwest::Error) -> SendError {
    SendError::Retry {
        after: None,
        reason: format!("request failed: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::fit_text;

    #[test]
    fn a_text_within_the_limit_is_left_alone() {
        assert_eq!(fit_text("hello", 5), "hello");
        assert!(matches!(
            fit_text("hello", 5),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_long_text_is_cut_with_an_ellipsis_within_the_limit() {
        let cut = fit_text("hello world", 8);
        assert_eq!(cut, "hello w…");
        assert!(cut.encode_utf16().count() <= 8);
    }

    #[test]
    fn characters_outside_the_basic_plane_count_twice() {
        let text = "☕".repeat(3) + &"😀".repeat(3);
        let cut = fit_text(&text, 6);
        assert!(cut.encode_utf16().count() <= 6, "{cut}");
        assert_eq!(cut, "☕☕☕😀…");
    }
}
