-- Verified customers: who an intent vouches for, which subscriber is linked to which customer
-- account, the orders a subscription is about, in-chat link codes, and the queue of signed
-- webhooks to the merchant.

ALTER TABLE intents ADD COLUMN customer TEXT;          -- JSON of domain::Customer, from a verified JWT
ALTER TABLE intents ADD COLUMN order_id TEXT;
ALTER TABLE intents ADD COLUMN linked_at INTEGER;      -- a ref links at most once

ALTER TABLE subscribers ADD COLUMN customer_id TEXT;
ALTER TABLE subscribers ADD COLUMN customer TEXT;      -- JSON of domain::Customer
ALTER TABLE subscribers ADD COLUMN linked_at INTEGER;
CREATE INDEX subscribers_by_customer ON subscribers (site, customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE subscriber_orders (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    order_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (subscriber_id, order_id)
) WITHOUT ROWID;
CREATE INDEX subscriber_orders_by_order ON subscriber_orders (order_id);

CREATE TABLE link_codes (
    code TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) WITHOUT ROWID;

CREATE TABLE merchant_webhooks (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,                 -- the JSON body, fixed when the event happened
    status TEXT NOT NULL,                  -- pending | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX merchant_webhooks_due ON merchant_webhooks (next_attempt_at) WHERE status = 'pending';
