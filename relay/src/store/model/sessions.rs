//! Operators' inbox sessions as the store keeps them: who signed in, the CSRF token of the
//! session, and until when it lasts. How long sessions last is `crate::sessions`' business; the
//! store only keeps the deadlines it is handed and answers whether one has passed at a `now` it
//! is also handed.

use crate::domain::Millis;

/// A session to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 (hex) of the session id the operator's cookie carries; the id itself is never
    /// stored, so a copy of the database opens no session.
    pub id_hash: String,
    /// The operator's login, as the config spells it.
    pub login: String,
    /// The token state-changing requests must repeat in `X-CSRF-Token`.
    pub csrf_token: String,
    /// When the operator signed in.
    pub created_at: Millis,
    /// When it ends unless used again before (the idle deadline).
    pub idle_until: Millis,
    /// When it ends whatever happens (the absolute deadline).
    pub expires_at: Millis,
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 (hex) of its id.
    pub id_hash: String,
    /// The operator's login.
    pub login: String,
    /// Its CSRF token.
    pub csrf_token: String,
    /// When the operator signed in.
    pub created_at: Millis,
    /// When it was last used (recorded at most once a minute or so, see `crate::sessions`).
    pub last_seen_at: Millis,
    /// The idle deadline: never later than `expires_at`.
    pub idle_until: Millis,
    /// The absolute deadline.
    pub expires_at: Millis,
}

impl Session {
    /// Whether the session may still be used at `now`.
    pub fn is_live_at(&self, now: Millis) -> bool {
        now < self.idle_until && now < self.expires_at
    }
}
