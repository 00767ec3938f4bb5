//! Telegram Bot API: webhook updates in, `sendMessage` out.
//!
//! Webhooks are authenticated by the `X-Telegram-Bot-Api-Secret-Token` header, which echoes the
//! `secret_token` given to `setWebhook`. Refs arrive as the text `/start <ref>`.

mod client;
mod webhook;

pub use client::send;
pub use webhook::{SECRET_HEADER, parse, verify_secret};
