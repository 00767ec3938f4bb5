//! The floating panel's view (header, one deep-link button per channel, footer) and the
//! channel link it shares with the inline block.
//!
//! The panel stays in the DOM and is shown by a class, so each button's ref exists (and sits in
//! its `href`) from the moment the panel renders: a tap follows a finished link and never waits
//! on the network, which popup blockers and mobile Safari require.

use std::time::Duration;

use ferry_wire::{ChannelButton, WidgetConfig};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, MouseEvent};

use crate::bridge::{Bridge, fill_random};
use crate::icons;
use crate::refs::{fill_link, new_ref};

/// The bridge as a `Copy + Send` handle: Leptos views must be `Send`, a `JsValue` is not.
pub(crate) type BridgeHandle = StoredValue<Bridge, LocalStorage>;

/// The whole panel. `open` is the single source of truth for its visibility; the loader's
/// launcher and `Ferry.open()` drive it through `Widget::set_open`.
pub(crate) fn panel(
    config: WidgetConfig,
    open: RwSignal<bool>,
    bridge: BridgeHandle,
    mount: HtmlElement,
) -> impl IntoView {
    let mount = StoredValue::new_local(mount);
    Effect::new(move |was: Option<bool>| {
        let now = open.get();
        if was.unwrap_or(false) != now {
            bridge.with_value(|b| b.state(now));
            if now {
                // One frame later the `open` class has applied and the panel is visible, which
                // an element must be before it can take focus.
                request_animation_frame(move || mount.with_value(focus_first));
            }
        }
        now
    });

    let WidgetConfig {
        name,
        texts,
        channels,
        ..
    } = config;
    let buttons = channels
        .into_iter()
        .map(|button| {
            let reference = RwSignal::new(new_ref(button.ref_kind, fill_random));
            channel_link(button, reference, bridge, "ferry-channel-")
        })
        .collect_view();
    let close_label = texts.close;

    view! {
        <div
            class="p"
            class:open=move || open.get()
            id="ferry-panel"
            role="dialog"
            aria-labelledby="ferry-title"
            data-testid="ferry-panel"
        >
            <div class="hd">
                <div class="tx">
                    <p class="nm">{name}</p>
                    <h2 class="tt" id="ferry-title">{texts.title}</h2>
                    <p class="sb">{texts.subtitle}</p>
                </div>
                <button
                    type="button"
                    class="x"
                    data-testid="ferry-close"
                    aria-label=close_label.clone()
                    title=close_label
                    on:click=move |_| open.set(false)
                >
                    {icons::close()}
                </button>
            </div>
            <div class="ls">{buttons}</div>
            <p class="ft">{texts.footer}</p>
        </div>
    }
}

/// One "continue in …" link, in the panel or an inline block. `reference` holds the ref made
/// when the link rendered (an inline block's QR code shows the same one); it is replaced after
/// each tap, so every tap registers its own intent. The link's `data-testid` is `testid` plus
/// the channel name.
pub(crate) fn channel_link(
    button: ChannelButton,
    reference: RwSignal<String>,
    bridge: BridgeHandle,
    testid: &'static str,
) -> impl IntoView {
    let ChannelButton {
        kind,
        label,
        link,
        ref_kind,
    } = button;
    let href = move || fill_link(&link, &reference.read());

    let tapped = move || {
        let used = reference.get_untracked();
        bridge.with_value(|b| b.click(kind.as_str(), &used));
        // Not now: microtasks run between a real click's handlers and the browser following
        // the link, and Leptos would already have written the new ref into `href`. A timeout
        // is a separate task, so it runs after the navigation has taken the old one.
        set_timeout(
            move || reference.set(new_ref(ref_kind, fill_random)),
            Duration::ZERO,
        );
    };

    view! {
        <a
            class="ch"
            href=href
            target="_blank"
            rel="noopener"
            data-testid=format!("{testid}{}", kind.as_str())
            on:click=move |_| tapped()
            on:auxclick=move |ev: MouseEvent| {
                // Middle click opens a tab without a `click` event; it is a tap all the same.
                if ev.button() == 1 {
                    tapped();
                }
            }
        >
            <span class=format!("ic {}", kind.as_str())>{icons::channel(kind)}</span>
            <span class="lb">{label}</span>
            {icons::chevron()}
        </a>
    }
}

/// Focus the first channel button, or the close button if there is none.
pub(crate) fn focus_first(mount: &HtmlElement) {
    let target = mount
        .query_selector(".ch")
        .ok()
        .flatten()
        .or_else(|| mount.query_selector(".x").ok().flatten());
    if let Some(el) = target.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
        _ = el.focus();
    }
}
