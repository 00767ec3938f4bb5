//! Finding a ref code in the text a person sent: the prefilled text puts it right after the
//! word `ref` (`… (ref K7M2Q9AB)`), but people edit the draft before sending it.

use ferry_wire::RefKind;

use crate::channels::platform::RefCandidates;
use crate::domain::IntentRef;

/// The code after the word "ref" as the marked candidate; people may edit the text, so any other
/// code-shaped word comes back too, to be tried against known intents in order.
pub fn find_code(text: &str) -> RefCandidates {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let code = |word: &str| IntentRef::parse(RefKind::Code, word).ok();
    let marked = words
        .windows(2)
        .find(|pair| pair[0].eq_ignore_ascii_case("ref"))
        .and_then(|pair| code(pair[1]));
    let others = words
        .iter()
        .filter_map(|word| code(word))
        .filter(|candidate| Some(candidate) != marked.as_ref())
        .collect();
    RefCandidates { marked, others }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(candidates: &[IntentRef]) -> Vec<&str> {
        candidates.iter().map(IntentRef::as_str).collect()
    }

    #[test]
    fn the_code_after_ref_is_found_in_a_prefilled_message() {
        let found = find_code("Hi Northwind Coffee! Send this to subscribe (ref K7M2Q9AB)");
        assert_eq!(found.marked.unwrap().as_str(), "K7M2Q9AB");
    }

    #[test]
    fn an_edited_message_still_offers_code_shaped_words() {
        let found = find_code("hello k7m2q9ab please");
        assert_eq!(found.marked, None);
        assert_eq!(codes(&found.others), ["K7M2Q9AB"]);
    }

    #[test]
    fn a_message_without_a_code_yields_nothing() {
        assert_eq!(find_code("Body Text"), RefCandidates::default());
    }
}
