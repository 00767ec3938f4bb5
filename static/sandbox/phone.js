/* Sandbox phone — main controller: runs each platform's opening ritual (START, prefilled draft, Get Started/referral), sends actions and polls the transcript. */
"use strict";

(function (ns) {
  const POLL_MS = 700;
  const PLATFORMS = ns.route.PLATFORMS;

  const $ = (id) => document.getElementById(id);
  const state = {
    route: null,     // {platform, handle, query}
    title: "",
    user: null,      // {id, name}
    gen: 0,          // bumped on user switch; stale responses are dropped
    lastSeq: 0,
    pollTimer: 0,
    polling: false,
    pollAgain: false,
    online: true,
  };

  // ---- Header, identity, controls ----

  function showHeader(title, subtitle) {
    $("header-title").textContent = title;
    $("header-subtitle").textContent = subtitle;
    $("header-avatar").textContent = ns.chat.initials(title);
  }

  function showUser() {
    $("user-name").textContent = state.user.name;
    $("user-id").textContent = state.user.id;
  }

  function setOnline(online) {
    if (online === state.online) return;
    state.online = online;
    $("header-subtitle").textContent = online ? PLATFORMS[state.route.platform].subtitle : "connecting…";
  }

  /** Shows exactly one footer control: "start", "get_started", "composer" or "none". */
  function showControl(which) {
    $("action-start").hidden = which !== "start";
    $("action-get-started").hidden = which !== "get_started";
    $("composer").hidden = which !== "composer";
  }

  function setDraft(text) {
    const input = $("composer-input");
    input.value = text;
    autoGrow(input);
    $("send-button").disabled = input.value.trim() === "";
  }

  function autoGrow(input) {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
  }

  // ---- Talking to the relay ----

  /** Sends one action for the current user; returns true when the relay accepted it. */
  async function send(action, extra) {
    const { platform, handle } = state.route;
    const gen = state.gen;
    const payload = Object.assign({ user: { id: state.user.id, name: state.user.name }, action }, extra);
    try {
      const result = await ns.api.send(platform, handle, payload);
      if (gen !== state.gen) return false;
      const status = Number(result.webhook_status);
      if (status && (status < 200 || status > 299)) {
        state.chat.appendSystem(`The relay's ${PLATFORMS[platform].label} webhook answered HTTP ${status}.`, "error");
      }
      pollSoon();
      return true;
    } catch (err) {
      if (gen === state.gen) state.chat.appendSystem(`Not delivered — ${err.code}: ${err.message}`, "error");
      return false;
    }
  }

  function pollSoon() {
    schedulePoll(0);
  }

  function schedulePoll(delay) {
    window.clearTimeout(state.pollTimer);
    state.pollTimer = window.setTimeout(poll, delay);
  }

  async function poll() {
    if (state.polling) {
      state.pollAgain = true;
      return;
    }
    state.polling = true;
    const gen = state.gen;
    try {
      const { platform, handle } = state.route;
      const messages = await ns.api.messages(platform, handle, state.user.id, state.lastSeq);
      if (gen === state.gen) appendNew(messages);
      setOnline(true);
    } catch (_) {
      setOnline(false);
    } finally {
      state.polling = false;
      schedulePoll(state.pollAgain ? 0 : POLL_MS);
      state.pollAgain = false;
    }
  }

  function appendNew(messages) {
    messages
      .filter((m) => m && Number(m.seq) > state.lastSeq)
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .forEach((m) => {
        if (Number(m.seq) <= state.lastSeq) return; // duplicate seq within one answer
        state.chat.appendMessage(m);
        state.lastSeq = Number(m.seq);
      });
  }

  // ---- Platform openings ----

  function openTelegram() {
    showControl("start");
  }

  function openWhatsApp() {
    showControl("composer");
    setDraft(state.route.query.get("text") || "");
  }

  function openMessenger() {
    const { platform, handle, query } = state.route;
    if (!ns.identity.knowsThread(platform, handle, state.user.id)) {
      showControl("get_started");
      return;
    }
    showControl("composer");
    const ref = query.get("ref");
    if (ref) {
      state.chat.appendSystem("You entered this conversation by following a link", "info");
      send("referral", { ref });
    }
  }

  const OPENINGS = { telegram: openTelegram, whatsapp: openWhatsApp, messenger: openMessenger };

  /** Loads the transcript so far, so that what the opening adds lands below the history. */
  async function catchUp() {
    const { platform, handle } = state.route;
    const gen = state.gen;
    try {
      const messages = await ns.api.messages(platform, handle, state.user.id, state.lastSeq);
      if (gen === state.gen) appendNew(messages);
    } catch (_) {
      // the regular poll reports the connection state
    }
  }

  /** Starts the conversation view for the current user, as the app would when the link opens. */
  async function openThread() {
    const { platform, handle } = state.route;
    const gen = state.gen;
    state.chat.clear();
    ns.chat.renderIntro($("thread-intro"), { platform, handle, title: state.title });
    showControl("none");
    setDraft("");
    await catchUp();
    if (gen !== state.gen) return;
    OPENINGS[platform]();
    pollSoon();
  }

  // ---- User actions ----

  async function onStart() {
    const button = $("start-button");
    button.disabled = true;
    const ref = state.route.query.get("start");
    const ok = await send("start", ref ? { ref } : {});
    button.disabled = false;
    if (ok) {
      showControl("composer");
      $("composer-input").focus();
    }
  }

  async function onGetStarted() {
    const { platform, handle, query } = state.route;
    const button = $("get-started-button");
    button.disabled = true;
    const user = state.user;
    const ref = query.get("ref");
    const ok = await send("get_started", ref ? { ref } : {});
    button.disabled = false;
    if (ok) {
      ns.identity.rememberThread(platform, handle, user.id);
      showControl("composer");
      $("composer-input").focus();
    }
  }

  async function onSubmit(event) {
    event.preventDefault();
    const input = $("composer-input");
    const text = input.value.trim();
    if (!text) return;
    const button = $("send-button");
    button.disabled = true;
    const ok = await send("text", { text });
    if (ok && input.value.trim() === text) setDraft("");
    else button.disabled = input.value.trim() === "";
  }

  function onKeyDown(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  }

  function onInput() {
    const input = $("composer-input");
    autoGrow(input);
    $("send-button").disabled = input.value.trim() === "";
  }

  function onSwitchUser() {
    state.gen += 1;
    state.user = ns.identity.createUser(state.route.platform);
    state.lastSeq = 0;
    showUser();
    openThread();
  }

  function bindEvents() {
    $("start-button").addEventListener("click", onStart);
    $("get-started-button").addEventListener("click", onGetStarted);
    $("composer").addEventListener("submit", onSubmit);
    $("composer-input").addEventListener("keydown", onKeyDown);
    $("composer-input").addEventListener("input", onInput);
    $("switch-user").addEventListener("click", onSwitchUser);
  }

  // ---- Start-up ----

  function tickClock() {
    $("clock").textContent = new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  function fail(title, message) {
    showControl("none");
    showHeader(title, "unavailable");
    $("switch-user").disabled = true;
    state.chat.appendSystem(message, "error");
  }

  async function loadInfo() {
    const { platform, handle } = state.route;
    for (;;) {
      try {
        return await ns.api.info(platform, handle);
      } catch (err) {
        if (err.code !== "network") throw err;
        setOnline(false);
        await new Promise((resolve) => window.setTimeout(resolve, 2000));
      }
    }
  }

  async function main() {
    tickClock();
    window.setInterval(tickClock, 15000);
    state.chat = ns.chat.createChat($("messages"), $("chat-body"));
    const route = ns.route.parseRoute(window.location);
    if (route.error) {
      fail("Sandbox", route.error);
      return;
    }
    state.route = route;
    const meta = PLATFORMS[route.platform];
    $("app").dataset.platform = route.platform;
    $("sandbox-label").textContent = `Sandbox — simulated ${meta.label}`;
    $("composer-input").placeholder = meta.placeholder;
    showHeader(route.handle, "connecting…");
    state.user = ns.identity.loadUser(route.platform);
    showUser();
    bindEvents();
    try {
      const info = await loadInfo();
      state.title = String(info.title || route.handle);
    } catch (err) {
      fail(route.handle, `${err.code}: ${err.message}`);
      return;
    }
    state.online = true;
    showHeader(state.title, meta.subtitle);
    document.title = `${state.title} — Sandbox ${meta.label}`;
    openThread();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})(window.FerryPhone = window.FerryPhone || {});
