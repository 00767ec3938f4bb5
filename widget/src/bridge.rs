//! The JavaScript boundary: the loader's bridge object, the chat transport it carries, the
//! config object it hands over, and the browser's CSPRNG.
//!
//! The loader owns everything that talks to the page and the network (the visit description,
//! `fetch` with keepalive, `Ferry.on` listeners, the launcher); the app only says what happened.
//! That keeps fetch/URL/JSON code out of the wasm, where every binding costs bytes. None of the
//! bridge methods throws (the loader catches listener and fetch errors), so a broken page
//! listener never unwinds through Leptos' reactive graph.

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use crate::config::Source;

#[wasm_bindgen]
extern "C" {
    /// The object the loader passes to `mount` and `mount_inline`, one per shadow root:
    /// `{ style(css), click(channel, ref), shown(channel, ref), qr(link), state(open) }`.
    /// It knows the placement, the token and the order id; the app never sees the token.
    pub type Bridge;

    /// Adopts a stylesheet into this bridge's shadow root (constructed sheet, `<style>` as
    /// fallback).
    #[wasm_bindgen(method)]
    pub(crate) fn style(this: &Bridge, css: &str);

    /// A channel button was tapped with this ref in its link: the loader posts the `click`
    /// event and the intent (keepalive, not awaited) and emits `click` to `Ferry.on` listeners.
    #[wasm_bindgen(method)]
    pub(crate) fn click(this: &Bridge, channel: &str, reference: &str);

    /// A QR code carrying this ref is on screen: the loader registers the intent (with the
    /// token and order id) without a `click`, since the scan happens on another device.
    #[wasm_bindgen(method)]
    pub(crate) fn shown(this: &Bridge, channel: &str, reference: &str);

    /// The `<img src>` of a QR code for a filled-in deep link (the relay's `qr.svg`).
    #[wasm_bindgen(method)]
    pub(crate) fn qr(this: &Bridge, link: &str) -> String;

    /// The floating panel opened or closed: the loader updates the launcher's `aria-expanded`, reports
    /// the first `open`, emits `open`/`close`, and returns focus to the launcher on close.
    #[wasm_bindgen(method)]
    pub(crate) fn state(this: &Bridge, open: bool);

    /// The floating panel's chat transport (`static/loader/chat.js`); inline blocks have none.
    #[wasm_bindgen(method, getter)]
    pub(crate) fn chat(this: &Bridge) -> Option<Chat>;

    /// Unread replies: the loader shows `count` on the launcher's badge (none for 0) and adds
    /// the chat's `unread` text to the launcher's accessible name.
    #[wasm_bindgen(method)]
    pub(crate) fn unread(this: &Bridge, count: u32);

    /// The chat transport: the conversation token, the chat API and the live stream. It tells
    /// the app everything through the one listener (see the head of chat.js).
    pub type Chat;

    /// Sets the listener `(kind, message_or_state, client_key)`; with a stored token the
    /// history and the live stream start.
    #[wasm_bindgen(method)]
    pub(crate) fn listen(this: &Chat, on: &js_sys::Function);

    /// The chat view is showing: a logged-in customer's conversation may be resumed.
    #[wasm_bindgen(method)]
    pub(crate) fn open(this: &Chat);

    /// Sends the visitor's message (again, on retry, with the same key); the conversation
    /// starts first if there is none.
    #[wasm_bindgen(method)]
    pub(crate) fn send(this: &Chat, text: &str, key: &str);

    /// The conversation token, if there is a conversation.
    #[wasm_bindgen(method)]
    pub(crate) fn token(this: &Chat) -> Option<String>;

    /// Binds the log's DOM to `root` (the panel, holding `bubbles::markup`) and the visitor's
    /// writing and Retry presses to `ui(kind, value)`.
    #[wasm_bindgen(method)]
    pub(crate) fn view(this: &Chat, root: &web_sys::HtmlElement, ui: &js_sys::Function);

    /// One bubble of a drawing pass, in order: entry id, CSS class, author for screen readers,
    /// text, `data-state`, and the status line's markup.
    #[wasm_bindgen(method)]
    pub(crate) fn put(
        this: &Chat,
        id: u32,
        class: &str,
        who: &str,
        text: &str,
        state: &str,
        status: &str,
    );

    /// Ends a drawing pass: bubbles not put are removed; `notice` is the markup of the
    /// "continued in" line ("" for none).
    #[wasm_bindgen(method)]
    pub(crate) fn end(this: &Chat, notice: &str);

    #[wasm_bindgen(catch, js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;
}

/// Fills `buf` from `crypto.getRandomValues`.
///
/// The fallback only exists so a browser without Web Crypto (none that runs this wasm is known)
/// still gets working links; such refs are guessable, which matters only for account linking.
pub(crate) fn fill_random(buf: &mut [u8]) {
    if get_random_values(buf).is_err() {
        for b in buf.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
}

/// Property reads that fail (a getter throws, the value is not an object) read as missing.
impl Source for JsValue {
    fn field(&self, key: &str) -> Option<Self> {
        Reflect::get(self, &JsValue::from_str(key)).ok()
    }

    fn string(&self) -> Option<String> {
        self.as_string()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(self).then(|| Array::from(self).iter().collect())
    }

    fn truthy(&self) -> bool {
        self.is_truthy()
    }
}
