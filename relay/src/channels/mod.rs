//! The messenger platforms: what their webhooks mean and how to send through them.
//!
//! Each platform is one module implementing [`Platform`] (what Ferry knows about it) and
//! [`Account`] (a site's account on it: webhook authentication and parsing, deep link, send API),
//! and one entry in [`registry`]. The rest of the relay never matches on a platform's kind: it
//! asks the registry or the site's accounts. Nothing here touches storage; `ingest` decides what
//! events mean for subscribers.

mod checks;
mod event;
pub mod messenger;
pub mod meta;
mod platform;
mod send;
pub mod telegram;
pub mod whatsapp;

pub use event::{InboundEvent, InboundKind, Keyed, LinkButton, OutboundMessage, PayloadError};
pub use platform::{
    Account, HandshakeDoc, Limits, MIN_WEBHOOK_SECRET_LEN, Platform, Rate, RateScope,
    RefCandidates, WebhookAuthError, WebhookDoc,
};
pub use send::{Platforms, SendError, fit_text};

use crate::domain::ChannelKind;

/// Every platform this relay speaks, in the order sites show them.
static PLATFORMS: [&dyn Platform; 3] = [
    &telegram::Telegram,
    &whatsapp::Whatsapp,
    &messenger::Messenger,
];

/// Every platform this relay speaks, in the order sites show them.
pub fn registry() -> &'static [&'static dyn Platform] {
    &PLATFORMS
}

/// The platform of `kind`, if this relay speaks it.
pub fn platform(kind: ChannelKind) -> Option<&'static dyn Platform> {
    registry()
        .iter()
        .copied()
        .find(|platform| platform.kind() == kind)
}

/// The platform named `name` in URLs and config (`telegram`…), if this relay speaks it.
pub fn platform_named(name: &str) -> Option<&'static dyn Platform> {
    ChannelKind::parse(name).and_then(platform)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_kind_has_exactly_one_platform_in_display_order() {
        let kinds: Vec<_> = registry().iter().map(|p| p.kind()).collect();
        assert_eq!(kinds, ChannelKind::ALL);
    }

    #[test]
    fn platforms_are_found_by_kind_and_by_name() {
        for kind in ChannelKind::ALL {
            assert_eq!(platform(kind).map(|p| p.kind()), Some(kind));
            assert_eq!(platform_named(kind.as_str()).map(|p| p.kind()), Some(kind));
        }
        assert!(platform_named("icq").is_none());
        assert!(platform_named("Telegram").is_none());
    }

    #[test]
    fn every_platform_documents_an_authenticated_webhook() {
        for platform in registry() {
            let doc = platform.webhook_doc();
            assert!(!doc.body.is_empty() && !doc.auth_header.0.is_empty());
            assert!(doc.unauthorized.starts_with('`') && doc.forbidden.starts_with('`'));
            let limits = platform.limits();
            assert!(limits.max_text >= 640 && !limits.rates.is_empty());
        }
    }

    #[test]
    fn every_platform_declares_its_documented_reply_window() {
        use crate::domain::ReplyWindow;
        let window = |kind| platform(kind).map(|p| p.limits().reply_window);
        assert_eq!(window(ChannelKind::Telegram), Some(ReplyWindow::Always));
        assert_eq!(window(ChannelKind::Whatsapp), Some(ReplyWindow::Hours(24)));
        assert_eq!(
            window(ChannelKind::Messenger),
            Some(ReplyWindow::HoursOrHumanTag {
                hours: 24,
                human_hours: 168,
                human_tag: "HUMAN_AGENT",
            })
        );
    }
}
