-- The weekly digest: each (week, recipient, channel) is sent at most once. A row is written
-- before sending (the unique key is the claim), then marked sent, or retried with backoff.
CREATE TABLE digest_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    week TEXT NOT NULL,
    recipient_id BIGINT NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'empty')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (week, recipient_id, channel)
);
CREATE INDEX digest_deliveries_due_idx ON digest_deliveries (status, next_attempt_at, id);
