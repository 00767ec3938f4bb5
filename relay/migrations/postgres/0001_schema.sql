-- Ferry's schema on PostgreSQL, shared by every relay on the database.
--
-- Times are milliseconds since the Unix epoch (BIGINT), JSON columns are jsonb, and statuses are
-- checked here, so a stored row can always be read back. Platform names are not: a new messenger
-- is a module of the relay and needs no migration. Every
-- query the store runs has an index; the work queues' claims walk a partial index of the pending
-- rows in claim order and look for an earlier pending row of the same person in another.

-- A click on a channel button: the ref its deep link carried, and where the visit came from.
CREATE TABLE intents (
    site TEXT NOT NULL,
    channel TEXT NOT NULL,                 -- a ChannelKind name; the registry, not the schema, lists them
    ref TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attribution JSONB NOT NULL,            -- domain::Attribution
    customer JSONB,                        -- domain::Customer, from a verified token
    order_id TEXT,
    linked_at BIGINT,                      -- a ref links at most once
    PRIMARY KEY (site, channel, ref)
);

CREATE TABLE subscribers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site TEXT NOT NULL,
    channel TEXT NOT NULL,                 -- a ChannelKind name; the registry, not the schema, lists them
    platform_user_id TEXT NOT NULL,
    display_name TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'unsubscribed')),
    ref TEXT,
    attribution JSONB,                     -- domain::Attribution; NULL = direct/unknown
    subscribed_at BIGINT NOT NULL,
    last_inbound_at BIGINT NOT NULL,
    unsubscribed_at BIGINT,
    customer_id TEXT,
    customer JSONB,                        -- domain::Customer
    linked_at BIGINT,
    UNIQUE (site, channel, platform_user_id)
);
-- Listing a site's subscribers, newest first, page by page.
CREATE INDEX subscribers_by_site ON subscribers (site, id);
-- Late attribution: subscribers who arrived with a ref whose intent was not stored yet.
CREATE INDEX subscribers_waiting_for_intent ON subscribers (site, channel, ref)
    WHERE attribution IS NULL AND ref IS NOT NULL;
-- Listing by linked customer.
CREATE INDEX subscribers_by_customer ON subscribers (site, customer_id) WHERE customer_id IS NOT NULL;

-- The orders a subscription is about.
CREATE TABLE subscriber_orders (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    order_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (subscriber_id, order_id)
);
-- Listing by order.
CREATE INDEX subscriber_orders_by_order ON subscriber_orders (order_id);

-- One-time codes for linking an account from the chat.
CREATE TABLE link_codes (
    code TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
-- Erasure deletes a subscriber's codes through the foreign key.
CREATE INDEX link_codes_by_subscriber ON link_codes (subscriber_id);

-- Funnel events. Erasure and late attribution find a subscriber's events; reports read them
-- outside the relay.
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT,
    at BIGINT NOT NULL,
    subscriber_id BIGINT,                  -- no foreign key: erasure keeps the event, anonymous
    ref TEXT,
    attribution JSONB
);
CREATE INDEX events_by_subscriber ON events (subscriber_id) WHERE subscriber_id IS NOT NULL;

-- Webhook events to process, kept (processed or parked) for replay and erasure.
CREATE TABLE inbound (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site TEXT NOT NULL,
    channel TEXT NOT NULL,                 -- a ChannelKind name; the registry, not the schema, lists them
    dedupe_key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    event JSONB NOT NULL,                  -- channels::InboundEvent
    received_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    processed_at BIGINT,
    parked_at BIGINT,
    lease_owner TEXT,
    lease_until BIGINT,
    UNIQUE (site, channel, dedupe_key)
);
-- Claims walk the pending events oldest first...
CREATE INDEX inbound_pending ON inbound (id) WHERE processed_at IS NULL;
-- ...and skip any with an earlier pending event of the same person.
CREATE INDEX inbound_pending_by_user ON inbound (site, channel, user_id, id) WHERE processed_at IS NULL;
-- Erasure deletes a person's events, processed or not.
CREATE INDEX inbound_by_user ON inbound (site, channel, user_id);

-- Messages to subscribers.
CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site TEXT NOT NULL,
    channel TEXT NOT NULL,                 -- a ChannelKind name; the registry, not the schema, lists them
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id),
    recipient TEXT NOT NULL,
    message JSONB NOT NULL,                -- channels::OutboundMessage
    dedupe_key TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    platform_message_id TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    lease_owner TEXT,
    lease_until BIGINT
);
-- Claims walk the pending messages by due time...
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'pending';
-- ...and skip any with an earlier pending message to the same subscriber.
CREATE INDEX outbox_pending_by_subscriber ON outbox (subscriber_id, id) WHERE status = 'pending';
-- Erasure deletes a subscriber's messages.
CREATE INDEX outbox_by_subscriber ON outbox (subscriber_id);

-- Webhooks to the merchant, each with a snapshot of the subscriber right after the event.
CREATE TABLE merchant_webhooks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL CHECK (event_type IN
        ('subscriber.created', 'subscriber.linked', 'subscriber.unlinked', 'subscriber.unsubscribed')),
    subscriber_id BIGINT,                  -- no foreign key: erasure deletes these rows itself
    snapshot JSONB NOT NULL,               -- store::Subscriber
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    lease_owner TEXT,
    lease_until BIGINT
);
-- Claims walk the pending webhooks by due time...
CREATE INDEX merchant_webhooks_due ON merchant_webhooks (next_attempt_at, id) WHERE status = 'pending';
-- ...and skip any with an earlier pending webhook about the same subscriber.
CREATE INDEX merchant_webhooks_pending_by_subscriber ON merchant_webhooks (site, subscriber_id, id)
    WHERE status = 'pending';
-- Erasure deletes a subscriber's webhooks.
CREATE INDEX merchant_webhooks_by_subscriber ON merchant_webhooks (site, subscriber_id);
