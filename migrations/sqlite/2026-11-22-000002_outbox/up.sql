-- Transactional outbox: messages are written in the transaction of the change that causes
-- them and sent by a worker. Keep in step with migrations/postgres.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    request_id TEXT REFERENCES requests (id),
    kind TEXT NOT NULL CHECK (kind IN ('requester_news', 'staff_assigned', 'staff_due_soon', 'staff_overdue', 'dpo_digest')),
    recipient TEXT NOT NULL,
    recipient_role TEXT NOT NULL CHECK (recipient_role IN ('requester', 'staff', 'dpo')),
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_org_state ON outbox (org_id, state);

CREATE TABLE outbox_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    message_id TEXT NOT NULL REFERENCES outbox (id),
    attempted_at TIMESTAMP NOT NULL,
    worker TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'temporary_failure', 'permanent_failure')),
    detail TEXT
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (message_id);
