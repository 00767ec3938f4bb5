//! The panel's web chat: the listeners that feed the transport's messages and the visitor's
//! writing into the log, and the unread count on the launcher.
//!
//! The transport (`static/loader/chat.js`, on the bridge) does the network, the storage and the
//! log's DOM; `thread` merges; `bubbles` decides what the log shows. Only the panel's frame is
//! Leptos: a first draft drew every bubble and the composer as Leptos views, and that cost
//! ~27 KB of brotli'd wasm against ~8 KB for the whole chat, because every typed view
//! monomorphises its own build and mount code. The chat shows the panel's own channel links
//! (the stylesheet moves them), so they exist, with their refs, once.

use ferry_wire::{ChatAuthor, WidgetConfig};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::HtmlElement;

use crate::bridge::fill_random;
use crate::bubbles::Log;
use crate::panel::BridgeHandle;
use crate::thread::{client_key, read_message, read_state};

/// The chat as the panel holds it.
#[derive(Clone, Copy)]
pub(crate) struct Live {
    log: StoredValue<Log, LocalStorage>,
    bridge: BridgeHandle,
}

impl Live {
    /// Whether a conversation exists (the panel then opens on the chat).
    pub(crate) fn started(self) -> bool {
        self.log
            .with_value(|l| l.chat.as_ref().and_then(|c| c.token()).is_some())
    }

    /// The visitor is looking at the chat: replies are read, and a logged-in customer's
    /// conversation from another device may be resumed.
    pub(crate) fn seen(self) {
        self.count(|_| 0);
        self.log.with_value(|l| {
            if let Some(chat) = &l.chat {
                chat.open();
            }
            l.draw();
        });
    }

    fn count(self, next: impl FnOnce(u32) -> u32) {
        let n = self.log.try_update_value(|l| {
            l.unread = next(l.unread);
            l.unread
        });
        self.bridge.with_value(|b| b.unread(n.unwrap_or_default()));
    }

    /// Sends (or sends again) a message already in the log.
    fn send(self, text: &str, key: &str) {
        self.log.with_value(|l| {
            l.draw();
            if let Some(chat) = &l.chat {
                chat.send(text, key);
            }
        });
    }
}

/// Listens to the bridge's transport and draws the log into `mount`. `seen` says whether the
/// visitor is looking at the chat right now; replies arriving live while they are not count on
/// the launcher.
pub(crate) fn connect(
    config: &WidgetConfig,
    bridge: BridgeHandle,
    mount: &HtmlElement,
    seen: impl Fn() -> bool + 'static,
) -> Live {
    let chat = bridge.with_value(|b| b.chat());
    let log = Log::new(chat, config.chat.texts.clone(), config.name.clone());
    let live = Live {
        log: StoredValue::new_local(log),
        bridge,
    };
    let on = move |kind: String, data: JsValue, key: Option<String>| {
        let counts = live.log.try_update_value(|log| {
            let counts = match kind.as_str() {
                "s" => {
                    log.state = read_state(&data);
                    false
                }
                "r" => {
                    log.thread.reset();
                    log.state = None;
                    false
                }
                "f" => {
                    log.thread.failed(&key.unwrap_or_default());
                    false
                }
                _ => read_message(&data).is_some_and(|m| {
                    let theirs = m.author != ChatAuthor::Visitor;
                    log.thread.receive(m, key.as_deref()) && theirs && kind == "l"
                }),
            };
            log.draw();
            counts
        });
        if counts == Some(true) && !seen() {
            live.count(|n| n + 1);
        }
    };
    // The visitor wrote (`w`, the text) or pressed Retry (`r`, the bubble's id).
    let ui = move |kind: String, value: String| {
        let send = if kind == "w" {
            let key = client_key(fill_random);
            live.log
                .update_value(|l| l.thread.write(key.clone(), value.clone()));
            Some((value, key))
        } else {
            let id = value.parse().unwrap_or_default();
            live.log.try_update_value(|l| l.retry(id)).flatten()
        };
        if let Some((text, key)) = send {
            live.send(&text, &key);
        }
    };
    let on = Closure::<dyn FnMut(String, JsValue, Option<String>)>::new(on);
    let ui = Closure::<dyn FnMut(String, String)>::new(ui);
    live.log.with_value(|l| {
        if let Some(chat) = &l.chat {
            chat.view(mount, ui.as_ref().unchecked_ref());
            chat.listen(on.as_ref().unchecked_ref());
        }
    });
    // The transport holds both listeners for the page's life.
    on.forget();
    ui.forget();
    live
}
