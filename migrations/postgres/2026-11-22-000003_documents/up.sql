-- Documents: letters, certificates, attachments and bundles, stored in the database so several
-- instances share them. Keep in step with migrations/sqlite: a test compares the two.

-- What every letter prints about the sender, and the sender's overrides of the defaults.
ALTER TABLE organisations ADD COLUMN postal_address TEXT;
ALTER TABLE organisations ADD COLUMN email TEXT;
ALTER TABLE organisations ADD COLUMN phone TEXT;
-- Public authorities (municipalities, wellbeing counties) print the court route on refusals.
ALTER TABLE organisations ADD COLUMN public_authority BOOLEAN NOT NULL DEFAULT false;
-- JSON overriding letters/authorities.toml for this organisation, if any.
ALTER TABLE organisations ADD COLUMN authority_contact TEXT;

-- The register's privacy-notice facts (purposes, recipients, sources, retention ...) as JSON.
ALTER TABLE registers ADD COLUMN info TEXT NOT NULL DEFAULT '{}';

-- The address an address-protected person allows on letters (yhteysosoite).
ALTER TABLE request_subjects ADD COLUMN contact_address TEXT;

-- Letters the worker still has to produce, written in the transaction that calls for them
-- (the acknowledgement of a submission is rendered after the fast submission path commits).
CREATE TABLE letter_jobs (
    request_id TEXT NOT NULL REFERENCES requests (id),
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (request_id, kind)
);

-- Manual review of a representative's request about a minor: nothing is released until cleared.
CREATE TABLE review_clearances (
    request_id TEXT PRIMARY KEY NOT NULL REFERENCES requests (id),
    cleared_at TIMESTAMP NOT NULL,
    cleared_by TEXT NOT NULL REFERENCES users (id),
    note TEXT NOT NULL
);

-- Content is chunked so large files stream in and out without being held in memory.
CREATE TABLE blobs (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE blob_chunks (
    blob_id TEXT NOT NULL REFERENCES blobs (id),
    seq INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (blob_id, seq)
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    request_id TEXT NOT NULL REFERENCES requests (id),
    kind TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    blob_id TEXT NOT NULL REFERENCES blobs (id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES users (id),
    released_at TIMESTAMP,
    expires_at TIMESTAMP
);
CREATE INDEX documents_request ON documents (request_id, created_at);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations (id),
    request_id TEXT NOT NULL REFERENCES requests (id),
    register_id TEXT NOT NULL REFERENCES registers (id),
    kind TEXT NOT NULL CHECK (kind IN ('file', 'entry')),
    title TEXT NOT NULL,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    blob_id TEXT NOT NULL REFERENCES blobs (id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    withheld_ground TEXT,
    withheld_reason TEXT,
    redacted BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id)
);
CREATE INDEX attachments_request ON attachments (request_id, created_at);

-- One item of a rectification, erasure or restriction request and its decision.
CREATE TABLE request_items (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    number INTEGER NOT NULL,
    register_id TEXT REFERENCES registers (id),
    description TEXT NOT NULL,
    record_category TEXT,
    retention_start_on DATE,
    retention_ends_on DATE,
    retention_permanent BOOLEAN NOT NULL DEFAULT false,
    decision TEXT CHECK (decision IN ('done', 'refused')),
    before_text TEXT,
    after_text TEXT,
    reason TEXT,
    ground TEXT,
    explanation TEXT,
    decided_by TEXT REFERENCES users (id),
    decided_by_name TEXT,
    decided_by_title TEXT,
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (request_id, number)
);

-- Whom the data was disclosed to, and when each was told of the change (GDPR Art 19).
CREATE TABLE request_recipients (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    register_id TEXT REFERENCES registers (id),
    name TEXT NOT NULL,
    notified_on DATE,
    notified_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX request_recipients_request ON request_recipients (request_id);
