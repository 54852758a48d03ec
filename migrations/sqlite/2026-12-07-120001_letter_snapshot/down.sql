ALTER TABLE documents DROP COLUMN snapshot;
ALTER TABLE letter_jobs DROP COLUMN snapshot;
