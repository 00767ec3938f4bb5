//! Operators' inbox sessions: the secret id an operator's cookie carries, its CSRF token, how
//! long a session lasts, and opening, resuming and ending one. Where sessions are kept is the
//! store's business (every relay on the database sees them); what the cookie looks like and
//! which requests need a session is `http::inbox`'s.
//!
//! A session ends after `IDLE_TIMEOUT` without use or `ABSOLUTE_LIFETIME` after sign-in,
//! whichever comes first. Use is recorded at most once per `TOUCH_INTERVAL`: the inbox asks the
//! relay something every few seconds, and a write per request would cost SQLite's one writer
//! far more than a minute of precision on a 12-hour deadline is worth.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::Millis;
use crate::store::{NewSession, Session, Store, StoreResult};

/// A session unused this long has ended.
pub const IDLE_TIMEOUT: Millis = 12 * 60 * 60 * 1000;
/// A session this old has ended, however much it is used.
pub const ABSOLUTE_LIFETIME: Millis = 7 * 24 * 60 * 60 * 1000;
/// How stale a session's recorded use may get before a request records it again.
pub const TOUCH_INTERVAL: Millis = 60 * 1000;

/// Length of a session id's text: 32 bytes in base64url without padding.
const ID_CHARS: usize = 43;

/// The secret an operator's cookie carries. `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl SessionId {
    /// A new random id.
    pub fn generate() -> Self {
        Self(random_text())
    }

    /// An id as a cookie carried it; `None` unless it has an id's shape.
    pub fn parse(text: &str) -> Option<Self> {
        let shaped = text.len() == ID_CHARS && ferry_wire::refs::is_link_safe(text);
        shaped.then(|| Self(text.to_owned()))
    }

    /// The text for the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the store keeps: the id's SHA-256, hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId([redacted])")
    }
}

/// 32 random bytes from the operating system's generator, base64url without padding.
fn random_text() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Opens a session for `login` at `now` and returns its id (for the cookie) and the session.
/// Sessions that have ended by now are swept on the way: sign-ins are rare enough to carry
/// that, and it needs no background task.
pub async fn open(
    store: &dyn Store,
    login: &str,
    now: Millis,
) -> StoreResult<(SessionId, Session)> {
    let id = SessionId::generate();
    let new = NewSession {
        id_hash: id.hash(),
        login: login.to_owned(),
        csrf_token: random_text(),
        created_at: now,
        idle_until: now + IDLE_TIMEOUT,
        expires_at: now + ABSOLUTE_LIFETIME,
    };
    store.sweep_sessions(now).await?;
    store.create_session(&new).await?;
    let session = Session {
        id_hash: new.id_hash,
        login: new.login,
        csrf_token: new.csrf_token,
        created_at: now,
        last_seen_at: now,
        idle_until: new.idle_until,
        expires_at: new.expires_at,
    };
    Ok((id, session))
}

/// The live session `id` opens at `now`, its use recorded if the last record is stale.
pub async fn resume(
    store: &dyn Store,
    id: &SessionId,
    now: Millis,
) -> StoreResult<Option<Session>> {
    let hash = id.hash();
    let Some(mut session) = store.find_session(&hash, now).await? else {
        return Ok(None);
    };
    if now - session.last_seen_at >= TOUCH_INTERVAL {
        let idle_until = now + IDLE_TIMEOUT;
        if !store.touch_session(&hash, now, idle_until).await? {
            // Signed out or swept between the two calls.
            return Ok(None);
        }
        session.last_seen_at = now;
        session.idle_until = idle_until.min(session.expires_at);
    }
    Ok(Some(session))
}

/// Ends the session `id` opens; `false` if there was none.
pub async fn end(store: &dyn Store, id: &SessionId) -> StoreResult<bool> {
    store.delete_session(&id.hash()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_id_reads_back_and_is_never_the_same_twice() {
        let id = SessionId::generate();
        assert_eq!(id.as_str().len(), ID_CHARS);
        assert_eq!(SessionId::parse(id.as_str()), Some(id.clone()));
        assert_ne!(id, SessionId::generate());
        assert_eq!(id.hash().len(), 64);
        assert_eq!(format!("{id:?}"), "SessionId([redacted])");
    }

    #[test]
    fn anything_but_an_id_is_refused() {
        let good = SessionId::generate();
        for bad in [
            String::new(),
            good.as_str()[1..].to_owned(),
            format!("{}=", &good.as_str()[1..]),
            format!("{}/", &good.as_str()[1..]),
        ] {
            assert_eq!(SessionId::parse(&bad), None, "{bad:?}");
        }
    }
}
