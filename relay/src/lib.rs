//! Ferry's relay: turns a website's visitors into messenger subscribers and keeps talking to them.
//!
//! # Layout
//! - `startup` builds the application from `config::Settings` and a listener; `cli` is the
//!   `ferry` command line and `main.rs` wires the two.
//! - `http` holds every route: the widget API, the platforms' webhooks, the merchant API,
//!   health checks and static files; `error::ApiError` is the one way errors become responses.
//! - `channels` knows each messenger, one module per platform behind the `Platform` and
//!   `Account` traits and one registry: webhook authentication and parsing, deep links, the send
//!   API and its limits. Nothing else matches on a platform's kind.
//! - `ingest` decides what an inbound event means (subscribe, attribute, opt out, reply);
//!   `worker` runs that and the outbound deliveries in the background.
//! - `store` is storage behind a trait: `sqlite` for one relay, `postgres` for several.
//! - `sandbox` plays the platforms locally for the demo and the tests, one stand-in per platform;
//!   `demo` sets up `ferry demo`.
//! - `domain` holds validated values (refs, attribution, ids, locales) and pure rules (retries,
//!   the platforms' reply windows); `texts` what the bot and the widget say, one catalogue per
//!   language; `passwords` hashes and checks operators' passwords, `sessions` keeps them
//!   signed in to the inbox (`http::inbox` is the sign-in and the inbox's pages).
//!
//! # Flow of a subscription
//! widget click → `POST /api/widget/{site}/intents` (ref + attribution) ∥ deep link with the ref
//! → platform webhook → stored durably, answered → worker: `ingest::process` creates the
//! subscriber with the intent's attribution and queues a welcome → worker delivers it.

pub mod channels;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod health;
pub mod http;
pub mod identity;
pub mod ingest;
pub mod intents;
pub mod links;
pub mod merchant_webhooks;
pub mod metrics;
pub mod passwords;
pub mod replies;
pub mod sandbox;
pub mod sessions;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod texts;
pub mod views;
pub mod worker;
