//! Throttling failed sign-ins, per client address and per login, and bounding the password
//! checks that run at once.
//!
//! Per address, so one client cannot try many passwords; per login, so many clients (a botnet)
//! cannot try many passwords on one operator. Each allows a burst of failures, then one more
//! every minute; a client or login over its count gets `429 rate_limited` with `Retry-After`
//! *before* the password is checked, so a right guess made meanwhile gets in no more than a
//! wrong one. Unknown logins are counted like known ones: what is throttled says nothing about
//! who exists. The price is that someone can keep an operator's login at one try a minute;
//! their open sessions are unaffected.
//!
//! An Argon2id check takes a core and 19 MiB for tens of milliseconds; at most one per core
//! runs at once, the others wait their turn (and are checked against the counts again when it
//! comes, so a burst sent at once is not checked in full).

use std::{net::IpAddr, num::NonZeroU32, sync::Arc, time::Duration};

use axum::{extract::Request, response::Response};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::http::failure_throttle::FailureThrottle;
use crate::http::rate_limit::{ClientAddress, rate_limited};

/// Failed sign-ins a client address may have in a row before it is throttled.
const ADDRESS_BURST: NonZeroU32 = NonZeroU32::new(10).expect("ten is not zero");
/// Failed sign-ins on one login before it is throttled.
const LOGIN_BURST: NonZeroU32 = NonZeroU32::new(5).expect("five is not zero");
/// How often a throttled address or login gets one more try.
const FAILURE_PERIOD: Duration = Duration::from_secs(60);
/// The longest login kept as a key; no operator's is longer (`config::operators`).
const LOGIN_KEY_CHARS: usize = 128;

/// Failed sign-ins and the password checks in progress; clones share both.
#[derive(Clone)]
pub struct SignInThrottle {
    by_address: FailureThrottle<IpAddr>,
    by_login: FailureThrottle<String>,
    client_address: ClientAddress,
    /// One permit per core: password checks running at once.
    checking: Arc<Semaphore>,
}

impl SignInThrottle {
    /// A throttle reading client addresses like the widget limit (`client_ip_header`).
    pub fn new(client_ip_header: Option<&str>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Self {
            by_address: FailureThrottle::new(ADDRESS_BURST, FAILURE_PERIOD),
            by_login: FailureThrottle::new(LOGIN_BURST, FAILURE_PERIOD),
            client_address: ClientAddress::new(client_ip_header),
            checking: Arc::new(Semaphore::new(cores)),
        }
    }

    /// The request's client address, if known.
    pub(super) fn client_address(&self, request: &Request) -> Option<IpAddr> {
        self.client_address.of(request)
    }

    /// The 429 to answer if the address or the login must still wait.
    pub(super) fn refusal(&self, address: Option<IpAddr>, login: &str) -> Option<Response> {
        let by_address = address.and_then(|ip| self.by_address.wait_of(&ip));
        let by_login = self.by_login.wait_of(&login_key(login));
        by_address.max(by_login).map(rate_limited)
    }

    /// Counts a failed sign-in; the 429 to answer if it was one too many.
    pub(super) fn fail(&self, address: Option<IpAddr>, login: &str) -> Option<Response> {
        let by_address = address.and_then(|ip| self.by_address.fail(ip));
        let by_login = self.by_login.fail(login_key(login));
        let wait = by_address.max(by_login)?;
        tracing::warn!(client = ?address, "inbox: too many failed sign-ins; throttled");
        Some(rate_limited(wait))
    }

    /// Waits for a turn to check a password; the turn lasts as long as the permit.
    pub(super) async fn turn_to_check(&self) -> Option<SemaphorePermit<'_>> {
        // The semaphore is never closed.
        self.checking.acquire().await.ok()
    }
}

/// Logins are told apart regardless of case, as the config does.
fn login_key(login: &str) -> String {
    login
        .trim()
        .to_lowercase()
        .chars()
        .take(LOGIN_KEY_CHARS)
        .collect()
}
