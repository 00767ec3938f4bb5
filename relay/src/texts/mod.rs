//! What the widget and the bot say, in the site's language.
//!
//! Every language is one value of [`Catalogue`] (`en.rs`, `ru.rs`, `lt.rs`), so a language
//! that lacks a text does not compile. Sentences that name things are templates: `{shop}`,
//! `{channel}`, `{name}`, `{customer}`, `{hello}` and `{code}` are filled here in one pass, so a
//! name that itself contains braces is never filled again. The inline block's templates travel
//! to the widget unfilled (see `ferry_wire::InlineTexts`).

mod catalogue;
mod commands;
mod en;
mod lt;
mod ru;
#[cfg(test)]
mod tests;

pub use catalogue::{BotWords, Catalogue, ChatWords, Commands, InlineWords, WidgetWords};
pub use commands::{is_link_word, is_start_word, is_stop_word, is_unlink_word};

use crate::domain::{ChannelKind, Locale};

/// The catalogue of one language.
pub fn catalogue(locale: Locale) -> &'static Catalogue {
    match locale {
        Locale::En => &en::EN,
        Locale::Ru => &ru::RU,
        Locale::Lt => &lt::LT,
    }
}

/// Widget texts in the site's locale: the panel's filled in, the inline block's as templates.
pub fn widget(locale: Locale, shop: &str) -> ferry_wire::WidgetTexts {
    let words = &catalogue(locale).widget;
    let inline = &words.inline;
    ferry_wire::WidgetTexts {
        launcher: words.launcher.into(),
        title: words.title.into(),
        subtitle: fill(words.subtitle, &[("shop", shop)]),
        footer: words.footer.into(),
        close: words.close.into(),
        inline: ferry_wire::InlineTexts {
            title: inline.title.into(),
            subscribed: inline.subscribed.into(),
            or: inline.or.into(),
            and: inline.and.into(),
            order: inline.order.into(),
            linked_to: inline.linked_to.into(),
            add_another: inline.add_another.into(),
            scan: inline.scan.into(),
        },
    }
}

/// The web chat's texts in the site's locale.
pub fn chat(locale: Locale) -> ferry_wire::ChatTexts {
    let words = &catalogue(locale).widget.chat;
    ferry_wire::ChatTexts {
        open: words.open.into(),
        placeholder: words.placeholder.into(),
        send: words.send.into(),
        sending: words.sending.into(),
        failed: words.failed.into(),
        retry: words.retry.into(),
        online: words.online.into(),
        away: words.away.into(),
        continue_in: words.continue_in.into(),
        continued: words.continued.into(),
        open_channel: words.open_channel.into(),
        you: words.you.into(),
        unread: words.unread.into(),
    }
}

/// WhatsApp's prefilled text around the code: (before, after).
pub fn whatsapp_prefill(locale: Locale, shop: &str) -> (String, String) {
    let template = catalogue(locale).whatsapp_prefill;
    let (before, after) = template.split_once("{code}").unwrap_or((template, ""));
    (
        fill(before, &[("shop", shop)]),
        fill(after, &[("shop", shop)]),
    )
}

/// The welcome a new subscriber gets: what they subscribed to and how to stop.
pub fn welcome(locale: Locale, shop: &str, channel: ChannelKind, person: Option<&str>) -> String {
    let bot = &catalogue(locale).bot;
    let hello = match person {
        Some(name) => fill(bot.hello_name, &[("name", name)]),
        None => bot.hello.to_owned(),
    };
    let channel = channel.display_name();
    fill(
        bot.welcome,
        &[("hello", &hello), ("shop", shop), ("channel", channel)],
    )
}

/// The reply to someone already subscribed who follows a link again.
pub fn already_subscribed(locale: Locale, shop: &str) -> String {
    fill(catalogue(locale).bot.already_subscribed, &[("shop", shop)])
}

/// The single confirmation after STOP.
pub fn unsubscribed(locale: Locale, shop: &str) -> String {
    fill(catalogue(locale).bot.unsubscribed, &[("shop", shop)])
}

/// Added to the welcome when the subscription was linked to the visitor's account.
pub fn linked_note(locale: Locale, masked: &str) -> String {
    fill(catalogue(locale).bot.linked_note, &[("customer", masked)])
}

/// The reply when an existing subscriber gets linked (through a link or a code).
pub fn linked(locale: Locale, shop: &str, masked: &str) -> String {
    let template = catalogue(locale).bot.linked;
    fill(template, &[("shop", shop), ("customer", masked)])
}

/// The reply after UNLINK.
pub fn unlinked(locale: Locale, shop: &str) -> String {
    fill(catalogue(locale).bot.unlinked, &[("shop", shop)])
}

/// The reply to UNLINK when nothing is linked.
pub fn nothing_linked(locale: Locale) -> String {
    catalogue(locale).bot.nothing_linked.to_owned()
}

/// The invitation to link the account from the chat and its button's label.
pub fn link_prompt(locale: Locale, shop: &str) -> (String, String) {
    let bot = &catalogue(locale).bot;
    (
        fill(bot.link_prompt, &[("shop", shop)]),
        bot.link_button.to_owned(),
    )
}

/// The reply to LINK when the site has no login page for linking.
pub fn linking_unavailable(locale: Locale) -> String {
    catalogue(locale).bot.linking_unavailable.to_owned()
}

/// `template` with each `{key}` of `values` replaced, left to right in one pass; other braces
/// stay as they are.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let key = &after[..close];
            let (_, value) = values.iter().find(|(name, _)| *name == key)?;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The recap's first line, with the shop's name.
pub fn recap_intro(locale: Locale, shop: &str) -> String {
    fill(catalogue(locale).bot.recap_intro, &[("shop", shop)])
}

/// The recap's line for `count` messages it leaves out.
pub fn recap_earlier(locale: Locale, count: u64) -> String {
    fill(
        catalogue(locale).bot.recap_earlier,
        &[("count", &count.to_string())],
    )
}

/// How the recap names the visitor.
pub fn recap_you(locale: Locale) -> String {
    catalogue(locale).bot.recap_you.to_owned()
}
