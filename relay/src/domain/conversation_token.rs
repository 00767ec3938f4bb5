//! The secret that opens a visitor's web conversation: held by their browser, never stored.
//!
//! 32 random bytes, base64url without padding (43 characters). The store keeps only its SHA-256,
//! so a copy of the database opens no conversation; a token is compared by looking its hash up,
//! never character by character. `Debug` does not print it.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Length of a token's text.
const TOKEN_CHARS: usize = 43;

/// A visitor's conversation token.
#[derive(Clone, PartialEq, Eq)]
pub struct ConversationToken(String);

impl ConversationToken {
    /// A new random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as a browser sent it back; `None` unless it has a token's shape (43 characters
    /// of the base64url alphabet, as the API document says; whether it opens anything is for
    /// the store to say).
    pub fn parse(text: &str) -> Option<Self> {
        let shaped = text.len() == TOKEN_CHARS && ferry_wire::refs::is_link_safe(text);
        shaped.then(|| Self(text.to_owned()))
    }

    /// The text to hand to the browser.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keeps: the token's SHA-256, hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for ConversationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConversationToken([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_reads_back_and_is_never_the_same_twice() {
        let token = ConversationToken::generate();
        assert_eq!(token.as_str().len(), TOKEN_CHARS);
        assert_eq!(
            ConversationToken::parse(token.as_str()),
            Some(token.clone())
        );
        assert_ne!(token, ConversationToken::generate());
    }

    #[test]
    fn the_store_keeps_the_sha256_of_the_token() {
        let token =
            ConversationToken::parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        assert_eq!(token.hash().len(), 64);
        assert_eq!(token.hash(), hex::encode(Sha256::digest([b'A'; 43])));
        assert_ne!(token.hash(), ConversationToken::generate().hash());
    }

    #[test]
    fn anything_but_a_token_is_refused() {
        let good = ConversationToken::generate();
        for bad in [
            String::new(),
            good.as_str()[1..].to_owned(),
            format!("{}A", good.as_str()),
            format!("{}=", &good.as_str()[1..]),
            format!("{}+", &good.as_str()[1..]),
            format!("{}\u{e9}", &good.as_str()[2..]),
            "<script>alert(1)</script>AAAAAAAAAAAAAAAAAA".to_owned(),
        ] {
            assert_eq!(ConversationToken::parse(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let token = ConversationToken::generate();
        assert!(!format!("{token:?}").contains(token.as_str()));
    }
}
