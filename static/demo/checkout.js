/* Demo shop checkout (Northwind Coffee): shows the cart (1 bag when it is empty) and places the
 * order: sign-in first, then an order id NW-1234 and a token for it from the shop's backend
 * stand-in (the JWT carries order_id), then the thank-you page. */
"use strict";

(function () {
  const N = window.Northwind;
  const GRINDS = { whole: "Whole bean", filter: "Filter", espresso: "Espresso" };
  const item = N.cart() || { qty: 1, grind: "whole" };
  const subtotal = item.qty * N.PRICE;
  const shipping = subtotal >= 30 ? 0 : 4.9;
  const total = subtotal + shipping;

  const set = (id, text) => {
    document.getElementById(id).textContent = text;
  };
  set("cart-qty", String(item.qty));
  set("cart-detail", `250 g bag · ${GRINDS[item.grind] || GRINDS.whole}`);
  set("cart-subtotal", N.money(subtotal));
  set("sum-items", N.money(subtotal));
  set("sum-shipping", shipping ? N.money(shipping) : "Free");
  set("sum-total", N.money(total));

  const who = N.session();
  if (who) set("checkout-who", `Signed in as ${who.name || who.email} (${who.email}).`);

  const button = document.getElementById("place-order");
  const status = document.getElementById("order-status");
  button.addEventListener("click", async () => {
    const s = N.session();
    if (!s) return location.assign(N.signInUrl());
    button.disabled = true;
    status.textContent = "Placing your order…";
    const id = "NW-" + String(1000 + Math.floor(Math.random() * 9000));
    try {
      // What the shop's backend does when it renders the order's pages: a token for Ferry
      // that names this order.
      const { token } = await N.signToken(s.email, s.name, id);
      N.saveOrder({ id, token, qty: item.qty, grind: item.grind, total, email: s.email });
      location.assign("/demo/thanks.html?order=" + encodeURIComponent(id));
    } catch (e) {
      status.textContent = e.message;
      button.disabled = false;
    }
  });
})();
