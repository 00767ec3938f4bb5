//! What the widget and the bot say, per site locale.
//!
//! Kept in one place so a new language is one new arm per function. `{}` placeholders are
//! filled by the callers through plain `format!`-style replacement of named parts.

use crate::domain::ChannelKind;

/// Widget texts in the site's locale.
pub fn widget(locale: &str, site_name: &str) -> ferry_wire::WidgetTexts {
    match locale {
        "ru" => ferry_wire::WidgetTexts {
            launcher: "Написать нам".into(),
            title: "Продолжить в мессенджере".into(),
            subtitle: format!(
                "Статусы заказов и ответы {site_name} — в приложении, которым вы уже пользуетесь."
            ),
            footer: "Отписаться можно в любой момент: ответьте СТОП.".into(),
            close: "Закрыть".into(),
        },
        _ => ferry_wire::WidgetTexts {
            launcher: "Chat with us".into(),
            title: "Continue in your messenger".into(),
            subtitle: format!(
                "Get order updates and answers from {site_name} in the app you already use."
            ),
            footer: "You can stop at any time by replying STOP.".into(),
            close: "Close".into(),
        },
    }
}

/// WhatsApp's prefilled text around the code: (before, after). The code sits right after
/// the word "ref", which is where the relay looks for it first.
pub fn whatsapp_prefill(locale: &str, site_name: &str) -> (String, &'static str) {
    match locale {
        "ru" => (
            format!("Здравствуйте, {site_name}! Хочу получать сообщения здесь. (ref "),
            ")",
        ),
        _ => (
            format!("Hi {site_name}! I'd like to get updates here. (ref "),
            ")",
        ),
    }
}

/// The welcome a new subscriber gets: what they subscribed to and how to stop.
pub fn welcome(
    locale: &str,
    site_name: &str,
    channel: ChannelKind,
    person: Option<&str>,
) -> String {
    let channel = channel.display_name();
    match locale {
        "ru" => {
            let hello = person.map_or("Здравствуйте!".to_owned(), |name| {
                format!("Здравствуйте, {name}!")
            });
            format!(
                "{hello} Вы подписались на сообщения {site_name} в {channel}: статусы заказов и ответы на ваши вопросы.\n\nЧтобы отписаться, ответьте СТОП."
            )
        }
        _ => {
            let hello = person.map_or("Hi!".to_owned(), |name| format!("Hi {name}!"));
            format!(
                "{hello} You're subscribed to {site_name} updates in {channel}: order updates and answers to your questions.\n\nTo stop at any time, reply STOP."
            )
        }
    }
}

/// The reply to someone already subscribed who follows a link again.
pub fn already_subscribed(locale: &str, site_name: &str) -> String {
    match locale {
        "ru" => format!(
            "Вы уже подписаны на сообщения {site_name} здесь. Чтобы отписаться, ответьте СТОП."
        ),
        _ => format!("You're already subscribed to {site_name} updates here. To stop, reply STOP."),
    }
}

/// The single confirmation after STOP.
pub fn unsubscribed(locale: &str, site_name: &str) -> String {
    match locale {
        "ru" => format!(
            "Вы отписались от сообщений {site_name}. Больше мы не напишем. Чтобы подписаться снова, ответьте СТАРТ."
        ),
        _ => format!(
            "You're unsubscribed from {site_name}. We won't message you again. Reply START to subscribe again."
        ),
    }
}

/// Whole-message opt-out words (case-insensitive), after the SMS convention plus Russian.
pub fn is_stop_word(text: &str) -> bool {
    const WORDS: [&str; 10] = [
        "stop",
        "/stop",
        "stopall",
        "unsubscribe",
        "cancel",
        "end",
        "quit",
        "стоп",
        "отписаться",
        "/unsubscribe",
    ];
    let text = text.trim().to_lowercase();
    WORDS.contains(&text.as_str())
}

/// Whole-message opt-in words (case-insensitive).
pub fn is_start_word(text: &str) -> bool {
    const WORDS: [&str; 5] = ["start", "unstop", "yes", "старт", "подписаться"];
    let text = text.trim().to_lowercase();
    WORDS.contains(&text.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_match_whole_messages_only() {
        assert!(is_stop_word(" STOP "));
        assert!(is_stop_word("Стоп"));
        assert!(!is_stop_word("please stop sending"));
    }

    #[test]
    fn the_welcome_says_how_to_stop() {
        assert!(welcome("en", "Shop", ChannelKind::Telegram, Some("Ann")).contains("reply STOP"));
        assert!(welcome("ru", "Магазин", ChannelKind::Whatsapp, None).contains("СТОП"));
    }
}
