//! The recap of a web chat posted in the messenger it continues in: the latest messages that
//! fit the platform's message length, with "… and N earlier messages" for the rest.
//!
//! Pure, so what a recap says for a long or strange history is tested here. The newest messages
//! matter most (the question just asked, the answer just given), so the recap keeps as many of
//! the latest as fit, whole, oldest of them first; a single message too long to fit is cut with
//! an ellipsis rather than dropped.

use crate::domain::Locale;
use crate::texts;

/// One line of the recap: who wrote, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecapLine {
    /// Whether the visitor wrote it (else the shop did).
    pub by_visitor: bool,
    /// The text.
    pub text: String,
}

/// The recap of `lines` (oldest first) preceded by `earlier` messages not given, in at most
/// `max_chars` characters; `None` when there is nothing to recap.
pub fn compose(
    locale: Locale,
    shop: &str,
    earlier: u64,
    lines: &[RecapLine],
    max_chars: usize,
) -> Option<String> {
    if lines.is_empty() {
        return None;
    }
    let intro = texts::recap_intro(locale, shop);
    let you = texts::recap_you(locale);
    let render = |line: &RecapLine| {
        let who = if line.by_visitor { you.as_str() } else { shop };
        format!("{who}: {}", line.text.trim())
    };
    let chars = |text: &str| text.chars().count();
    // Newest first, while they fit with the intro and the "earlier" line they would need.
    let mut kept: Vec<String> = Vec::new();
    let mut used = chars(&intro);
    for (index, line) in lines.iter().enumerate().rev() {
        let rendered = render(line);
        let left_out = earlier + index as u64;
        let note = if left_out > 0 {
            chars(&texts::recap_earlier(locale, left_out)) + 1
        } else {
            0
        };
        if used + 1 + chars(&rendered) + note <= max_chars {
            used += 1 + chars(&rendered);
            kept.push(rendered);
        } else {
            if kept.is_empty() {
                let room = max_chars.saturating_sub(used + 1 + note);
                kept.push(cut(&rendered, room));
            }
            break;
        }
    }
    kept.reverse();
    let left_out = earlier + (lines.len() - kept.len()) as u64;
    let mut recap = intro;
    if left_out > 0 {
        recap.push('\n');
        recap.push_str(&texts::recap_earlier(locale, left_out));
    }
    for line in kept {
        recap.push('\n');
        recap.push_str(&line);
    }
    Some(recap)
}

/// `text` in at most `room` characters, ending with `…` when cut.
fn cut(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(room.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(by_visitor: bool, text: &str) -> RecapLine {
        RecapLine {
            by_visitor,
            text: text.into(),
        }
    }

    #[test]
    fn a_short_chat_is_recapped_whole_oldest_first() {
        let recap = compose(
            Locale::En,
            "Bean Shop",
            0,
            &[
                line(true, "Do you ship to Riga?"),
                line(false, "Yes, in 2 days."),
            ],
            4096,
        )
        .unwrap();
        assert_eq!(
            recap,
            "Your conversation on the Bean Shop website:\nYou: Do you ship to Riga?\nBean Shop: Yes, in 2 days."
        );
    }

    #[test]
    fn a_long_chat_keeps_the_latest_messages_and_counts_the_rest() {
        let lines: Vec<_> = (1..=50)
            .map(|n| line(n % 2 == 1, &format!("message number {n}")))
            .collect();
        let recap = compose(Locale::En, "Bean Shop", 10, &lines, 300).unwrap();
        assert!(recap.chars().count() <= 300, "{}", recap.chars().count());
        assert!(recap.ends_with("Bean Shop: message number 50"), "{recap}");
        let shown = recap.matches("message number").count() as u64;
        assert!(
            recap.contains(&format!("… and {} earlier messages", 60 - shown)),
            "{recap}"
        );
    }

    #[test]
    fn one_message_longer_than_the_limit_is_cut_not_dropped() {
        let long = "x".repeat(5000);
        let recap = compose(Locale::Ru, "Лавка", 0, &[line(true, &long)], 2000).unwrap();
        assert_eq!(recap.chars().count(), 2000);
        assert!(recap.ends_with('…'));
        assert!(recap.starts_with("Ваш разговор на сайте Лавка:\nВы: xxx"));
    }

    #[test]
    fn nothing_to_recap_gives_no_recap() {
        assert_eq!(compose(Locale::Lt, "Shop", 3, &[], 4096), None);
    }
}
