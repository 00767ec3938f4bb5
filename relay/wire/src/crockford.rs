//! Crockford's base32: the alphabet of the codes people read and type (WhatsApp ref codes,
//! in-chat link codes).
//!
//! The alphabet has no I, L, O or U, so a code read aloud or retyped survives; decoding forgives
//! the usual slips (O for 0, I or L for 1, lower case). Randomness comes from the caller: the
//! relay and the widget draw it from different sources.

/// The 32 symbols, in value order.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Bits one symbol carries.
const BITS: usize = 5;

/// The low `5 * len` bits of `bits` as `len` symbols, most significant first. A `u64` holds
/// twelve symbols' worth; longer codes start with zeros.
pub fn encode(bits: u64, len: usize) -> String {
    (0..len)
        .map(|i| {
            let shift = u32::try_from((len - 1 - i) * BITS).unwrap_or(u32::MAX);
            let value = bits.checked_shr(shift).unwrap_or(0) & 31;
            char::from(ALPHABET[value as usize])
        })
        .collect()
}

/// A typed code in canonical form: upper case, O read as 0, I and L read as 1. `None` if a
/// character is not in the alphabet (U included: Crockford keeps it out on purpose).
pub fn normalise(text: &str) -> Option<String> {
    text.bytes()
        .map(|b| match b.to_ascii_uppercase() {
            b'O' => Some('0'),
            b'I' | b'L' => Some('1'),
            upper => ALPHABET.contains(&upper).then_some(char::from(upper)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_puts_the_most_significant_bits_first() {
        assert_eq!(encode(0, 8), "00000000");
        assert_eq!(encode(0x12_3456_789a, 8), "28T5CY4T");
        assert_eq!(encode(u64::MAX, 12), "ZZZZZZZZZZZZ");
        assert_eq!(encode(u64::MAX, 14), "0FZZZZZZZZZZZZ");
        assert_eq!(encode(31, 1), "Z");
        assert_eq!(encode(7, 0), "");
    }

    #[test]
    fn typed_codes_forgive_case_and_look_alike_letters() {
        assert_eq!(normalise("k7m2q9ol").as_deref(), Some("K7M2Q901"));
        assert_eq!(normalise("iIlL").as_deref(), Some("1111"));
        assert_eq!(normalise("K7M2Q9U1"), None);
        assert_eq!(normalise("K7-2"), None);
        assert_eq!(normalise("ÄB"), None);
    }

    #[test]
    fn every_encoded_code_normalises_to_itself() {
        for bits in [0, 1, 0xdead_beef, u64::MAX] {
            let code = encode(bits, 12);
            assert_eq!(normalise(&code).as_deref(), Some(code.as_str()));
        }
    }
}
