//! The widget's stylesheets, adopted into each shadow root through the loader's bridge.
//!
//! They ship inside the wasm rather than the loader so the launcher's first paint stays a few KB.
//! The loader puts `--ferry-accent`, `--ferry-on-accent` and `--ferry-ring` (focus outline) on
//! the floating host, and `data-position` for the left corner; nothing here reaches the
//! merchant's page because it lives in shadow trees. No inline `style` attributes anywhere: a
//! strict CSP would block them.

/// The channel link (`.ch`) with its round brand badge, shared by the panel and the inline block.
/// A channel without a brand colour here keeps the neutral grey of `.ic`.
pub(crate) const CHANNEL_CSS: &str = r#"
.ch{display:flex;align-items:center;gap:12px;min-height:52px;padding:8px 14px 8px 10px;
border:1px solid #e4e7ec;border-radius:12px;background:#fff;color:#1f2328;text-decoration:none;
font-weight:600;font-size:15px;transition:background .12s ease,border-color .12s ease}
.ch:hover{background:#f6f8fa;border-color:#cfd6de}
.ch:focus-visible{outline:2px solid var(--ferry-ring,#2563eb);outline-offset:2px}
.ic{flex:none;width:36px;height:36px;border-radius:50%;display:flex;align-items:center;
justify-content:center;color:#fff;background:#57606a}
.ic svg{width:20px;height:20px}
.telegram{background:#229ED9}.whatsapp{background:#25D366}.messenger{background:#0084FF}
.lb{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.go{flex:none;width:18px;height:18px;color:#8c959f}
"#;

/// The floating panel around the channel links. Sizes: 15px text, 48px rows (44px+ tap
/// targets), 16px radius.
pub(crate) const PANEL_CSS: &str = r#"
.p{position:fixed;right:20px;bottom:88px;width:352px;max-width:calc(100vw - 40px);
max-height:calc(100vh - 112px);max-height:calc(100dvh - 112px);overflow:auto;box-sizing:border-box;
background:#fff;color:#1f2328;border-radius:16px;
box-shadow:0 16px 48px rgba(15,23,42,.2),0 2px 8px rgba(15,23,42,.1);
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
-webkit-font-smoothing:antialiased;text-align:left;
opacity:0;transform:translateY(12px) scale(.98);transform-origin:100% 100%;visibility:hidden;
transition:opacity .18s ease,transform .18s ease,visibility 0s linear .18s}
.p.open{opacity:1;transform:none;visibility:visible;transition:opacity .18s ease,transform .18s ease}
:host([data-position=left]) .p{right:auto;left:20px;transform-origin:0 100%}
.p *{box-sizing:border-box}
.hd{display:flex;align-items:flex-start;gap:8px;padding:18px 12px 18px 20px;
background:var(--ferry-accent,#2563eb);color:var(--ferry-on-accent,#fff)}
.tx{flex:1;min-width:0}
.nm{margin:0 0 4px;font-size:13px;font-weight:600;opacity:.85;letter-spacing:.01em}
.tt{margin:0;font-size:18px;line-height:1.3;font-weight:700}
.sb{margin:6px 0 0;font-size:14px;opacity:.9}
.nm:empty,.sb:empty,.ft:empty{display:none}
.x{flex:none;width:44px;height:44px;margin:-8px 0 0;padding:0;border:0;border-radius:50%;
background:transparent;color:inherit;cursor:pointer;display:flex;align-items:center;justify-content:center}
.x:hover{background:rgba(127,127,127,.22)}
.x:focus-visible{outline:2px solid currentColor;outline-offset:-4px}
.x svg{width:20px;height:20px}
.ls{display:flex;flex-direction:column;gap:10px;padding:16px}
.ft{margin:0;padding:0 20px 16px;font-size:12px;line-height:1.4;color:#59636e}
@media (max-width:480px){.p,:host([data-position=left]) .p{left:8px;right:8px;width:auto;
max-width:none;bottom:84px;max-height:calc(100vh - 96px);max-height:calc(100dvh - 96px)}}
@media (prefers-reduced-motion:reduce){.p,.p.open{transition:none;transform:none}}
"#;

/// The panel's chat view, the "Write to us" row, and the launcher's unread badge (the loader
/// draws the badge element in the same shadow root). The `chat` class on the panel switches
/// views: the home view's parts hide, and the channel links become a strip of round badges
/// between the log and the composer ("Or continue in your messenger"), or, outside office
/// hours (`away`), a notice above the log. The visitor's bubbles take the site's accent.
pub(crate) const CHAT_CSS: &str = r#"
.p:not(.chat) :is(.bk,.on,.ci,.sc,.cp),.p.chat :is(.tt,.sb,.wr,.ft,.go){display:none}
.cw{display:contents}
.sr,.p.chat .lb{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
.l{position:relative}
.n{position:absolute;top:-3px;right:-3px;min-width:22px;padding:0 6px;border-radius:11px;background:#d1242f;
color:#fff;box-shadow:0 0 0 2px #fff;font:700 12px/22px system-ui,sans-serif;text-align:center}
.n:empty,.on:empty,small:empty{display:none}
.wr{font-family:inherit;cursor:pointer}
.wr .ic,.me .bb,.sd{background:var(--ferry-accent,#2563eb);color:var(--ferry-on-accent,#fff)}
.wr .lb{white-space:normal;text-align:left}
.wr small{display:block;font-size:13px;font-weight:400;color:#59636e}
.p.chat{display:flex;flex-direction:column;height:600px;overflow:hidden}
.p.chat .hd{align-items:center;padding:10px 8px}
.p.chat .x{margin:0}
.p.chat .nm{margin:0;font-size:17px;font-weight:700;opacity:1}
.on{display:flex;align-items:center;gap:6px;margin:2px 0 0;font-size:13px}
.on:before{content:"";width:8px;height:8px;border-radius:50%;background:#3fb950}
.sc{order:2;flex:1;overflow-y:auto;padding:16px 14px 8px;background:#f6f8fa}
.p.chat .ls{order:3;flex-direction:row;align-items:center;gap:6px;padding:6px 12px 6px 16px;border-top:1px solid #eaeef2}
.ci{flex:1;margin:0;font-size:13px;line-height:1.3;color:#59636e}
.p.chat .ch{width:40px;min-height:40px;padding:2px;border:0;background:none}
.p.chat.away .ls{order:1;flex-wrap:wrap;margin:12px 12px 0;padding:12px 14px;border:1px solid #eed888;border-radius:12px;background:#fff8c5}
.p.chat.away .ci{flex-basis:100%;font-size:14px;font-weight:600;color:#3b2300}
.lg{display:flex;flex-direction:column;min-height:100%}
.lg:empty:before{content:attr(data-empty);margin:auto;font-size:15px;font-weight:600;color:#8c959f}
.m{max-width:84%;align-self:flex-start}
.me{align-self:flex-end;text-align:right}
.bb{margin:0;padding:8px 13px;border:1px solid #e4e7ec;border-radius:18px 18px 18px 6px;background:#fff;
text-align:left;white-space:pre-wrap;overflow-wrap:anywhere}
.me .bb{border:0;border-radius:18px 18px 6px 18px}
.sys .bb{background:#eef1f4;color:#424a53}
.mt{margin:2px 6px 10px;font-size:12px;color:#6e7781}
.er{color:#cf222e;font-weight:600}
.rt,.cn a{padding:0;border:0;background:none;color:var(--ferry-ring,#2563eb);font:inherit;font-weight:700;text-decoration:underline;cursor:pointer}
.cn{align-self:center;margin:8px 0;padding:8px 14px;border:1px solid #e4e7ec;border-radius:12px;background:#fff;font-size:13px;text-align:center}
.cp{order:4;display:flex;align-items:flex-end;gap:8px;margin:0;padding:10px 12px 12px;border-top:1px solid #eaeef2}
.cp textarea{flex:1;min-height:44px;max-height:132px;field-sizing:content;resize:none;padding:11px 16px;
border:1px solid #d0d7de;border-radius:22px;font:inherit;line-height:20px;outline:0}
.cp textarea:focus{border-color:var(--ferry-ring,#2563eb)}
.sd{flex:none;width:44px;height:44px;padding:0;border:0;border-radius:50%;cursor:pointer}
.sd svg{width:20px;height:20px}
.rt:focus-visible,.sd:focus-visible{outline:2px solid var(--ferry-ring,#2563eb);outline-offset:2px}
@media (max-width:480px){.p.chat{height:calc(100dvh - 96px)}}
"#;

/// The inline block in the merchant's layout: it takes the element's width, keeps its own
/// font and colours, and drops the QR codes when the block (or the screen) is too narrow for
/// them. On narrow blocks the channel links become tiles with the badge above the name.
pub(crate) const INLINE_CSS: &str = r#"
:host{display:block}
.b{container-type:inline-size;box-sizing:border-box;padding:18px 20px;border:1px solid #e4e7ec;
border-radius:16px;background:#fff;color:#1f2328;text-align:left;-webkit-font-smoothing:antialiased;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.b *{box-sizing:border-box}
.hide{display:none!important}
.ok{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px}
.okt{flex:1 1 220px;min-width:0}
.bt{margin:0;font-size:17px;line-height:1.35;font-weight:700}
.ck{width:20px;height:20px;margin-left:6px;vertical-align:-4px;color:#1a7f37}
.bs{margin:4px 0 0;font-size:14px;color:#59636e}
.bs:empty{display:none}
.more{flex:none;min-height:44px;padding:0 16px;border:1px solid #d0d7de;border-radius:10px;
background:#fff;color:#1f2328;font:inherit;font-size:14px;font-weight:600;cursor:pointer}
.more:hover{background:#f6f8fa}
.more:focus-visible{outline:2px solid var(--ferry-ring,#2563eb);outline-offset:2px}
.ok+.opt{margin-top:16px;padding-top:16px;border-top:1px solid #eaeef2}
.row{display:flex;align-items:center;gap:16px 24px;margin-top:14px}
.chs{flex:1;min-width:0;display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}
.q .chs{grid-template-columns:1fr}
.b .ch{min-height:48px}
.b .go{display:none}
.ft{margin:12px 0 0;font-size:12px;line-height:1.4;color:#59636e}
.ft:empty{display:none}
.qrs{flex:none;text-align:center}
.qh{margin:0 0 8px;font-size:13px;font-weight:600;color:#59636e}
.qg{display:flex;gap:12px}
.qr{margin:0;padding:6px 6px 4px;border:1px solid #e4e7ec;border-radius:12px}
.qr img{display:block;width:112px;height:112px}
.qr figcaption{font-size:12px;color:#59636e}
@container (max-width:600px){.qrs{display:none}.q .chs{grid-template-columns:repeat(auto-fit,minmax(150px,1fr))}}
@media (max-width:640px){.qrs{display:none}}
@container (max-width:440px){.b .chs{grid-template-columns:repeat(auto-fit,minmax(84px,1fr))}
.b .ch{flex-direction:column;gap:6px;padding:10px 4px;text-align:center;font-size:13px}
.b .lb{flex:none;max-width:100%}}
"#;

#[cfg(test)]
mod tests {
    use super::{CHANNEL_CSS, CHAT_CSS, INLINE_CSS, PANEL_CSS};

    #[test]
    fn braces_balance() {
        for css in [CHANNEL_CSS, PANEL_CSS, CHAT_CSS, INLINE_CSS] {
            let open = css.matches('{').count();
            assert_eq!(open, css.matches('}').count(), "{css}");
            assert!(open > 8);
        }
    }

    #[test]
    fn badges_are_grey_until_a_brand_colour_applies() {
        let badge = CHANNEL_CSS.find(".ic{").unwrap();
        let neutral = CHANNEL_CSS.find("background:#57606a").unwrap();
        let first_brand = CHANNEL_CSS.find(".telegram{").unwrap();
        assert!(badge < neutral && neutral < first_brand);
    }

    #[test]
    fn every_channel_kind_has_a_colour() {
        for kind in ferry_wire::ChannelKind::ALL {
            assert!(CHANNEL_CSS.contains(&format!(".{}{{background:", kind.as_str())));
        }
    }
}
