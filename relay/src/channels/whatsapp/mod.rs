//! WhatsApp Cloud API: `messages` webhooks in, `POST /<PHONE_NUMBER_ID>/messages` out.
//!
//! WhatsApp links carry no hidden parameter, so the ref is a short code inside the prefilled
//! text the person sends; `ingest` looks for it in the first message.

mod client;
mod webhook;

pub use client::send;
pub use webhook::parse;
