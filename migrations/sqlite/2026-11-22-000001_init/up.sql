-- rightsdesk schema (SQLite). Keep in step with migrations/postgres: a test compares the two.
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    business_id TEXT,
    reference_prefix TEXT NOT NULL UNIQUE,
    address_visible_roles TEXT NOT NULL DEFAULT '["admin"]',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE registers (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, slug)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    title TEXT,
    role TEXT NOT NULL CHECK (role IN ('staff', 'dpo', 'admin')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE reference_counters (
    org_id TEXT NOT NULL REFERENCES organisations (id),
    year INTEGER NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE requests (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure', 'portability', 'restriction', 'objection', 'log_inspection')),
    state TEXT NOT NULL CHECK (state IN ('received', 'awaiting_requester', 'in_progress', 'completed', 'refused', 'withdrawn')),
    is_open BOOLEAN NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'letter', 'in_person', 'phone', 'email')),
    received_at TIMESTAMP NOT NULL,
    received_on DATE NOT NULL,
    target_on DATE NOT NULL,
    due_on DATE NOT NULL,
    extended BOOLEAN NOT NULL DEFAULT 0,
    extended_on DATE,
    extension_reason TEXT,
    paused_days INTEGER NOT NULL DEFAULT 0,
    paused_since DATE,
    pause_counts BOOLEAN NOT NULL DEFAULT 0,
    awaiting TEXT CHECK (awaiting IN ('identity', 'clarification')),
    details TEXT NOT NULL,
    identity_verification TEXT,
    assignee_id TEXT REFERENCES users (id),
    outcome TEXT CHECK (outcome IN ('fulfilled', 'partially_fulfilled', 'refused', 'withdrawn')),
    closed_on DATE,
    decision TEXT,
    repeat_within_year BOOLEAN NOT NULL DEFAULT 0,
    review_reasons TEXT NOT NULL DEFAULT '[]',
    status_token_hash TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Each listing filter and each DPO bucket reads one index range, already in due-date order
-- (reference breaks ties so pages are stable), so the views stay fast at millions of rows.
CREATE INDEX requests_open_due ON requests (org_id, is_open, pause_counts, due_on, reference);
CREATE INDEX requests_state_due ON requests (org_id, state, due_on, reference);
CREATE INDEX requests_extended_due ON requests (org_id, is_open, extended, due_on, reference);
CREATE INDEX requests_kind_due ON requests (org_id, kind, due_on, reference);
CREATE INDEX requests_assignee_due ON requests (org_id, assignee_id, due_on, reference);
CREATE INDEX requests_org_received ON requests (org_id, received_on);

CREATE TABLE request_subjects (
    request_id TEXT PRIMARY KEY NOT NULL REFERENCES requests (id),
    name TEXT NOT NULL,
    personal_id TEXT,
    birth_date DATE,
    temporary_id BOOLEAN NOT NULL DEFAULT 0,
    email TEXT,
    phone TEXT,
    postal_address TEXT,
    address_protected BOOLEAN NOT NULL DEFAULT 0,
    contact_channel TEXT NOT NULL CHECK (contact_channel IN ('email', 'post', 'phone', 'pick_up')),
    representative TEXT
);
CREATE INDEX request_subjects_personal_id ON request_subjects (personal_id);

CREATE TABLE request_registers (
    request_id TEXT NOT NULL REFERENCES requests (id),
    register_id TEXT NOT NULL REFERENCES registers (id),
    PRIMARY KEY (request_id, register_id)
);
CREATE INDEX request_registers_register ON request_registers (register_id);

CREATE TABLE audit_heads (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    seq BIGINT NOT NULL,
    request_id TEXT REFERENCES requests (id),
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (org_id, seq)
);
CREATE INDEX audit_events_request ON audit_events (request_id, seq);

-- The audit trail is append-only: the database refuses edits too.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
