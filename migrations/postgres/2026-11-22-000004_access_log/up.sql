-- Access logs of the client systems, for log-inspection requests (Act 703/2023 § 11).
-- Keep in step with migrations/sqlite: a test compares the two.

-- Tokens of the `ingest` role: one per organisation and source system, shown once.
CREATE TABLE ingest_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    source TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES users (id),
    revoked_at TIMESTAMP
);

-- A small integer per organisation and register keeps millions of event rows narrow.
CREATE TABLE log_scopes (
    id BIGINT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    register_id TEXT NOT NULL REFERENCES registers (id),
    UNIQUE (org_id, register_id)
);

-- Who used the data, stored once per distinct name, title and unit.
CREATE TABLE log_users (
    id BIGINT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    UNIQUE (org_id, name, title, unit)
);

-- One row per event, partitioned by month of occurred_at (Unix seconds, UTC): purging old
-- events drops whole partitions instead of rewriting the table. Partitions are created by
-- the importer before it writes into a month. The subject is a keyed hash (HMAC-SHA256,
-- truncated to 16 bytes) of the identity code.
CREATE TABLE access_events (
    scope BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    subject_key BYTEA NOT NULL,
    occurred_at BIGINT NOT NULL,
    user_ref BIGINT NOT NULL,
    action TEXT NOT NULL,
    basis TEXT NOT NULL,
    recipient TEXT,
    source TEXT,
    PRIMARY KEY (scope, event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX access_events_subject ON access_events (subject_key, occurred_at);
