//! Inline SVG glyphs for the panel and the inline block: one per messenger (and a neutral one
//! for any other), plus close, chevron, check mark, and the chat's back, bubble and send
//! arrows as markup strings.
//!
//! Inline paths rather than images or an icon font: nothing to fetch past the merchant's CSP
//! `img-src`/`font-src`, and headless or minimal systems have no emoji font to fall back on.
//! Each glyph is one `evenodd` path drawn in `currentColor`, so the holes (the plane's fold, the
//! bolt) show the brand colour of the round badge behind it.

use ferry_wire::ChannelKind;
use leptos::prelude::*;

/// Paper plane with its fold cut out.
const TELEGRAM: &str = "M20.7 3.3 2.6 10.3c-.9.4-.8 1.6.1 1.9l4.7 1.5 1.8 5.6c.2.7 1.1.9 1.6.4l2.6-2.5 \
4.5 3.3c.7.5 1.6.1 1.8-.7l2.6-15c.2-1-.7-1.8-1.6-1.5ZM9.6 14.1l8-6.9-6.7 7.7-.4 3.1Z";

/// Speech-bubble ring with a tail at the lower left and a handset inside.
const WHATSAPP: &str = "M12 2.2a9.8 9.8 0 0 0-8.5 14.7L2.2 21.8l5-1.3A9.8 9.8 0 1 0 12 2.2Z\
M12 4a8 8 0 0 0-6.8 12.2l.2.3-.8 2.9 3-.8.3.2A8 8 0 1 0 12 4Z\
M9 7.4c.3 0 .6.1.7.4l.8 1.9c.1.3 0 .6-.2.8l-.6.7c.6 1.3 1.7 2.4 3 3l.7-.6c.2-.2.5-.3.8-.2l1.9.8\
c.3.1.4.4.4.7v1.2c0 .6-.5 1-1.1 1-4.2 0-9-4.8-9-9 0-.6.4-1.1 1-1.1H9Z";

/// Round bubble with a zig-zag bolt cut out.
const MESSENGER: &str = "M12 2.5c-5.4 0-9.5 3.9-9.5 8.9 0 2.6 1.1 4.9 3 6.5v3.6l3.3-1.8c1 .3 2 .4 3.2.4 \
5.4 0 9.5-3.9 9.5-8.8S17.4 2.5 12 2.5ZM6.6 14.4l3.9-5.1 2.5 2.1 4.4-2.2-3.9 5.1-2.5-2.1Z";

/// Speech bubble with three dots: a messenger this build has no glyph for.
const NEUTRAL: &str = "M12 3C6.8 3 2.5 6.6 2.5 11.2c0 2.5 1.3 4.8 3.4 6.3L5 21l4-2c.9.2 1.9.4 3 .4 \
5.2 0 9.5-3.7 9.5-8.2S17.2 3 12 3ZM7.5 12.7a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3Zm4.5 0a1.5 1.5 0 1 \
1 0-3 1.5 1.5 0 0 1 0 3Zm4.5 0a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3Z";

const CHECK: &str = "M5 12.5l4.5 4.5L19 7.5";
const CHEVRON: &str = "M9 6l6 6-6 6";

/// The same strokes as markup, for buttons whose content is one HTML string (a Leptos view
/// per glyph costs its own build code; a string costs its bytes).
macro_rules! stroked_svg {
    ($class:literal, $d:literal) => {
        concat!(
            r#"<svg class=""#, $class, r#"" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=""#,
            $d,
            r#"" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/></svg>"#
        )
    };
}
/// The ‹ of the chat's back button.
pub(crate) const BACK_SVG: &str = stroked_svg!("", "M15 6l-6 6 6 6");
/// A speech bubble, the badge of "Write to us".
pub(crate) const BUBBLE_SVG: &str = stroked_svg!(
    "",
    "M5 5h14a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1h-8l-4 3v-3H5a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1Z"
);
/// The › at the end of a row, as markup.
pub(crate) const CHEVRON_SVG: &str = stroked_svg!("go", "M9 6l6 6-6 6");
/// The × of the panel header, as markup.
pub(crate) const CLOSE_SVG: &str = stroked_svg!("", "M6 6l12 12M18 6 6 18");
/// The send button's arrow (a plane would read as Telegram).
pub(crate) const SEND_SVG: &str = stroked_svg!("", "M12 19V5M6 11l6-6 6 6");

/// The badge glyph for a messenger; the badge colour comes from the stylesheet. A kind added to
/// `ferry_wire::ChannelKind` after this build gets the neutral bubble (and the neutral badge).
pub(crate) fn channel(kind: ChannelKind) -> impl IntoView {
    let d = match kind {
        ChannelKind::Telegram => TELEGRAM,
        ChannelKind::Whatsapp => WHATSAPP,
        ChannelKind::Messenger => MESSENGER,
        _ => NEUTRAL,
    };
    view! {
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d=d fill="currentColor" fill-rule="evenodd" />
        </svg>
    }
}

fn stroked(d: &'static str, class: &'static str) -> impl IntoView {
    view! {
        <svg class=class viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path
                d=d
                fill="none"
                stroke="currentColor"
                stroke-width="2.2"
                stroke-linecap="round"
                stroke-linejoin="round"
            />
        </svg>
    }
}

/// The › at the end of each channel row.
pub(crate) fn chevron() -> impl IntoView {
    stroked(CHEVRON, "go")
}

/// The ✓ after "You'll get updates in …" (no emoji font to rely on).
pub(crate) fn check() -> impl IntoView {
    stroked(CHECK, "ck")
}
