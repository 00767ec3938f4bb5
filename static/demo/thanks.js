/* Demo shop thank-you page (Northwind Coffee): "Thank you, order NW-1042", and Ferry's inline
 * opt-in for that order. The block's element gets its attributes here, synchronously, before
 * widget.js runs — the way a server-rendered page would print them. When the order's token has
 * expired (15 minutes), a fresh one is signed and the block is added afterwards, which the
 * loader notices too. */
"use strict";

(function () {
  const N = window.Northwind;
  const id = new URLSearchParams(location.search).get("order") || "";
  if (!/^NW-\d{4}$/.test(id)) return;
  const order = N.order(id);
  document.getElementById("order-id").textContent = id;
  document.title = `Thank you, order ${id} — Northwind Coffee (Ferry demo shop)`;
  if (order) {
    document.getElementById("order-detail").textContent = `${order.qty} × 250 g bag`;
    document.getElementById("order-total").textContent = N.money(order.total);
    document.getElementById("order-email").textContent = `A confirmation is on its way to ${order.email}.`;
  }

  const slot = document.getElementById("order-updates");
  function block(token) {
    const el = document.createElement("div");
    el.dataset.testid = "ferry-placement";
    if (token) el.setAttribute("data-ferry-token", token);
    el.setAttribute("data-ferry-order", id);
    // Last, so the element is complete when Ferry sees the attribute.
    el.setAttribute("data-ferry-placement", "checkout");
    slot.append(el);
  }

  if (!order || N.secondsLeft(order.token) > 60) return block(order && order.token);
  const s = N.session();
  if (!s) return block(null);
  N.signToken(s.email, s.name, id).then(
    ({ token }) => block(token),
    () => block(null)
  );
})();
