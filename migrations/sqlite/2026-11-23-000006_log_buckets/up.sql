-- The subject index leads with a 30-day time bucket (occurred_at / 2592000). Logs arrive
-- in time order, so an import writes into the few newest buckets' part of the index, which
-- stays in the page cache, instead of into random places of one index over all the years
-- (measured: 77,000 -> 193,000 raw inserts/s at 8M events). A search seeks once per bucket
-- of its period (IN list); the purge deletes whole buckets through the same index, so the
-- separate time index goes.
ALTER TABLE access_events ADD COLUMN bucket BIGINT NOT NULL DEFAULT 0;
UPDATE access_events SET bucket = occurred_at / 2592000;
DROP INDEX access_events_subject;
DROP INDEX access_events_time;
CREATE INDEX access_events_bucket_subject ON access_events (bucket, subject_key, occurred_at);
