//! Tracking refs (the random part of each deep link) and putting them into links.
//!
//! The functions take their random bytes from the caller so the host tests can pin them; the
//! browser build feeds them from `crypto.getRandomValues` (see `random.rs`).

use ferry_wire::{RefKind, crockford, refs};

/// Random bytes behind a [`RefKind::Token`]: 128 bits, 22 base64url characters.
pub(crate) const TOKEN_BYTES: usize = 16;
/// Random bytes behind a [`RefKind::Code`]: 40 bits, 8 Crockford base32 characters.
pub(crate) const CODE_BYTES: usize = 5;
/// The placeholder the relay leaves in every deep link.
pub(crate) const PLACEHOLDER: &str = "{ref}";

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding: Telegram's `start` allows exactly `A-Z a-z 0-9 _ -`.
pub(crate) fn token(bytes: &[u8; TOKEN_BYTES]) -> String {
    let mut out = String::with_capacity(22);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        // A chunk of k bytes carries k * 8 bits, which need k + 1 characters.
        for i in 0..=chunk.len() {
            out.push(char::from(BASE64URL[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Eight Crockford base32 characters, short enough to survive inside WhatsApp's prefilled text
/// (the relay reads them back with the same `ferry_wire::crockford` rules).
pub(crate) fn code(bytes: &[u8; CODE_BYTES]) -> String {
    let n = bytes.iter().fold(0u64, |n, &b| n << 8 | u64::from(b));
    crockford::encode(n, refs::CODE_LEN)
}

/// A fresh ref of the kind a channel wants; `fill` supplies the random bytes.
pub(crate) fn new_ref(kind: RefKind, fill: impl FnOnce(&mut [u8])) -> String {
    match kind {
        RefKind::Token => {
            let mut bytes = [0; TOKEN_BYTES];
            fill(&mut bytes);
            token(&bytes)
        }
        RefKind::Code => {
            let mut bytes = [0; CODE_BYTES];
            fill(&mut bytes);
            code(&bytes)
        }
    }
}

/// The relay already URL-encoded everything else in the link and both alphabets are URL-safe,
/// so the ref goes in verbatim.
pub(crate) fn fill_link(link: &str, reference: &str) -> String {
    link.replace(PLACEHOLDER, reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_unpadded_base64url() {
        let bytes: [u8; 16] = std::array::from_fn(|i| i as u8);
        assert_eq!(token(&bytes), "AAECAwQFBgcICQoLDA0ODw");
        assert_eq!(token(&[255; 16]), "_____________________w");
        let mut edge = [0; 16];
        edge[..3].copy_from_slice(&[0xfb, 0xff, 0xbf]);
        assert_eq!(token(&edge), "-_-_AAAAAAAAAAAAAAAAAA");
    }

    #[test]
    fn token_fits_telegram_start_parameter() {
        let t = token(&[0x5a; 16]);
        assert_eq!(t.len(), 22);
        assert!(
            t.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn code_uses_crockford_alphabet_msb_first() {
        assert_eq!(code(&[0; 5]), "00000000");
        assert_eq!(code(&[255; 5]), "ZZZZZZZZ");
        assert_eq!(code(&[0x12, 0x34, 0x56, 0x78, 0x9a]), "28T5CY4T");
        assert!(!code(&[0xa5; 5]).contains(['I', 'L', 'O', 'U']));
    }

    #[test]
    fn refs_pass_the_relays_checks() {
        let token = token(&[0xa7; TOKEN_BYTES]);
        assert!(refs::is_token(&token), "{token}");
        let code = code(&[0x3c; CODE_BYTES]);
        assert_eq!(refs::normalise_code(&code.to_lowercase()), Some(code));
    }

    #[test]
    fn new_ref_draws_the_right_amount_of_randomness() {
        let mut asked = 0;
        let t = new_ref(RefKind::Token, |buf| {
            asked = buf.len();
            buf.fill(7);
        });
        assert_eq!((asked, t.len()), (TOKEN_BYTES, 22));
        let c = new_ref(RefKind::Code, |buf| {
            asked = buf.len();
            buf.fill(0xff);
        });
        assert_eq!((asked, c.as_str()), (CODE_BYTES, "ZZZZZZZZ"));
    }

    #[test]
    fn fill_link_substitutes_only_the_placeholder() {
        assert_eq!(
            fill_link("https://t.me/shop_bot?start={ref}", "AbC-_1"),
            "https://t.me/shop_bot?start=AbC-_1"
        );
        assert_eq!(
            fill_link(
                "https://wa.me/15551234567?text=Hi%20%7Bref%7D%20code%3A%20{ref}",
                "7K2M9QXZ"
            ),
            "https://wa.me/15551234567?text=Hi%20%7Bref%7D%20code%3A%207K2M9QXZ"
        );
    }
}
