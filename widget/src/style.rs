//! The panel's stylesheet, adopted into the shadow root through the loader's bridge.
//!
//! It ships inside the wasm rather than the loader so the launcher's first paint stays a few KB.
//! The loader puts `--ferry-accent`, `--ferry-on-accent` and `--ferry-ring` (focus outline) on
//! the host, and `data-position` for the left corner; nothing here reaches the merchant's page because it lives in the shadow
//! tree. No inline `style` attributes anywhere: a strict CSP would block them.

/// Everything the panel looks like. Sizes: 15px text, 48px rows (44px+ tap targets), 16px radius.
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
.ch{display:flex;align-items:center;gap:12px;min-height:52px;padding:8px 14px 8px 10px;
border:1px solid #e4e7ec;border-radius:12px;background:#fff;color:#1f2328;text-decoration:none;
font-weight:600;font-size:15px;transition:background .12s ease,border-color .12s ease}
.ch:hover{background:#f6f8fa;border-color:#cfd6de}
.ch:focus-visible{outline:2px solid var(--ferry-ring,#2563eb);outline-offset:2px}
.ic{flex:none;width:36px;height:36px;border-radius:50%;display:flex;align-items:center;
justify-content:center;color:#fff}
.ic svg{width:20px;height:20px}
.telegram{background:#229ED9}.whatsapp{background:#25D366}.messenger{background:#0084FF}
.lb{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.go{flex:none;width:18px;height:18px;color:#8c959f}
.ft{margin:0;padding:0 20px 16px;font-size:12px;line-height:1.4;color:#59636e}
@media (max-width:480px){.p,:host([data-position=left]) .p{left:8px;right:8px;width:auto;
max-width:none;bottom:84px;max-height:calc(100vh - 96px);max-height:calc(100dvh - 96px)}}
@media (prefers-reduced-motion:reduce){.p,.p.open{transition:none;transform:none}}
"#;

#[cfg(test)]
mod tests {
    use super::PANEL_CSS;

    #[test]
    fn braces_balance() {
        let open = PANEL_CSS.matches('{').count();
        assert_eq!(open, PANEL_CSS.matches('}').count());
        assert!(open > 20);
    }

    #[test]
    fn every_channel_kind_has_a_colour() {
        for kind in ferry_wire::ChannelKind::ALL {
            assert!(PANEL_CSS.contains(&format!(".{}{{background:", kind.as_str())));
        }
    }
}
