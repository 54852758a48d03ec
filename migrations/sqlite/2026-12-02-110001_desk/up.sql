-- The staff desk. Keep in step with the other backend's migration of the same name.

-- A user's own page language; none means the browser's choice, then Finnish.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('fi', 'sv', 'en'));

-- What the desk searches by, beside each request: the subject's name folded to lower case
-- without accents, and a keyed hash (HMAC) of the identity code, so the code is never
-- looked up or scanned in clear. Written with the request; older rows are filled at start.
CREATE TABLE request_search (
    request_id TEXT PRIMARY KEY NOT NULL REFERENCES requests (id),
    org_id TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    personal_id_key TEXT
);
CREATE INDEX request_search_personal_id_key ON request_search (org_id, personal_id_key);
CREATE INDEX request_search_org ON request_search (org_id, name_folded);

-- The desk's queues at a million requests: unassigned open requests, and closed ones by
-- when they closed.
CREATE INDEX requests_open_assignee_due ON requests (org_id, is_open, assignee_id, due_on, reference);
CREATE INDEX requests_closed ON requests (org_id, is_open, closed_on, reference);

-- Internal notes: staff's own remarks on a request, never shown to the client. The text
-- stays out of the hash-chained audit payload (the event names the note).
CREATE TABLE request_notes (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES requests (id),
    org_id TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX request_notes_request ON request_notes (request_id, created_at);
