//! The cursor of a conversation list's next page, as the inbox and the merchant API both write
//! and read it: `<latest activity in ms>.<id>` of the last conversation of a page.

use crate::domain::Millis;
use crate::store::{Conversation, ConversationId};

/// The cursor after `conversation`.
pub(super) fn encode(conversation: &Conversation) -> String {
    format!("{}.{}", conversation.updated_at, conversation.id.0)
}

/// The position a cursor names; `None` for text that is not one.
pub(super) fn decode(text: &str) -> Option<(Millis, ConversationId)> {
    let (at, id) = text.split_once('.')?;
    Some((at.parse().ok()?, ConversationId(id.parse().ok()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_nothing_else_does() {
        assert_eq!(
            decode("1763733600000.42"),
            Some((1_763_733_600_000, ConversationId(42)))
        );
        for bad in [
            "",
            "abc",
            "1.",
            ".2",
            "1.2.3",
            "x.1",
            "99999999999999999999.1",
        ] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
