//! Reading the relay's widget config into the wire types, and the last checks before drawing.
//!
//! Reading is done by hand rather than with serde: serde-wasm-bindgen cost ~15 KB of brotli'd
//! wasm (serde_json ~24 KB) against a ~48 KB app, for one small object the loader has already
//! checked. The reader is generic over [`Source`] so the host tests run it on `serde_json`
//! values made by the wire crate's own `Serialize`, which pins it to the relay's field names.
//! A link that would run script or never carry the ref must not become a button.

use ferry_wire::{
    ChannelButton, ChannelKind, ChatSettings, ChatTexts, IdentityStatus, InlineTexts,
    LauncherPosition, LinkedSubscription, RefKind, WidgetConfig, WidgetTexts,
};

use crate::refs::PLACEHOLDER;

/// A JSON-like value: a `JsValue` in the browser, a `serde_json::Value` in tests.
pub(crate) trait Source: Sized {
    /// The property `key` of an object.
    fn field(&self, key: &str) -> Option<Self>;
    /// The value as a string, if it is one.
    fn string(&self) -> Option<String>;
    /// The value as a number, if it is one.
    fn number(&self) -> Option<f64>;
    /// The elements, if the value is an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// JavaScript truthiness (`true` for a JSON `true` in tests).
    fn truthy(&self) -> bool;
}

fn text<S: Source>(value: &S, key: &str) -> Option<String> {
    value.field(key)?.string()
}

/// The config as the wire crate types it, or `None` if a required field is missing or mistyped.
/// Buttons this build cannot read (an unknown channel kind from a newer relay) are skipped
/// rather than failing the whole config.
pub(crate) fn read<S: Source>(value: &S) -> Option<WidgetConfig> {
    let texts = value.field("texts")?;
    let inline = texts.field("inline")?;
    Some(WidgetConfig {
        site: text(value, "site")?,
        name: text(value, "name")?,
        locale: text(value, "locale").unwrap_or_default(),
        accent: text(value, "accent")?,
        position: match text(value, "position").as_deref() {
            Some("left") => LauncherPosition::Left,
            _ => LauncherPosition::Right,
        },
        texts: WidgetTexts {
            launcher: text(&texts, "launcher")?,
            title: text(&texts, "title")?,
            subtitle: text(&texts, "subtitle")?,
            footer: text(&texts, "footer")?,
            close: text(&texts, "close")?,
            inline: InlineTexts {
                title: text(&inline, "title")?,
                subscribed: text(&inline, "subscribed")?,
                or: text(&inline, "or")?,
                and: text(&inline, "and")?,
                order: text(&inline, "order")?,
                linked_to: text(&inline, "linked_to")?,
                add_another: text(&inline, "add_another")?,
                scan: text(&inline, "scan")?,
            },
        },
        channels: value
            .field("channels")?
            .items()?
            .iter()
            .filter_map(button)
            .collect(),
        chat: chat(&value.field("chat")?)?,
    })
}

fn chat<S: Source>(value: &S) -> Option<ChatSettings> {
    let texts = value.field("texts")?;
    let word = |key| text(&texts, key);
    Some(ChatSettings {
        open_now: value.field("open_now").is_some_and(|open| open.truthy()),
        texts: ChatTexts {
            open: word("open")?,
            placeholder: word("placeholder")?,
            send: word("send")?,
            sending: word("sending")?,
            failed: word("failed")?,
            retry: word("retry")?,
            online: word("online")?,
            away: word("away")?,
            continue_in: word("continue_in")?,
            continued: word("continued")?,
            open_channel: word("open_channel")?,
            you: word("you")?,
            unread: word("unread")?,
        },
    })
}

fn button<S: Source>(value: &S) -> Option<ChannelButton> {
    Some(ChannelButton {
        kind: ChannelKind::parse(&text(value, "kind")?)?,
        label: text(value, "label")?,
        link: text(value, "link")?,
        ref_kind: match text(value, "ref_kind")?.as_str() {
            "token" => RefKind::Token,
            "code" => RefKind::Code,
            _ => return None,
        },
    })
}

/// What the loader tells an inline block about its placement element and visitor.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct InlineOptions {
    /// `data-ferry-order`, named in the block's subtitle.
    pub order: Option<String>,
    /// The relay's answer to `POST /identity` for the block's token, if it accepted one.
    pub identity: Option<IdentityStatus>,
    /// Whether phone-first apps also get a QR code (no coarse pointer: likely a desktop).
    pub qr: bool,
}

/// The loader's `{ order, identity, qr }` object; anything unreadable reads as absent.
pub(crate) fn read_options<S: Source>(value: &S) -> InlineOptions {
    InlineOptions {
        order: text(value, "order").filter(|order| !order.trim().is_empty()),
        identity: value.field("identity").and_then(|id| identity(&id)),
        qr: value.field("qr").is_some_and(|qr| qr.truthy()),
    }
}

fn identity<S: Source>(value: &S) -> Option<IdentityStatus> {
    Some(IdentityStatus {
        customer: text(value, "customer")?,
        subscriptions: value
            .field("subscriptions")?
            .items()?
            .iter()
            .filter_map(|item| {
                Some(LinkedSubscription {
                    channel: ChannelKind::parse(&text(item, "channel")?)?,
                    status: text(item, "status")?,
                })
            })
            .collect(),
    })
}

impl InlineOptions {
    /// Channels where the customer is subscribed, linked and still active.
    pub(crate) fn linked(&self) -> Vec<ChannelKind> {
        self.identity
            .iter()
            .flat_map(|id| &id.subscriptions)
            .filter(|s| s.status == "active")
            .map(|s| s.channel)
            .collect()
    }
}

/// Schemes a channel link may use. `javascript:` and `data:` would run in the merchant's page.
const SCHEMES: [&str; 2] = ["https://", "http://"];

/// Whether a deep link is safe to put into an `<a href>` and carries the ref.
pub(crate) fn link_allowed(link: &str) -> bool {
    let scheme_ok = SCHEMES.iter().any(|scheme| {
        link.get(..scheme.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
    });
    scheme_ok
        && link.contains(PLACEHOLDER)
        && !link.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The config the panel draws, or `None` when no usable button is left.
pub(crate) fn prepare(mut config: WidgetConfig) -> Option<WidgetConfig> {
    config
        .channels
        .retain(|ChannelButton { link, label, .. }| link_allowed(link) && !label.trim().is_empty());
    (!config.channels.is_empty()).then_some(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    impl Source for Value {
        fn field(&self, key: &str) -> Option<Self> {
            self.get(key).cloned()
        }
        fn string(&self) -> Option<String> {
            self.as_str().map(str::to_owned)
        }
        fn number(&self) -> Option<f64> {
            self.as_f64()
        }
        fn items(&self) -> Option<Vec<Self>> {
            self.as_array().cloned()
        }
        fn truthy(&self) -> bool {
            self.as_bool() == Some(true)
        }
    }

    fn button(kind: ChannelKind, ref_kind: RefKind, link: &str) -> ChannelButton {
        ChannelButton {
            kind,
            label: kind.display_name().to_owned(),
            link: link.to_owned(),
            ref_kind,
        }
    }

    fn config(channels: Vec<ChannelButton>) -> WidgetConfig {
        WidgetConfig {
            site: "demo".into(),
            name: "Demo shop".into(),
            locale: "en".into(),
            accent: "#112233".into(),
            position: LauncherPosition::Left,
            texts: WidgetTexts {
                launcher: "Chat".into(),
                title: "Continue in your messenger".into(),
                subtitle: "Order updates and answers".into(),
                footer: "Reply STOP to unsubscribe".into(),
                close: "Close".into(),
                inline: InlineTexts {
                    title: "Get order updates in {channels}".into(),
                    subscribed: "You'll get updates in {channels}".into(),
                    or: "or".into(),
                    and: "and".into(),
                    order: "{shop} will message you at every step of order {order}.".into(),
                    linked_to: "Linked to {customer}".into(),
                    add_another: "Add another messenger".into(),
                    scan: "Scan with your phone".into(),
                },
            },
            channels,
            chat: ChatSettings {
                open_now: true,
                texts: ChatTexts {
                    open: "Write to us".into(),
                    placeholder: "Write a message…".into(),
                    send: "Send".into(),
                    sending: "Sending…".into(),
                    failed: "Not sent.".into(),
                    retry: "Retry".into(),
                    online: "We usually answer within a few minutes.".into(),
                    away: "We're away right now.".into(),
                    continue_in: "Or continue in your messenger".into(),
                    continued: "Continued in {channel}".into(),
                    open_channel: "Open {channel}".into(),
                    you: "You".into(),
                    unread: "{count} new messages".into(),
                },
            },
        }
    }

    fn every_kind() -> WidgetConfig {
        config(vec![
            button(
                ChannelKind::Telegram,
                RefKind::Token,
                "https://t.me/b?start={ref}",
            ),
            button(
                ChannelKind::Whatsapp,
                RefKind::Code,
                "https://wa.me/1?text=c%20{ref}",
            ),
            button(
                ChannelKind::Messenger,
                RefKind::Token,
                "https://m.me/p?ref={ref}",
            ),
        ])
    }

    #[test]
    fn reader_agrees_with_the_wire_crates_serde_names() {
        let mut cfg = every_kind();
        let json = serde_json::to_value(&cfg).unwrap();
        assert_eq!(read(&json), Some(cfg.clone()));
        cfg.position = LauncherPosition::Right;
        assert_eq!(read(&serde_json::to_value(&cfg).unwrap()), Some(cfg));
    }

    #[test]
    fn reader_skips_unknown_buttons_and_rejects_broken_configs() {
        let mut json = serde_json::to_value(every_kind()).unwrap();
        json["channels"][0]["kind"] = json!("viber");
        json["channels"][1]["ref_kind"] = json!("uuid");
        json["channels"][2]["label"] = json!(42);
        assert_eq!(read(&json).unwrap().channels, []);

        for broken in [
            json!(null),
            json!("config"),
            json!({"site": "demo"}),
            json!({"site": "d", "name": "n", "accent": "#000000", "texts": "t", "channels": []}),
        ] {
            assert_eq!(read(&broken), None, "{broken}");
        }
        let mut no_channels = serde_json::to_value(every_kind()).unwrap();
        no_channels["channels"] = json!({"0": "x"});
        assert_eq!(read(&no_channels), None);
        let mut no_inline_texts = serde_json::to_value(every_kind()).unwrap();
        no_inline_texts["texts"]["inline"]["or"] = json!(null);
        assert_eq!(read(&no_inline_texts), None);
    }

    #[test]
    fn a_channel_kind_this_build_does_not_know_is_dropped_and_the_rest_kept() {
        // The loader passes any well-formed kind through, so a newer relay's channel gets here.
        let mut json = serde_json::to_value(every_kind()).unwrap();
        json["channels"][1]["kind"] = json!("viber");
        let kinds: Vec<_> = read(&json)
            .unwrap()
            .channels
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(kinds, [ChannelKind::Telegram, ChannelKind::Messenger]);
    }

    #[test]
    fn only_web_links_with_a_placeholder_pass() {
        assert!(link_allowed("https://t.me/bot?start={ref}"));
        assert!(link_allowed(
            "HTTP://localhost:8080/sandbox/phone?ref={ref}"
        ));
        assert!(!link_allowed("https://t.me/bot"));
        assert!(!link_allowed("javascript:alert(1)//{ref}"));
        assert!(!link_allowed("data:text/html,{ref}"));
        assert!(!link_allowed("https://t.me/bot?start={ref} x"));
        assert!(!link_allowed("htt"));
        assert!(!link_allowed("ht\u{e9}ps://{ref}"));
    }

    #[test]
    fn prepare_drops_bad_buttons_and_keeps_order() {
        let mut cfg = every_kind();
        cfg.channels[0].link = "javascript:{ref}".into();
        let kinds: Vec<_> = prepare(cfg)
            .unwrap()
            .channels
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(kinds, [ChannelKind::Whatsapp, ChannelKind::Messenger]);
    }

    #[test]
    fn prepare_gives_up_without_usable_buttons() {
        assert!(prepare(config(vec![])).is_none());
        let mut blank = button(
            ChannelKind::Telegram,
            RefKind::Token,
            "https://t.me/b?start={ref}",
        );
        blank.label = "  ".into();
        assert!(prepare(config(vec![blank])).is_none());
    }

    #[test]
    fn options_read_the_identity_as_the_wire_crate_writes_it() {
        let identity = IdentityStatus {
            customer: "a***@example.com".into(),
            subscriptions: vec![
                LinkedSubscription {
                    channel: ChannelKind::Telegram,
                    status: "active".into(),
                },
                LinkedSubscription {
                    channel: ChannelKind::Whatsapp,
                    status: "unsubscribed".into(),
                },
            ],
        };
        let json = json!({"order": "NW-1042", "qr": true, "identity": identity});
        let options = read_options(&json);
        assert_eq!(options.order.as_deref(), Some("NW-1042"));
        assert!(options.qr);
        assert_eq!(options.identity.as_ref(), Some(&identity));
        assert_eq!(options.linked(), [ChannelKind::Telegram]);
    }

    #[test]
    fn options_default_to_an_anonymous_block_without_qr_codes() {
        assert_eq!(read_options(&json!({})), InlineOptions::default());
        let odd = json!({"order": " ", "qr": "yes", "identity": {"customer": 7}});
        assert_eq!(read_options(&odd), InlineOptions::default());
        let unknown = json!({"identity": {"customer": "c", "subscriptions": [{"channel": "icq", "status": "active"}]}});
        assert_eq!(read_options(&unknown).linked(), []);
    }
}
