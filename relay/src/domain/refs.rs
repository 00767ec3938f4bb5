//! Tracking refs: the random value a deep link carries from the widget to the messenger and back.
//!
//! Two shapes (see `ferry_wire::RefKind`): a base64url token for platforms with a hidden
//! parameter (Telegram `start`, Messenger `ref`), and a short Crockford base32 code a person can
//! see in WhatsApp's prefilled text without it looking like noise.

use ferry_wire::RefKind;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Length of a WhatsApp code: 40 random bits.
pub const CODE_LEN: usize = 8;

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
            RefKind::Token => {
                let ok = (16..=64).contains(&text.len())
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if ok {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(RefError::BadToken)
                }
            }
            RefKind::Code => normalise_code(text).map(Self).ok_or(RefError::BadCode),
        }
    }

    /// The ref as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Crockford's decoding rules: case-insensitive, O reads as 0, I and L read as 1.
fn normalise_code(text: &str) -> Option<String> {
    if text.len() != CODE_LEN {
        return None;
    }
    text.bytes()
        .map(|b| match b.to_ascii_uppercase() {
            b'O' => Some('0'),
            b'I' | b'L' => Some('1'),
            upper => CROCKFORD.contains(&upper).then_some(upper as char),
        })
        .collect()
}

/// Finds the code in a WhatsApp message. The prefilled text puts it right after the word `ref`
/// (`… (ref K7M2Q9AB)`), so that position wins; people may edit the text, so any other
/// code-shaped word is returned too, to be tried against known intents in order.
pub fn find_whatsapp_code(text: &str) -> (Option<IntentRef>, Vec<IntentRef>) {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let marked = words
        .windows(2)
        .find(|pair| pair[0].eq_ignore_ascii_case("ref"))
        .and_then(|pair| normalise_code(pair[1]))
        .map(IntentRef);
    let others = words
        .iter()
        .filter_map(|word| normalise_code(word))
        .map(IntentRef)
        .filter(|code| Some(code) != marked.as_ref())
        .collect();
    (marked, others)
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

    #[test]
    fn the_code_after_ref_is_found_in_a_prefilled_message() {
        let (marked, _) =
            find_whatsapp_code("Hi Northwind Coffee! Send this to subscribe (ref K7M2Q9AB)");
        assert_eq!(marked.unwrap().as_str(), "K7M2Q9AB");
    }

    #[test]
    fn an_edited_message_still_offers_code_shaped_words() {
        let (marked, others) = find_whatsapp_code("hello k7m2q9ab please");
        assert_eq!(marked, None);
        assert_eq!(others, vec![IntentRef("K7M2Q9AB".into())]);
    }

    #[test]
    fn a_message_without_a_code_yields_nothing() {
        let (marked, others) = find_whatsapp_code("Body Text");
        assert_eq!(marked, None);
        assert!(others.is_empty());
    }
}
