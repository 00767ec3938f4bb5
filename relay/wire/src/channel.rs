//! The messengers the widget can send a visitor to, and what each one's deep link carries.

use serde::{Deserialize, Serialize};

/// A messenger the widget can send a visitor to.
///
/// Adding one is adding a variant here (with its name, display name and ref kind below) and a
/// platform module in the relay. The enum is `non_exhaustive` so that code outside this crate
/// cannot match on every kind: the relay asks its platform registry instead, and the widget
/// falls back to a neutral icon for a kind it has no glyph for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChannelKind {
    /// Telegram bot, deep link `t.me/<bot>?start=<ref>`.
    Telegram,
    /// WhatsApp Cloud API number, deep link `wa.me/<digits>?text=<text with code>`.
    Whatsapp,
    /// Facebook Messenger page, deep link `m.me/<page>?ref=<ref>`.
    Messenger,
}

impl ChannelKind {
    /// Every channel this version knows, in the order the widget shows them by default.
    pub const ALL: [ChannelKind; 3] = [Self::Telegram, Self::Whatsapp, Self::Messenger];

    /// The lowercase name used in URLs, JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Telegram => "telegram",
            Self::Whatsapp => "whatsapp",
            Self::Messenger => "messenger",
        }
    }

    /// Parses the lowercase name used in URLs, JSON and the database.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The product name shown to people.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Telegram => "Telegram",
            Self::Whatsapp => "WhatsApp",
            Self::Messenger => "Messenger",
        }
    }

    /// The kind of ref this channel's deep link carries: a token where the platform has a
    /// hidden link parameter, a code a person can see where the link only carries text.
    pub fn ref_kind(self) -> RefKind {
        match self {
            Self::Telegram | Self::Messenger => RefKind::Token,
            Self::Whatsapp => RefKind::Code,
        }
    }
}

/// Which kind of ref a channel's deep link carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefKind {
    /// 22 characters of base64url (16 random bytes): Telegram `start`, Messenger `ref`.
    Token,
    /// 8 characters of Crockford base32 (40 random bits), readable inside WhatsApp's prefilled text.
    Code,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        for kind in ChannelKind::ALL {
            assert_eq!(ChannelKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ChannelKind::parse("icq"), None);
    }

    #[test]
    fn only_whatsapp_links_carry_a_visible_code() {
        let codes: Vec<_> = ChannelKind::ALL
            .into_iter()
            .filter(|kind| kind.ref_kind() == RefKind::Code)
            .collect();
        assert_eq!(codes, [ChannelKind::Whatsapp]);
    }
}
