/* Sandbox phone — simulated users: makes and remembers (localStorage) one fake messenger user per platform, and which Messenger threads that user has opened. */
"use strict";

(function (ns) {
  const NAMES = ["Ann", "Ben", "Chloe", "Dmitri", "Eglė", "Farid", "Greta", "Hana", "Ivo", "Jonas", "Kemi", "Lucía"];
  const USER_KEY = (platform) => `ferry-sandbox:user:${platform}`;
  const THREAD_KEY = (platform, handle, userId) => `ferry-sandbox:thread:${platform}:${handle}:${userId}`;

  // localStorage can be unavailable (privacy modes); fall back to memory for this tab.
  const memory = new Map();
  const store = {
    get(key) {
      try { return window.localStorage.getItem(key); } catch (_) { return memory.get(key) || null; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, value); } catch (_) { memory.set(key, value); }
    },
  };

  function randomInt(maxExclusive) {
    const buf = new Uint32Array(1);
    window.crypto.getRandomValues(buf);
    return buf[0] % maxExclusive;
  }

  function randomDigits(count) {
    let out = "";
    for (let i = 0; i < count; i += 1) out += String(randomInt(10));
    return out;
  }

  function pick(list) {
    return list[randomInt(list.length)];
  }

  // Telegram user id: an integer of 9–10 digits, no leading zero.
  function telegramId() {
    const length = 9 + randomInt(2);
    return String(1 + randomInt(9)) + randomDigits(length - 1);
  }

  // WhatsApp id: a mobile number of 11–12 digits, UK (44 7…) or German (49 15…/16…/17…).
  function whatsappId() {
    if (randomInt(2) === 0) return "447" + randomDigits(9);
    return "491" + pick(["5", "6", "7"]) + randomDigits(7 + randomInt(2));
  }

  // Messenger page-scoped id: 16 digits, no leading zero.
  function messengerId() {
    return String(1 + randomInt(9)) + randomDigits(15);
  }

  const ID_MAKERS = { telegram: telegramId, whatsapp: whatsappId, messenger: messengerId };

  function isValidUser(user) {
    return Boolean(user && typeof user.id === "string" && /^\d+$/.test(user.id) && typeof user.name === "string");
  }

  /** Makes a brand-new simulated user for `platform`, saves it as the current one and returns it. */
  function createUser(platform) {
    const user = { id: ID_MAKERS[platform](), name: pick(NAMES) };
    store.set(USER_KEY(platform), JSON.stringify(user));
    return user;
  }

  /** The current simulated user for `platform`, made on first use. */
  function loadUser(platform) {
    try {
      const saved = JSON.parse(store.get(USER_KEY(platform)) || "null");
      if (isValidUser(saved)) return saved;
    } catch (_) {
      // corrupt entry: replace it below
    }
    return createUser(platform);
  }

  /** Whether this user has opened the thread with `handle` before (Messenger "existing thread"). */
  function knowsThread(platform, handle, userId) {
    return store.get(THREAD_KEY(platform, handle, userId)) === "1";
  }

  function rememberThread(platform, handle, userId) {
    store.set(THREAD_KEY(platform, handle, userId), "1");
  }

  ns.identity = { loadUser, createUser, knowsThread, rememberThread };
})(window.FerryPhone = window.FerryPhone || {});
