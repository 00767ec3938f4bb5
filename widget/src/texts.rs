//! The inline block's and the chat's sentences, built from the templates the relay sends in the
//! site's language (`ferry_wire::InlineTexts`, `ferry_wire::ChatTexts`): channel names joined
//! the way that language lists them, and `{channels}`, `{shop}`, `{order}`, `{customer}`,
//! and `{channel}` filled in. Channel names are product names and stay untranslated.
//! Pure functions, so the host tests pin the sentences.

use ferry_wire::{ChannelKind, ChatTexts, InlineTexts, WidgetTexts};

use crate::config::InlineOptions;

/// What one inline block says, worked out before it is drawn.
pub(crate) struct Block {
    /// "You'll get updates in Telegram": the channels the customer is linked on.
    pub subscribed: String,
    /// "Linked to j***@example.com", when the relay knows the customer.
    pub customer: Option<String>,
    /// "Get order updates in WhatsApp or Messenger": the channels still offered.
    pub title: String,
    /// The order sentence on an order's page, else the panel's subtitle.
    pub subtitle: String,
}

/// The sentences of `shop`'s block offering `offered` to a visitor linked on `linked`.
pub(crate) fn block(
    all: &WidgetTexts,
    shop: &str,
    options: &InlineOptions,
    linked: &[ChannelKind],
    offered: &[ChannelKind],
) -> Block {
    let texts = &all.inline;
    Block {
        subscribed: subscribed(texts, &names(linked)),
        customer: options
            .identity
            .as_ref()
            .map(|id| linked_to(texts, &id.customer)),
        title: title(texts, &names(offered)),
        subtitle: match &options.order {
            Some(id) => order(texts, shop, id),
            None => all.subtitle.clone(),
        },
    }
}

fn names(kinds: &[ChannelKind]) -> Vec<&'static str> {
    kinds.iter().map(|kind| kind.display_name()).collect()
}

/// "Get order updates in Telegram, WhatsApp or Messenger".
fn title(texts: &InlineTexts, names: &[&str]) -> String {
    fill(&texts.title, &[("channels", &list(names, &texts.or))])
}

/// "You'll get updates in Telegram and WhatsApp".
fn subscribed(texts: &InlineTexts, names: &[&str]) -> String {
    fill(&texts.subscribed, &[("channels", &list(names, &texts.and))])
}

/// "Northwind Coffee will message you there at every step of order NW-1042."
fn order(texts: &InlineTexts, shop: &str, order: &str) -> String {
    fill(&texts.order, &[("shop", shop), ("order", order)])
}

/// "Linked to j***@example.com".
fn linked_to(texts: &InlineTexts, customer: &str) -> String {
    fill(&texts.linked_to, &[("customer", customer)])
}

/// A conversation's channel as the relay names it (`telegram`) as people do (`Telegram`).
pub(crate) fn channel_name(channel: &str) -> String {
    ChannelKind::parse(channel).map_or_else(|| channel.to_owned(), |k| k.display_name().into())
}

/// "Continued in Telegram" and "Open Telegram", for a conversation moved to `channel`.
pub(crate) fn continued(texts: &ChatTexts, channel: &str) -> (String, String) {
    let name = channel_name(channel);
    let with = [("channel", name.as_str())];
    (
        fill(&texts.continued, &with),
        fill(&texts.open_channel, &with),
    )
}

/// Text made safe for HTML content and double-quoted attributes (the chat's status lines and
/// composer are markup strings; see `bubbles`).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// "A", "A or B", "A, B or C".
fn list(names: &[&str], last: &str) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

/// `template` with each `{key}` of `values` replaced in one pass, so a shop name or order id
/// with braces in it is never filled again; other braces stay as they are.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let known = rest.find('}').and_then(|close| {
            let key = &rest[1..close];
            let (_, value) = values.iter().find(|(name, _)| *name == key)?;
            Some((value, close))
        });
        let taken = match known {
            Some((value, close)) => {
                out.push_str(value);
                close + 1
            }
            None => {
                out.push('{');
                1
            }
        };
        rest = &rest[taken..];
    }
    out + rest
}

#[cfg(test)]
mod tests {
    use ferry_wire::{ChannelButton, IdentityStatus, LinkedSubscription, WidgetConfig};
    use serde_json::{Value, json};

    use super::*;
    use crate::config;

    /// A Lithuanian site's config as the relay serves it, read the way the widget reads it.
    fn lithuanian_config() -> WidgetConfig {
        let texts: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/widget/texts_lt.json"))
                .expect("the fixture is JSON");
        let chat_texts: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/widget/chat_texts_lt.json"
        ))
        .expect("the fixture is JSON");
        let channels: Vec<_> = ChannelKind::ALL
            .into_iter()
            .map(|kind| ChannelButton {
                kind,
                label: kind.display_name().into(),
                link: format!("https://example.com/{}?ref={{ref}}", kind.as_str()),
                ref_kind: ferry_wire::RefKind::Token,
            })
            .collect();
        let json = json!({
            "site": "demo", "name": "Northwind Coffee", "locale": "lt", "accent": "#8a5a44",
            "position": "right", "texts": texts, "channels": channels,
            "chat": {"open_now": true, "texts": chat_texts},
        });
        config::read(&json).expect("the widget reads the config")
    }

    fn linked_on(kinds: &[ChannelKind]) -> IdentityStatus {
        IdentityStatus {
            customer: "a***@example.com".into(),
            subscriptions: kinds
                .iter()
                .map(|&channel| LinkedSubscription {
                    channel,
                    status: "active".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_lithuanian_block_offers_the_channels_in_lithuanian() {
        let config = lithuanian_config();

        let options = InlineOptions::default();

        let block = block(
            &config.texts,
            &config.name,
            &options,
            &[],
            &ChannelKind::ALL,
        );

        assert_eq!(
            block.title,
            "Gaukite užsakymo naujienas per Telegram, WhatsApp ar Messenger"
        );
        assert_eq!(
            block.subtitle,
            "Gaukite užsakymų naujienas ir Northwind Coffee atsakymus programėlėje, kurią jau \
             naudojate."
        );
        assert_eq!(block.customer, None);
        assert_eq!(config.texts.inline.scan, "Nuskaitykite telefonu");
        assert!(config.texts.footer.contains("STABDYTI"));
    }

    #[test]
    fn a_lithuanian_block_confirms_a_linked_customer_and_names_the_order() {
        let config = lithuanian_config();
        let options = InlineOptions {
            order: Some("NW-1042".into()),
            identity: Some(linked_on(&[ChannelKind::Telegram, ChannelKind::Whatsapp])),
            qr: true,
        };

        let block = block(
            &config.texts,
            &config.name,
            &options,
            &options.linked(),
            &[ChannelKind::Messenger],
        );

        assert_eq!(
            block.subscribed,
            "Naujienas gausite per Telegram ir WhatsApp"
        );
        assert_eq!(
            block.customer.as_deref(),
            Some("Susieta su paskyra a***@example.com")
        );
        assert_eq!(block.title, "Gaukite užsakymo naujienas per Messenger");
        assert_eq!(
            block.subtitle,
            "Northwind Coffee ten praneš apie kiekvieną užsakymo NW-1042 etapą."
        );
        assert_eq!(config.texts.inline.add_another, "Pridėti kitą programėlę");
    }

    fn english() -> InlineTexts {
        InlineTexts {
            title: "Get order updates in {channels}".into(),
            subscribed: "You'll get updates in {channels}".into(),
            or: "or".into(),
            and: "and".into(),
            order: "{shop} will message you there at every step of order {order}.".into(),
            linked_to: "Linked to {customer}".into(),
            add_another: "Add another messenger".into(),
            scan: "Scan with your phone".into(),
        }
    }

    #[test]
    fn lists_read_as_sentences() {
        let en = english();
        assert_eq!(title(&en, &["Telegram"]), "Get order updates in Telegram");
        assert_eq!(
            title(&en, &["Telegram", "WhatsApp", "Messenger"]),
            "Get order updates in Telegram, WhatsApp or Messenger"
        );
        assert_eq!(
            subscribed(&en, &["Telegram", "WhatsApp"]),
            "You'll get updates in Telegram and WhatsApp"
        );
        assert_eq!(
            order(&en, "Northwind Coffee", "NW-1042"),
            "Northwind Coffee will message you there at every step of order NW-1042."
        );
    }

    #[test]
    fn names_with_braces_are_not_filled_again() {
        let en = english();
        assert_eq!(
            order(&en, "{order} Shop", "{shop}"),
            "{order} Shop will message you there at every step of order {shop}."
        );
        assert_eq!(linked_to(&en, "a}{b"), "Linked to a}{b");
        assert_eq!(fill("{x} {", &[]), "{x} {");
    }

    #[test]
    fn chat_sentences_name_the_messenger() {
        let lt = lithuanian_config().chat.texts;
        assert_eq!(
            continued(&lt, "telegram"),
            ("Tęsiama per Telegram".into(), "Atidaryti Telegram".into())
        );
        assert_eq!(channel_name("whatsapp"), "WhatsApp");
        assert_eq!(
            channel_name("icq"),
            "icq",
            "a channel this build does not know"
        );
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape(r#"<b a="1">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("Rašykite žinutę…"), "Rašykite žinutę…");
    }
}
