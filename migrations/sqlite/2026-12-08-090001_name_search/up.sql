-- Name search at a million requests. Keep in step with the other backend's migration of the
-- same name.
--
-- The search table gets a numbered key of its own, so a full-text index can point at its
-- rows: a table without an INTEGER PRIMARY KEY may have its row numbers changed by VACUUM,
-- which would leave the index pointing at other people's names.
CREATE TABLE request_search_numbered (
    id INTEGER PRIMARY KEY NOT NULL,
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

-- Every three-letter piece of each folded name, so "any part of the name" is an index look-up
-- rather than a scan of every name. The index reads the names from request_search and is
-- kept in step with it by the triggers below.
CREATE VIRTUAL TABLE request_search_names USING fts5 (
    name_folded,
    content = 'request_search',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO request_search_names (request_search_names) VALUES ('rebuild');
CREATE TRIGGER request_search_names_insert AFTER INSERT ON request_search BEGIN
    INSERT INTO request_search_names (rowid, name_folded) VALUES (new.id, new.name_folded);
END;
CREATE TRIGGER request_search_names_delete AFTER DELETE ON request_search BEGIN
    INSERT INTO request_search_names (request_search_names, rowid, name_folded)
        VALUES ('delete', old.id, old.name_folded);
END;
CREATE TRIGGER request_search_names_update AFTER UPDATE ON request_search BEGIN
    INSERT INTO request_search_names (request_search_names, rowid, name_folded)
        VALUES ('delete', old.id, old.name_folded);
    INSERT INTO request_search_names (rowid, name_folded) VALUES (new.id, new.name_folded);
END;

-- The "needs review" queue: open requests with review reasons, and their ids to compare with
-- the clearances, read from the index alone.
CREATE INDEX requests_open_review ON requests (org_id, is_open, review_reasons, id);

-- The open queues in due order without sorting them, and any queue narrowed to one kind:
-- without these, "open access requests" was read through every access request ever made.
CREATE INDEX requests_open_by_due ON requests (org_id, is_open, due_on, reference);
CREATE INDEX requests_open_kind ON requests (org_id, is_open, kind, due_on, reference);
