//! The shapes of tracking refs, checked the same way by the widget and the relay.
//!
//! A ref travels in a deep link and comes back through a platform's webhook. Two kinds (see
//! [`crate::RefKind`]): a token for platforms with a hidden link parameter, and a short
//! [`crate::crockford`] code for WhatsApp, whose link only carries visible text.

/// Longest value any platform's deep link carries intact: Telegram's `start` parameter.
pub const MAX_LEN: usize = 64;
/// Shortest token accepted: 16 characters of base64url carry 96 bits, too many to guess.
pub const MIN_TOKEN_LEN: usize = 16;
/// Length of a ref code: 8 Crockford symbols, 40 bits, short enough to sit in a prefilled text.
pub const CODE_LEN: usize = 8;

/// Whether `text` can travel in every platform's deep link: 1–64 characters of `A-Z a-z 0-9 _ -`
/// (Telegram's `start` alphabet, which m.me's `ref` accepts too).
pub fn is_link_safe(text: &str) -> bool {
    (1..=MAX_LEN).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether `text` is a ref token: link-safe and at least 16 characters long.
pub fn is_token(text: &str) -> bool {
    text.len() >= MIN_TOKEN_LEN && is_link_safe(text)
}

/// A ref code in canonical form (see [`crate::crockford::normalise`]), if `text` is one.
pub fn normalise_code(text: &str) -> Option<String> {
    if text.len() == CODE_LEN {
        crate::crockford::normalise(text)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_16_to_64_characters_of_the_telegram_alphabet() {
        assert!(is_token("Zm9vYmFyYmF6cXV4LTEy"));
        assert!(is_token(&"a".repeat(64)));
        assert!(!is_token("short_but_valid"));
        assert!(!is_token(&"a".repeat(65)));
        assert!(!is_token("has.dots.in.it.xxxxx"));
        assert!(!is_token("<script>alert(1)</script>"));
    }

    #[test]
    fn link_safe_values_may_be_short() {
        assert!(is_link_safe("aaaa"));
        assert!(is_link_safe("abc_-1"));
        assert!(!is_link_safe(""));
        assert!(!is_link_safe("not/valid"));
        assert!(!is_link_safe(&"x".repeat(65)));
    }

    #[test]
    fn codes_are_eight_symbols() {
        assert_eq!(normalise_code("k7m2q9ol").as_deref(), Some("K7M2Q901"));
        assert_eq!(normalise_code("K7M2Q9"), None);
        assert_eq!(normalise_code("K7M2Q9AB1"), None);
    }
}
