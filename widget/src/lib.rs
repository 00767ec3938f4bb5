//! Ferry's browser widget: the Leptos views the loader (`static/loader/widget.js`) mounts — the
//! floating panel and the inline block of `[data-ferry-placement]` elements.
//!
//! The loader draws the launcher, fetches the config and owns the network and the merchant's
//! token; this crate renders into the loader's shadow roots. The web chat's network, storage
//! and log DOM are JavaScript too (`static/loader/chat.js`, shipped inside the app's JS glue and
//! handed over as `bridge.chat`); its messages, their merging and what the log shows are here. Pure logic (refs, links, config
//! checks, texts, CSS) also builds on the host so `cargo test -p ferry-widget` runs without a
//! browser; everything that touches the DOM is wasm-only.
//!
//! JavaScript sees (through wasm-bindgen's `--target web` glue):
//! - `mount(root: ShadowRoot, config: WidgetConfig, bridge: Bridge): Widget | undefined`
//! - `Widget.set_open(open: boolean)`, `Widget.is_open(): boolean`
//! - `mount_inline(root: ShadowRoot, config: WidgetConfig, bridge: Bridge,
//!   options: { order?: string, identity?: IdentityStatus, qr: boolean }): boolean`

// On the host only the tests call into the pure modules; their real caller is the wasm build.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod config;
mod refs;
mod style;
mod texts;
mod thread;

#[cfg(target_arch = "wasm32")]
mod bridge;
#[cfg(target_arch = "wasm32")]
mod bubbles;
#[cfg(target_arch = "wasm32")]
mod chat;
#[cfg(target_arch = "wasm32")]
mod icons;
#[cfg(target_arch = "wasm32")]
mod inline;
#[cfg(target_arch = "wasm32")]
mod panel;

#[cfg(target_arch = "wasm32")]
pub use wasm::{Bridge, Widget, mount, mount_inline};

#[cfg(target_arch = "wasm32")]
mod wasm {
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use web_sys::{HtmlElement, ShadowRoot};

    pub use crate::bridge::Bridge;
    use crate::panel::panel;
    use crate::style::{CHANNEL_CSS, CHAT_CSS, INLINE_CSS, PANEL_CSS};
    use ferry_wire::WidgetConfig;

    /// The mounted panel, as the loader holds it.
    #[wasm_bindgen]
    pub struct Widget {
        open: RwSignal<bool>,
    }

    #[wasm_bindgen]
    impl Widget {
        /// Shows or hides the panel; the panel reports the change back through `bridge.state`.
        pub fn set_open(&self, open: bool) {
            self.open.set(open);
        }

        /// Whether the panel is showing.
        pub fn is_open(&self) -> bool {
            self.open.get_untracked()
        }
    }

    /// Renders the panel into `root` for a config object the loader already fetched.
    ///
    /// Returns `undefined` (and logs why) when the config does not parse or leaves no usable
    /// button, so bad relay data means no panel rather than a crashed page script.
    #[wasm_bindgen]
    pub fn mount(root: &ShadowRoot, config: &JsValue, bridge: Bridge) -> Option<Widget> {
        let config = usable(config)?;
        let el = container(root)?;
        bridge.style(CHANNEL_CSS);
        bridge.style(PANEL_CSS);
        bridge.style(CHAT_CSS);
        let bridge = StoredValue::new_local(bridge);
        let open = RwSignal::new(false);
        let target = el.clone();
        leptos::mount::mount_to(el, move || panel(config, open, bridge, target)).forget();
        Some(Widget { open })
    }

    /// Renders an inline block into the shadow root of a `[data-ferry-placement]` element.
    ///
    /// `bridge` is that element's own (placement, token and order id are in it); `options`
    /// carries the order id, the relay's identity answer and whether to show QR codes. Returns
    /// whether anything was drawn.
    #[wasm_bindgen]
    pub fn mount_inline(
        root: &ShadowRoot,
        config: &JsValue,
        bridge: Bridge,
        options: &JsValue,
    ) -> bool {
        let (Some(config), Some(el)) = (usable(config), container(root)) else {
            return false;
        };
        let options = crate::config::read_options(options);
        bridge.style(CHANNEL_CSS);
        bridge.style(INLINE_CSS);
        let bridge = StoredValue::new_local(bridge);
        leptos::mount::mount_to(el, move || crate::inline::block(config, &options, bridge))
            .forget();
        true
    }

    /// The config ready to draw, or `None` with a console warning.
    fn usable(config: &JsValue) -> Option<WidgetConfig> {
        let Some(config) = crate::config::read(config) else {
            leptos::logging::warn!("Ferry: unreadable widget config");
            return None;
        };
        let config = crate::config::prepare(config);
        if config.is_none() {
            leptos::logging::warn!("Ferry: the widget config has no usable channel");
        }
        config
    }

    /// A fresh `<div>` at the end of `root` for Leptos to own.
    fn container(root: &ShadowRoot) -> Option<HtmlElement> {
        let el = document()
            .create_element("div")
            .ok()?
            .unchecked_into::<HtmlElement>();
        root.append_child(&el).ok()?;
        Some(el)
    }
}
