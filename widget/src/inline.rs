//! The inline block the loader mounts into `[data-ferry-placement]` elements, e.g. on a
//! checkout or thank-you page: "Get order updates in …" with the site's channel links, a QR code
//! beside each phone-first app on desktops, and, for a customer the relay already knows as
//! subscribed, a short confirmation instead of a second question.
//!
//! The block never sees the merchant's token: the loader's bridge for this element adds it (and
//! the order id) to every intent. Links carry refs made before the tap, as in the panel.

use ferry_wire::{ChannelButton, ChannelKind, WidgetConfig};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, MouseEvent};

use crate::bridge::fill_random;
use crate::config::InlineOptions;
use crate::icons;
use crate::panel::{BridgeHandle, channel_link, focus_first};
use crate::refs::{fill_link, new_ref};
use crate::texts;

/// Apps people mostly run on a phone, so a desktop visitor gets a QR code to scan as well.
fn phone_first(kind: ChannelKind) -> bool {
    matches!(kind, ChannelKind::Telegram | ChannelKind::Whatsapp)
}

fn kinds(buttons: &[ChannelButton]) -> Vec<ChannelKind> {
    buttons.iter().map(|button| button.kind).collect()
}

/// The whole block. Channels the customer is already linked on are confirmed, not offered.
pub(crate) fn block(
    config: WidgetConfig,
    options: &InlineOptions,
    bridge: BridgeHandle,
) -> impl IntoView + use<> {
    let linked = options.linked();
    let (have, rest): (Vec<_>, Vec<_>) = config
        .channels
        .into_iter()
        .partition(|button| linked.contains(&button.kind));
    let sentences = texts::block(
        &config.texts,
        &config.name,
        options,
        &kinds(&have),
        &kinds(&rest),
    );
    let words = config.texts.inline;
    // A customer with a linked messenger sees the channels only after asking for them.
    let expanded = RwSignal::new(have.is_empty());
    let reveal = move |ev: MouseEvent| {
        expanded.set(true);
        // The button hides itself, so focus moves on to the first link it revealed, once the
        // view has updated.
        let block = ev
            .target()
            .and_then(|t| t.unchecked_into::<Element>().closest(".b").ok().flatten());
        if let Some(block) = block {
            request_animation_frame(move || focus_first(block.unchecked_ref()));
        }
    };

    let status = (!have.is_empty()).then(|| {
        let more = (!rest.is_empty()).then(|| {
            view! {
                <button
                    type="button"
                    class="more"
                    class:hide=move || expanded.get()
                    aria-expanded=move || expanded.get().to_string()
                    data-testid="ferry-inline-more"
                    on:click=reveal
                >
                    {words.add_another}
                </button>
            }
        });
        view! {
            <div class="ok" data-testid="ferry-inline-subscribed">
                <div class="okt">
                    <p class="bt">{sentences.subscribed} {icons::check()}</p>
                    <p class="bs">{sentences.customer}</p>
                </div>
                {more}
            </div>
        }
    });

    let offer = (!rest.is_empty()).then(|| {
        let links: Vec<_> = rest
            .into_iter()
            .map(|button| {
                let reference = RwSignal::new(new_ref(button.ref_kind, fill_random));
                (button, reference)
            })
            .collect();
        let qrs: Vec<_> = links
            .iter()
            .filter(|(button, _)| options.qr && phone_first(button.kind))
            .map(|(button, reference)| qr(button, *reference, bridge))
            .collect();
        let qrs = (!qrs.is_empty()).then(|| {
            view! {
                <div class="qrs">
                    <p class="qh">{words.scan}</p>
                    <div class="qg">{qrs}</div>
                </div>
            }
        });
        let buttons = links
            .into_iter()
            .map(|(button, reference)| channel_link(button, reference, bridge, "ferry-inline-"))
            .collect_view();
        // With QR codes beside them, the links stack in one column.
        let row = if qrs.is_some() { "row q" } else { "row" };
        view! {
            <div
                class="opt"
                class:hide=move || !expanded.get()
                data-testid="ferry-inline-offer"
            >
                <p class="bt">{sentences.title}</p>
                <p class="bs">{sentences.subtitle}</p>
                <div class=row>
                    <div class="chs">{buttons}</div>
                    {qrs}
                </div>
                <p class="ft">{config.texts.footer}</p>
            </div>
        }
    });

    view! {
        <section class="b" data-testid="ferry-inline" aria-label=config.name>
            {status}
            {offer}
        </section>
    }
}

/// A QR code of the same link as the channel's button, drawn by the relay. It loads lazily, so
/// a code hidden by a narrow layout is never fetched; once it has loaded (and after each new
/// ref) the intent is registered, because a scan leaves no click on this page.
fn qr(
    button: &ChannelButton,
    reference: RwSignal<String>,
    bridge: BridgeHandle,
) -> impl IntoView + use<> {
    let kind = button.kind;
    let link = button.link.clone();
    let src = move || bridge.with_value(|b| b.qr(&fill_link(&link, &reference.read())));
    let loaded = move |_| bridge.with_value(|b| b.shown(kind.as_str(), &reference.get_untracked()));
    view! {
        <figure class="qr">
            <img
                src=src
                width="112"
                height="112"
                loading="lazy"
                alt=format!("QR {}", button.label)
                data-testid=format!("ferry-qr-{}", kind.as_str())
                on:load=loaded
            />
            <figcaption>{button.label.clone()}</figcaption>
        </figure>
    }
}
