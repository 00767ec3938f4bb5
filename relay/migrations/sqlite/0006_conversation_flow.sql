-- Conversations across channels: the intent that carries a web conversation into a messenger,
-- outgoing messages that deliver a conversation's message (so its status follows the delivery),
-- what operators have read, and more than one device per conversation (a returning customer).

-- The web conversation the visitor carried into the messenger with this intent's ref.
ALTER TABLE intents ADD COLUMN conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL;

-- The conversation message an outgoing message delivers (a recap, an operator's reply).
ALTER TABLE outbox ADD COLUMN conversation_id INTEGER REFERENCES conversations (id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN message_seq INTEGER;

-- The seq of the latest message an operator has read: later visitor messages are unread.
ALTER TABLE conversations ADD COLUMN read_seq INTEGER NOT NULL DEFAULT 0;

-- Further browsers of the same conversation: a returning customer on another device.
CREATE TABLE conversation_devices (
    token_hash TEXT PRIMARY KEY,           -- SHA-256 (hex) of the device's conversation token
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX conversation_devices_by_conversation ON conversation_devices (conversation_id);

-- A conversation message delivered through the outbox takes the delivery's status.
CREATE TRIGGER outbox_delivers_message AFTER UPDATE OF status ON outbox
WHEN NEW.conversation_id IS NOT NULL AND NEW.status <> OLD.status
BEGIN
    UPDATE messages SET status = NEW.status
    WHERE conversation_id = NEW.conversation_id AND seq = NEW.message_seq;
END;
