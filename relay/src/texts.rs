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

/// Added to the welcome when the subscription was linked to the visitor's account.
pub fn linked_note(locale: &str, masked: &str) -> String {
    match locale {
        "ru" => format!("\n\nСообщения о заказах аккаунта {masked}. Это не вы? Ответьте СТОП."),
        _ => format!("\n\nUpdates for the account {masked}. Not you? Reply STOP."),
    }
}

/// The reply when an existing subscriber gets linked (through a link or a code).
pub fn linked(locale: &str, site_name: &str, masked: &str) -> String {
    match locale {
        "ru" => format!(
            "Готово: этот чат связан с аккаунтом {masked} в {site_name}. Это не вы? Ответьте ОТВЯЗАТЬ."
        ),
        _ => format!(
            "Done: this chat is now linked to the {site_name} account {masked}. Not you? Reply UNLINK."
        ),
    }
}

/// The reply after UNLINK.
pub fn unlinked(locale: &str, site_name: &str) -> String {
    match locale {
        "ru" => format!(
            "Чат отвязан от аккаунта {site_name}. Подписка остаётся; чтобы отписаться, ответьте СТОП."
        ),
        _ => format!(
            "This chat is no longer linked to your {site_name} account. You're still subscribed; reply STOP to unsubscribe."
        ),
    }
}

/// The reply to UNLINK when nothing is linked.
pub fn nothing_linked(locale: &str) -> String {
    match locale {
        "ru" => "Этот чат не связан ни с каким аккаунтом.".to_owned(),
        _ => "This chat isn't linked to any account.".to_owned(),
    }
}

/// The invitation to link the account from the chat, sent with a button.
pub fn link_prompt(locale: &str, site_name: &str) -> (String, String) {
    match locale {
        "ru" => (
            format!(
                "Свяжите этот чат с аккаунтом {site_name}, чтобы получать статусы заказов. Ссылка действует 30 минут."
            ),
            "Связать аккаунт".to_owned(),
        ),
        _ => (
            format!(
                "Link this chat to your {site_name} account to get your order updates here. The link works for 30 minutes."
            ),
            "Link your account".to_owned(),
        ),
    }
}

/// The reply to LINK when the site has no login page for linking.
pub fn linking_unavailable(locale: &str) -> String {
    match locale {
        "ru" => "Связать аккаунт из чата пока нельзя.".to_owned(),
        _ => "Linking an account from the chat isn't available here.".to_owned(),
    }
}

/// Whole-message words asking to unlink the account.
pub fn is_unlink_word(text: &str) -> bool {
    const WORDS: [&str; 4] = ["unlink", "/unlink", "отвязать", "not me"];
    WORDS.contains(&text.trim().to_lowercase().as_str())
}

/// Whole-message words asking for a link-your-account button.
pub fn is_link_word(text: &str) -> bool {
    const WORDS: [&str; 4] = ["link", "/link", "связать", "link account"];
    WORDS.contains(&text.trim().to_lowercase().as_str())
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
