//! Recognising whole-message commands (stop, start, unlink, link) in any language.
//!
//! Every site matches every language's words, whatever its own locale: a Russian speaker on an
//! English shop can still write СТОП, and an opt-out must never be missed for being foreign.

use super::{Catalogue, Commands, catalogue};
use crate::domain::Locale;

/// Whole-message opt-out words (case-insensitive): the SMS convention plus each language's.
pub fn is_stop_word(text: &str) -> bool {
    matches(text, |commands| commands.stop)
}

/// Whole-message opt-in words (case-insensitive).
pub fn is_start_word(text: &str) -> bool {
    matches(text, |commands| commands.start)
}

/// Whole-message words asking to unlink the account.
pub fn is_unlink_word(text: &str) -> bool {
    matches(text, |commands| commands.unlink)
}

/// Whole-message words asking for a link-your-account button.
pub fn is_link_word(text: &str) -> bool {
    matches(text, |commands| commands.link)
}

fn matches(text: &str, words: impl Fn(&Commands) -> &'static [&'static str]) -> bool {
    let text = text.trim().to_lowercase();
    Locale::ALL
        .into_iter()
        .map(catalogue)
        .any(|Catalogue { commands, .. }| words(commands).contains(&text.as_str()))
}
