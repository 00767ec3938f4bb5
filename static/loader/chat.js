/*! Ferry web chat, the browser side: the conversation token, the chat API, the live stream,
 * and the log's DOM. Plain ES2017. widget/build.sh appends it to the app's ES module glue (so it
 * loads with the panel, never with the launcher) and minifies the whole (terser);
 * the loader calls its export `chat(...)` once and hands the result to the app on the bridge
 * (`bridge.chat`). The app (widget/src/chat.rs) keeps the messages, merges them by seq and
 * decides what the log shows; this file moves them and puts the bubbles in place (DOM code is
 * several times smaller here than as wasm). Everything it tells the app goes through the one
 * listener:
 *   on("m", message)       a message of the history (GET …/conversation/messages)
 *   on("l", message)       a message on the live stream (may be an operator's reply)
 *   on("k", message, key)  the relay's 201 answer to the visitor's message sent with client `key`
 *   on("f", null, key)     that message did not go: network error or any other answer
 *   on("s", state)         ConversationState {channel, status, link?} from the stream
 *   on("r")                the token died (relay answered conversation_not_found): forget
 *                          every message of the old conversation
 * Messages get `time`, their `at` as the visitor's clock shows it, in the site's locale.
 *
 * The token is stored (localStorage, key `ferry:chat:SITE`) only once the visitor has written, or
 * when the relay resumed a logged-in customer's own conversation: nothing is kept for a visitor
 * who only looked. Every request may reach a different relay behind a load balancer: nothing
 * here relies on one relay seeing two of them.
 */
export function chat(api, key, locale, visit, jwt, reject) {
  var token = null, on = function () {}, last = 0, running = false, wait = 1000;
  var queue = Promise.resolve(), resumed = false, ctl = null;
  // The log: the panel's element, bubbles by entry id, and the drawing pass under way.
  var root = null, rows = {}, seen = {}, after = null, notice = null, d = document;
  try {
    token = localStorage.getItem(key);
  } catch (e) {
    // Storage blocked (a privacy mode): the conversation lasts for this page view only.
  }

  function keep(t) {
    token = t;
    try { localStorage.setItem(key, t); } catch (e) { }
    begin();
  }

  // The relay no longer knows the token (it erased the conversation, say): start afresh.
  function forget() {
    token = null;
    last = 0;
    running = false;
    if (ctl) ctl.abort();
    try { localStorage.removeItem(key); } catch (e) { }
    on("r");
  }

  function dead(r) {
    return r.status === 404 && r.body.error && r.body.error.code === "conversation_not_found";
  }

  // {status, body} of a chat API call (body {} when not JSON); rejects on network failure.
  function call(method, path, body) {
    var h = {};
    if (token) h["X-Ferry-Conversation"] = token;
    if (body) h["content-type"] = "application/json";
    return fetch(api + path, { method: method, headers: h, credentials: "omit", cache: "no-store",
      body: body && JSON.stringify(body) }).then(function (res) {
      return res.json().catch(function () { }).then(function (b) {
        return { status: res.status, body: b || {} };
      });
    });
  }

  // Starts the conversation (or, with `resume`, only finds the customer's open one). A
  // customer token the relay refuses is dropped and the conversation starts without it.
  function start(resume) {
    var t = jwt(), body = { visit: visit() };
    if (t) body.token = t;
    if (resume) body.resume = true;
    return call("POST", "/conversations", body).then(function (r) {
      if (r.status === 401 && t) {
        reject(t, r.body);
        if (!resume) return start(false);
      }
      if (r.status !== 201 || !r.body.token) throw r;
      keep(r.body.token);
    });
  }

  function stamp(m) {
    var at = new Date(m.at), now = new Date(), o = { hour: "2-digit", minute: "2-digit" };
    if (at.toDateString() !== now.toDateString()) {
      o.day = "numeric";
      o.month = "short";
    }
    try {
      m.time = at.toLocaleString(locale || undefined, o);
    } catch (e) {
      m.time = at.toLocaleString(undefined, o);
    }
    return m;
  }

  // History and stream are both in seq order with no gaps, so the highest seq they brought is
  // where a reconnect resumes. A send's answer does not move it: an operator's reply with a
  // lower seq may still be on its way on the stream.
  function take(kind, m) {
    if (!m || typeof m.seq !== "number") return;
    if (m.seq > last) last = m.seq;
    on(kind, stamp(m));
  }

  function history() {
    return call("GET", "/conversation/messages?after=" + last).then(function (r) {
      if (dead(r)) return forget();
      var list = (r.status === 200 && r.body.messages) || [];
      list.forEach(function (m) { take("m", m); });
      if (list.length >= 100) return history();
    });
  }

  // History, then the live stream, once per token.
  function begin() {
    if (running || !token) return;
    running = true;
    history().catch(function () { }).then(function () { if (token) stream(token); });
  }

  // The live stream. Not EventSource: it cannot send X-Ferry-Conversation, and the token must
  // not go into the URL, where it would land in access logs. So fetch reads the event stream
  // itself, and reconnects (1 s doubling to 30 s, back to 1 s once connected) from the last
  // seq it holds, so after a restart or deploy nothing is lost or repeated.
  function stream(t) {
    if (t !== token) return;
    var h = { "X-Ferry-Conversation": t };
    if (last) h["Last-Event-ID"] = String(last);
    ctl = new AbortController();
    fetch(api + "/conversation/events", { headers: h, credentials: "omit", cache: "no-store",
      signal: ctl.signal }).then(function (res) {
      if (!res.ok || !res.body) {
        return res.json().catch(function () { }).then(function (b) {
          if (dead({ status: res.status, body: b || {} })) forget();
        });
      }
      wait = 1000;
      var reader = res.body.getReader(), dec = new TextDecoder(), buf = "", name = "", data = [];
      var line = function (l) {
        if (!l) {
          if (data.length) event(name || "message", data.join("\n"));
          name = "";
          data = [];
          return;
        }
        // `field: value`; a line starting with ":" is a comment (the relay's pings).
        var i = l.indexOf(":"), field = i < 0 ? l : l.slice(0, i), value = i < 0 ? "" : l.slice(i + 1);
        if (value[0] === " ") value = value.slice(1);
        if (field === "event") name = value;
        else if (field === "data") data.push(value);
      };
      var pump = function (r) {
        if (r.done || t !== token) return reader.cancel();
        var lines = (buf + dec.decode(r.value, { stream: true })).split(/\r\n|\r|\n/);
        buf = lines.pop();
        lines.forEach(line);
        return reader.read().then(pump);
      };
      return reader.read().then(pump);
    }).catch(function () { }).then(function () {
      if (t !== token) return;
      setTimeout(stream, wait, t);
      wait = Math.min(wait * 2, 30000);
    });
  }

  function event(name, text) {
    var x;
    try { x = JSON.parse(text); } catch (e) { return; }
    if (name === "message") take("l", x);
    else if (name === "conversation" && x) on("s", x);
  }

  // Runs in the queue, one at a time: the relay numbers the visitor's messages in the order
  // written, and the first one starts exactly one conversation. A dead token is replaced once
  // and the message sent again in the new conversation.
  function deliver(text, k, again) {
    return (token ? Promise.resolve() : start(false)).then(function () {
      return call("POST", "/conversation/messages", { text: text, client_key: k });
    }).then(function (r) {
      if (r.status === 201 && r.body.seq) return on("k", stamp(r.body), k);
      if (dead(r) && again) {
        forget();
        return deliver(text, k, 0);
      }
      throw r;
    }).catch(function () {
      on("f", null, k);
    });
  }

  function later(f) {
    queue = queue.then(f);
  }

  function make(tag, cls, parent) {
    var el = d.createElement(tag);
    el.className = cls;
    return parent ? parent.appendChild(el) : el;
  }

  // Puts `el` right after the previous bubble of this pass unless it is there already, so an
  // unchanged bubble never leaves and re-enters the live region (screen readers would read it
  // again).
  function place(el, list) {
    var want = after ? after.nextSibling : list.firstChild;
    if (want !== el) list.insertBefore(el, want);
    after = el;
  }

  return {
    token: function () { return token; },
    // The app draws into `el` (its chat markup: .lg, the composer) and hears the visitor through
    // `ui`: ("w", text) written, ("r", id) Retry pressed. Enter sends, Shift+Enter breaks the
    // line, Enter that confirms an IME word does neither.
    view: function (el, ui) {
      root = el;
      var write = function (e) {
        var area = root.querySelector("textarea"), text = area.value;
        e.preventDefault();
        if (!text.trim()) return;
        area.value = "";
        ui("w", text);
      };
      el.addEventListener("submit", write);
      el.addEventListener("keydown", function (e) {
        if (e.target.tagName === "TEXTAREA" && e.key === "Enter" && !e.shiftKey && !e.isComposing) write(e);
      });
      el.addEventListener("click", function (e) {
        var b = e.target.closest(".rt");
        if (!b) return;
        // The button goes with the failed state: the focus waits in the composer instead.
        root.querySelector("textarea").focus();
        ui("r", b.closest(".m").getAttribute("data-id"));
      });
    },
    // One drawing pass, in the log's order: a bubble per entry (its status line's markup comes
    // escaped from the app), then `end` with the notice's markup ("" for none).
    put: function (id, cls, who, text, state, status) {
      var el = rows[id], list = root && root.querySelector(".lg");
      if (!list) return;
      if (!el) {
        el = rows[id] = make("div", cls);
        el.setAttribute("data-testid", "ferry-msg");
        el.setAttribute("data-id", id);
        var p = make("p", "bb", el);
        make("span", "sr", p).textContent = who + ": ";
        p.appendChild(d.createTextNode(text));
        make("p", "mt", el);
      }
      // Only a changed status line is replaced: a focused Retry button keeps its focus.
      if (el.s !== status) {
        el.s = status;
        el.setAttribute("data-state", state);
        el.lastChild.innerHTML = status;
      }
      seen[id] = 1;
      place(el, list);
    },
    end: function (html) {
      var list = root && root.querySelector(".lg");
      if (!list) return;
      for (var id in rows) {
        if (!seen[id]) {
          rows[id].remove();
          delete rows[id];
        }
      }
      if (html) {
        notice = notice || make("p", "cn");
        if (notice.s !== html) notice.innerHTML = notice.s = html;
        place(notice, list);
      } else if (notice) {
        notice.remove();
        notice = null;
      }
      seen = {};
      after = null;
      // The newest message in sight.
      list.parentNode.scrollTop = list.parentNode.scrollHeight;
    },
    // The app's one listener; with a stored token the history and the stream start now, so
    // replies count on the launcher even while the panel is closed.
    listen: function (fn) {
      on = fn;
      begin();
    },
    // The chat view opened: a logged-in customer without a token here may have a conversation
    // from another device. Asked once per page view; any answer but 201 means none yet.
    open: function () {
      if (token || resumed || !jwt()) return;
      resumed = true;
      // In the queue, so a message written meanwhile goes to the resumed conversation.
      later(function () { return start(true).catch(function () { }); });
    },
    // Sending a message again (Retry) with the same key: the relay keeps it once.
    send: function (text, k) {
      later(function () { return deliver(text, k, 1); });
    }
  };
}
