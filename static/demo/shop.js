/* Demo shop behaviour (Northwind Coffee), shared by every page under /demo/: the cart, the
 * header's account area, the sign-in stand-in, and handing the signed-in customer's token to
 * Ferry. It plays what a merchant's own templates and backend would do: the sandbox endpoint
 * /sandbox/api/demo/sign-in stands in for the merchant's server that signs the JWT.
 * State lives in sessionStorage (the shop's own page, not the widget): the session
 * {token, email, name, customer_id}, the cart {qty, grind}, and placed orders by id.
 * Loaded as a plain script at the end of <body>, before widget.js, so Ferry.identify is queued
 * before the loader runs. Page scripts use window.Northwind. */
"use strict";

(function () {
  const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"];
  const KEYS = { session: "northwind.session", cart: "northwind.cart", orders: "northwind.orders" };
  const PRICE = 14.5;

  // Ferry's command queue: works before widget.js has loaded and after.
  window.Ferry = window.Ferry || [];
  const ferry = (...command) => window.Ferry.push(command);

  const store = {
    get(key) {
      try {
        return JSON.parse(sessionStorage.getItem(key));
      } catch (e) {
        return null;
      }
    },
    set(key, value) {
      sessionStorage.setItem(key, JSON.stringify(value));
    },
    remove(key) {
      sessionStorage.removeItem(key);
    },
  };

  // --- account ---

  function session() {
    const s = store.get(KEYS.session);
    return s && s.token && s.email ? s : null;
  }

  // The shop's backend signs a short-lived JWT (HS256, 15 minutes, aud "demo") for this
  // customer, with order_id when the token is for an order's pages.
  async function signToken(email, name, orderId) {
    const body = { site: "demo", email, name };
    if (orderId) body.order_id = orderId;
    const res = await fetch("/sandbox/api/demo/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok || !answer.token) {
      const why = answer.error ? answer.error.message : `the sandbox answered ${res.status}`;
      throw new Error(`Sign-in failed: ${why}`);
    }
    return answer;
  }

  async function signIn(email, name) {
    const { token, customer_id } = await signToken(email, name);
    const s = { token, email, name, customer_id };
    store.set(KEYS.session, s);
    ferry("identify", token);
    renderAccount();
    return s;
  }

  function signOut() {
    store.remove(KEYS.session);
    ferry("identify", null);
    renderAccount();
  }

  // Seconds until a JWT's exp (read without verifying: the shop only decides when to re-sign).
  function secondsLeft(token) {
    try {
      const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return claims.exp - Date.now() / 1000;
    } catch (e) {
      return 0;
    }
  }

  // Hands the session's token to Ferry, signing a new one first when it is about to expire —
  // as a server-rendered page would put a fresh token into every page.
  async function identify() {
    const s = session();
    if (!s) return;
    if (secondsLeft(s.token) > 60) return ferry("identify", s.token);
    try {
      await signIn(s.email, s.name);
    } catch (e) {
      console.warn(e.message);
    }
  }

  // Where to go after signing in: ?next= if it is a page of this shop, else /demo/.
  function nextUrl() {
    const next = new URLSearchParams(location.search).get("next") || "";
    return /^\/demo\/(?!signin\.html)/.test(next) ? next : "/demo/";
  }

  function signInUrl() {
    return "/demo/signin.html?next=" + encodeURIComponent(location.pathname + location.search);
  }

  function renderAccount() {
    const box = document.getElementById("account");
    if (!box) return;
    box.replaceChildren();
    const s = session();
    if (!s) {
      const a = document.createElement("a");
      a.className = "account__link";
      a.href = signInUrl();
      a.textContent = "Sign in";
      a.dataset.testid = "account-sign-in";
      box.append(a);
      return;
    }
    const who = document.createElement("span");
    who.className = "account__who";
    who.dataset.testid = "account-who";
    who.append("Signed in as ");
    const strong = document.createElement("strong");
    strong.textContent = s.name || s.email;
    strong.title = s.email;
    who.append(strong);
    const out = document.createElement("button");
    out.type = "button";
    out.className = "account__link";
    out.textContent = "Sign out";
    out.dataset.testid = "account-sign-out";
    out.addEventListener("click", () => {
      signOut();
      location.reload();
    });
    box.append(who, out);
  }

  // Wires a sign-in form (email + name) to the stand-in; `done(session)` runs after success.
  function bindSignInForm(form, done) {
    const status = form.querySelector("[role=status]");
    const s = session();
    if (s) {
      form.elements.email.value = s.email;
      form.elements.name.value = s.name || "";
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      if (status) status.textContent = "Signing in…";
      try {
        const email = form.elements.email.value.trim();
        const name = form.elements.name.value.trim();
        const signed = await signIn(email, name);
        if (status) status.textContent = "";
        done(signed);
      } catch (e) {
        if (status) status.textContent = e.message;
      } finally {
        button.disabled = false;
      }
    });
  }

  // --- cart and orders ---

  function cart() {
    const c = store.get(KEYS.cart);
    return c && c.qty > 0 ? c : null;
  }

  function renderCartCount() {
    const count = document.getElementById("cart-count");
    if (count) count.textContent = String(cart() ? cart().qty : 0);
  }

  function saveOrder(order) {
    const orders = store.get(KEYS.orders) || {};
    orders[order.id] = order;
    store.set(KEYS.orders, orders);
    store.remove(KEYS.cart);
  }

  function order(id) {
    return (store.get(KEYS.orders) || {})[id] || null;
  }

  const money = (n) => "€" + n.toFixed(2);

  // --- product page ---

  function showUtm() {
    const out = document.getElementById("utm-current");
    if (!out) return;
    const params = new URLSearchParams(location.search);
    const pairs = UTM_KEYS.filter((key) => params.get(key)).map((key) => [key, params.get(key)]);
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

  function setupBuyForm() {
    const form = document.getElementById("buy-form");
    const status = document.getElementById("buy-status");
    if (!form || !status) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const qty = Math.max(1, Math.min(20, Number(form.elements.qty.value) || 1));
      const grind = form.elements.grind.value;
      const before = cart();
      store.set(KEYS.cart, { qty: Math.min(20, (before ? before.qty : 0) + qty), grind });
      renderCartCount();
      status.replaceChildren(`Added ${qty} × Harbour Blend to your cart. `);
      const go = document.createElement("a");
      go.href = "/demo/checkout.html";
      go.textContent = "Go to checkout";
      status.append(go);
    });
  }

  window.Northwind = {
    PRICE,
    session,
    signIn,
    signOut,
    signToken,
    signInUrl,
    nextUrl,
    bindSignInForm,
    secondsLeft,
    cart,
    saveOrder,
    order,
    money,
  };

  renderAccount();
  renderCartCount();
  showUtm();
  setupBuyForm();
  identify();
})();
