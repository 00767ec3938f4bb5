//! Relays as real processes: several `ferry serve` on one PostgreSQL database sharing the work,
//! one relay killed with SIGKILL in the middle of a burst, and a relay whose worker keeps failing.
//!
//! These tests start the `ferry` binary of this checkout (built first if needed), send Telegram
//! webhooks as the platform would (a refused or unanswered one is sent again, to another relay
//! when there are several, as Telegram retries), and read the outcome from the fake Bot API and
//! the database.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod failing_worker;
mod killed_relay;
