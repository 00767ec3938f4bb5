/* Demo shop behaviour (Northwind Coffee): the harmless "Add to cart" counter and the "this visit" UTM read-out. Knows nothing about the Ferry widget. */
"use strict";

(function () {
  const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"];

  function currentUtm() {
    const params = new URLSearchParams(window.location.search);
    return UTM_KEYS
      .filter((key) => params.get(key))
      .map((key) => [key, params.get(key)]);
  }

  function showUtm() {
    const out = document.getElementById("utm-current");
    if (!out) return;
    const pairs = currentUtm();
    if (pairs.length === 0) return; // keep the static "no campaign" text
    out.textContent = "This visit: ";
    pairs.forEach(([key, value], i) => {
      if (i > 0) out.append(" ");
      const code = document.createElement("code");
      code.textContent = `${key}=${value}`;
      out.append(code);
    });
    out.append(" — the widget records these with your subscription.");
  }

  function setupCart() {
    const form = document.getElementById("buy-form");
    const count = document.getElementById("cart-count");
    const status = document.getElementById("buy-status");
    if (!form || !count || !status) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const qty = Math.max(1, Math.min(20, Number(form.elements.qty.value) || 1));
      count.textContent = String(Number(count.textContent) + qty);
      status.textContent = `Added ${qty} × Harbour Blend to your cart (demo — checkout is coming soon).`;
    });
  }

  function init() {
    showUtm();
    setupCart();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
