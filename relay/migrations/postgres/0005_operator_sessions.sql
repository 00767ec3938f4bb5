-- Operators' inbox sessions, shared by every relay on the database so any of them can answer an
-- operator's request. Times are milliseconds since the Unix epoch.

CREATE TABLE operator_sessions (
    -- SHA-256 (hex) of the random id in the operator's cookie; the id itself is never stored.
    id_hash TEXT PRIMARY KEY,
    login TEXT NOT NULL,                   -- the operator's login, as the config spells it
    csrf_token TEXT NOT NULL,              -- repeated by the inbox in X-CSRF-Token
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    idle_until BIGINT NOT NULL,            -- ends unless used before; never after expires_at
    expires_at BIGINT NOT NULL             -- ends whatever happens
);
-- Sweeping ended sessions: idle_until is the earlier of the two deadlines.
CREATE INDEX operator_sessions_by_idle_deadline ON operator_sessions (idle_until);
