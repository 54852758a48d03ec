-- Name search at a million requests. Keep in step with the other backend's migration of the
-- same name.
--
-- The search table gets a numbered key of its own, as on SQLite (where the full-text index
-- needs it), so both backends keep the same columns.
CREATE TABLE request_search_numbered (
    id BIGSERIAL PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL UNIQUE REFERENCES requests (id),
    org_id TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    personal_id_key TEXT
);
INSERT INTO request_search_numbered (request_id, org_id, name_folded, personal_id_key)
    SELECT request_id, org_id, name_folded, personal_id_key FROM request_search;
DROP TABLE request_search;
ALTER TABLE request_search_numbered RENAME TO request_search;
CREATE INDEX request_search_personal_id_key ON request_search (org_id, personal_id_key);
CREATE INDEX request_search_org ON request_search (org_id, name_folded);

-- Every three-letter piece of each folded name (pg_trgm, a trusted extension since
-- PostgreSQL 13), so "any part of the name" is an index look-up rather than a scan.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX request_search_name_trigrams ON request_search USING gin (name_folded gin_trgm_ops);

-- The "needs review" queue: open requests with review reasons, and their ids to compare with
-- the clearances, read from the index alone.
CREATE INDEX requests_open_review ON requests (org_id, is_open, review_reasons, id);

-- The open queues in due order without sorting them, and any queue narrowed to one kind:
-- without these, "open access requests" was read through every access request ever made.
CREATE INDEX requests_open_by_due ON requests (org_id, is_open, due_on, reference);
CREATE INDEX requests_open_kind ON requests (org_id, is_open, kind, due_on, reference);
