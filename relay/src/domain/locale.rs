//! The languages the relay speaks: a site's `locale` setting.

use serde::Deserialize;

/// A language the relay has a full text catalogue for. In the config it is the lowercase code
/// (`locale = "lt"`); any other value fails to load, naming the codes there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(try_from = "String")]
pub enum Locale {
    /// English, the default.
    #[default]
    En,
    /// Russian.
    Ru,
    /// Lithuanian.
    Lt,
}

impl Locale {
    /// Every locale, in the order the docs list them.
    pub const ALL: [Locale; 3] = [Self::En, Self::Ru, Self::Lt];

    /// The ISO 639-1 code, as in the config and the widget config's `locale`.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ru => "ru",
            Self::Lt => "lt",
        }
    }

    /// The locale with this code (exactly as [`Locale::code`] writes it).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|locale| locale.code() == code)
    }
}

impl TryFrom<String> for Locale {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code).ok_or_else(|| {
            let known: Vec<_> = Self::ALL.map(Self::code).into();
            format!("unknown locale {code:?}: use one of {}", known.join(", "))
        })
    }
}
