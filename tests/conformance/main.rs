//! The store conformance suite: every `Store` method's contract, tested once and run against
//! both backends — SQLite (a temp file) and PostgreSQL (a fresh database; see
//! `ferry_tests::postgres` for how one is found, and when its absence skips or fails).
//!
//! Tests pass times in (`now`, `Claim::now`) instead of waiting, and look at the rows through a
//! connection of their own only for what the store does not hand out.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod support;

// Webhook events: storing, claiming, and what comes of them.
mod failures;
mod inbound;
mod resolve;
// Decisions applied outside webhook processing: subscribers, accounts, replies, webhooks.
mod accounts;
mod apply;
// Intents, and subscribers attributed after they arrived.
mod intents;
// Reading subscribers and link codes, and erasing a subscriber.
mod erasure;
mod subscribers;
// Messages and merchant webhooks: claiming and recording delivery attempts.
mod deliveries;
mod messages;
mod webhooks;
// Conversations with visitors and their messages.
mod conversations;
// Conversations moving across channels: joining, continuing, replies, the inbox list.
mod conversation_flow;
// Operators' inbox sessions.
mod sessions;
// Many claimers at once, wake-ups, and the table inventory.
mod concurrency;
mod diagnostics;
// Several relays on one PostgreSQL database.
mod relays;
