/*! Ferry widget loader. Plain ES2017, no build step of its own: widget/build.sh only fills in
 * the content-hashed app file names and minifies it (terser, names and comments only).
 *
 * Embed:  <script src="https://RELAY/widget.js" data-site="SITE_ID" async></script>
 *         optional data-position="left" puts the launcher left before the config arrives;
 *         optional data-ferry-token="JWT" identifies a logged-in customer (as Ferry.identify).
 *
 * Inline blocks: every element with data-ferry-placement, in the page at load or added later,
 * gets an open shadow root with an opt-in block in the page's flow (a skeleton of fixed
 * min-height until the app has drawn it):
 *   <div data-ferry-placement="checkout" data-ferry-token="JWT" data-ferry-order="NW-1042"></div>
 *   data-ferry-placement  free text, normalised to [a-z0-9_-]{1,32} ("Thank you" -> thank-you);
 *                         it is visit.placement of the block's view, click and intents
 *   data-ferry-token      the customer's JWT (with order_id); without it, Ferry.identify's
 *   data-ferry-order      the order id sent with the block's intents
 * Set the attributes before the element is in the page (or add data-ferry-placement last): the
 * loader reads them once. With a token the loader first asks the relay which messengers the
 * customer is already linked on, and the block confirms those instead of asking again.
 *
 * JS API, window.Ferry:
 *   Ferry.open()  Ferry.close()  Ferry.toggle()
 *   Ferry.identify(jwt)  keep a JWT signed by the merchant's backend in memory; it goes with
 *                        every intent in the request body, never into a URL or deep link.
 *                        A token the relay refuses (401) is dropped for this page view and the
 *                        intent is sent again without it: "Ferry: token rejected: <code>".
 *   Ferry.on(event, fn)  Ferry.off(event, fn)
 *                        events: ready, open, close, click {channel, placement}, subscribed,
 *                        message, linked {channel, customer}, link_failed {code}
 * Calls made before this script ran are queued and replayed in order:
 *   window.Ferry = window.Ferry || [];
 *   Ferry.push(["on", "click", function (e) { console.log(e.channel); }]);
 *   Ferry.push(["open"]);
 * Afterwards Ferry.push(["name", ...args]) still works: it calls Ferry.name(...args).
 *
 * In-chat account linking: the bot's "link your account" button opens the merchant's login URL
 * with ?ferry_link=CODE. Once a token is known there (Ferry.identify, data-ferry-token), the
 * loader posts the code and the token to the relay once, removes ferry_link from the address
 * bar (history.replaceState) and emits `linked` {channel, customer (masked)} or `link_failed`
 * {code: link_code_not_found | link_code_expired | link_code_used | a token error |
 * network_error}. Register the listeners through the queue, before this script runs.
 *
 * Content-Security-Policy for the merchant's page (RELAY = the origin of this script):
 *   script-src RELAY 'wasm-unsafe-eval'   this loader, the app module, compiling the wasm
 *   connect-src RELAY                     config, events, intents, identity, links, the .wasm
 *   img-src RELAY                         QR codes in inline blocks (RELAY/api/widget/SITE/qr.svg)
 * No style-src: all styles are constructed stylesheets (adoptedStyleSheets) in shadow roots,
 * plus CSSOM on the floating host element. Browsers without constructed stylesheets (Safari <
 * 16.4) fall back to <style> elements, which need style-src 'unsafe-inline'.
 * The relay must serve /widget/* with Access-Control-Allow-Origin (module scripts and the wasm
 * fetch are CORS requests) and the .wasm as application/wasm.
 *
 * Page cost: this file draws the launcher at once and fetches the config; the Leptos app
 * (app-*.js + app-*_bg.wasm, with the chat transport static/loader/chat.js inside app-*.js)
 * loads when the browser is idle or on the first interaction with the launcher, or at once when
 * the page has an inline block or the visitor has a web conversation (its live connection then
 * counts replies on the launcher's badge). Nothing is stored on the visitor's device until they
 * write in the chat: then the conversation's token, in localStorage under ferry:chat:SITE.
 */
(function () {
  "use strict";
  var w = window, d = document;
  // Included twice: the first copy stays in charge.
  if (w.Ferry && w.Ferry.version) return;

  var me = d.currentScript || [].slice.call(d.querySelectorAll("script[src*='widget.js'][data-site]")).pop();
  var site = me && me.getAttribute("data-site");
  if (!site) return console.warn("Ferry: the widget script needs data-site");
  var relay = new URL(me.src, location.href).origin;
  var api = relay + "/api/widget/" + encodeURIComponent(site);
  var ACCENT = "#2563eb";
  var listeners = {}, ready = false, dead = false, want = false, sentOpen = false;
  var widget = null, loading = null, app = null, chat = null;
  var KEY = "ferry:chat:" + site;
  // The logged-in customer's JWT: request bodies only, never a URL.
  var jwt = me.getAttribute("data-ferry-token") || null;
  // Tokens the relay refused: later requests of this page view go without them.
  var refused = {};
  // The one-time code of an in-chat link (?ferry_link=), until it is posted.
  var linkCode = new URLSearchParams(location.search).get("ferry_link");
  // Skeletons of inline blocks still waiting for the app; elements already taken.
  var skeletons = [], taken = new WeakSet();

  // --- the launcher, drawn before any network round trip ---
  var host = d.createElement("div");
  host.setAttribute("data-ferry", site);
  // CSSOM rather than a style attribute (no 'unsafe-inline' needed). Fixed and out of flow, so
  // page content never moves; !important because the page's CSS could restyle a plain div.
  host.style.cssText = "position:fixed!important;z-index:2147483000!important;bottom:20px;" +
    "width:56px;height:56px;margin:0;padding:0;border:0;display:block";
  var root = host.attachShadow({ mode: "open" });
  sheet(":host{all:initial}.l{all:unset;box-sizing:border-box;width:56px;height:56px;" +
    "border-radius:50%;display:flex;align-items:center;justify-content:center;cursor:pointer;" +
    "background:var(--ferry-accent," + ACCENT + ");color:var(--ferry-on-accent,#fff);" +
    "box-shadow:0 6px 20px rgba(15,23,42,.24),0 2px 6px rgba(15,23,42,.14);" +
    "transition:transform .15s;-webkit-tap-highlight-color:transparent}" +
    ".l:hover{transform:scale(1.06)}.l:focus-visible{outline:3px solid var(--ferry-ring," +
    ACCENT + ");outline-offset:3px}.l svg{width:28px;height:28px}" +
    ".c,[aria-expanded=true]>.o{display:none}[aria-expanded=true]>.c{display:block}");
  var btn = d.createElement("button");
  btn.type = "button";
  btn.className = "l";
  // No label until the config brings the site's own: this one file serves every site, so any
  // word here would be in the wrong language on most of them, and before the config arrives
  // the launcher can do nothing but wait for it (a click is kept, the panel opens with the
  // config). A failed config removes the launcher, so an unlabelled one never stays.
  attrs(btn, { "data-testid": "ferry-launcher", "aria-expanded": "false",
    "aria-controls": "ferry-panel" });
  // A speech bubble with three dots cut out; the × replaces it while the panel is open.
  icon("o", "M12 3C6.5 3 2 6.8 2 11.5c0 2.5 1.3 4.8 3.4 6.3l-.9 3.7 4.3-2.2c1 .3 2.1.4 3.2.4 " +
    "5.5 0 10-3.8 10-8.5S17.5 3 12 3ZM7.6 10.2a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6Zm4.4 " +
    "0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6Zm4.4 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6Z");
  icon("c", "M6.3 4.9 12 10.6l5.7-5.7 1.4 1.4-5.7 5.7 5.7 5.7-1.4 1.4-5.7-5.7-5.7 5.7-1.4-1.4 " +
    "5.7-5.7-5.7-5.7Z");
  // The unread badge (styled by the app, which fills it in).
  var badge = attrs(btn.appendChild(d.createElement("span")), { class: "n", "aria-hidden": "true", "data-testid": "ferry-unread" });
  root.appendChild(btn);
  place(me.getAttribute("data-position"));
  if (d.body) d.body.appendChild(host);
  else d.addEventListener("DOMContentLoaded", function () { d.body.appendChild(host); });

  btn.addEventListener("click", function () { setOpen(!(widget ? widget.is_open() : want)); });
  btn.addEventListener("pointerenter", load);
  btn.addEventListener("focus", load);
  root.addEventListener("keydown", function (e) { if (e.key === "Escape" && want) setOpen(false); });

  // --- the config, fetched at once; any failure leaves the page without a widget ---
  var config = fetch(api + "/config", { credentials: "omit" }).then(function (res) {
    return res.json().catch(function () {}).then(function (body) {
      var err = body && body.error;
      if (!res.ok) throw new Error(res.status + (err ? " " + err.code + ": " + err.message : ""));
      return check(body);
    });
  });
  config.then(function (c) {
    var light = isLight(c.accent);
    host.style.setProperty("--ferry-accent", c.accent);
    host.style.setProperty("--ferry-on-accent", light ? "#111827" : "#fff");
    // Focus rings in a light accent would vanish on white.
    host.style.setProperty("--ferry-ring", light ? "#111827" : c.accent);
    place(c.position);
    btn.title = c.texts.launcher;
    btn.setAttribute("aria-label", c.texts.launcher);
    post("events", { kind: "view", visit: visit() });
    ready = true;
    emit("ready");
    var stored;
    try {
      stored = localStorage.getItem(KEY);
    } catch (e) {
      // Storage blocked: no conversation to resume.
    }
    if (stored) load();
    else (w.requestIdleCallback || function (f) { setTimeout(f, 2000); })(load, { timeout: 4000 });
  }, function (e) { die("widget disabled: " + (e && e.message)); });

  // Rejects only what the app cannot draw from. Any well-formed channel kind passes, so a
  // messenger added to the relay needs no new loader; the app skips kinds it cannot read.
  function check(c) {
    var t = c && c.texts;
    if (!t || typeof c.name !== "string" || !Array.isArray(c.channels) ||
      ["launcher", "title", "subtitle", "footer", "close"].some(function (k) { return typeof t[k] !== "string"; })) {
      throw new Error("malformed config");
    }
    c.site = site;
    c.locale = String(c.locale || "");
    c.accent = /^#[0-9a-f]{6}$/i.test(c.accent) ? c.accent : ACCENT;
    c.position = c.position === "left" ? "left" : "right";
    c.channels = c.channels.filter(function (ch) {
      return ch && /^[a-z][a-z0-9_]{0,31}$/.test(ch.kind) && /^(token|code)$/.test(ch.ref_kind) &&
        typeof ch.label === "string" && String(ch.link).indexOf("{ref}") >= 0;
    });
    if (!c.channels.length) throw new Error("no channel this widget can show");
    return c;
  }

  // --- the Leptos app: fetched and compiled once, for the panel and every inline block ---
  function module() {
    app = app || Promise.all([config, import(relay + "/widget/__FERRY_APP_JS__")]).then(function (r) {
      return r[1].default({ module_or_path: relay + "/widget/__FERRY_APP_WASM__" }).then(function () {
        chat = r[1].chat(api, KEY, r[0].locale, visit, function () { return jwt && !refused[jwt] ? jwt : null; }, reject);
        return r[1];
      });
    }).catch(function (e) {
      // Let a later interaction retry, e.g. after a network blip.
      app = null;
      throw e;
    });
    return app;
  }

  // The panel: when idle or on the first interaction, whichever comes first.
  function load() {
    if (loading || dead) return;
    loading = Promise.all([config, module()]).then(function (r) {
      bridge.chat = chat;
      widget = r[1].mount(root, r[0], bridge);
      if (!widget) return die("the app rejected the config");
      // The visitor may have clicked the launcher before the app was ready.
      if (want) widget.set_open(true);
    }).catch(function (e) {
      loading = null;
      if (!dead) console.warn("Ferry: could not load the widget app", e);
    });
  }

  // --- inline blocks ---
  function inline(el) {
    if (dead || taken.has(el) || !el.hasAttribute("data-ferry-placement")) return;
    taken.add(el);
    var r;
    try {
      r = el.attachShadow({ mode: "open" });
    } catch (e) {
      return console.warn("Ferry: this element cannot hold an inline block", el);
    }
    var placement = normalise(el.getAttribute("data-ferry-placement"));
    var order = el.getAttribute("data-ferry-order") || null;
    var token = function () { return el.getAttribute("data-ferry-token") || jwt; };
    // A compact stand-in of the block's size, so the page moves little when the block arrives.
    sheet(":host{display:block}.s{box-sizing:border-box;min-height:240px;padding:18px 20px;" +
      "border:1px solid #e4e7ec;border-radius:16px;background:#fff}.s i{display:block;height:14px;" +
      "width:55%;margin:4px 0 16px;border-radius:7px;background:#eef0f3}.s i+i{width:80%;height:48px;" +
      "border-radius:12px}", r);
    var sk = r.appendChild(d.createElement("div"));
    sk.className = "s";
    attrs(sk, { "aria-busy": "true", "data-testid": "ferry-inline-skeleton" });
    sk.appendChild(d.createElement("i"));
    sk.appendChild(d.createElement("i"));
    skeletons.push(sk);
    link(token());
    Promise.all([config, module(), identity(token())]).then(function (x) {
      var b = bridgeFor(r, placement, token, order);
      var ok = x[1].mount_inline(r, x[0], b, { order: order, identity: x[2], qr: device() === "desktop" });
      sk.remove();
      if (ok) post("events", { kind: "view", visit: visit(placement) });
    }).catch(function (e) {
      sk.remove();
      if (!dead) console.warn("Ferry: could not draw the inline block", e);
    });
  }

  function scan(node) {
    if (node.nodeType !== 1) return;
    inline(node);
    [].forEach.call(node.querySelectorAll("[data-ferry-placement]"), inline);
  }

  // Who the token is and where they are already linked; null when unknown or slow.
  function identity(token) {
    if (!token || refused[token]) return null;
    return new Promise(function (resolve) {
      setTimeout(resolve, 4000, null);
      post("identity", { token: token }, function (res, body) {
        if (res && res.status === 401) reject(token, body);
        resolve(res && res.ok && Array.isArray(body.subscriptions) ? body : null);
      });
    });
  }

  // Completes an in-chat link (?ferry_link=) once a token is known; see the header.
  function link(token) {
    if (!linkCode || !token) return;
    var code = linkCode;
    linkCode = null;
    try {
      var u = new URL(location.href);
      u.searchParams.delete("ferry_link");
      history.replaceState(history.state, "", u.href);
    } catch (e) {
      // A page that forbids replaceState keeps the code in its address bar; it is used up.
    }
    post("links", { code: code, token: token }, function (res, body) {
      if (res && res.ok && body.channel) return emit("linked", { channel: body.channel, customer: body.customer });
      emit("link_failed", { code: (body.error && body.error.code) || (res ? "http_" + res.status : "network_error") });
    });
  }

  // An intent: the ref, the visit, and who vouches for the visitor. A refused token costs one
  // more request: the same intent without token and order id, so the visit still counts.
  function intent(channel, ref, v, token, order) {
    var plain = { ref: ref, channel: channel, visit: v };
    var body = Object.assign({}, plain);
    if (token && refused[token]) return post("intents", plain);
    if (order) body.order_id = order;
    if (!token) return post("intents", body);
    body.token = token;
    post("intents", body, function (res, answer) {
      if (!res || res.status !== 401) return;
      reject(token, answer);
      post("intents", plain);
    });
  }

  function reject(token, body) {
    if (!refused[token]) console.warn("Ferry: token rejected: " + ((body.error && body.error.code) || "unauthorized"));
    refused[token] = 1;
  }

  function setOpen(open) {
    want = !!open;
    if (widget) widget.set_open(want);
    else if (want) load();
  }

  // What the app calls (widget/src/bridge.rs), one per shadow root. None of these throws.
  function bridgeFor(r, placement, token, order) {
    return {
      style: function (css) { sheet(css, r); },
      click: function (channel, ref) {
        var v = visit(placement);
        intent(channel, ref, v, token(), order);
        post("events", { kind: "click", channel: channel, visit: v });
        emit("click", { channel: channel, placement: placement });
      },
      shown: function (channel, ref) { intent(channel, ref, visit(placement), token(), order); },
      qr: function (link) { return api + "/qr.svg?link=" + encodeURIComponent(link); }
    };
  }
  var bridge = bridgeFor(root, "floating", function () { return jwt; }, null);
  bridge.state = function (open) {
    want = open;
    btn.setAttribute("aria-expanded", open);
    // One `open` per page view keeps the funnel's rates meaningful.
    if (open && !sentOpen) post("events", { kind: "open", visit: visit() });
    sentOpen = sentOpen || open;
    if (!open && root.activeElement && root.activeElement !== btn) btn.focus();
    emit(open ? "open" : "close");
  };
  // Replies that came while the chat was not in sight: a badge, and the count in the
  // launcher's name ("Write to us, 2 new messages").
  bridge.unread = function (n) {
    config.then(function (c) {
      badge.textContent = n > 9 ? "9+" : n || "";
      btn.setAttribute("aria-label", c.texts.launcher + (n ? ", " + c.chat.texts.unread.replace("{count}", n) : ""));
    });
  };

  // --- the public API; replaces the command queue array ---
  var queued = w.Ferry;
  var Ferry = w.Ferry = {
    version: 1,
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    toggle: function () { setOpen(!want); },
    identify: function (token) {
      jwt = token ? String(token) : null;
      link(jwt);
    },
    on: function (name, fn) {
      if (typeof fn !== "function") return;
      (listeners[name] = listeners[name] || []).push(fn);
      // A late `ready` subscriber still hears it.
      if (name === "ready" && ready) setTimeout(call, 0, fn);
    },
    off: function (name, fn) {
      listeners[name] = (listeners[name] || []).filter(function (f) { return f !== fn; });
    },
    push: function (cmd) {
      var f = Array.isArray(cmd) && cmd[0] !== "push" && Ferry[cmd[0]];
      if (typeof f === "function") f.apply(Ferry, cmd.slice(1));
      else console.warn("Ferry: unknown command", cmd);
    }
  };
  if (Array.isArray(queued)) queued.forEach(Ferry.push);
  link(jwt);

  // Inline blocks already parsed, and any the page adds or marks later.
  scan(d.documentElement);
  if (w.MutationObserver) {
    new MutationObserver(function (changes) {
      changes.forEach(function (m) {
        if (m.type === "attributes") inline(m.target);
        else [].forEach.call(m.addedNodes, scan);
      });
    }).observe(d.documentElement, { childList: true, subtree: true, attributes: true,
      attributeFilter: ["data-ferry-placement"] });
  }

  // --- helpers ---
  function emit(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) { call(fn, detail); });
  }

  function call(fn, detail) {
    try { fn(detail); } catch (e) { console.error("Ferry: listener failed", e); }
  }

  function die(why) {
    dead = true;
    host.remove();
    skeletons.forEach(function (sk) { sk.remove(); });
    console.warn("Ferry: " + why);
  }

  // Keepalive lets the request outlive the switch to the messenger app. `then(res, body)`, if
  // given, gets the response and its JSON ({} if none), or (null, {}) when the network failed.
  function post(path, body, then) {
    var done = function (res, json) { if (then) then(res, json || {}); };
    var h = { "content-type": "application/json" }, c = path === "intents" && chat && chat.token();
    // An intent names the visitor's web conversation, so the relay continues it in the messenger.
    if (c) h["X-Ferry-Conversation"] = c;
    try {
      fetch(api + "/" + path, { method: "POST", keepalive: true, credentials: "omit",
        headers: h, body: JSON.stringify(body) }).then(function (res) {
        if (then) return res.json().catch(function () {}).then(function (json) { done(res, json); });
      }, function () { done(null); });
    } catch (e) {
      // A page that broke fetch loses analytics, not the widget.
      done(null);
    }
  }

  // "Thank you page!" -> "thank-you-page": what the relay accepts as visit.placement.
  function normalise(name) {
    return String(name).toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 32) || "inline";
  }

  function visit(placement) {
    var q = new URLSearchParams(location.search), utm = {};
    ["source", "medium", "campaign", "content", "term"].forEach(function (k) {
      if (q.get("utm_" + k)) utm[k] = q.get("utm_" + k);
    });
    // A link code is a one-time secret, not analytics.
    var page = new URL(location.href);
    if (q.has("ferry_link")) page.searchParams.delete("ferry_link");
    var v = { page_url: page.href, utm: utm, placement: placement || "floating", device: device() };
    if (d.referrer) v.referrer = d.referrer;
    if (navigator.language) v.locale = navigator.language;
    return v;
  }

  // Coarse pointer = touch screen; its short side tells a phone (even in landscape) from a tablet.
  function device() {
    if (!w.matchMedia || !matchMedia("(pointer:coarse)").matches) return "desktop";
    return Math.min(innerWidth, innerHeight) < 768 ? "mobile" : "tablet";
  }

  function place(position) {
    var left = position === "left";
    host.style.left = left ? "20px" : "auto";
    host.style.right = left ? "auto" : "20px";
    host.setAttribute("data-position", left ? "left" : "right");
  }

  // Perceived brightness: light accents get dark text and dark focus rings.
  function isLight(hex) {
    var n = parseInt(hex.slice(1), 16);
    return 0.299 * (n >> 16) + 0.587 * (n >> 8 & 255) + 0.114 * (n & 255) > 165;
  }

  function sheet(css, r) {
    r = r || root;
    try {
      var s = new CSSStyleSheet();
      s.replaceSync(css);
      r.adoptedStyleSheets = r.adoptedStyleSheets.concat(s);
    } catch (e) {
      var el = r.insertBefore(d.createElement("style"), r.firstChild);
      el.textContent = css;
    }
  }

  function attrs(el, map) {
    for (var k in map) el.setAttribute(k, map[k]);
    return el;
  }

  function icon(cls, path) {
    var ns = "http://www.w3.org/2000/svg";
    var s = attrs(d.createElementNS(ns, "svg"), { viewBox: "0 0 24 24", class: cls, "aria-hidden": "true" });
    s.appendChild(attrs(d.createElementNS(ns, "path"), { d: path, fill: "currentColor", "fill-rule": "evenodd" }));
    btn.appendChild(s);
  }
})();
