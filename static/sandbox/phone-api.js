/* Sandbox phone — relay client: the three calls of the relay's sandbox API (/sandbox/api/{platform}/{handle}[/send|/messages]) with uniform errors. */
"use strict";

(function (ns) {
  /** An error from the relay ({"error":{"code","message"}}) or from the network. */
  class ApiError extends Error {
    constructor(code, message, status) {
      super(message);
      this.name = "ApiError";
      this.code = code;
      this.status = status;
    }
  }

  function basePath(platform, handle) {
    return `/sandbox/api/${encodeURIComponent(platform)}/${encodeURIComponent(handle)}`;
  }

  async function readJson(response) {
    const text = await response.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch (_) {
      return null;
    }
  }

  function errorFrom(response, body) {
    const err = body && body.error;
    if (err && typeof err === "object") {
      return new ApiError(String(err.code || `http_${response.status}`), String(err.message || response.statusText), response.status);
    }
    return new ApiError(`http_${response.status}`, `The relay answered HTTP ${response.status}.`, response.status);
  }

  async function request(url, options) {
    let response;
    try {
      response = await fetch(url, Object.assign({ cache: "no-store", headers: { Accept: "application/json" } }, options));
    } catch (_) {
      throw new ApiError("network", "Could not reach the relay.", 0);
    }
    const body = await readJson(response);
    if (!response.ok) throw errorFrom(response, body);
    if (body === null || typeof body !== "object") {
      throw new ApiError("bad_response", "The relay sent a response that is not JSON.", response.status);
    }
    return body;
  }

  /** GET /sandbox/api/{platform}/{handle} → {platform, handle, site, title} */
  function info(platform, handle) {
    return request(basePath(platform, handle));
  }

  /** POST …/send with {user, action, text?, ref?} → {webhook_status} */
  function send(platform, handle, payload) {
    return request(`${basePath(platform, handle)}/send`, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
  }

  /** GET …/messages?user=&after= → {messages:[{seq, from, text, buttons?, at}]} */
  async function messages(platform, handle, userId, after) {
    const query = new URLSearchParams({ user: userId, after: String(after) });
    const body = await request(`${basePath(platform, handle)}/messages?${query}`);
    return Array.isArray(body.messages) ? body.messages : [];
  }

  ns.api = { ApiError, info, send, messages };
})(window.FerryPhone = window.FerryPhone || {});
