//! Tracking refs: the random value a deep link carries from the widget to the messenger and back.
//!
//! Two shapes (see `ferry_wire::RefKind`): a base64url token for platforms with a hidden
//! parameter (Telegram `start`, Messenger `ref`), and a short Crockford base32 code a person can
//! see in WhatsApp's prefilled text without it looking like noise. The rules themselves live in
//! `ferry_wire::refs`, shared with the widget that generates the refs.

use ferry_wire::{RefKind, refs};

/// A ref as the widget generated it and a platform delivered it back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IntentRef(String);

/// Why a ref was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// Wrong characters or length for a token.
    #[error("a ref token is 16-64 characters of A-Z, a-z, 0-9, '_' and '-'")]
    BadToken,
    /// Wrong characters or length for a code.
    #[error("a ref code is 8 characters of Crockford base32")]
    BadCode,
}

impl IntentRef {
    /// Parses a ref of the given kind; codes are normalised to canonical upper case.
    pub fn parse(kind: RefKind, text: &str) -> Result<Self, RefError> {
        match kind {
            RefKind::Token if refs::is_token(text) => Ok(Self(text.to_owned())),
            RefKind::Token => Err(RefError::BadToken),
            RefKind::Code => refs::normalise_code(text)
                .map(Self)
                .ok_or(RefError::BadCode),
        }
    }

    /// The ref as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_accept_the_telegram_alphabet_only() {
        assert!(IntentRef::parse(RefKind::Token, "Zm9vYmFyYmF6cXV4LTEy").is_ok());
        assert_eq!(
            IntentRef::parse(RefKind::Token, "short"),
            Err(RefError::BadToken)
        );
        assert_eq!(
            IntentRef::parse(RefKind::Token, "has.dots.in.it.xxxxx"),
            Err(RefError::BadToken)
        );
        assert_eq!(
            IntentRef::parse(RefKind::Token, &"a".repeat(65)),
            Err(RefError::BadToken)
        );
    }

    #[test]
    fn codes_are_normalised_the_crockford_way() {
        let code = IntentRef::parse(RefKind::Code, "k7m2q9ol").unwrap();
        assert_eq!(code.as_str(), "K7M2Q901");
        assert_eq!(
            IntentRef::parse(RefKind::Code, "K7M2Q9U1"),
            Err(RefError::BadCode)
        );
        assert_eq!(
            IntentRef::parse(RefKind::Code, "K7M2Q9"),
            Err(RefError::BadCode)
        );
    }
}
