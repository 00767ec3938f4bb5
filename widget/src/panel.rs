//! The floating panel's view — the home view (header, one deep-link button per channel, "Write
//! to us", footer) and the chat view (`chat`) — and the channel link it shares with the inline
//! block and the chat.
//!
//! The panel stays in the DOM and is shown by a class, so each button's ref exists (and sits in
//! its `href`) from the moment the panel renders: a tap follows a finished link and never waits
//! on the network, which popup blockers and mobile Safari require. The same holds for the two
//! views: switching only flips classes.

use std::time::Duration;

use ferry_wire::{ChannelButton, WidgetConfig};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, MouseEvent};

use crate::bridge::{Bridge, fill_random};
use crate::icons;
use crate::refs::{fill_link, new_ref};
use crate::texts::escape;
use crate::{bubbles, chat};

/// The bridge as a `Copy + Send` handle: Leptos views must be `Send`, a `JsValue` is not.
pub(crate) type BridgeHandle = StoredValue<Bridge, LocalStorage>;

/// The whole panel. `open` is the single source of truth for its visibility; the loader's
/// launcher and `Ferry.open()` drive it through `Widget::set_open`. A visitor who already has a
/// conversation finds the panel on the chat.
pub(crate) fn panel(
    config: WidgetConfig,
    open: RwSignal<bool>,
    bridge: BridgeHandle,
    mount: HtmlElement,
) -> impl IntoView {
    let in_chat = RwSignal::new(false);
    let live = chat::connect(&config, bridge, &mount, move || {
        open.get_untracked() && in_chat.get_untracked()
    });
    let mount = StoredValue::new_local(mount);
    in_chat.set(live.started());

    Effect::new(move |was: Option<bool>| {
        let now = open.get();
        // Looking at the chat reads its replies.
        if now && in_chat.get() {
            live.seen();
        }
        if was.unwrap_or(false) != now {
            bridge.with_value(|b| b.state(now));
            if now {
                // One frame later the `open` class has applied and the panel is visible, which
                // an element must be before it can take focus. The chat gives it to the composer.
                let chat = in_chat.get_untracked();
                request_animation_frame(move || {
                    mount.with_value(|m| {
                        if chat {
                            focus(m, "textarea");
                        } else {
                            focus_first(m);
                        }
                    });
                });
            }
        }
        now
    });

    let WidgetConfig {
        name,
        texts,
        channels,
        chat: settings,
        ..
    } = config;
    let buttons = channels
        .into_iter()
        .map(|button| {
            let reference = RwSignal::new(new_ref(button.ref_kind, fill_random));
            channel_link(button, reference, bridge, "ferry-channel-")
        })
        .collect_view();
    let words = settings.texts;
    let (status, line) = if settings.open_now {
        (words.online.clone(), words.continue_in.clone())
    } else {
        (String::new(), words.away.clone())
    };
    let back = escape(&texts.title);
    let close = escape(&texts.close);
    // Markup strings for what has no state of its own (texts escaped): a Leptos view per
    // element would cost its own build code in the wasm, a string only its bytes.
    let header = format!(
        r#"<button type="button" class="x bk" data-testid="ferry-chat-back" aria-label="{back}" title="{back}">{}</button><div class="tx"><p class="nm" id="ferry-name">{}</p><h2 class="tt">{}</h2><p class="sb">{}</p><p class="on">{}</p></div><button type="button" class="x" data-testid="ferry-close" aria-label="{close}" title="{close}">{}</button>"#,
        icons::BACK_SVG,
        escape(&name),
        escape(&texts.title),
        escape(&texts.subtitle),
        escape(&status),
        icons::CLOSE_SVG,
    );
    let entry = format!(
        r#"<span class="ic">{}</span><span class="lb">{} <small>{}</small></span>{}"#,
        icons::BUBBLE_SVG,
        escape(&words.open),
        escape(&status),
        icons::CHEVRON_SVG
    );
    let chat_view = format!(
        r#"<p class="ft">{}</p>{}"#,
        escape(&texts.footer),
        bubbles::markup(&words)
    );
    // The header's and "Write to us"'s buttons are markup, so their clicks are read here.
    let click = move |ev: MouseEvent| {
        let button = ev.target().and_then(|t| {
            t.unchecked_into::<Element>()
                .closest("button")
                .ok()
                .flatten()
        });
        let class = button.map(|b| b.class_name()).unwrap_or_default();
        let (chat, target) = match class.as_str() {
            "x" => return open.set(false),
            "x bk" => (false, ".ch"),
            "ch wr" => (true, "textarea"),
            _ => return,
        };
        in_chat.set(chat);
        request_animation_frame(move || {
            mount.with_value(|m| focus(m, target));
        });
    };

    // One `chat` class switches the views: the stylesheet hides the home view's parts and
    // moves the channel links between the log and the composer (before the log, as the way to
    // an answer, outside office hours: `away`).
    view! {
        <div
            class=if settings.open_now { "p" } else { "p away" }
            class:open=move || open.get()
            class:chat=move || in_chat.get()
            id="ferry-panel"
            role="dialog"
            aria-labelledby="ferry-name"
            data-testid="ferry-panel"
            on:click=click
        >
            <div class="hd" inner_html=header></div>
            <div class="ls">
                <p class="ci" data-testid="ferry-chat-line">{line}</p>
                {buttons}
                <button
                    type="button"
                    class="ch wr"
                    data-testid="ferry-chat-open"
                    inner_html=entry
                ></button>
            </div>
            <div class="cw" inner_html=chat_view></div>
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
    if !focus(mount, ".ch") {
        focus(mount, ".x:not(.bk)");
    }
}

/// Focus the first element `selector` finds under `mount`; whether there was one.
fn focus(mount: &HtmlElement, selector: &str) -> bool {
    let target = mount.query_selector(selector).ok().flatten();
    target
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
        .is_some_and(|el| el.focus().is_ok())
}
