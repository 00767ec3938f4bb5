/* Sandbox phone — chat rendering: bubbles, link buttons, system lines and the thread intro. Server text only ever goes through textContent. */
"use strict";

(function (ns) {
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatTime(at) {
    const date = new Date(at);
    if (Number.isNaN(date.getTime())) return "";
    return date.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  // Only web links may become clickable: http(s) anywhere, or a path on this relay.
  function safeUrl(url) {
    if (typeof url !== "string" || url === "") return null;
    if (url.startsWith("/") && !url.startsWith("//")) return url;
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (_) {
      return null;
    }
  }

  function renderButton(button) {
    const label = String((button && button.text) || "Open");
    const href = safeUrl(button && button.url);
    if (!href) {
      const dead = el("span", "msg__button is-dead", label);
      dead.setAttribute("data-testid", "phone-bubble-button");
      dead.title = "This button has no web link";
      return dead;
    }
    const link = el("a", "msg__button", label);
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.setAttribute("data-testid", "phone-bubble-button");
    return link;
  }

  function renderMessage(message) {
    const from = message.from === "user" ? "user" : "bot";
    const item = el("li", `msg msg--${from}`);
    item.setAttribute("data-testid", "phone-bubble");
    item.setAttribute("data-from", from);
    item.setAttribute("data-seq", String(message.seq));

    const bubble = el("div", "msg__bubble");
    const text = el("span", "msg__text", String(message.text || ""));
    text.setAttribute("data-testid", "phone-bubble-text");
    const time = el("span", "msg__time", formatTime(message.at));
    bubble.append(text, time);
    item.append(bubble);

    const buttons = from === "bot" && Array.isArray(message.buttons) ? message.buttons : [];
    if (buttons.length > 0) {
      const row = el("div", "msg__buttons");
      buttons.forEach((button) => row.append(renderButton(button)));
      item.append(row);
    }
    return item;
  }

  /** A chat view over the <ol> list and its scrolling container. */
  function createChat(list, scroller) {
    function nearBottom() {
      return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    }

    function appendNode(node, forceScroll) {
      const stick = forceScroll || nearBottom();
      list.append(node);
      if (stick) scroller.scrollTop = scroller.scrollHeight;
    }

    return {
      /** Appends one transcript message ({seq, from, text, buttons, at}). */
      appendMessage(message) {
        appendNode(renderMessage(message), message.from === "user");
      },
      /** Appends a centred system line; kind "error" shows it in red. */
      appendSystem(text, kind) {
        const item = el("li", `system system--${kind || "info"}`);
        item.setAttribute("data-testid", "phone-system");
        item.setAttribute("data-kind", kind || "info");
        item.append(el("span", "system__text", text));
        appendNode(item, true);
      },
      clear() {
        list.textContent = "";
      },
    };
  }

  /** Fills the thread intro: a profile card (Messenger) or a small notice chip (Telegram, WhatsApp). */
  function renderIntro(container, options) {
    container.textContent = "";
    if (options.platform === "messenger") {
      const card = el("div", "intro-card");
      card.append(
        el("span", "avatar avatar--large", initials(options.title)),
        el("div", "intro-card__title", options.title),
        el("div", "intro-card__handle", `@${options.handle}`),
        el("div", "intro-card__meta", "Business · Typically replies instantly"),
      );
      container.append(card);
      return;
    }
    const text = options.platform === "telegram"
      ? `Sandbox bot. Press START to talk to ${options.title}; nothing is sent to Telegram.`
      : "Simulated chat: messages stay on this Ferry relay and are never sent to WhatsApp.";
    container.append(el("div", "intro-chip", text));
  }

  /** Up to two capital letters for an avatar ("Northwind Coffee Bot" → "NC"). */
  function initials(title) {
    const words = String(title || "?").split(/[\s_\-.]+/).filter(Boolean);
    return words.slice(0, 2).map((word) => Array.from(word)[0].toUpperCase()).join("") || "?";
  }

  ns.chat = { createChat, renderIntro, initials, formatTime };
})(window.FerryPhone = window.FerryPhone || {});
