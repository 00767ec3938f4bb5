/* Sandbox phone — link parsing: which platform, which bot/page/number and which query the simulated app was opened with, plus each platform's display texts. */
"use strict";

(function (ns) {
  const PLATFORMS = {
    telegram: { label: "Telegram", subtitle: "bot", placeholder: "Message" },
    whatsapp: { label: "WhatsApp", subtitle: "Business account", placeholder: "Message" },
    messenger: { label: "Messenger", subtitle: "Typically replies instantly", placeholder: "Aa" },
  };

  /**
   * Reads /sandbox/{platform}/{handle}?… into {platform, handle, query},
   * or {error} when the path is not a sandbox messenger link.
   */
  function parseRoute(location) {
    const parts = location.pathname.split("/").filter(Boolean); // ["sandbox", platform, handle]
    const platform = (parts[1] || "").toLowerCase();
    if (parts[0] !== "sandbox" || !Object.prototype.hasOwnProperty.call(PLATFORMS, platform)) {
      return { error: "This is not a sandbox messenger link (expected /sandbox/telegram|whatsapp|messenger/{handle})." };
    }
    let handle = "";
    try {
      handle = decodeURIComponent(parts[2] || "");
    } catch (_) {
      handle = "";
    }
    if (!handle) return { error: "The link names no bot, page or phone number." };
    return { platform, handle, query: new URLSearchParams(location.search) };
  }

  ns.route = { PLATFORMS, parseRoute };
})(window.FerryPhone = window.FerryPhone || {});
