//! Ferry's browser widget: the Leptos panel the loader (`static/loader/widget.js`) mounts.
//!
//! The loader draws the launcher, fetches the config and owns the network; this crate renders
//! the panel inside the loader's shadow root. Pure logic (refs, links, config checks, CSS) also
//! builds on the host so `cargo test -p ferry-widget` runs without a browser; everything that
//! touches the DOM is wasm-only.
//!
//! JavaScript sees (through wasm-bindgen's `--target web` glue):
//! - `mount(root: ShadowRoot, config: WidgetConfig, bridge: Bridge): Widget | undefined`
//! - `Widget.set_open(open: boolean)`, `Widget.is_open(): boolean`

// On the host only the tests call into the pure modules; their real caller is the wasm build.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod config;
mod refs;
mod style;

#[cfg(target_arch = "wasm32")]
mod bridge;
#[cfg(target_arch = "wasm32")]
mod icons;
#[cfg(target_arch = "wasm32")]
mod panel;

#[cfg(target_arch = "wasm32")]
pub use wasm::{Bridge, Widget, mount};

#[cfg(target_arch = "wasm32")]
mod wasm {
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;
    use web_sys::{HtmlElement, ShadowRoot};

    pub use crate::bridge::Bridge;
    use crate::panel::panel;

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
        let Some(config) = crate::config::read(config) else {
            leptos::logging::warn!("Ferry: unreadable widget config");
            return None;
        };
        let Some(config) = crate::config::prepare(config) else {
            leptos::logging::warn!("Ferry: the widget config has no usable channel");
            return None;
        };
        let el = document()
            .create_element("div")
            .ok()?
            .unchecked_into::<HtmlElement>();
        root.append_child(&el).ok()?;

        bridge.style(crate::style::PANEL_CSS);
        let bridge = StoredValue::new_local(bridge);
        let open = RwSignal::new(false);
        let target = el.clone();
        leptos::mount::mount_to(el, move || panel(config, open, bridge, target)).forget();
        Some(Widget { open })
    }
}
