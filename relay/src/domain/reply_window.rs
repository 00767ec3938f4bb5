//! Whether the business may write to a person now, by each platform's messaging window: the
//! first rule of the policy that every message Ferry sends on its own initiative goes through.
//!
//! A platform declares its window (`channels::Limits::reply_window`); this module decides, from
//! that, when the person last wrote, who is writing and whether they blocked us. It is a pure
//! function so that its table of cases is the specification (see the tests). Windows are counted
//! from the person's last message and are open strictly before their end: a reply at exactly
//! 24 hours is already outside.

use std::fmt;

use super::Millis;

const HOUR_MS: Millis = 3_600_000;

/// When a platform lets a business write free-form to a person, as its documentation says
/// (docs/platforms.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyWindow {
    /// Any time after the person first wrote, until they block the bot (Telegram).
    Always,
    /// Within `hours` of the person's last message; outside it only approved templates, which
    /// free-form replies are not (WhatsApp's customer service window).
    Hours(u32),
    /// Within `hours`; a reply written by a human operator also later, up to `human_hours`,
    /// when sent with `human_tag` (Messenger's `HUMAN_AGENT`). Automated messages get no tag.
    HoursOrHumanTag {
        /// The standard window.
        hours: u32,
        /// The window for a human operator's reply.
        human_hours: u32,
        /// The message tag such a reply carries.
        human_tag: &'static str,
    },
}

/// Who writes the message: the platforms' rules differ for a person and for a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    /// An operator typing in the inbox or through the merchant API.
    Human,
    /// Anything Ferry or the merchant sends without a person writing it.
    Automated,
}

/// What the person's side of the conversation allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient {
    /// When the person last wrote to the business on this platform, if ever.
    pub last_message_at: Option<Millis>,
    /// Whether they blocked the bot or unsubscribed.
    pub blocked: bool,
}

/// May the message go, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyDecision {
    /// Send it, with this message tag if one is needed.
    Send {
        /// The platform's tag for a message outside the standard window.
        tag: Option<&'static str>,
    },
    /// Do not send it, for this reason.
    Refuse(Refusal),
}

/// Why a message may not go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The person blocked the bot or unsubscribed.
    Blocked,
    /// The person never wrote on this platform: a business cannot start the conversation.
    NeverWrote,
    /// The window closed at `closed_at`, `hours` after the person's last message.
    WindowClosed {
        /// When it closed.
        closed_at: Millis,
        /// How long it was.
        hours: u32,
    },
}

impl Refusal {
    /// A stable machine-readable code (API errors, the inbox).
    pub fn code(self) -> &'static str {
        match self {
            Self::Blocked => "recipient_blocked",
            Self::NeverWrote => "recipient_never_wrote",
            Self::WindowClosed { .. } => "reply_window_closed",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Blocked => f.write_str("the person blocked the bot or unsubscribed"),
            Self::NeverWrote => f.write_str(
                "the person never wrote on this platform, and a business cannot start the conversation",
            ),
            Self::WindowClosed { hours, .. } => write!(
                f,
                "the platform allows free-form replies only within {hours} hours of the person's last message"
            ),
        }
    }
}

impl ReplyWindow {
    /// Decides whether `author` may write to `recipient` at `now`.
    pub fn decide(self, recipient: Recipient, author: Author, now: Millis) -> ReplyDecision {
        if recipient.blocked {
            return ReplyDecision::Refuse(Refusal::Blocked);
        }
        let Some(last) = recipient.last_message_at else {
            return ReplyDecision::Refuse(Refusal::NeverWrote);
        };
        let within = |hours: u32| now < last.saturating_add(Millis::from(hours) * HOUR_MS);
        let closed = |hours: u32| {
            ReplyDecision::Refuse(Refusal::WindowClosed {
                closed_at: last.saturating_add(Millis::from(hours) * HOUR_MS),
                hours,
            })
        };
        match self {
            Self::Always => ReplyDecision::Send { tag: None },
            Self::Hours(hours) if within(hours) => ReplyDecision::Send { tag: None },
            Self::Hours(hours) => closed(hours),
            Self::HoursOrHumanTag { hours, .. } if within(hours) => {
                ReplyDecision::Send { tag: None }
            }
            Self::HoursOrHumanTag {
                human_hours,
                human_tag,
                ..
            } if author == Author::Human && within(human_hours) => ReplyDecision::Send {
                tag: Some(human_tag),
            },
            Self::HoursOrHumanTag {
                hours, human_hours, ..
            } => closed(if author == Author::Human {
                human_hours
            } else {
                hours
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Millis = 1_764_000_000_000;
    const MESSENGER: ReplyWindow = ReplyWindow::HoursOrHumanTag {
        hours: 24,
        human_hours: 168,
        human_tag: "HUMAN_AGENT",
    };
    const WHATSAPP: ReplyWindow = ReplyWindow::Hours(24);
    const TELEGRAM: ReplyWindow = ReplyWindow::Always;

    fn wrote(hours_ago: i64) -> Recipient {
        Recipient {
            last_message_at: Some(T0 - hours_ago * HOUR_MS),
            blocked: false,
        }
    }

    fn send(tag: Option<&'static str>) -> ReplyDecision {
        ReplyDecision::Send { tag }
    }

    fn closed(hours_ago: i64, hours: u32) -> ReplyDecision {
        ReplyDecision::Refuse(Refusal::WindowClosed {
            closed_at: T0 - hours_ago * HOUR_MS + Millis::from(hours) * HOUR_MS,
            hours,
        })
    }

    #[test]
    fn each_platform_decides_by_its_window() {
        use Author::{Automated, Human};
        let cases = [
            // platform, person last wrote (hours ago), author, decision
            (TELEGRAM, 0, Human, send(None)),
            (TELEGRAM, 24 * 365, Human, send(None)),
            (TELEGRAM, 24 * 365, Automated, send(None)),
            (WHATSAPP, 0, Human, send(None)),
            (WHATSAPP, 23, Automated, send(None)),
            (WHATSAPP, 24, Human, closed(24, 24)),
            (WHATSAPP, 25, Human, closed(25, 24)),
            (WHATSAPP, 25, Automated, closed(25, 24)),
            (MESSENGER, 23, Human, send(None)),
            (MESSENGER, 23, Automated, send(None)),
            (MESSENGER, 24, Human, send(Some("HUMAN_AGENT"))),
            (MESSENGER, 24, Automated, closed(24, 24)),
            (MESSENGER, 167, Human, send(Some("HUMAN_AGENT"))),
            (MESSENGER, 168, Human, closed(168, 168)),
            (MESSENGER, 200, Automated, closed(200, 24)),
        ];
        for (window, hours_ago, author, expected) in cases {
            assert_eq!(
                window.decide(wrote(hours_ago), author, T0),
                expected,
                "{window:?}, last message {hours_ago} h ago, {author:?}"
            );
        }
    }

    #[test]
    fn the_window_is_open_until_its_last_millisecond() {
        let last = Recipient {
            last_message_at: Some(T0 - 24 * HOUR_MS + 1),
            blocked: false,
        };
        assert_eq!(WHATSAPP.decide(last, Author::Human, T0), send(None));
    }

    #[test]
    fn nobody_may_write_to_a_person_who_blocked_the_bot() {
        let blocked = Recipient {
            last_message_at: Some(T0),
            blocked: true,
        };
        for window in [TELEGRAM, WHATSAPP, MESSENGER] {
            assert_eq!(
                window.decide(blocked, Author::Human, T0),
                ReplyDecision::Refuse(Refusal::Blocked)
            );
        }
    }

    #[test]
    fn nobody_may_start_a_conversation_the_person_never_began() {
        let silent = Recipient {
            last_message_at: None,
            blocked: false,
        };
        for window in [TELEGRAM, WHATSAPP, MESSENGER] {
            assert_eq!(
                window.decide(silent, Author::Human, T0),
                ReplyDecision::Refuse(Refusal::NeverWrote)
            );
        }
    }

    #[test]
    fn a_last_message_from_the_future_keeps_the_window_open() {
        // Clocks disagree: a message stamped after `now` counts as just now.
        assert_eq!(
            WHATSAPP.decide(wrote(-1), Author::Automated, T0),
            send(None)
        );
    }

    #[test]
    fn absurd_times_neither_overflow_nor_open_a_window() {
        let ancient = Recipient {
            last_message_at: Some(Millis::MIN),
            blocked: false,
        };
        let far_future = Recipient {
            last_message_at: Some(Millis::MAX),
            blocked: false,
        };
        assert!(matches!(
            WHATSAPP.decide(ancient, Author::Human, T0),
            ReplyDecision::Refuse(Refusal::WindowClosed { .. })
        ));
        assert_eq!(MESSENGER.decide(far_future, Author::Human, T0), send(None));
    }

    #[test]
    fn every_refusal_says_why_in_words_and_in_a_code() {
        let refusals = [
            Refusal::Blocked,
            Refusal::NeverWrote,
            Refusal::WindowClosed {
                closed_at: T0,
                hours: 24,
            },
        ];
        let codes: std::collections::HashSet<_> = refusals.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), refusals.len());
        assert!(
            refusals[2].to_string().contains("24 hours"),
            "{}",
            refusals[2]
        );
    }
}
