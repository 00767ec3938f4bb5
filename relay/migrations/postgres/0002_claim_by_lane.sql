-- Deliveries are claimed lane by lane (a site on a platform; a merchant's endpoint), so that a
-- backlog in a lane with no room left is skipped with one index seek instead of being read row
-- by row on every claim. These indexes replace the queue-wide "due" ones, which only claims read.
DROP INDEX IF EXISTS outbox_due;
CREATE INDEX outbox_due_by_lane ON outbox (site, channel, next_attempt_at, id) WHERE status = 'pending';
DROP INDEX IF EXISTS merchant_webhooks_due;
CREATE INDEX merchant_webhooks_due_by_site ON merchant_webhooks (site, next_attempt_at, id) WHERE status = 'pending';
