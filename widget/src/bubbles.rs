//! What the chat log shows, worked out from `thread` and handed to the transport's DOM code
//! (`static/loader/chat.js`, `put`/`end`) one drawing pass at a time, and the chat's markup.
//!
//! The app decides — which bubbles, in which order, whose, and what each status line says in
//! the site's language — and escapes everything that goes in as markup; the JavaScript side only
//! creates, moves and updates elements, which costs a fraction of the same DOM code in wasm.

use ferry_wire::{ChatAuthor, ChatTexts, ConversationState};

use crate::bridge::Chat;
use crate::icons::SEND_SVG;
use crate::texts::{self, escape};
use crate::thread::{Delivery, Entry, Thread};

/// The chat's state on this page: messages, where the conversation stands, the unread count.
pub(crate) struct Log {
    pub thread: Thread,
    pub state: Option<ConversationState>,
    pub unread: u32,
    pub chat: Option<Chat>,
    texts: ChatTexts,
    /// Names the shop's messages for screen readers.
    shop: String,
}

impl Log {
    pub(crate) fn new(chat: Option<Chat>, texts: ChatTexts, shop: String) -> Self {
        Log {
            thread: Thread::default(),
            state: None,
            unread: 0,
            chat,
            texts,
            shop,
        }
    }

    /// One drawing pass: every bubble in order, then the "continued in" notice.
    pub(crate) fn draw(&self) {
        let Some(chat) = &self.chat else { return };
        for entry in self.thread.entries() {
            let (class, who) = match entry.author {
                ChatAuthor::Visitor => ("m me", self.texts.you.as_str()),
                ChatAuthor::Operator => ("m", self.shop.as_str()),
                ChatAuthor::System => ("m sys", self.shop.as_str()),
            };
            let (state, status) = status_line(entry, &self.texts);
            chat.put(entry.id, class, who, &entry.text, state, &status);
        }
        let notice = self.state.as_ref().filter(|s| s.channel != "web");
        chat.end(
            &notice
                .map(|s| continued(s, &self.texts))
                .unwrap_or_default(),
        );
    }

    /// Retry was pressed on bubble `id`: the message's text and client key, to send again.
    pub(crate) fn retry(&mut self, id: u32) -> Option<(String, String)> {
        let key = self.thread.get(id)?.key.clone()?;
        Some((self.thread.retry(&key)?, key))
    }
}

/// "Sending…", "Not sent. [Retry]", or the time (and the messenger it came through).
fn status_line(entry: &Entry, texts: &ChatTexts) -> (&'static str, String) {
    match entry.delivery {
        Delivery::Sending => ("sending", escape(&texts.sending)),
        Delivery::Failed => (
            "failed",
            format!(
                r#"<span class="er">{}</span> <button type="button" class="rt" data-testid="ferry-chat-retry">{}</button>"#,
                escape(&texts.failed),
                escape(&texts.retry)
            ),
        ),
        Delivery::Sent => (
            "sent",
            escape(&match entry.channel.as_str() {
                "web" | "" => entry.time.clone(),
                other => format!("{} · {}", entry.time, texts::channel_name(other)),
            }),
        ),
    }
}

/// "Continued in Telegram — Open Telegram", the link only when it is a plain web address.
fn continued(state: &ConversationState, words: &ChatTexts) -> String {
    let (notice, open) = texts::continued(words, &state.channel);
    // Plain web addresses only: a `javascript:` link would run in the merchant's page.
    let web = |l: &&str| l.starts_with("https://") || l.starts_with("http://");
    let link = state.link.as_deref().filter(web).map(|href| {
        format!(
            r#" <a href="{}" target="_blank" rel="noopener" data-testid="ferry-chat-continued-link">{}</a>"#,
            escape(href),
            escape(&open)
        )
    });
    format!(
        r#"<span data-testid="ferry-chat-continued">{}</span>{}"#,
        escape(&notice),
        link.unwrap_or_default()
    )
}

/// The chat's own markup: the scrolling log (`role="log"`; "Write to us" while empty) and the
/// composer with its label.
/// Enter and the send button are handled by the transport's `view`.
pub(crate) fn markup(words: &ChatTexts) -> String {
    let placeholder = escape(&words.placeholder);
    let send = escape(&words.send);
    let open = escape(&words.open);
    format!(
        r#"<div class="sc"><div class="lg" role="log" aria-live="polite" data-empty="{open}" data-testid="ferry-chat-log"></div></div><form class="cp" data-testid="ferry-chat"><label class="sr" for="ferry-input">{placeholder}</label><textarea id="ferry-input" rows="1" maxlength="2000" placeholder="{placeholder}" data-testid="ferry-chat-input"></textarea><button type="submit" class="sd" aria-label="{send}" title="{send}" data-testid="ferry-chat-send">{SEND_SVG}</button></form>"#
    )
}
