DROP INDEX access_events_bucket_subject;
CREATE INDEX access_events_subject ON access_events (subject_key, occurred_at);
CREATE INDEX access_events_time ON access_events (occurred_at);
ALTER TABLE access_events DROP COLUMN bucket;
