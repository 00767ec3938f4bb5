-- Work queues are claimed with a lease (owner + until), so no two workers ever hold the same row
-- and a lease that ends (a crashed relay) lets another take it over. Webhook events are retried
-- on a schedule and parked, not dropped, when they keep failing; each platform user's events
-- are processed in order, so they carry the user id. Merchant webhooks keep a snapshot of the
-- subscriber (rendered into the body when delivered) and the subscriber's id (for erasure).

ALTER TABLE inbound ADD COLUMN user_id TEXT;
UPDATE inbound SET user_id = json_extract(event, '$.user');
ALTER TABLE inbound ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbound ADD COLUMN lease_owner TEXT;
ALTER TABLE inbound ADD COLUMN lease_until INTEGER;
ALTER TABLE inbound ADD COLUMN parked_at INTEGER;
-- Claims walk pending events in id order and look for an earlier pending event of the same user;
-- erasing a subscriber deletes their events. A person has few events, so one index serves both.
CREATE INDEX inbound_by_user ON inbound (site, channel, user_id, id);

ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
CREATE INDEX outbox_pending_by_subscriber ON outbox (subscriber_id, id) WHERE status = 'pending';
CREATE INDEX outbox_by_subscriber ON outbox (subscriber_id);

CREATE TABLE merchant_webhooks_v3 (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    subscriber_id INTEGER,                 -- no foreign key: erasure deletes these rows itself
    snapshot TEXT,                         -- JSON of store::Subscriber right after the event
    payload TEXT,                          -- bodies queued by earlier versions, sent as they are
    status TEXT NOT NULL,                  -- pending | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER
);
INSERT INTO merchant_webhooks_v3 (id, site, event_id, event_type, subscriber_id, snapshot, payload,
    status, attempts, next_attempt_at, last_error, created_at, delivered_at)
SELECT id, site, COALESCE(json_extract(payload, '$.id'), 'evt_' || id), event_type,
    json_extract(payload, '$.data.subscriber.id'), NULL, payload,
    status, attempts, next_attempt_at, last_error, created_at, delivered_at
FROM merchant_webhooks;
DROP TABLE merchant_webhooks;
ALTER TABLE merchant_webhooks_v3 RENAME TO merchant_webhooks;
CREATE INDEX merchant_webhooks_due ON merchant_webhooks (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX merchant_webhooks_pending_by_subscriber ON merchant_webhooks (site, subscriber_id, id) WHERE status = 'pending';
CREATE INDEX merchant_webhooks_by_subscriber ON merchant_webhooks (site, subscriber_id);

-- Late attribution finds the subscribers waiting for an intent by ref (index exists) and their
-- events by subscriber (index exists); listing by order id walks this one.
CREATE INDEX link_codes_by_subscriber ON link_codes (subscriber_id);
