-- Conversations between a site and a visitor, across the web chat and the messengers, and their
-- messages. Times are milliseconds since the Unix epoch.

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    -- SHA-256 (hex) of the random token the visitor's browser holds; NULL for a conversation
    -- that began in a messenger.
    token_hash TEXT UNIQUE,
    customer_id TEXT,                      -- the merchant's customer, when the page vouched for them
    subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
    channel TEXT NOT NULL,                 -- where it continues now: 'web' or a ChannelKind name
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    attribution TEXT,                      -- JSON of domain::Attribution
    last_seq INTEGER NOT NULL DEFAULT 0,   -- the seq of its latest message
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- The inbox and the API: a site's conversations, latest activity first.
CREATE INDEX conversations_by_activity ON conversations (site, updated_at, id);
-- A returning customer's history, and a subscriber's open conversation.
CREATE INDEX conversations_by_customer ON conversations (site, customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX conversations_by_subscriber ON conversations (subscriber_id) WHERE subscriber_id IS NOT NULL;

-- seq numbers a conversation's messages 1, 2, 3… in the order they were committed, so a live
-- connection resumes from the last seq it saw without missing or repeating one.
CREATE TABLE messages (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('visitor', 'operator', 'system')),
    operator TEXT,                         -- the operator's login, for their messages
    channel TEXT NOT NULL,                 -- where it was written or delivered: 'web' or a ChannelKind name
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'pending', 'sent', 'failed')),
    -- The sender's own key for the message (a retried send, an Idempotency-Key): at most one
    -- message per key and conversation.
    client_key TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_key)
) WITHOUT ROWID;
