/* Demo shop account-link page (Northwind Coffee): the login URL behind the bot's "link your
 * account" button (?ferry_link=CODE). A signed-in visitor's token reaches Ferry through
 * Ferry.identify (shop.js, or the inline sign-in form below); the loader then completes the
 * link and this page shows its `linked` or `link_failed` event. */
"use strict";

(function () {
  const N = window.Northwind;
  const result = document.getElementById("link-result");
  const form = document.getElementById("link-signin");
  const code = new URLSearchParams(location.search).get("ferry_link");
  const CHANNELS = { telegram: "Telegram", whatsapp: "WhatsApp", messenger: "Messenger" };
  const FAILURES = {
    link_code_not_found: "This link is not valid. Ask for a new one in the chat.",
    link_code_expired: "This link has expired. Ask for a new one in the chat.",
    link_code_used: "This link was already used. Ask for a new one in the chat if you need to.",
  };

  function show(state, text) {
    result.dataset.state = state;
    result.textContent = text;
    // Once there is an outcome, the form has done its job.
    if (state === "linked" || state === "failed") form.hidden = true;
  }

  window.Ferry = window.Ferry || [];
  window.Ferry.push(["on", "linked", (e) => {
    const s = N.session();
    const who = s ? s.email : e.customer;
    show("linked", `Your ${CHANNELS[e.channel] || e.channel} is now linked to ${who}.`);
  }]);
  window.Ferry.push(["on", "link_failed", (e) => {
    show("failed", FAILURES[e.code] || `Linking did not work (${e.code}). Ask for a new link in the chat.`);
  }]);

  if (!code) {
    show("idle", "Open this page from the “Link your account” button in your chat with Northwind Coffee.");
    return;
  }
  const s = N.session();
  if (s) {
    show("pending", `Linking your messenger to ${s.email}…`);
    return;
  }
  form.hidden = false;
  show("idle", "Sign in to finish linking.");
  N.bindSignInForm(form, (signed) => show("pending", `Linking your messenger to ${signed.email}…`));
})();
