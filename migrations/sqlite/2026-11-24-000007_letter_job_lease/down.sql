ALTER TABLE letter_jobs DROP COLUMN last_error;
ALTER TABLE letter_jobs DROP COLUMN locked_by;
ALTER TABLE letter_jobs DROP COLUMN locked_until;
ALTER TABLE letter_jobs DROP COLUMN attempts;
