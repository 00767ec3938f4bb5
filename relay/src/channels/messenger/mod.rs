//! Facebook Messenger: page webhooks in, the Send API out.
//!
//! Refs arrive in `postback.referral.ref` (a new person tapping Get Started after an m.me link)
//! or `referral.ref` (an existing thread opened through the link). Events are batched: every
//! `entry[].messaging[]` item is one event.

mod client;
mod webhook;

pub use client::send;
pub use webhook::parse;
