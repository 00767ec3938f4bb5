//! End-to-end tests: a real relay on port 0, a fresh SQLite file per test, the sandbox's
//! platform stand-ins, and (for `browser`) headless Chromium.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

// Webhooks from each platform: attribution, replays, authentication, bad input.
mod messenger;
mod telegram;
mod whatsapp;
// The one webhook route and the one send entry point, for every registered platform.
mod platforms;
// Signed webhooks with absurd values: refused at the door, or ignored.
mod poison_input;
// An event that fails while processed is parked; the others go on.
mod poison_processing;
// The widget API: origins, intents, events.
mod widget_api;
// The web chat: conversations, messages, tokens.
mod web_chat;
// The web chat's live stream: live messages, resumption, restarts.
mod live_chat;
// Two relays on one PostgreSQL: live messages cross between them.
mod live_across_relays;
// A web chat carried into a messenger: recap, moved conversation, replies within the rules.
mod continue_chat;
// Verified customers: linking by ref and by in-chat code, unlinking, erasure.
mod linking;
// Platforms failing on demand: every delivery path.
mod delivery_failures;
// A platform that hangs, with a backlog or without, leaves room for the others.
mod delivery_lanes;
// Signed webhooks to the merchant, with retries.
mod merchant_webhooks;
// The operator inbox's sign-in, sessions, CSRF and security headers.
mod inbox_security;
// The inbox's conversations: list, view, reply, close, read, live changes, other sites.
mod inbox_conversations;
// The merchant API and operations endpoints.
mod merchant_api;
// The merchant API's conversations: list, read, reply once per key, refusals.
mod merchant_conversations;
// Prometheus metrics.
mod metrics;
// The whole relay running and stopping, worker included.
mod lifecycle;
// Slow, idle and too many connections: the server's timeouts and connection limit.
mod slow_clients;
// Other projects' captured payloads through our parsers, when ../shared is present.
mod shared_captures;
// Serving the widget's files: compression, caching, CORS.
mod assets;
// The demo in a real browser.
mod browser;
// The checkout opt-in on the demo shop's thank-you page, then its subscribed state, in a browser.
mod checkout;
// The operator inbox signed in to and used in a browser, on a laptop and on a phone.
mod inbox_browser;
// The operator answering live in a browser, into the web chat and Telegram; WhatsApp's window.
mod inbox_live;
// The whole conversation in two browsers: web chat, inbox, Telegram on the sandbox phone.
mod chat_flow;
// Account linking from the bot's link button through the shop's link page, in a browser.
mod link_page;
// The widget with a refused customer token and with blocks added after load, in a browser.
mod widget_edge_cases;
// The web chat in the widget, in a browser: writing, history after a reload, retry, away.
mod widget_chat;
// The web chat live in a browser: replies, the launcher's badge, continued in a messenger.
mod widget_chat_live;
// Customer tokens signed by PyJWT through the relay's JWT verifier.
mod jwt_interop;
