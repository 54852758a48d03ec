-- The 30-day time bucket (occurred_at / 2592000) the SQLite subject index leads with.
-- PostgreSQL's monthly partitions already keep each subject index small, so its indexes
-- stay as they are; the column exists on both backends so the code and schema agree.
ALTER TABLE access_events ADD COLUMN bucket BIGINT NOT NULL DEFAULT 0;
UPDATE access_events SET bucket = occurred_at / 2592000;
