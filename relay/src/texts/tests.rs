//! The catalogues: complete in every language, commands understood everywhere, the English and
//! Russian wording unchanged.

use serde_json::Value;

use super::*;
use crate::channels::whatsapp::find_code;
use crate::domain::IntentRef;

/// Every message the bot can send in `locale`, filled with sample names.
fn bot_messages(locale: Locale) -> Vec<String> {
    let (prompt, button) = link_prompt(locale, "Northwind Coffee");
    vec![
        welcome(
            locale,
            "Northwind Coffee",
            ChannelKind::Telegram,
            Some("Ann"),
        ),
        welcome(locale, "Northwind Coffee", ChannelKind::Whatsapp, None),
        linked_note(locale, "a***@example.com"),
        already_subscribed(locale, "Northwind Coffee"),
        unsubscribed(locale, "Northwind Coffee"),
        linked(locale, "Northwind Coffee", "a***@example.com"),
        unlinked(locale, "Northwind Coffee"),
        nothing_linked(locale),
        prompt,
        button,
        linking_unavailable(locale),
    ]
}

fn strings(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::String(text) => vec![(String::new(), text.clone())],
        Value::Object(fields) => fields
            .iter()
            .flat_map(|(name, field)| {
                strings(field)
                    .into_iter()
                    .map(move |(path, text)| (format!("{name}{path}"), text))
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn every_language_has_every_text() {
    for locale in Locale::ALL {
        let widget = serde_json::to_value(widget(locale, "Northwind Coffee")).unwrap();
        for (field, text) in strings(&widget) {
            assert!(
                !text.trim().is_empty(),
                "{locale:?}: widget {field} is empty"
            );
        }
        for message in bot_messages(locale) {
            assert!(
                !message.trim().is_empty(),
                "{locale:?}: an empty bot message"
            );
            assert!(
                !message.contains(['{', '}']),
                "{locale:?}: unfilled {message:?}"
            );
        }
        let commands = &catalogue(locale).commands;
        for words in [
            commands.stop,
            commands.start,
            commands.unlink,
            commands.link,
        ] {
            assert!(!words.is_empty(), "{locale:?}: a command without words");
        }
    }
}

#[test]
fn the_inline_templates_carry_the_placeholders_the_widget_fills() {
    for locale in Locale::ALL {
        let inline = &catalogue(locale).widget.inline;
        for (template, placeholders) in [
            (inline.title, &["{channels}"][..]),
            (inline.subscribed, &["{channels}"]),
            (inline.order, &["{shop}", "{order}"]),
            (inline.linked_to, &["{customer}"]),
        ] {
            for placeholder in placeholders {
                assert_eq!(
                    template.matches(placeholder).count(),
                    1,
                    "{locale:?}: {template:?} needs {placeholder} once"
                );
            }
            let braces = template.matches('{').count();
            assert_eq!(braces, placeholders.len(), "{locale:?}: {template:?}");
        }
    }
}

#[test]
fn the_welcome_says_how_to_stop_in_each_language() {
    for locale in Locale::ALL {
        let text = welcome(locale, "Shop", ChannelKind::Telegram, None);
        let says = catalogue(locale)
            .commands
            .stop
            .iter()
            .map(|word| word.to_uppercase())
            .find(|word| text.contains(word.as_str()));
        let word = says.unwrap_or_else(|| panic!("{locale:?}: no stop word in {text:?}"));
        assert!(is_stop_word(&word), "{locale:?}: {word} does not stop");
    }
    let lithuanian = welcome(Locale::Lt, "Shop", ChannelKind::Telegram, None);
    assert!(lithuanian.contains("STABDYTI"), "{lithuanian}");
}

#[test]
fn each_languages_stop_words_stop_on_every_site() {
    for locale in Locale::ALL {
        for word in catalogue(locale).commands.stop {
            assert!(is_stop_word(word), "{word}");
            assert!(
                is_stop_word(&format!(" {} ", word.to_uppercase())),
                "{word}"
            );
        }
    }
    for word in ["STOP", "Стоп", "STABDYTI", "stabdyti", "Atsisakyti"] {
        assert!(is_stop_word(word), "{word}");
    }
}

#[test]
fn lithuanian_start_works_with_and_without_diacritics() {
    for word in ["PRADĖTI", "PRADETI", "pradėti", "СТАРТ", "start"] {
        assert!(is_start_word(word), "{word}");
    }
    assert!(is_unlink_word("ATSIETI") && is_link_word("Susieti"));
}

#[test]
fn stop_words_match_whole_messages_only() {
    assert!(!is_stop_word("please stop sending"));
    assert!(!is_stop_word("stabdyti siuntimą"));
}

#[test]
fn no_word_means_two_commands() {
    let mut seen = std::collections::HashMap::new();
    for locale in Locale::ALL {
        let commands = &catalogue(locale).commands;
        for (command, words) in [
            ("stop", commands.stop),
            ("start", commands.start),
            ("unlink", commands.unlink),
            ("link", commands.link),
        ] {
            for word in words {
                assert_eq!(
                    word.to_lowercase(),
                    *word,
                    "{word} is matched in lower case"
                );
                let first = *seen.entry(*word).or_insert(command);
                assert_eq!(first, command, "{word} is both {first} and {command}");
            }
        }
    }
}

#[test]
fn whatsapps_prefilled_text_keeps_the_code_where_the_relay_looks() {
    let code = "K7M2Q9AB";
    for locale in Locale::ALL {
        let (before, after) = whatsapp_prefill(locale, "Northwind Coffee");
        let found = find_code(&format!("{before}{code}{after}")).marked;
        assert_eq!(
            found.as_ref().map(IntentRef::as_str),
            Some(code),
            "{locale:?}"
        );
    }
}

#[test]
fn english_and_russian_read_as_before() {
    assert_eq!(
        welcome(Locale::En, "Shop", ChannelKind::Telegram, Some("Ann")),
        "Hi Ann! You're subscribed to Shop updates in Telegram: order updates and answers to \
         your questions.\n\nTo stop at any time, reply STOP."
    );
    assert_eq!(
        whatsapp_prefill(Locale::Ru, "Магазин"),
        (
            "Здравствуйте, Магазин! Хочу получать сообщения здесь. (ref ".to_owned(),
            ")".to_owned()
        )
    );
    assert_eq!(
        linked(Locale::Ru, "Магазин", "a***@example.com"),
        "Готово: этот чат связан с аккаунтом a***@example.com в Магазин. Это не вы? Ответьте \
         ОТВЯЗАТЬ."
    );
}

#[test]
fn a_name_with_braces_is_not_filled_again() {
    let text = welcome(Locale::En, "Shop", ChannelKind::Telegram, Some("{shop}"));
    assert!(
        text.starts_with("Hi {shop}! You're subscribed to Shop"),
        "{text}"
    );
    assert_eq!(fill("{a} {b} {", &[("a", "{b}")]), "{b} {b} {");
}
