/* Demo shop sign-in page (Northwind Coffee): the stand-in form; after signing in, back to
 * where the visitor came from (?next=, a page of this shop). */
"use strict";

(function () {
  const form = document.getElementById("signin-form");
  if (!form) return;
  window.Northwind.bindSignInForm(form, () => location.assign(window.Northwind.nextUrl()));
})();
