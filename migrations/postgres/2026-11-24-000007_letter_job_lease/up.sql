-- Letter jobs are claimed like outbox messages: a conditional UPDATE gives a job to one
-- worker, of any instance, until locked_until. A failed try sets locked_until to when the
-- job may be tried again (backing off), so a failing letter does not hold up the others.
-- Keep in step with the other backend's migration of the same name.
ALTER TABLE letter_jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE letter_jobs ADD COLUMN locked_until TIMESTAMP;
ALTER TABLE letter_jobs ADD COLUMN locked_by TEXT;
ALTER TABLE letter_jobs ADD COLUMN last_error TEXT;
