DROP INDEX requests_closed;
DROP INDEX requests_open_assignee_due;
DROP TABLE request_notes;
DROP TABLE request_search;
ALTER TABLE users DROP COLUMN language;
