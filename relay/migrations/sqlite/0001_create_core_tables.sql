-- Intents, subscribers, funnel events, the inbound webhook log and the outbound queue.
-- Times are milliseconds since the Unix epoch.

CREATE TABLE intents (
    site TEXT NOT NULL,
    channel TEXT NOT NULL,
    ref TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attribution TEXT NOT NULL,            -- JSON of domain::Attribution
    PRIMARY KEY (site, channel, ref)
) WITHOUT ROWID;

CREATE TABLE subscribers (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    channel TEXT NOT NULL,
    platform_user_id TEXT NOT NULL,
    display_name TEXT,
    status TEXT NOT NULL,
    ref TEXT,
    attribution TEXT,                      -- JSON of domain::Attribution; NULL = direct/unknown
    subscribed_at INTEGER NOT NULL,
    last_inbound_at INTEGER NOT NULL,
    unsubscribed_at INTEGER,
    UNIQUE (site, channel, platform_user_id)
);
CREATE INDEX subscribers_by_site ON subscribers (site, id);
-- Subscribers who arrived with a ref whose intent was not stored yet.
CREATE INDEX subscribers_waiting_for_intent ON subscribers (site, channel, ref) WHERE attribution IS NULL AND ref IS NOT NULL;

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT,
    at INTEGER NOT NULL,
    subscriber_id INTEGER,
    ref TEXT,
    attribution TEXT
);
CREATE INDEX events_by_site_time ON events (site, at);
CREATE INDEX events_waiting_for_intent ON events (subscriber_id) WHERE attribution IS NULL;

CREATE TABLE inbound (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    channel TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    event TEXT NOT NULL,                   -- JSON of channels::InboundEvent
    received_at INTEGER NOT NULL,
    processed_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (site, channel, dedupe_key)
);
CREATE INDEX inbound_pending ON inbound (id) WHERE processed_at IS NULL;

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    channel TEXT NOT NULL,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id),
    recipient TEXT NOT NULL,
    message TEXT NOT NULL,                 -- JSON of channels::OutboundMessage
    dedupe_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,                  -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    platform_message_id TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
