DROP INDEX requests_open_kind;
DROP INDEX requests_open_by_due;
DROP INDEX requests_open_review;
DROP INDEX request_search_name_trigrams;
CREATE TABLE request_search_unnumbered (
    request_id TEXT PRIMARY KEY NOT NULL REFERENCES requests (id),
    org_id TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    personal_id_key TEXT
);
INSERT INTO request_search_unnumbered SELECT request_id, org_id, name_folded, personal_id_key FROM request_search;
DROP TABLE request_search;
ALTER TABLE request_search_unnumbered RENAME TO request_search;
CREATE INDEX request_search_personal_id_key ON request_search (org_id, personal_id_key);
CREATE INDEX request_search_org ON request_search (org_id, name_folded);
