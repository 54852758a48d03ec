DROP TABLE request_notes;
DROP TABLE request_search;
ALTER TABLE users DROP COLUMN language;
